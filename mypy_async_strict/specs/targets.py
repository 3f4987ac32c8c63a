"""Dotted patch targets (`patch("pkg.mod.Client.fetch")`), resolved from the modules mypy loaded.

CPython splits off the last name and resolves the rest: 3.10 imports the first component and
walks with getattr, importing `pkg.mod` when `pkg` has no attribute `mod`; 3.11+
(`pkgutil.resolve_name`) imports the longest module prefix first, then walks with getattr.  The
plugin starts at the longest module prefix in the build, walks the symbol tables from there and
gives up wherever the two could differ.
The module a string target names is a dependency of the module that patches it (dispatch's
`get_additional_deps`, see knowledge/dependencies.py): mypy loads it like an import inside a
function, whatever else the run checks, with or without workers, and re-checks the patching
module when it changes.  A module mypy cannot find (or does not follow) is simply not resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Union

from mypy.nodes import MypyFile, TypeInfo
from mypy.plugin import CheckerPluginInterface

Owner = Union[MypyFile, TypeInfo]


@dataclass(frozen=True)
class DottedTarget:
    owner: Owner  # the module or class `patch` sets the attribute on
    attribute: str


def build_modules(api: CheckerPluginInterface) -> Mapping[str, MypyFile]:
    """The checker's modules (every module in the build), or nothing for an unknown checker."""
    modules = getattr(api, "modules", None)
    return modules if isinstance(modules, dict) else {}


def resolve(modules: Mapping[str, MypyFile], dotted: str) -> DottedTarget | None:
    parts = dotted.split(".")
    if len(parts) < 2 or not all(part.isidentifier() for part in parts):
        return None
    # The longest module prefix: a module loaded from mypy's cache does not bring its parent
    # packages into the build, so the walk cannot always start at the first component.
    for length in range(len(parts) - 1, 0, -1):
        module = modules.get(".".join(parts[:length]))
        if module is not None:
            break
    else:
        return None
    if _shadowed(modules, module):
        return None
    owner: Owner | None = module
    for part in parts[length:-1]:
        if owner is None:
            return None
        owner = _step(modules, owner, part)
    return DottedTarget(owner, parts[-1]) if owner is not None else None


def _shadowed(modules: Mapping[str, MypyFile], module: MypyFile) -> bool:
    """Whether a loaded parent package has an attribute of the submodule's name that is not
    the submodule (3.10 would patch through the attribute, 3.11+ through the submodule)."""
    parent_name, _, name = module.fullname.rpartition(".")
    parent = modules.get(parent_name) if parent_name else None
    if parent is None:
        return False
    symbol = parent.names.get(name)
    return symbol is not None and symbol.node is not module


def _step(modules: Mapping[str, MypyFile], owner: Owner, name: str) -> Owner | None:
    """`getattr(owner, name)` when it is a module or a class, else None."""
    if isinstance(owner, TypeInfo):
        symbol = owner.get(name)  # the MRO, as getattr on a class
        node = symbol.node if symbol is not None else None
        return node if isinstance(node, TypeInfo) else None
    submodule = modules.get(f"{owner.fullname}.{name}")
    symbol = owner.names.get(name)
    if symbol is None:
        return submodule  # not an attribute yet: both versions import the submodule
    if symbol.module_hidden and owner.is_stub:
        return None  # a stub's private import says nothing about the run-time module
    node = symbol.node
    if submodule is not None and node is not submodule:
        return None  # an attribute shadows the submodule: 3.10 and 3.11+ disagree
    return node if isinstance(node, (MypyFile, TypeInfo)) else None

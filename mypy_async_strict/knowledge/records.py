"""What the plugin learned about a module, kept with the module in mypy's cache.

mypy frees a module's syntax tree once it is checked, and a module loaded from the cache has
no tree at all: what the plugin reads from a module's code (function summaries, pytest
fixtures) must be recorded while mypy checks it.  The only plugin data mypy serializes is a
class's `metadata`, so each module that has something to record gets one hidden class,
`__mypy_async_strict__`, whose metadata holds the records.  It is private to the plugin:
not exported, not a name user code can see (the name is a dunder no module defines).

Dependencies: a module that reads another module's record must be rechecked when that record
changes.  In incremental mode the record is part of the recording module's interface (its
symbol table is serialized with the class), so importers are rechecked.  For the daemon, the
hidden class has one attribute per record whose type is a literal of the record's digest:
changing the record changes the class's snapshot, which fires the trigger
`<module.__mypy_async_strict__.key>`, and readers register a dependency on that trigger.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from mypy.nodes import (
    GDEF,
    MDEF,
    Block,
    ClassDef,
    MypyFile,
    SymbolTable,
    SymbolTableNode,
    TypeInfo,
    Var,
)
from mypy.plugin import CheckerPluginInterface
from mypy.types import Instance, LiteralType

HOLDER: Final = "__mypy_async_strict__"
METADATA_KEY: Final = "mypy_async_strict"
Json = Any


def read(api: CheckerPluginInterface, module_name: str, key: str) -> Json | None:
    """The record `key` of a module, registering the current target's dependency on it."""
    modules = getattr(api, "modules", None)
    module = modules.get(module_name) if isinstance(modules, dict) else None
    if not isinstance(module, MypyFile):
        return None
    holder = _holder(module)
    _depend(api, module_name, key)
    if holder is None:
        return None
    return holder.metadata.get(METADATA_KEY, {}).get(key)


def read_own(module: MypyFile, key: str) -> Json | None:
    """A record of the module being checked (no dependency: it is the reader's own)."""
    holder = _holder(module)
    return holder.metadata.get(METADATA_KEY, {}).get(key) if holder is not None else None


def write(api: CheckerPluginInterface, module: MypyFile, key: str, value: Json) -> None:
    modules = getattr(api, "modules", None)
    if isinstance(modules, dict):
        write_to_module(modules, module, key, value)


def write_to_module(modules: dict[str, MypyFile], module: MypyFile, key: str, value: Json) -> None:
    """Record `value` (JSON data) as `key` of `module`."""
    builtins = modules.get("builtins")
    str_info = _class(builtins, "str")
    object_info = _class(builtins, "object")
    if module.is_stub or str_info is None or object_info is None:
        return
    holder = _holder(module) or _create_holder(module, object_info)
    holder.metadata.setdefault(METADATA_KEY, {})[key] = value
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]
    var = Var(key, LiteralType(digest, Instance(str_info, [])))
    var.info = holder
    var._fullname = f"{holder.fullname}.{key}"
    holder.names[key] = SymbolTableNode(MDEF, var, plugin_generated=True)


def _class(module: MypyFile | None, name: str) -> TypeInfo | None:
    symbol = module.names.get(name) if module is not None else None
    return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None


def _holder(module: MypyFile) -> TypeInfo | None:
    symbol = module.names.get(HOLDER)
    node = symbol.node if symbol is not None else None
    return node if isinstance(node, TypeInfo) else None


def _create_holder(module: MypyFile, object_info: TypeInfo) -> TypeInfo:
    defn = ClassDef(HOLDER, Block([]))
    defn.fullname = f"{module.fullname}.{HOLDER}"
    info = TypeInfo(SymbolTable(), defn, module.fullname)
    defn.info = info
    info.bases = [Instance(object_info, [])]
    info.mro = [info, object_info]
    module.names[HOLDER] = SymbolTableNode(GDEF, info, plugin_generated=True, module_public=False)
    return info


def _depend(api: CheckerPluginInterface, module_name: str, key: str) -> None:
    """Make the daemon recheck the current target when the record changes."""
    current = getattr(api, "tree", None)
    if isinstance(current, MypyFile) and current.fullname != module_name:
        from mypy_async_strict.knowledge.dependencies import depend_on

        depend_on(api, [f"{module_name}.{HOLDER}.{key}"])

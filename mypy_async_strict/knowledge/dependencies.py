"""Dependencies on what the plugin reads from other modules, so that every mode agrees.

mypy re-checks a module only when something it depends on changes, and it computes those
dependencies from the module's own syntax and types.  The plugin reads more than that: the kind
of each member of a spec class (`async def` or not), which attributes the class and its bases
have, the facts recorded in their metadata (classfacts.py), the modules and classes a patch
target names by a dotted string the test module may never import, and what a `mocker.spy`
owner holds.  Without dependencies of its own, a warm run or the daemon keeps the verdict of the
spec as it was when the test module was last checked.  Two mechanisms, one per mode:

* The incremental cache (warm runs, `--num-workers`): mypy keeps a module's cached result until
  the interface of a module it depends on changes.  A spec class usually reaches the test
  module through an import or the types of its expressions (`MagicMockOf[Repo]`), which mypy
  already counts; a class's metadata is part of its module's interface, so a change of recorded
  facts invalidates the cache like a changed signature.  The modules of everything read are
  also recorded per checked module and handed to mypy by `get_additional_indirect_deps` (called
  right after the module is checked, in the process that checked it, a worker too).
  That is not enough for a dotted patch target (`patch("app.repo.Repo.get")`), which is only a
  string: mypy orders its work by imports alone, so a module the test does not import may be
  processed after the test module's cache was judged fresh (a warm run kept the old verdict),
  and a worker loads only the test module's imports (so `--num-workers 2` could not resolve the
  target at all, nor could a run given the test file alone).  So the module a dotted patch
  target names is a dependency of the test module like an import inside a function:
  `patch_target_modules` finds the string targets of `patch(...)`/`patch.multiple(...)` calls
  in the parsed file (for `get_additional_deps`, once per parse; syntax only, the longest
  prefix that is a module mypy can find), and mypy loads, orders and fingerprints that module
  as it does an import.  With `--num-workers`, the workers parse and the coordinator, which
  asks for these dependencies, holds only the file's imports and its statements serialized:
  those are read back (mypy 2.4's native parser format) when the bytes mention `patch`.

* The daemon (fine-grained): after an edit mypy fires triggers for the names whose snapshot
  changed (`<app.repo.Repo.get>`, and `<app.repo.Repo[wildcard]>` for any change inside the
  class) and re-checks only the targets (functions, module top levels) that depend on them;
  a target that read `Repo` through a mock type depends on nothing of Repo's members.  So a
  target that reads a class depends on `<C>` (its MRO and kind) and `<C[wildcard]>` (any member
  added, removed or changed, including the facts digest classfacts.py adds) for the class and
  each base (a member may come from a base in a third module), and a target that reads a
  module's names on `<mod>` and `<mod[wildcard]>`.  The plugin API offers
  `add_plugin_dependency` only during semantic analysis; while type checking, the same entry is
  written where that method writes it, the checked module's `plugin_deps`, which mypy merges
  when it computes the whole module's dependencies.  When the daemon re-checks a single
  function it recomputes that function's dependencies without `plugin_deps`, but with the
  module's per-target `alias_deps` (trigger names by target): the dependencies are written there
  too, so that a spec the function reads only after an edit elsewhere is followed from then on.

While checking, only what the hooks already have in hand is recorded (the mock type a hook
gets, the patch call it reads): no tree is walked.  Modules mypy never tracks (builtins,
typing, ...) and the checked module itself (any edit re-checks it whole) are skipped.

Not covered (tests/test_modes.py shows what is):
* A module's top level that the daemon re-checks alone gets its dependencies recomputed without
  `plugin_deps` or `alias_deps`: a spec it first reads after an edit elsewhere is followed once
  the module itself is next processed whole (mocks built in test functions are not concerned).
* `async` toggled on an unannotated module-level function used as a spec
  (`MagicMock(spec=fetch)`): the daemon's snapshot of the function does not change and there is
  no per-module digest (classes have one, see classfacts.py), so the daemon keeps the verdict
  until the test module is edited; a protocol used as a spec has no digest either.
* Reads made elsewhere in knowledge/ register their own dependencies with `depend_on`: a
  method summary read from the callee's class (handoffs.py: `<C>` and `<C[wildcard]>`, whose
  digest changes with the summaries), a module's records (records.py).  Whether a test class
  has a subclass anywhere in the build (set-up fixtures) registers nothing.
* A dotted target's module is looked for on mypy's search paths plus the test module's own
  root; one found only through a source root given on the command line is not a dependency.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Final, Iterable, TypeVar

from mypy.modulefinder import FindModuleCache, SearchPaths, compute_search_paths
from mypy.nodes import (
    ARG_POS,
    CallExpr,
    Expression,
    FakeInfo,
    FuncDef,
    ImportBase,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    Statement,
    StrExpr,
    TypeInfo,
)
from mypy.options import Options
from mypy.plugin import CheckerPluginInterface
from mypy.scope import Scope
from mypy.server.subexpr import get_subexpressions
from mypy.server.trigger import WILDCARD_TAG, make_trigger
from mypy.types import (
    CallableType,
    Instance,
    Type,
    TypeType,
    UnionType,
    get_proper_type,
)

from mypy_async_strict import fullnames
from mypy_async_strict.knowledge.patch_decorators import patch_for_parameter
from mypy_async_strict.safety import quietly

# Modules mypy's own fine-grained dependencies leave out (they change only with mypy), and the
# mock modules, whose classes every test reads.
UNTRACKED: Final = frozenset(
    {
        "builtins",
        "typing",
        "typing_extensions",
        "types",
        "sys",
        "abc",
        "_typeshed",
        "unittest.mock",
        fullnames.ANNOTATIONS_MODULE,
    }
)
MAGIC_METHOD_OF: Final = fullnames.MAGIC_METHOD_CALL.rpartition(".")[0]
PATCH_TARGET_PRIORITY: Final = 20  # mypy.build.PRI_LOW: an import inside a function

_Ctx = TypeVar("_Ctx")


class Dependencies:
    """One per plugin instance (one per process: the daemon, each worker)."""

    def __init__(self, options: Options) -> None:
        self._options = options
        self._fine_grained = options.fine_grained_incremental or options.cache_fine_grained
        self._read: dict[str, set[str]] = {}  # checked module -> modules the plugin read
        self._search_paths: SearchPaths | None = None

    # Before semantic analysis.

    def patch_target_modules(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """The modules dotted patch targets in `file` name, as dependencies (see above)."""
        found = _patch_targets(self._statements(file))
        if not found:
            return []
        modules = FindModuleCache(self._paths(file), None, self._options)  # fresh: files come and go
        dependencies: dict[str, int] = {}
        for dotted, line in found:
            parts = dotted.split(".")
            if not all(part.isidentifier() for part in parts):
                continue
            for length in range(len(parts), 0, -1):
                name = ".".join(parts[:length])
                if name in dependencies or isinstance(modules.find_module(name), str):
                    dependencies.setdefault(name, line)
                    break
        return [
            (PATCH_TARGET_PRIORITY, name, line) for name, line in dependencies.items() if name != file.fullname
        ]

    def _statements(self, file: MypyFile) -> list[Statement]:
        """The file's statements; a coordinator of workers has them serialized only (mypy
        puts the imports in `defs` while it asks for dependencies)."""
        raw = getattr(file, "raw_data", None)  # mypy 2.4's native parser; absent before
        if raw is None or not all(isinstance(statement, ImportBase) for statement in file.defs):
            return file.defs
        if b"patch" not in raw.defs:
            return []
        from librt.internal import ReadBuffer
        from mypy.cache import read_int
        from mypy.nativeparse import State, read_statements

        data = ReadBuffer(raw.defs)
        return read_statements(State(self._options, is_stub=file.is_stub), data, read_int(data))

    def _paths(self, file: MypyFile) -> SearchPaths:
        """mypy's search paths (the current directory, mypy_path, site-packages, typeshed), and
        the root the file's own module name starts from, as mypy adds for its sources."""
        if self._search_paths is None:
            from mypy.build import default_data_dir

            self._search_paths = compute_search_paths([], self._options, default_data_dir())
        paths = self._search_paths
        root = _source_root(file)
        if root is None or root in paths.python_path:
            return paths
        return SearchPaths((root, *paths.python_path), paths.mypy_path, paths.package_path, paths.typeshed_path)

    # What a hook reads.

    def mock(self, api: CheckerPluginInterface, typ: Type | None) -> None:
        """The classes a mock type stands for (its spec), with their bases."""
        proper = get_proper_type(typ)
        items = proper.relevant_items() if isinstance(proper, UnionType) else [proper]
        for item in items:
            if not isinstance(item, Instance) or not item.args:
                continue
            name = item.type.fullname
            if name == MAGIC_METHOD_OF:
                self.mock(api, item.args[0])  # `m.__aenter__`: the parent mock's spec
            elif name in fullnames.KIND_BY_ANNOTATION:
                self._stands_for(api, item.args[0])  # what `mocktypes.decode` calls stands_for

    def owner(self, api: CheckerPluginInterface, call: object) -> None:
        """The module or class a patch (`patch.object(C, ...)`, `patch("pkg.mod.C.f")`,
        `patch.multiple(...)`) or a spy (`mocker.spy(mod, "f")`) reads its attribute from."""
        if not isinstance(call, CallExpr):
            return
        first = _first_argument(call)
        if isinstance(first, RefExpr) and isinstance(first.node, TypeInfo):
            self._class(api, first.node)
        elif isinstance(first, RefExpr) and isinstance(first.node, MypyFile):
            self._module(api, first.node.fullname)
        elif isinstance(first, StrExpr):
            self._dotted(api, first.value)

    def reads_class(self, api: CheckerPluginInterface, info: TypeInfo) -> None:
        """A class whose own definition decides a verdict (its methods' kinds, its records)."""
        self._class(api, info)

    def injected(self, api: CheckerPluginInterface, expr: Expression) -> None:
        """A parameter a patch decorator fills: the decorator's target (read in the test's own
        target, since decorators are checked with the enclosing scope)."""
        patch = patch_for_parameter(api, expr)
        if patch is not None:
            self.owner(api, patch)

    def indirect(self, file: MypyFile) -> set[str]:
        """The modules read while `file` was checked (for `get_additional_indirect_deps`)."""
        return self._read.pop(file.fullname, set())

    # Hook wrappers for dispatch.

    def reading_receiver(self, hook: Callable[[_Ctx], Type]) -> Callable[[_Ctx], Type]:
        """A hook on a mock's attribute or method: it reads the receiver's spec."""

        def run(ctx: Any) -> Type:
            quietly(lambda: self.mock(ctx.api, ctx.type))
            return hook(ctx)

        return run

    def reading_result(self, hook: Callable[[_Ctx], Type]) -> Callable[[_Ctx], Type]:
        """A constructor: the spec it reads is the one its mock stands for."""

        def run(ctx: Any) -> Type:
            result = hook(ctx)
            quietly(lambda: self.mock(ctx.api, result))
            return result

        return run

    def reading_owner(self, hook: Callable[[_Ctx], Type]) -> Callable[[_Ctx], Type]:
        """A patch or a spy: it reads its target's owner."""

        def run(ctx: Any) -> Type:
            quietly(lambda: self.owner(ctx.api, ctx.context))
            return hook(ctx)

        return run

    def reading_injected(self, hook: Callable[[_Ctx], Type], callee: bool = False) -> Callable[[_Ctx], Type]:
        """An attribute (or, with `callee`, a call) of a plain mock: maybe a patch's argument."""

        def run(ctx: Any) -> Type:
            def record() -> None:
                expr = ctx.context.callee if callee else getattr(ctx.context, "expr", None)
                if isinstance(expr, Expression):
                    self.injected(ctx.api, expr)

            quietly(record)
            return hook(ctx)

        return run

    # Recording.

    def _stands_for(self, api: CheckerPluginInterface, stands_for: Type) -> None:
        proper = get_proper_type(stands_for)
        if isinstance(proper, TypeType):
            proper = get_proper_type(proper.item)
        if isinstance(proper, Instance):
            self._class(api, proper.type)
        elif isinstance(proper, CallableType):
            if proper.is_type_obj():
                self._class(api, proper.type_object())
                return
            definition = proper.definition
            if isinstance(definition, FuncDef):
                info = definition.info
                if not isinstance(info, FakeInfo):
                    self._class(api, info)  # a method: its kind is the class's member
                else:
                    module = definition.fullname.rpartition(".")[0]
                    self._add(api, module, [definition.fullname])

    def _class(self, api: CheckerPluginInterface, info: TypeInfo) -> None:
        for klass in info.mro[:-1] or [info]:  # not object
            self._add(api, klass.module_name, [klass.fullname, klass.fullname + WILDCARD_TAG])

    def _module(self, api: CheckerPluginInterface, module: str) -> None:
        self._add(api, module, [module, module + WILDCARD_TAG])

    def _dotted(self, api: CheckerPluginInterface, dotted: str) -> None:
        """Every module and class a dotted name may be resolved through (specs/targets.py)."""
        modules = getattr(api, "modules", None)
        if not isinstance(modules, dict):
            return
        parts = dotted.split(".")
        owner: MypyFile | TypeInfo | None = None
        for length in range(1, len(parts) + 1):
            prefix = ".".join(parts[:length])
            module = modules.get(prefix)
            if isinstance(module, MypyFile):
                self._module(api, prefix)
                owner = module
            elif owner is not None:
                symbol = owner.names.get(parts[length - 1]) if isinstance(owner, MypyFile) else owner.get(parts[length - 1])
                node = symbol.node if symbol is not None else None
                owner = node if isinstance(node, (MypyFile, TypeInfo)) else None
                if isinstance(owner, TypeInfo):
                    self._class(api, owner)
            else:
                self._add(api, prefix.rpartition(".")[0] or prefix, [prefix])  # a module to come

    def _add(self, api: CheckerPluginInterface, module: str, names: Iterable[str]) -> None:
        tree = getattr(api, "tree", None)
        if not isinstance(tree, MypyFile) or module == tree.fullname or module in UNTRACKED:
            return
        self._read.setdefault(tree.fullname, set()).add(module)
        if self._fine_grained:
            depend_on(api, names)


def depend_on(api: CheckerPluginInterface, names: Iterable[str]) -> None:
    """The daemon re-checks the current target when a trigger `<name>` fires: for whole-module
    processing (`plugin_deps`) and for re-checks of this one function (`alias_deps`).  For any
    read of another module's data (records.py's readers, class metadata such as method
    summaries) as well."""
    tree = getattr(api, "tree", None)
    if not isinstance(tree, MypyFile):
        return
    scope = getattr(api, "tscope", None)
    target = scope.current_target() if isinstance(scope, Scope) and scope.module else tree.fullname
    for name in names:
        tree.plugin_deps.setdefault(make_trigger(name), set()).add(target)
        if target != tree.fullname:
            tree.alias_deps[target].add(name)


def _patch_targets(statements: list[Statement]) -> list[tuple[str, int]]:
    """String targets of calls named like `patch(...)` or `patch.multiple(...)` (syntax only:
    `mock.patch`, `mocker.patch` and `unittest.mock.patch` alike), with their lines.  mypy's
    compiled subexpression finder does the walk."""
    found = []
    for statement in statements:
        for node in get_subexpressions(statement):
            if isinstance(node, CallExpr) and _names_patch(node.callee):
                first = _first_argument(node)
                if isinstance(first, StrExpr):
                    found.append((first.value, node.line))
    return found


def _source_root(file: MypyFile) -> str | None:
    """`src` for `src/pkg/tests/test_x.py` named `pkg.tests.test_x`."""
    path = os.path.abspath(file.path)
    depth = file.fullname.count(".") + 1
    if os.path.basename(path).startswith("__init__."):
        depth += 1
    for _ in range(depth):
        path = os.path.dirname(path)
    return path if file.fullname != "__main__" else None


def _names_patch(callee: Expression) -> bool:
    if isinstance(callee, NameExpr):
        return callee.name == "patch"
    if isinstance(callee, MemberExpr):
        return callee.name == "patch" or (callee.name == "multiple" and _names_patch(callee.expr))
    return False


def _first_argument(call: CallExpr) -> Expression | None:
    """The first positional argument, or `target=`."""
    for kind, name, arg in zip(call.arg_kinds, call.arg_names, call.args):
        if kind == ARG_POS or name == "target":
            return arg
    return None

"""The plugin class mypy loads (`plugin()` returns it): what the plugin does for itself, and the
dispatch (`dispatch.py`), built the first time mypy asks for a hook:

- its settings, read once from mypy's config file (`settings.py`), in the cache fingerprint;
- its setup problems (stubs mypy cannot import, an invalid configuration) and an untested mypy
  version, said once per run in mypy's output (`notices.py`);
- the opt-in checks around the dispatch's hooks (`checks/unspecced.py`);
- class hooks that never crash mypy (`safety.guarded`).

A run that finds every module fresh in the cache asks the plugin only for its fingerprint
(`report_config_data`): it does not import the checks at all.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from mypy.errorcodes import error_codes
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    ClassDefContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import Type

from mypy_async_strict import compat, environment, errorcodes, fingerprint, settings
from mypy_async_strict.notices import Notices, untested_mypy_message
from mypy_async_strict.safety import guarded

if TYPE_CHECKING:
    from mypy_async_strict.checks.unspecced import UnspeccedMocks
    from mypy_async_strict.dispatch import AsyncStrictPlugin


class ConfiguredPlugin(Plugin):
    mypy_version: ClassVar[str] = ""  # set by `plugin(version)`, mypy's entry point

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        loaded = settings.load(options.config_file)
        self._settings = loaded.settings
        _apply_error_codes(options, loaded.settings)
        self._stubs_problem = environment.stubs_problem(options)
        errors = [f"mypy-async-strict's configuration: {problem}" for problem in loaded.problems]
        if self._stubs_problem is not None:
            errors.insert(0, self._stubs_problem)
        notes = []
        if self.mypy_version and not compat.is_tested(self.mypy_version):
            notes.append(untested_mypy_message(self.mypy_version))
        self._notices = Notices(errors, notes)
        # While a setup error stands, no module may come from the cache: the error is said at
        # the first hook of the run, so every module must be checked again.
        self._run_id = os.urandom(8).hex() if errors else ""
        self._source_digest = fingerprint.source_digest()
        self._unspecced_enabled = settings.enabled_anywhere(
            options, loaded.settings.enable_error_code, errorcodes.MOCK_UNSPECCED
        )
        self._dispatch: AsyncStrictPlugin | None = None
        self._unspecced: UnspeccedMocks | None = None
        self._guarded_mro_hook: tuple[Callable[[ClassDefContext], None], Callable[[ClassDefContext], None]] | None = None

    def _hooks(self) -> AsyncStrictPlugin:
        """The dispatch, built (and the checks imported) when mypy first analyzes a module."""
        if self._dispatch is None:
            from mypy_async_strict.checks.unspecced import UnspeccedMocks
            from mypy_async_strict.dispatch import AsyncStrictPlugin

            dispatch = AsyncStrictPlugin(self.options, annotations_found=self._stubs_problem is None)
            if self._modules is not None:
                dispatch.set_modules(self._modules)
            self._unspecced = UnspeccedMocks(dispatch) if self._unspecced_enabled else None
            self._dispatch = dispatch
        return self._dispatch

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        super().set_modules(modules)
        if self._dispatch is not None:
            self._dispatch.set_modules(modules)

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        hook = self._hooks().get_function_hook(fullname)
        if self._unspecced is not None:
            hook = self._unspecced.around_function(fullname, hook)
        return self._notices.around(hook)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        hook = self._hooks().get_method_hook(fullname)
        if self._unspecced is not None:
            hook = self._unspecced.around_method(fullname, hook)
        return self._notices.around(hook)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        return self._notices.around(self._hooks().get_attribute_hook(fullname))

    def get_customize_class_mro_hook(self, fullname: str) -> Callable[[ClassDefContext], None]:
        # Asked for every class: the same hook each time, so it is wrapped once.
        hook = self._hooks().get_customize_class_mro_hook(fullname)
        cached = self._guarded_mro_hook
        if cached is None or cached[0] != hook:
            cached = self._guarded_mro_hook = (hook, guarded(hook))
        return cached[1]

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        return self._hooks().get_additional_deps(file)

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        return self._hooks().get_additional_indirect_deps(file)

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        if not ctx.is_check:
            self._hooks().report_config_data(ctx)  # mypy writes the module: it was analyzed
        return {
            **fingerprint.config_data(self._source_digest),
            "settings": self._settings.as_json(),
            "setup": self._run_id,
        }


def _apply_error_codes(options: Options, configured: settings.Settings) -> None:
    """The plugin's section may name its codes (`dmypy run` crashes when mypy's own
    enable_error_code/disable_error_code name a plugin's code); mypy's per-module options and
    inline comments still override them."""
    for name in configured.disable_error_code:
        options.disabled_error_codes.add(error_codes[name])
        options.enabled_error_codes.discard(error_codes[name])
    for name in configured.enable_error_code:
        options.enabled_error_codes.add(error_codes[name])
        options.disabled_error_codes.discard(error_codes[name])

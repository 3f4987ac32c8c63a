"""The plugin class mypy loads (`plugin()` returns it): the dispatch (`dispatch.py`) plus what
the plugin does for itself:

- its settings, read once from mypy's config file (`settings.py`), in the cache fingerprint;
- its setup problems (stubs mypy cannot import, an invalid configuration) and an untested mypy
  version, said once per run in mypy's output (`notices.py`);
- the opt-in checks around the dispatch's hooks (`checks/unspecced.py`);
- class hooks that never crash mypy (`safety.guarded`).
"""

from __future__ import annotations

import os
from typing import Any, Callable, ClassVar

from mypy.errorcodes import error_codes
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    ClassDefContext,
    FunctionContext,
    MethodContext,
    ReportConfigContext,
)
from mypy.types import Type

from mypy_async_strict import compat, environment, settings
from mypy_async_strict.checks.unspecced import UnspeccedMocks, enabled_anywhere
from mypy_async_strict.dispatch import AsyncStrictPlugin
from mypy_async_strict.notices import Notices, untested_mypy_message
from mypy_async_strict.safety import guarded


class ConfiguredPlugin(AsyncStrictPlugin):
    mypy_version: ClassVar[str] = ""  # set by `plugin(version)`, mypy's entry point

    def __init__(self, options: Options) -> None:
        loaded = settings.load(options.config_file)
        self._settings = loaded.settings
        _apply_error_codes(options, loaded.settings)
        self._stubs_problem = environment.stubs_problem(options)
        super().__init__(options)
        self._annotations_found = self._stubs_problem is None
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
        self._guarded_mro_hook: tuple[Callable[[ClassDefContext], None], Callable[[ClassDefContext], None]] | None = None
        self._unspecced = (
            UnspeccedMocks(self)
            if enabled_anywhere(options, loaded.settings.enable_error_code)
            else None
        )

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        hook = super().get_function_hook(fullname)
        if self._unspecced is not None:
            hook = self._unspecced.around_function(fullname, hook)
        return self._notices.around(hook)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        hook = super().get_method_hook(fullname)
        if self._unspecced is not None:
            hook = self._unspecced.around_method(fullname, hook)
        return self._notices.around(hook)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        return self._notices.around(super().get_attribute_hook(fullname))

    def get_customize_class_mro_hook(self, fullname: str) -> Callable[[ClassDefContext], None]:
        # Asked for every class: the same hook each time, so it is wrapped once.
        hook = super().get_customize_class_mro_hook(fullname)
        cached = self._guarded_mro_hook
        if cached is None or cached[0] != hook:
            cached = self._guarded_mro_hook = (hook, guarded(hook))
        return cached[1]

    def report_config_data(self, ctx: ReportConfigContext) -> Any:
        data = super().report_config_data(ctx)
        return {
            **(data if isinstance(data, dict) else {"dispatch": data}),
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

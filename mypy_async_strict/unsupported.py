"""The plugin under a mypy whose internals it cannot import: one error per run, not a crash.

It imports nothing of mypy but the plugin API, and reports at the first mock constructor call.
"""

from __future__ import annotations

from typing import Callable

from mypy.errorcodes import ErrorCode
from mypy.plugin import FunctionContext, Plugin
from mypy.types import Type

from mypy_async_strict import __version__, fullnames


def unsupported_plugin(version: str, error: ImportError) -> type[Plugin]:
    code = ErrorCode("mock-setup", "mypy-async-strict cannot run under this mypy", "mypy-async-strict")
    message = (
        f"mocks are not checked: mypy-async-strict {__version__} cannot load under mypy "
        f"{version} ({error}); it supports mypy 1.20 to 2.x (see its README)"
    )

    class UnsupportedMypy(Plugin):
        reported = False

        def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
            if self.reported or fullname not in fullnames.MOCK_CONSTRUCTORS:
                return None

            def say(ctx: FunctionContext) -> Type:
                if not self.reported:
                    self.reported = True
                    ctx.api.fail(message, ctx.context, code=code)
                return ctx.default_return_type

            return say

    return UnsupportedMypy

"""The plugin's own settings, read once from mypy's config file and strictly validated.

    # pyproject.toml                            # mypy.ini, .mypy.ini, setup.cfg
    [tool.mypy_async_strict]                    [mypy.plugins.mypy_async_strict]
    enable_error_code = ["mock-unspecced"]      enable_error_code = mock-unspecced

Unknown keys, values of the wrong type and sections under a name the plugin does not read are
problems: the plugin reports each one as an error (exit status 1) and uses the default for it.
The plugin reads them when mypy constructs it (one configuration per process: mypy, each
parallel worker, the daemon) and keeps them on the plugin instance.
"""

from __future__ import annotations

import configparser
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Final

from mypy.errorcodes import ErrorCode
from mypy.options import Options

from mypy_async_strict import errorcodes

TOML_TABLE: Final = "tool.mypy_async_strict"
INI_SECTION: Final = "mypy.plugins.mypy_async_strict"
# Names people may try; none is read.  `[mypy-...]` is mypy's own per-module syntax: mypy reads
# `[mypy-async-strict]` as the options of a module named "async-strict".
INI_LOOKALIKES: Final = ("mypy-async-strict", "mypy_async_strict", "mypy-async_strict", "mypy.plugins.mypy-async-strict")
TOML_LOOKALIKES: Final = ("mypy-async-strict", "mypy_async_strict_plugin")

OPTIONS: Final = {
    "enable_error_code": "the plugin's error codes to enable (like mypy's enable_error_code)",
    "disable_error_code": "the plugin's error codes to disable (like mypy's disable_error_code)",
}
TOML_HEADER: Final = re.compile(r"^\s*\[\s*tool\.mypy_async_strict\s*\]")
INI_HEADER: Final = re.compile(r"^\s*\[\s*mypy\.plugins\.mypy_async_strict\s*\]")


@dataclass(frozen=True)
class Settings:
    enable_error_code: tuple[str, ...] = ()
    disable_error_code: tuple[str, ...] = ()

    def as_json(self) -> dict[str, list[str]]:
        """What `report_config_data` records: a change invalidates mypy's cache."""
        return {
            "enable_error_code": list(self.enable_error_code),
            "disable_error_code": list(self.disable_error_code),
        }


@dataclass
class Loaded:
    settings: Settings = field(default_factory=Settings)
    problems: list[str] = field(default_factory=list)


def load(config_file: str | None) -> Loaded:
    """The settings in mypy's config file (defaults when it has none), and what is wrong there."""
    if not config_file:
        return Loaded()
    path = Path(config_file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Loaded(problems=[f"{path.name}: cannot be read ({error})"])
    if path.suffix == ".toml":
        return _from_toml(path.name, text)
    return _from_ini(path.name, text)


def _from_toml(name: str, text: str) -> Loaded:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return Loaded()  # mypy reports the broken file itself
    tool = data.get("tool")
    tool = tool if isinstance(tool, dict) else {}
    loaded = Loaded()
    for lookalike in TOML_LOOKALIKES:
        if lookalike in tool:
            loaded.problems.append(
                f"{name}: the table [tool.{lookalike}] is not read; the plugin reads [{TOML_TABLE}]"
            )
    table = tool.get("mypy_async_strict")
    if table is None:
        return loaded
    if not isinstance(table, dict):
        loaded.problems.append(f"{name}: [{TOML_TABLE}] must be a table")
        return loaded

    def located(key: str) -> str:
        return f"{name}:{_line_after(text, TOML_HEADER, key)}: [{TOML_TABLE}]"

    values: dict[str, list[str]] = {}
    for key, value in table.items():
        if key not in OPTIONS:
            loaded.problems.append(_unknown(located(key), key))
        elif not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            loaded.problems.append(
                f'{located(key)}: "{key}" must be a list of strings, not {_toml_repr(value)}'
            )
        else:
            values[key] = value
    loaded.settings = _validated(values, located, loaded.problems)
    return loaded


def _from_ini(name: str, text: str) -> Loaded:
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=name)
    except configparser.Error:
        return Loaded()  # mypy reports the broken file itself
    loaded = Loaded()
    for lookalike in INI_LOOKALIKES:
        if parser.has_section(lookalike):
            why = " (mypy reads it as the options of a module)" if lookalike.startswith("mypy-") else ""
            loaded.problems.append(
                f"{name}: the section [{lookalike}] is not read{why}; the plugin reads [{INI_SECTION}]"
            )
    if not parser.has_section(INI_SECTION):
        return loaded

    def located(key: str) -> str:
        return f"{name}:{_line_after(text, INI_HEADER, key)}: [{INI_SECTION}]"

    values: dict[str, list[str]] = {}
    for key, value in parser.items(INI_SECTION):
        if key not in OPTIONS:
            loaded.problems.append(_unknown(located(key), key))
        else:
            values[key] = [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]
    loaded.settings = _validated(values, located, loaded.problems)
    return loaded


def _validated(
    values: dict[str, list[str]], located: Callable[[str], str], problems: list[str]
) -> Settings:
    codes: dict[str, list[str]] = {}
    plugin_codes = sorted(code.code for code in errorcodes.ALL)
    for key in ("enable_error_code", "disable_error_code"):
        codes[key] = []
        for item in values.get(key, []):
            if item in plugin_codes:
                codes[key].append(item)
            else:
                problems.append(
                    f'{located(key)}: "{key}" takes the plugin\'s error codes ({", ".join(plugin_codes)}), '
                    f'not "{item}" (name mypy\'s own codes in mypy\'s section)'
                )
    return Settings(tuple(codes["enable_error_code"]), tuple(codes["disable_error_code"]))


def _unknown(where: str, key: str) -> str:
    return f'{where}: unknown option "{key}" (the options are: {", ".join(sorted(OPTIONS))})'


def _toml_repr(value: object) -> str:
    return repr(value).replace("'", '"') if not isinstance(value, bool) else str(value).lower()


def _line_after(text: str, header: re.Pattern[str], key: str) -> int:
    """The line of `key = ...` in the section that `header` opens (1 when not found)."""
    inside = False
    assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=:]", flags=re.IGNORECASE)
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            inside = True
        elif line.lstrip().startswith("["):
            inside = False
        elif inside and assignment.match(line):
            return number
    return 1


def enabled_anywhere(options: Options, plugin_enabled: tuple[str, ...], code: ErrorCode) -> bool:
    """Whether any module of the run may have the opt-in `code` enabled (inline `# mypy:`
    comments are not seen here: enable it in a configuration file)."""
    if code.code in plugin_enabled or code in options.enabled_error_codes:
        return True
    if code.code in options.enable_error_code:
        return True
    return any(
        code.code in (section.get("enable_error_code") or ())  # type: ignore[operator]
        for section in options.per_module_options.values()
    )

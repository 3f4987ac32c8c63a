"""The plugin's settings: where they are read from, and how strictly (settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypy_async_strict.settings import Settings, load

PYPROJECT = """\
[tool.mypy]
plugins = ["mypy_async_strict"]

[tool.mypy_async_strict]
enable_error_code = ["mock-unspecced"]
disable_error_code = ["async-truthy"]
"""

INI = """\
[mypy]
plugins = mypy_async_strict

[mypy.plugins.mypy_async_strict]
enable_error_code =
    mock-unspecced
disable_error_code = async-truthy
"""

EXPECTED = Settings(("mock-unspecced",), ("async-truthy",))


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_no_config_file_means_defaults() -> None:
    loaded = load(None)
    assert loaded.settings == Settings() and loaded.problems == []


@pytest.mark.parametrize("name", ["mypy.ini", ".mypy.ini", "setup.cfg"])
def test_ini_files_read_the_plugins_section(tmp_path: Path, name: str) -> None:
    loaded = load(write(tmp_path, name, INI))
    assert loaded.problems == []
    assert loaded.settings == EXPECTED


def test_pyproject_reads_the_tool_table(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "pyproject.toml", PYPROJECT))
    assert loaded.problems == []
    assert loaded.settings == EXPECTED


def test_a_config_without_the_section_is_fine(tmp_path: Path) -> None:
    assert load(write(tmp_path, "mypy.ini", "[mypy]\nstrict = True\n")).problems == []
    assert load(write(tmp_path, "pyproject.toml", "[tool.mypy]\nstrict = true\n")).problems == []


def test_unknown_keys_are_named_with_their_line(tmp_path: Path) -> None:
    ini = load(write(tmp_path, "mypy.ini", INI + "disable_error_codes = mock-await\n"))
    assert ini.problems == [
        'mypy.ini:8: [mypy.plugins.mypy_async_strict]: unknown option "disable_error_codes" '
        "(the options are: disable_error_code, enable_error_code)"
    ]
    assert ini.settings == EXPECTED  # the valid keys still count
    toml = load(write(tmp_path, "pyproject.toml", PYPROJECT + 'strict = true\n'))
    assert toml.problems == [
        'pyproject.toml:7: [tool.mypy_async_strict]: unknown option "strict" '
        "(the options are: disable_error_code, enable_error_code)"
    ]


def test_bad_values_are_named(tmp_path: Path) -> None:
    toml = load(write(tmp_path, "pyproject.toml", '[tool.mypy_async_strict]\ndisable_error_code = "mock-await"\n'))
    assert toml.problems == [
        'pyproject.toml:2: [tool.mypy_async_strict]: "disable_error_code" must be a list of strings, not "mock-await"'
    ]
    assert toml.settings == Settings()
    codes = load(
        write(tmp_path, "setup.cfg", "[mypy.plugins.mypy_async_strict]\nenable_error_code = misc, mock-await\n")
    )
    assert len(codes.problems) == 1
    assert codes.problems[0].startswith("setup.cfg:2: [mypy.plugins.mypy_async_strict]: ")
    assert 'not "misc" (name mypy\'s own codes in mypy\'s section)' in codes.problems[0]
    assert codes.settings.enable_error_code == ("mock-await",)


@pytest.mark.parametrize(
    "name, text, section",
    [
        ("mypy.ini", "[mypy-async-strict]\ndisable_error_code = mock-await\n", "[mypy-async-strict]"),
        ("setup.cfg", "[mypy_async_strict]\ndisable_error_code = mock-await\n", "[mypy_async_strict]"),
        ("pyproject.toml", '[tool.mypy-async-strict]\ndisable_error_code = ["mock-await"]\n', "[tool.mypy-async-strict]"),
    ],
)
def test_sections_the_plugin_does_not_read_are_problems(
    tmp_path: Path, name: str, text: str, section: str
) -> None:
    problems = load(write(tmp_path, name, text)).problems
    assert len(problems) == 1 and f"the {'table' if name.endswith('toml') else 'section'} {section} is not read" in problems[0]


def test_settings_are_json_for_the_cache_fingerprint() -> None:
    assert EXPECTED.as_json() == {
        "enable_error_code": ["mock-unspecced"],
        "disable_error_code": ["async-truthy"],
    }

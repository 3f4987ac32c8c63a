"""The suite must pass on a clean machine: no test or test-data case may name a file outside
the checkout (a fresh clone has none of them)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A quoted absolute path into the places earlier sessions left files in.
ABSOLUTE = re.compile(r"""["'](/(tmp|home|root|work|Users|var|opt|mnt|srv)/[^"']*)["']""")


def scanned_files() -> list[Path]:
    files = sorted((ROOT / "test-data").glob("*.test")) + sorted((ROOT / "tests").glob("*.py"))
    return files + [ROOT / "conftest.py", ROOT / ".ci" / "run"]


def test_no_absolute_paths_outside_the_checkout() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(1)}"
        for path in scanned_files()
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for match in ABSOLUTE.finditer(line)
    ]
    assert not found, "absolute paths outside the checkout:\n" + "\n".join(found)


def test_the_scan_finds_an_absolute_path(tmp_path: Path) -> None:
    # Built here, so that this file holds no such path itself.
    line = 'sys.path.insert(0, "' + "/".join(["", "tmp", "fp-hunt", "hidden"]) + '")'
    assert ABSOLUTE.search(line) is not None
    assert ABSOLUTE.search('Path(__file__).parent / "hidden"') is None

"""How much of a real test suite's code the plugin types precisely: mypy's `--any-exprs-report`
with and without the plugin, over the test modules only.

Run after scripts/real_suites/real_suites.py (it reuses the project venvs, exported trees and
the mypy configurations that run.sh wrote under ROOT).  To plain mypy every mock attribute,
mock call and `create_autospec(...)` is `Any`; each expression the plugin types instead is an
`Any` expression less.  Printed per project: test modules, expressions, `Any` expressions
plain and with the plugin, and how many of the plain run's `Any` expressions the plugin typed.

usage: any_exprs.py --root ROOT --plugin-venv VENV NAME...
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

ROW = re.compile(r"^\s*(?P<module>\S+)\s+(?P<anys>\d+)\s+(?P<exprs>\d+)\s+(?P<coverage>[\d.]+)%\s*$")


def report(root: Path, venv: Path, name: str, mode: str) -> dict[str, tuple[int, int]]:
    config = root / f"{name}-{mode}.mypy.ini"
    summary = (root / "results").glob(f"*/{name}-{mode}.txt")
    meta = {}
    for line in next(iter(sorted(summary, reverse=True))).read_text().splitlines():
        key, _, value = line.partition(": ")
        meta[key] = value
    out = Path(tempfile.mkdtemp())
    cache = Path(tempfile.mkdtemp())
    targets = meta["test_dirs"].split()
    subprocess.run(
        [str(venv / "bin" / "mypy"), "--config-file", str(config), "--cache-dir", str(cache),
         "--any-exprs-report", str(out), *targets],
        cwd=meta["tree"], capture_output=True, text=True,
    )
    rows: dict[str, tuple[int, int]] = {}
    for line in (out / "any-exprs.txt").read_text().splitlines():
        match = ROW.match(line)
        if match and match["module"] != "Total":
            rows[match["module"]] = (int(match["anys"]), int(match["exprs"]))
    return rows


def is_test_module(module: str) -> bool:
    last = module.rpartition(".")[2]
    return "tests" in module.split(".") or last.startswith("test_") or last == "conftest"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--plugin-venv", type=Path, required=True)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    print("| project | test modules | expressions | Any (plain) | Any (plugin) | typed by the plugin |")
    print("|---|---|---|---|---|---|")
    for name in args.names:
        plain = report(args.root, args.plugin_venv, name, "plain")
        plugin = report(args.root, args.plugin_venv, name, "plugin")
        modules = [m for m in plain if is_test_module(m) and m in plugin]
        exprs = sum(plain[m][1] for m in modules)
        plain_any = sum(plain[m][0] for m in modules)
        plugin_any = sum(plugin[m][0] for m in modules)
        typed = plain_any - plugin_any
        share = f"{typed / plain_any:.1%}" if plain_any else "-"
        print(f"| {name} | {len(modules)} | {exprs} | {plain_any} | {plugin_any} | {typed} ({share}) |")


if __name__ == "__main__":
    main()

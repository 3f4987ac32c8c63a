"""Recall and precision of the plugin on a labelled corpus of buggy tests and correct twins.

A measuring tool (not a test): the corpus lives outside this repository (its projects are
written and labelled by running them, see the corpus README).  For each project, mypy runs with
and without the plugin; an error of the plugin's own codes counts as a finding at its line.

- A bug is found when the plugin reports at its `bug_line` (or at its `setup_line`, where the
  wrong mock was built), in its `file` (or its `setup_file`).
- A bug plain mypy already reports (an error of any code at one of those places, without the
  plugin) is counted apart too: the recall of mypy with the plugin is what a user sees.
- A finding on a line of a twin or a trap test (or anywhere that is no bug line) is a false
  positive.  So is an error of mypy's own codes the plugin adds (not in the plain run).

usage: measure.py CORPUS_DIR [--mypy PYTHON] [--plugin-path DIR] [--json OUT] [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

PLUGIN_CODES = {
    "mock-await", "async-with", "async-for", "async-truthy", "async-compare", "mock-protocol",
    "mock-spec", "mock-call", "mock-assert", "mock-async-mismatch", "mock-return",
    "mock-unspecced", "async-unawaited", "async-api",
}
ERROR = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*?)\s+\[(?P<code>[a-z0-9-]+)\]$")


def run_mypy(project: Path, python: str, plugin: bool, plugin_path: str | None) -> list[tuple[str, int, str, str]]:
    config = Path(tempfile.mkdtemp()) / "mypy.ini"
    base = (project / "mypy.ini").read_text()
    extra = "plugins = mypy_async_strict\n" if plugin else ""
    if plugin and plugin_path:
        extra += f"mypy_path = {plugin_path}\n"
    config.write_text(base.replace("[mypy]\n", "[mypy]\n" + extra, 1))
    env = {**os.environ, "MYPY_ASYNC_STRICT_RAISE": "1"}
    if plugin and plugin_path:
        env["PYTHONPATH"] = plugin_path
    done = subprocess.run(
        [python, "-m", "mypy", "--no-incremental", "--config-file", str(config), "."],
        cwd=project, capture_output=True, text=True, env=env,
    )
    if "Traceback" in done.stderr or "INTERNAL ERROR" in done.stdout:
        raise SystemExit(f"mypy crashed on {project}:\n{done.stdout}\n{done.stderr}")
    found = []
    for line in done.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            found.append((os.path.normpath(match["file"]), int(match["line"]), match["code"], match["message"]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--mypy", default=sys.executable, help="python with mypy (and the plugin) installed")
    parser.add_argument("--plugin-path", help="a checkout of the plugin to put first on the paths")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every missed bug")
    args = parser.parse_args()
    labels = json.loads((args.corpus / "labels.json").read_text())
    by_project: dict[str, list[dict]] = defaultdict(list)
    for label in labels:
        by_project[label["project"]].append(label)
    found_bugs, missed, false_positives, added_own = [], [], [], []
    seen_by_plain: list[dict] = []
    for project, entries in sorted(by_project.items()):
        directory = args.corpus / project
        plugin = run_mypy(directory, args.mypy, True, args.plugin_path)
        plain = set(run_mypy(directory, args.mypy, False, None))
        findings = [e for e in plugin if e[2] in PLUGIN_CODES]
        added_own += [(project, *e) for e in plugin if e[2] not in PLUGIN_CODES and e not in plain]
        used: set[tuple[str, int]] = set()
        for entry in entries:
            if entry["kind"] != "bug":
                continue
            places = {(os.path.normpath(entry["file"]), entry["bug_line"])}
            if entry.get("setup_file") and entry.get("setup_line"):
                places.add((os.path.normpath(entry["setup_file"]), entry["setup_line"]))
            hits = [f for f in findings if (f[0], f[1]) in places]
            if any((f[0], f[1]) in places for f in plain):
                seen_by_plain.append(entry)
            if hits:
                found_bugs.append((entry, hits))
                used.update((f[0], f[1]) for f in hits)
            else:
                missed.append(entry)
        for finding in findings:
            if (finding[0], finding[1]) not in used:
                false_positives.append((project, *finding))
    bugs = len(found_bugs) + len(missed)
    recall = len(found_bugs) / bugs if bugs else 0.0
    reported = len(found_bugs) + len(false_positives)
    precision = len(found_bugs) / reported if reported else 1.0
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for entry, _ in found_bugs:
        by_category[entry["category"]][0] += 1
    for entry in missed:
        by_category[entry["category"]][1] += 1
    print(f"bugs {bugs}, found {len(found_bugs)}, recall {recall:.0%}")
    either = len(found_bugs) + sum(1 for entry in missed if entry in seen_by_plain)
    print(f"plain mypy reports {len(seen_by_plain)} of them (any code); mypy with the plugin {either}, recall {either / bugs if bugs else 0:.0%}")
    print(f"findings not at a bug line (false positives): {len(false_positives)}, precision {precision:.0%}")
    print(f"errors of mypy's own codes the plugin adds: {len(added_own)}")
    plain_by_category: dict[str, int] = defaultdict(int)
    for entry in missed:
        if entry in seen_by_plain:
            plain_by_category[entry["category"]] += 1
    print("\n| category | found | missed | of the missed, plain mypy reports |\n|---|---|---|---|")
    for category, (hit, miss) in sorted(by_category.items()):
        print(f"| {category} | {hit} | {miss} | {plain_by_category[category]} |")
    for item in false_positives:
        print("FALSE POSITIVE", *item)
    for item in added_own:
        print("ADDED", *item)
    if args.misses:
        for entry in missed:
            print("MISSED" + (" (plain mypy reports it)" if entry in seen_by_plain else ""), entry["project"], f'{entry["file"]}:{entry["bug_line"]}', entry["category"], entry["error"][:120])
    if args.json:
        args.json.write_text(json.dumps({
            "bugs": bugs, "found": len(found_bugs), "recall": recall, "precision": precision,
            "plain_reports": len(seen_by_plain), "with_plugin_either": either,
            "false_positives": false_positives, "added_own": added_own,
            "missed": [(m["project"], m["file"], m["bug_line"], m["category"]) for m in missed],
        }, indent=1))


if __name__ == "__main__":
    main()

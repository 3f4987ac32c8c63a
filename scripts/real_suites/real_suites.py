#!/usr/bin/env python3
"""Real-suite measurement: plain mypy against mypy with mypy_async_strict, on the test
suites of real async projects, with each project's own dependencies installed.

A measuring tool, not a test: run it by hand (see README.md beside it). For every project
of projects.txt that names a `repo`, it runs run.sh twice (plain, then plugin; run.sh
installs the project's dependencies into a cached venv first), then prints one Markdown
table row per project plus a section per project, and saves for triage:

  OUT/table.md                 the tables (what is printed)
  OUT/results.json             the same figures, machine-readable
  OUT/NAME.added.txt           error lines only the plugin run has   (file:line: message [code])
  OUT/NAME.removed.txt         error lines only the plain run has
  OUT/NAME.plugin-codes.txt    plugin run errors whose code is one of the plugin's own
  OUT/NAME-{plain,plugin}.mypy.log / .txt   raw mypy output and run.sh's summary
  OUT/NAME.run.log             what run.sh printed (install, warnings)

Stdlib only (Python >= 3.11 for the pyproject reader of rw.py).
"""
from __future__ import annotations

import argparse
import collections
import configparser
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the script
sys.path.insert(0, HERE)
import rw  # noqa: E402  (the helper beside this script)

PLUGIN_CODES = (
    "mock-await", "async-with", "async-for", "async-truthy", "async-compare",
    "mock-protocol", "mock-spec", "mock-call", "mock-assert", "mock-async-mismatch",
    "mock-return",
)
# occurrences in the test folders (like grep -o | wc -l)
MOCK_WORDS = {
    "AsyncMock": re.compile(r"\bAsyncMock\b"),
    "MagicMock": re.compile(r"\bMagicMock\b"),
    "create_autospec": re.compile(r"\bcreate_autospec\b"),
    "patch": re.compile(r"\bpatch\b"),
    "mocker": re.compile(r"\bmocker\b"),
}
CRASH_MARKERS = ("Traceback (most recent call last)", "INTERNAL ERROR", "Segmentation fault")


def load_projects(path: str) -> list[dict[str, str]]:
    cp = configparser.ConfigParser(interpolation=None, default_section="defaults")
    cp.optionxform = str
    cp.read(path)
    out = []
    for name in cp.sections():
        sec = cp[name]
        if "repo" not in sec:
            continue
        out.append({"name": name, "repo": sec["repo"], "commit": sec.get("commit", "HEAD"),
                    "tests": " ".join(sec.get("tests", "tests").split()),
                    "note": " ".join(sec.get("note", "").split())})
    return out


def error_lines(raw: str) -> list[tuple[str, int, str, str]]:
    if not os.path.exists(raw):
        return []
    return rw.parse_raw(raw)[0]


def fmt(e: tuple[str, int, str, str]) -> str:
    f, ln, code, msg = e
    return "%s:%d: %s [%s]" % (f, ln, msg, code)


def diff_errors(plain, plugin):
    """Exact error lines (file, line, code, message) only one run has; plus how many of them
    pair up at the same file:line:code (same place, different text)."""
    a, b = collections.Counter(plain), collections.Counter(plugin)
    added = sorted((b - a).elements())
    removed = sorted((a - b).elements())
    key = lambda e: e[:3]  # noqa: E731
    ka = collections.Counter(map(key, removed))
    kb = collections.Counter(map(key, added))
    same_place = sum((ka & kb).values())
    return added, removed, same_place


def crash_info(raw: str, exit_code: str | None) -> list[str]:
    found = []
    if exit_code not in (None, "0", "1"):
        found.append("exit %s" % exit_code)
    if os.path.exists(raw):
        text = open(raw, encoding="utf-8", errors="replace").read()
        for m in CRASH_MARKERS:
            if m in text:
                found.append(m.split(" (")[0])
    return found


def mock_occurrences(tree: str, workdir: str, tests: str) -> dict[str, int]:
    counts = collections.Counter()
    base = os.path.join(tree, workdir) if workdir not in ("", ".") else tree
    for t in tests.split():
        if workdir not in ("", ".") and t.startswith(workdir.rstrip("/") + "/"):
            t = t[len(workdir.rstrip("/")) + 1:]
        p = os.path.join(base, t)
        files = [p] if os.path.isfile(p) else [
            os.path.join(r, f) for r, _, fs in os.walk(p) for f in fs if f.endswith(".py")]
        for fp in files:
            text = open(fp, encoding="utf-8", errors="replace").read()
            for k, rx in MOCK_WORDS.items():
                counts[k] += len(rx.findall(text))
    return dict(counts)


def run_mode(args, proj, mode: str, log) -> tuple[float, int]:
    name = proj["name"]
    mirror = os.path.join(args.mirrors, proj["repo"].replace("/", "+"), "repo")
    for suffix in (".txt", ".mypy.log"):  # no stale results of an earlier run
        p = os.path.join(args.root, "%s-%s%s" % (name, mode, suffix))
        if os.path.exists(p):
            os.remove(p)
    cmd = [os.path.join(HERE, "run.sh")]
    if mode == "plugin":
        cmd += ["--plugin-venv", args.plugin_venv]
    elif args.rebuild:
        cmd += ["--rebuild"]
    if args.warm:
        cmd += ["--warm"]
    cmd += [mirror, proj["commit"], name] + proj["tests"].split()
    env = dict(os.environ, RW_ROOT=args.root)
    log.write("$ %s\n" % " ".join(cmd))
    log.flush()
    t0 = time.time()
    rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    return time.time() - t0, rc


def measure(args, proj) -> dict:
    name = proj["name"]
    res: dict = {"name": name, "repo": proj["repo"], "commit_arg": proj["commit"],
                 "tests": proj["tests"], "note": proj["note"], "problems": []}
    mirror = os.path.join(args.mirrors, proj["repo"].replace("/", "+"), "repo")
    if not os.path.isdir(mirror):
        res["problems"].append("no mirror at %s (fetch github:%s first)" % (mirror, proj["repo"]))
        return res
    with open(os.path.join(args.out, name + ".run.log"), "w", encoding="utf-8") as log:
        for mode in ("plain", "plugin"):
            if mode == "plain" and args.reuse_plain and os.path.exists(
                    os.path.join(args.root, "%s-plain.txt" % name)):
                res["plain_reused"] = True
                continue
            print("[real_suites] %s: %s run" % (name, mode), file=sys.stderr, flush=True)
            secs, rc = run_mode(args, proj, mode, log)
            res["%s_run_s" % mode] = round(secs, 1)
            if rc != 0:
                res["problems"].append("run.sh %s exited %d (see %s.run.log)" % (mode, rc, name))
    for mode in ("plain", "plugin"):
        summ = os.path.join(args.root, "%s-%s.txt" % (name, mode))
        if not os.path.exists(summ):
            res[mode] = None
            continue
        info, _ = rw.read_summary(summ)
        raw = info.get("raw_output", "")
        errs = error_lines(raw)
        res[mode] = {
            "commit": info.get("commit", "").split(" ")[0],
            "files_checked": info.get("files_checked"),
            "errors": len(errs),
            "wall_s": info.get("wall_time_s"),
            "exit_code": info.get("exit_code"),
            "crash": crash_info(raw, info.get("exit_code")),
            "missing_packages": info.get("missing_packages"),
            "forced": info.get("installed_ignoring_requires_python"),
            "mypy": info.get("mypy"), "python_version": info.get("python_version"),
            "tree": info.get("tree"), "workdir": info.get("workdir", "."),
            "python_files": info.get("python_files_under_test_dirs"),
        }
        res[mode + "_errors"] = errs
        shutil.copy(summ, os.path.join(args.out, "%s-%s.txt" % (name, mode)))
        if raw and os.path.exists(raw):
            shutil.copy(raw, os.path.join(args.out, "%s-%s.mypy.log" % (name, mode)))
    if res.get("plain") and res.get("plugin"):
        added, removed, same_place = diff_errors(res.pop("plain_errors"), res["plugin_errors"])
        own = [e for e in res.pop("plugin_errors") if e[2] in PLUGIN_CODES]
        res.update(added=[fmt(e) for e in added], removed=[fmt(e) for e in removed],
                   same_place=same_place, plugin_code_findings=[fmt(e) for e in own])
        for suffix, lines in (("added", res["added"]), ("removed", res["removed"]),
                              ("plugin-codes", res["plugin_code_findings"])):
            with open(os.path.join(args.out, "%s.%s.txt" % (name, suffix)), "w", encoding="utf-8") as fh:
                fh.write("".join(x + "\n" for x in lines))
        p = res["plain"]
        if p.get("tree") and os.path.isdir(p["tree"]):
            res["mock_occurrences"] = mock_occurrences(p["tree"], p["workdir"], proj["tests"])
    res.pop("plain_errors", None)
    res.pop("plugin_errors", None)
    return res


def codes_of(lines: list[str]) -> str:
    c = collections.Counter(re.search(r"\[([a-z0-9_-]+)\]$", x).group(1) for x in lines)
    return ", ".join("%s %d" % kv for kv in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


def render(results: list[dict], header: str, max_lines: int) -> str:
    out = [header, "",
           "| project | repository@commit | test files checked | plain errors | plugin errors "
           "| lines added | lines removed | crashes | plugin-code findings | wall plain / plugin (s) |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        p, q = r.get("plain"), r.get("plugin")
        if not (p and q):
            out.append("| %s | %s@%s | - | - | - | - | - | - | - | - |" % (
                r["name"], r["repo"], r["commit_arg"]))
            continue
        crashes = "; ".join("%s: %s" % (m, ", ".join(x[m]["crash"]))
                            for m, x in (("plain", r), ("plugin", r)) if x[m]["crash"]) or "none"
        fc = p["files_checked"] if p["files_checked"] == q["files_checked"] else "%s / %s" % (
            p["files_checked"], q["files_checked"])
        removed = str(len(r["removed"]))
        if r["same_place"]:
            removed += " (%d at a place that also gained one: text changed)" % r["same_place"]
        out.append("| %s | %s@%s | %s | %d | %d | +%d | -%s | %s | %d | %s / %s |" % (
            r["name"], r["repo"], p["commit"][:12], fc, p["errors"], q["errors"],
            len(r["added"]), removed, crashes, len(r["plugin_code_findings"]),
            p["wall_s"], q["wall_s"]))
    for r in results:
        out += ["", "### %s" % r["name"], ""]
        p, q = r.get("plain"), r.get("plugin")
        if r.get("note"):
            out.append("- note: " + r["note"])
        for prob in r["problems"]:
            out.append("- PROBLEM: " + prob)
        if not (p and q):
            continue
        out.append("- %s@%s, tests: `%s` (%s .py files under them)" % (
            r["repo"], p["commit"], r["tests"], p["python_files"]))
        out.append("- mypy %s, target Python %s" % ((q["mypy"] or "").split(" ")[0], q["python_version"]))
        if r.get("mock_occurrences"):
            out.append("- mock occurrences in the tests: " + ", ".join(
                "%s %d" % kv for kv in r["mock_occurrences"].items()))
        for m in ("plain", "plugin"):
            if r[m]["missing_packages"] not in (None, "none"):
                out.append("- %s: packages that did not install: %s" % (m, r[m]["missing_packages"]))
        if p.get("forced") not in (None, "none"):
            out.append("- installed ignoring Requires-Python: %s" % p["forced"])
        if r.get("plain_reused"):
            out.append("- plain run reused from an earlier run")
        out.append("- added by code: %s; removed by code: %s" % (codes_of(r["added"]), codes_of(r["removed"])))
        for title, lines in (("added (+)", r["added"]), ("removed (-)", r["removed"]),
                             ("plugin-code findings", r["plugin_code_findings"])):
            if not lines:
                continue
            out += ["", "%s:" % title, "", "```"]
            out += lines[:max_lines]
            if len(lines) > max_lines:
                out.append("... %d more (see %s.%s.txt)" % (
                    len(lines) - max_lines, r["name"],
                    {"added (+)": "added", "removed (-)": "removed"}.get(title, "plugin-codes")))
            out.append("```")
    return "\n".join(out) + "\n"


def plugin_version(venv: str) -> str:
    py = os.path.join(venv, "bin", "python")
    try:
        return subprocess.run(
            [py, "-c", "import importlib.metadata as m; print('mypy-async-strict', "
             "m.version('mypy-async-strict'), 'with mypy', m.version('mypy'))"],
            capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirrors", required=True, help="folder of fetched mirrors (OWNER+NAME/repo)")
    ap.add_argument("--plugin-venv", required=True,
                    help="venv with mypy and mypy_async_strict installed (not editable)")
    ap.add_argument("--root", default=os.environ.get("RW_ROOT", "/tmp/realworld"),
                    help="work area for trees, venvs, caches (default $RW_ROOT or /tmp/realworld)")
    ap.add_argument("--out", help="results folder (default ROOT/results/real-suites-TIMESTAMP)")
    ap.add_argument("--projects", default=os.path.join(HERE, "projects.txt"))
    ap.add_argument("--only", nargs="+", metavar="NAME", help="measure only these sections")
    ap.add_argument("--label", default="", help="free text for the table's heading")
    ap.add_argument("--max-lines", type=int, default=60, help="lines listed per project in table.md")
    ap.add_argument("--warm", action="store_true", help="keep mypy caches (wall times no longer cold)")
    ap.add_argument("--rebuild", action="store_true", help="re-create the project venvs")
    ap.add_argument("--reuse-plain", action="store_true",
                    help="keep an existing plain result in ROOT (only the plugin run is redone)")
    ap.add_argument("--list", action="store_true", help="list the projects and exit")
    args = ap.parse_args(argv)
    args.mirrors = os.path.abspath(args.mirrors)
    args.plugin_venv = os.path.abspath(args.plugin_venv)
    args.root = os.path.abspath(args.root)
    projects = load_projects(args.projects)
    if args.only:
        unknown = set(args.only) - {p["name"] for p in projects}
        if unknown:
            ap.error("no such project: %s" % ", ".join(sorted(unknown)))
        projects = [p for p in projects if p["name"] in args.only]
    if args.list:
        for p in projects:
            print("%-26s %s@%s  %s" % (p["name"], p["repo"], p["commit"], p["tests"]))
        return 0
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    args.out = os.path.abspath(args.out or os.path.join(args.root, "results", "real-suites-" + stamp))
    os.makedirs(args.out, exist_ok=True)
    header = "## Real suites: plain mypy vs mypy + mypy_async_strict (%s)\n\n%s; %s UTC%s" % (
        stamp, plugin_version(args.plugin_venv), stamp,
        ("; " + args.label) if args.label else "")
    header += ("\n\nlines added/removed: exact error lines (file:line: message [code]) only one run "
               "has; plugin-code findings: plugin-run errors with one of the plugin's own codes; "
               "wall times: one cold mypy run each (cache emptied), deps already installed.")
    results = []
    for proj in projects:
        results.append(measure(args, proj))
        text = render(results, header, args.max_lines)
        with open(os.path.join(args.out, "table.md"), "w", encoding="utf-8") as fh:
            fh.write(text)
        with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=1)
    print(render(results, header, args.max_lines))
    print("results in " + args.out, file=sys.stderr)
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

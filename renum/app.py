"""The RENUM application: plugins, middleware and controllers, put together by :func:`create_app`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import structlog
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import AsyncSession

from renum import __version__, migrate
from renum.cli import RenumCommands
from renum.clients.llm import LLMClient
from renum.config import Settings, get_settings
from renum.controllers import CONTROLLERS
from renum.db import create_engine, create_session_factory
from renum.errors import RenumError
from renum.jobs.worker import build_worker, create_queue
from renum.log import configure_logging
from renum.redis import connect_redis
from renum.web.aliases import DeprecationHeaders, mark_deprecated_in_schema
from renum.web.auth import Authentication, provide_creator
from renum.web.csrf import check_csrf
from renum.web.errors import handle_error
from renum.web.templating import template_config

__all__ = ["create_app"]

log = structlog.get_logger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _lifespan(settings: Settings) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        settings.app.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.database_url
        if settings.database.migrate_on_start:
            await anyio.to_thread.run_sync(migrate.upgrade, url)

        engine = create_engine(url, echo=settings.database.echo)
        app.state.session_factory = create_session_factory(engine)
        app.state.redis, embedded = connect_redis(settings)
        app.state.queue = create_queue(app.state.redis, settings.redis.queue_name)
        app.state.llm = LLMClient(settings.ai)
        await app.state.queue.connect()
        mark_deprecated_in_schema(app)

        worker_task = None
        if settings.server.worker_in_process:
            worker = build_worker(
                app.state.queue,
                app.state.session_factory,
                in_process=True,
                heartbeat=settings.jobs.heartbeat_seconds,
            )
            worker_task = asyncio.create_task(worker.start())
        log.info("app.started", database=engine.dialect.name, worker_in_process=worker_task is not None)
        try:
            yield
        finally:
            if worker_task is not None:
                await worker.stop()
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
            await app.state.llm.aclose()
            await app.state.queue.disconnect()
            await app.state.redis.aclose()
            if embedded is not None:
                embedded.close()
            await engine.dispose()

    return lifespan


async def provide_db(state: State) -> AsyncGenerator[AsyncSession, None]:
    """One database session per request, committed when the handler succeeds."""
    async with state.session_factory() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


def provide_queue(state: State) -> Any:
    """The SAQ queue."""
    return state.queue


def provide_settings(state: State) -> Settings:
    """The settings this app was built with."""
    settings: Settings = state.settings
    return settings


def create_app(settings: Settings | None = None) -> Litestar:
    """Build RENUM from its settings (the environment's, unless given)."""
    settings = settings or get_settings()
    configure_logging(json=settings.app.log_json)

    cors = None
    if settings.security.cors_origins:
        cors = CORSConfig(
            allow_origins=settings.security.cors_origins,
            allow_credentials=True,
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"],
            expose_headers=["Deprecation", "Link", "Retry-After"],
        )

    return Litestar(
        state=State({"settings": settings}),
        route_handlers=[
            *CONTROLLERS,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        lifespan=[_lifespan(settings)],
        dependencies={
            "db": Provide(provide_db),
            "creator": Provide(provide_creator),
            "queue": Provide(provide_queue, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        middleware=[
            Authentication(),
            DeprecationHeaders(),
        ],
        before_request=check_csrf,
        exception_handlers={RenumError: handle_error, HTTPException: handle_error, Exception: handle_error},
        template_config=template_config(),
        cors_config=cors,
        openapi_config=OpenAPIConfig(
            title="RENUM",
            version=__version__,
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
        request_max_body_size=settings.server.max_json_body,
        plugins=[RenumCommands()],
        logging_config=None,
        debug=False,
    )

"""The ``renum`` command: Litestar's CLI bound to RENUM, plus commands scripts can use.

``renum run`` serves the app, ``renum workers run`` runs job workers on their own, and
``renum users create`` / ``renum tokens create`` manage accounts without the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from litestar.plugins import CLIPlugin

from renum import migrate
from renum.config import get_settings

__all__ = ["RenumCommands", "main"]

T = TypeVar("T")


def _with_database(work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` on a migrated database and commit it."""
    from renum.db import create_engine, create_session_factory

    settings = get_settings()
    settings.app.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.database_url)

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with create_session_factory(engine)() as db:
                result = await work(db)
                await db.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def _run_worker(concurrency: int) -> None:
    from renum.db import create_engine, create_session_factory
    from renum.jobs.worker import build_worker, create_queue
    from renum.redis import connect_redis

    settings = get_settings()
    engine = create_engine(settings.database_url)
    redis, embedded = connect_redis(settings)
    queue = create_queue(redis, settings.redis.queue_name)
    worker = build_worker(
        queue, create_session_factory(engine), concurrency=concurrency, heartbeat=settings.jobs.heartbeat_seconds
    )
    try:
        await worker.start()
    finally:
        await redis.aclose()
        if embedded is not None:
            embedded.close()
        await engine.dispose()


class RenumCommands(CLIPlugin):
    """Adds RENUM's own command groups to Litestar's CLI."""

    def on_cli_init(self, cli: click.Group) -> None:
        @cli.group(name="users", help="Manage creators' accounts.")
        def users() -> None:
            pass

        @users.command(name="create", help="Create an account.")
        @click.argument("email")
        @click.option("--password", required=True, help="At least 10 characters, letters and digits.")
        @click.option("--name", default="", help="The creator's name.")
        def create_user(email: str, password: str, name: str) -> None:
            from renum.errors import RenumError
            from renum.services.accounts import create_user as create

            try:
                user = _with_database(lambda db: create(db, email=email, password=password, name=name))
            except RenumError as error:
                raise click.ClickException(_explain(error)) from None
            click.echo(f"created {user.email} ({user.id})")

        @cli.group(name="tokens", help="Manage personal API tokens.")
        def tokens() -> None:
            pass

        @tokens.command(name="create", help="Create an API token; it is printed alone on the last line.")
        @click.argument("email")
        @click.option("--name", default="cli", help="A name to recognise the token by.")
        def create_token(email: str, name: str) -> None:
            from renum.services.accounts import create_api_token, user_by_email

            async def work(db: Any) -> str | None:
                user = await user_by_email(db, email)
                if user is None:
                    return None
                return (await create_api_token(db, user, name=name)).secret

            token = _with_database(work)
            if token is None:
                raise click.ClickException(f"no account with the email {email}; create it with 'renum users create'")
            click.echo(f"token for {email} (shown once):")
            click.echo(token)

        @cli.group(name="workers", help="Job workers.")
        def workers() -> None:
            pass

        @workers.command(name="run", help="Run a job worker until stopped (for production).")
        @click.option("--concurrency", default=4, show_default=True, help="Jobs run at once.")
        def run_workers(concurrency: int) -> None:
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(_run_worker(concurrency))

        @cli.group(name="database", help="The database schema.")
        def database() -> None:
            pass

        @database.command(name="upgrade", help="Apply every migration.")
        def upgrade() -> None:
            settings = get_settings()
            settings.app.data_dir.mkdir(parents=True, exist_ok=True)
            migrate.upgrade(settings.database_url)
            click.echo("database is up to date")


def _explain(error: Any) -> str:
    fields = "; ".join(f"{name}: {problem}" for name, problem in error.fields.items())
    return f"{error.message} {fields}".strip()


def main() -> None:
    """Entry point of the ``renum`` command."""
    from litestar.cli.main import litestar_group

    os.environ.setdefault("LITESTAR_APP", "renum.app:create_app")
    litestar_group()

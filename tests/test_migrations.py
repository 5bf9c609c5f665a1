"""The migrations and the models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic import command

from renum.migrate import alembic_config


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    # `alembic check` fails when autogenerate would write a new migration.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.check, alembic_config(database_url)).result()

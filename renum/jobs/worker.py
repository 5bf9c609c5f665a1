"""The SAQ queue and worker, with hooks that keep each task's row current.

- before a job runs, its task becomes ``running`` and a heartbeat starts: it touches the SAQ job
  (so SAQ's sweep can tell a dead worker from a slow one) and the task row; a worker built with
  ``heartbeat`` gives every job that heartbeat instead of its kind's, and touches and sweeps
  faster to match (``RENUM_JOBS_HEARTBEAT_SECONDS``);
- after it runs, the task ends ``succeeded``, ``failed`` (with a message for the creator) or
  goes back to ``queued`` while SAQ retries it;
- :func:`reconcile_tasks` runs on a timer and settles tasks whose job vanished or was swept
  after its worker died, so no task is left ``running`` forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import Any, cast

import structlog
from redis.asyncio import Redis
from saq import CronJob, Queue, Worker
from saq.job import Status
from saq.queue.redis import RedisQueue
from saq.types import Context, PartialTimersDict
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from renum.clients.llm import AIInvalidKey, AIModelNotFound, AINotConfigured, AIQuotaExceeded
from renum.db import utcnow
from renum.errors import RenumError
from renum.i18n import N_
from renum.jobs.kinds import JobKind, TaskRun, kinds
from renum.models import Task, TaskStatus

__all__ = ["WorkerContext", "build_worker", "create_queue", "reconcile_tasks", "worth_retrying"]

log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 10
SWEEP_SECONDS = 15
FAILED_MESSAGE = N_("Something went wrong while working on this. Start it again; if it keeps failing, tell us.")
# 5xx errors that only a change of settings or plan can fix.
_SET_UP_ERRORS = (AINotConfigured, AIInvalidKey, AIModelNotFound, AIQuotaExceeded)
LOST_MESSAGE = N_("The worker stopped while working on this. Start it again.")


class WorkerContext(Context, total=False):
    """What every job and hook finds in its context, beside SAQ's own keys."""

    session_factory: async_sessionmaker[AsyncSession]
    heartbeat: asyncio.Task[None]
    job_heartbeat: int | None
    touch_seconds: int


def create_queue(redis: Redis, name: str) -> Queue:
    """The SAQ queue on an existing client (``Queue.from_url`` cannot take a Unix socket)."""
    return RedisQueue(redis, name=name)


async def _set_task(factory: async_sessionmaker[AsyncSession], task_id: uuid.UUID, **values: Any) -> None:
    async with factory() as db:
        await db.execute(update(Task).where(Task.id == task_id).values(**values, updated_at=utcnow()))
        await db.commit()


def worth_retrying(error: BaseException) -> bool:
    """Whether another attempt could succeed where this one failed.

    RenumError's 4xx mean the video, the request or the set-up must change first (no sound, no AI
    settings, a refused key); so do a few 5xx that describe the set-up. Anything else (a service
    down, a timeout, a crash) is worth the kind's retries.
    """
    if isinstance(error, _SET_UP_ERRORS):
        return False
    if isinstance(error, RenumError):
        return error.status_code >= 500 or error.status_code == 429
    return True


def _wrap(spec: JobKind) -> Any:
    """The SAQ function for a kind: load the task, run the kind's function, keep the result."""

    async def run(ctx: WorkerContext, *, task_id: str) -> dict[str, Any] | None:
        factory: async_sessionmaker[AsyncSession] = ctx["session_factory"]
        async with factory() as db:
            task = await db.get(Task, uuid.UUID(task_id))
        if task is None or task.status.is_final:
            # Cancelled or removed before a worker got to it: nothing to do, and safe to run twice.
            return None

        job = ctx["job"]

        async def report(percent: int, message: str) -> None:
            await _set_task(factory, task.id, progress=percent, message=message, heartbeat_at=utcnow())
            await job.update(progress=percent / 100)
            await _honour_cancel(ctx, task.id)

        try:
            return await spec.function(
                TaskRun(
                    task_id=task.id,
                    owner_id=task.owner_id,
                    params=task.params,
                    attempt=job.attempts,
                    session_factory=factory,
                    report=report,
                )
            )
        except Exception as error:
            if not worth_retrying(error):
                # SAQ retries while attempts < retries: this ends the job as failed, with the error's message.
                job.retries = job.attempts
                log.info("task.not_retried", error=type(error).__name__, code=getattr(error, "code", None))
            raise

    run.__qualname__ = spec.name
    return run


async def _heartbeat(ctx: WorkerContext, task_id: uuid.UUID) -> None:
    factory: async_sessionmaker[AsyncSession] = ctx["session_factory"]
    job = ctx["job"]
    while True:
        await asyncio.sleep(ctx.get("touch_seconds", HEARTBEAT_SECONDS))
        with contextlib.suppress(Exception):
            await job.update()
            await _set_task(factory, task_id, heartbeat_at=utcnow())
            await _honour_cancel(ctx, task_id)


async def _honour_cancel(ctx: WorkerContext, task_id: uuid.UUID) -> None:
    """Abort the job again if its task was cancelled but the job still reads as running.

    SAQ's ``Job.update`` reads the stored status and writes the whole job back: an abort landing
    between the two is overwritten and the job would run on. The task row, cancelled first, says
    what the creator asked.
    """
    factory: async_sessionmaker[AsyncSession] = ctx["session_factory"]
    async with factory() as db:
        status = await db.scalar(select(Task.status).where(Task.id == task_id))
    if status is not TaskStatus.CANCELLED:
        return
    queue: Queue = ctx["queue"]
    stored = await queue.job(ctx["job"].key)
    if stored is not None and stored.status not in (Status.ABORTING, Status.ABORTED):
        log.warning("task.abort_repeated", task_id=str(task_id))
        await queue.abort(stored, error="cancelled by the creator")


def _task_id(job: Any) -> uuid.UUID | None:
    """The task a job moves; ``None`` for the worker's own housekeeping jobs."""
    task_id = (job.kwargs or {}).get("task_id")
    return uuid.UUID(task_id) if task_id else None


async def _before_process(ctx: WorkerContext) -> None:
    job = ctx["job"]
    task_id = _task_id(job)
    if task_id is None:
        return
    if heartbeat := ctx.get("job_heartbeat"):
        # Stored at once, so a worker dying from here on is noticed after this many seconds.
        await job.update(heartbeat=heartbeat)
    await _set_task(
        ctx["session_factory"],
        task_id,
        status=TaskStatus.RUNNING,
        attempts=job.attempts,
        started_at=utcnow(),
        heartbeat_at=utcnow(),
        message=N_("Working"),
    )
    ctx["heartbeat"] = asyncio.create_task(_heartbeat(ctx, task_id))
    structlog.contextvars.bind_contextvars(task_id=job.key, job=job.function)
    log.info("task.running", attempt=job.attempts)


async def _after_process(ctx: WorkerContext) -> None:
    heartbeat: asyncio.Task[None] | None = ctx.pop("heartbeat", None)
    if heartbeat is not None:
        heartbeat.cancel()
    job = ctx["job"]
    task_id = _task_id(job)
    if task_id is None:
        return
    factory = ctx["session_factory"]

    async with factory() as db:
        task = await db.get(Task, task_id)
        if task is None or task.status.is_final or task.attempts > job.attempts:
            # Cancelled, or a later attempt (a retry another slot already picked up) owns the row now.
            structlog.contextvars.unbind_contextvars("task_id", "job")
            return

        if job.status == Status.COMPLETE:
            task.status, task.progress = TaskStatus.SUCCEEDED, 100
            task.message, task.result, task.finished_at = N_("Done"), job.result, utcnow()
            log.info("task.succeeded")
        elif job.status in (Status.QUEUED, Status.NEW):
            task.status, task.message = TaskStatus.QUEUED, N_("Retrying after an error")
            log.warning("task.retrying", attempt=job.attempts)
        elif job.status == Status.ABORTED:
            task.status, task.message, task.finished_at = TaskStatus.CANCELLED, N_("Cancelled"), utcnow()
        else:
            error = ctx.get("exception")
            task.status, task.finished_at = TaskStatus.FAILED, utcnow()
            task.error = error.message if isinstance(error, RenumError) else FAILED_MESSAGE
            task.message = N_("Failed")
            log.error("task.failed", error=type(error).__name__ if error else None)
        await db.commit()
    structlog.contextvars.unbind_contextvars("task_id", "job")


async def reconcile_tasks(ctx: WorkerContext, *, stale_after: float | None = None) -> int:
    """Settle unfinished tasks whose job no longer runs; answers how many were changed."""
    queue: Queue = ctx["queue"]
    factory: async_sessionmaker[AsyncSession] = ctx["session_factory"]
    stale = utcnow() - timedelta(seconds=stale_after if stale_after is not None else HEARTBEAT_SECONDS * 6)
    changed = 0

    async with factory() as db:
        pending = await db.scalars(
            select(Task).where(Task.status.in_([TaskStatus.QUEUED, TaskStatus.RUNNING]), Task.updated_at < stale)
        )
        for task in pending:
            job = await queue.job(task.job_key)
            # A job left "aborting" with its task unheard was swept while nobody ran it (SAQ's sweep can
            # take a job a worker is just starting for a stuck one); nothing will ever finish it.
            if job is None or job.status in (Status.FAILED, Status.ABORTED, Status.ABORTING):
                task.status, task.finished_at = TaskStatus.FAILED, utcnow()
                task.error, task.message = LOST_MESSAGE, N_("Failed")
            elif job.status == Status.COMPLETE:
                task.status, task.progress, task.finished_at = TaskStatus.SUCCEEDED, 100, utcnow()
                task.result, task.message = job.result, N_("Done")
            elif job.status == Status.QUEUED and task.status is TaskStatus.RUNNING:
                task.status, task.message = TaskStatus.QUEUED, N_("Retrying after an error")
            else:
                continue
            changed += 1
            log.warning("task.reconciled", task_id=str(task.id), status=task.status.value)
        await db.commit()
    return changed


async def _reconcile_job(ctx: WorkerContext) -> None:
    await reconcile_tasks(ctx)


def build_worker(
    queue: Queue,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    concurrency: int = 4,
    in_process: bool = False,
    grace_seconds: int = 5,
    heartbeat: int | None = None,
) -> Worker:
    """A worker for every registered kind, plus the reconciler every minute.

    ``in_process`` leaves the signals to the web server it runs beside. ``heartbeat`` (seconds)
    replaces every job's own: the worker then touches its jobs every sixth of it and sweeps every
    quarter, as it does with a kind's usual 60 s.
    """
    touch_seconds = max(1, heartbeat // 6) if heartbeat else HEARTBEAT_SECONDS
    sweep_seconds = max(1, heartbeat // 4) if heartbeat else SWEEP_SECONDS

    async def startup(ctx: WorkerContext) -> None:
        ctx["session_factory"] = session_factory
        ctx["queue"] = queue
        ctx["job_heartbeat"] = heartbeat
        ctx["touch_seconds"] = touch_seconds

    worker = Worker(
        queue,
        functions=[(spec.name, _wrap(spec)) for spec in kinds()],
        concurrency=concurrency,
        cron_jobs=[CronJob(_reconcile_job, cron="* * * * *", timeout=60)],
        startup=startup,
        before_process=_before_process,
        after_process=_after_process,
        # SAQ's sweep also holds a lock this long, so it runs once per interval whatever the workers.
        timers=cast("PartialTimersDict", {"sweep": sweep_seconds}),
        shutdown_grace_period_s=grace_seconds,
    )
    if in_process:
        worker.SIGNALS = []
    return worker

"""Tasks: the creator-facing record of long work, and the one way to start it.

The ``tasks`` row is the source of truth; the SAQ job only moves the work. :func:`start_task`
writes the row, commits it, then enqueues the job with the kind's explicit limits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from saq import Queue
from saq.job import Job, Status
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.db import utcnow
from renum.errors import Conflict, NotFound, RenumError
from renum.i18n import N_
from renum.jobs.kinds import kind as job_kind
from renum.models import Task, TaskStatus, User

log = structlog.get_logger(__name__)

__all__ = ["QueueStats", "cancel_task", "get_task", "list_tasks", "queue_stats", "start_task"]


class QueueUnavailable(RenumError):
    """Redis could not take the job."""

    status_code = 503
    code = "queue_unavailable"
    default_message = N_("The job queue is not reachable right now. Try again in a minute.")


@dataclass(frozen=True, slots=True)
class QueueStats:
    """The caller's own tasks by status, and the shared queue's state."""

    mine: dict[str, int]
    queued: int
    active: int
    scheduled: int
    workers: int


async def start_task(
    db: AsyncSession, queue: Queue, owner: User, *, kind: str, params: dict[str, Any] | None = None
) -> Task:
    """Record a task for ``owner`` and enqueue its job; the row is committed before the job exists."""
    spec = job_kind(kind)
    task = Task(owner_id=owner.id, kind=kind, params=params or {}, message=N_("Waiting for a worker"))
    db.add(task)
    await db.flush()
    task.job_key = str(task.id)
    await db.commit()

    try:
        await queue.enqueue(
            Job(
                function=spec.name,
                kwargs={"task_id": str(task.id)},
                key=task.job_key,
                timeout=spec.timeout,
                heartbeat=spec.heartbeat,
                retries=spec.retries,
                retry_delay=spec.retry_delay,
                retry_backoff=spec.retry_backoff,
                ttl=spec.ttl,
            )
        )
    except Exception as error:
        log.error("task.enqueue_failed", task_id=str(task.id), kind=kind, error=type(error).__name__)
        await db.delete(task)
        await db.commit()
        raise QueueUnavailable() from error

    log.info("task.started", task_id=str(task.id), kind=kind, user_id=str(owner.id))
    return task


async def get_task(db: AsyncSession, owner: User, task_id: uuid.UUID) -> Task:
    """The creator's task; another creator's task is not found."""
    task = await db.scalar(select(Task).where(Task.id == task_id, Task.owner_id == owner.id))
    if task is None:
        raise NotFound(N_("No task with this id. It may belong to another account or have been removed."))
    return task


async def list_tasks(db: AsyncSession, owner: User, *, limit: int = 50) -> list[Task]:
    """The creator's tasks, newest first."""
    rows = await db.scalars(select(Task).where(Task.owner_id == owner.id).order_by(Task.created_at.desc()).limit(limit))
    return list(rows)


async def cancel_task(db: AsyncSession, queue: Queue, owner: User, task_id: uuid.UUID) -> Task:
    """Stop a task that has not ended; a finished one cannot be cancelled (409)."""
    task = await get_task(db, owner, task_id)
    if task.status.is_final:
        raise Conflict(
            N_("This task has already ended ({status}); there is nothing to cancel."),
            status=task.status.value,
        )

    # The row is cancelled (and committed) before the job is aborted: a worker that misses the abort
    # finds the cancellation there (see renum.jobs.worker._honour_cancel).
    task.status = TaskStatus.CANCELLED
    task.message = N_("Cancelled")
    task.finished_at = utcnow()
    await db.commit()

    job = await queue.job(task.job_key)
    if job is not None and job.status not in (Status.COMPLETE, Status.FAILED, Status.ABORTED):
        await queue.abort(job, error="cancelled by the creator")
    log.info("task.cancelled", task_id=str(task.id), user_id=str(owner.id))
    return task


async def queue_stats(db: AsyncSession, queue: Queue, owner: User) -> QueueStats:
    """Counts for the caller's own tasks and for the shared queue."""
    rows = await db.execute(select(Task.status, func.count()).where(Task.owner_id == owner.id).group_by(Task.status))
    mine = {status.value: 0 for status in TaskStatus}
    for status, count in rows.all():
        mine[TaskStatus(status).value] = count

    info = await queue.info()
    incomplete = await queue.count("incomplete")
    queued, active = int(info.get("queued", 0)), int(info.get("active", 0))
    return QueueStats(
        mine=mine,
        queued=queued,
        active=active,
        scheduled=max(0, incomplete - queued - active),
        workers=len(info.get("workers", {})),
    )

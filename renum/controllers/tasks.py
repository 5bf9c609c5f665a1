"""Tasks: their status (polled by the pages), cancelling, and the queue's numbers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get
from litestar.params import FromPath
from litestar.response import Template
from msgspec import Struct

from renum.i18n import gettext
from renum.jobs.kinds import label_of
from renum.models import Task
from renum.services import tasks
from renum.web.deps import DB, CurrentCreator, TaskQueue
from renum.web.representation import respond

__all__ = ["TaskController"]


class TaskState(Struct):
    """A task as clients see it."""

    id: uuid.UUID
    kind: str
    kind_label: str
    status: str
    status_label: str
    progress: int
    message: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    done: bool

    @classmethod
    def of(cls, task: Task) -> TaskState:
        return cls(
            id=task.id,
            kind=task.kind,
            kind_label=gettext(label_of(task.kind)),
            status=task.status.value,
            status_label=gettext(task.status.label),
            progress=task.progress,
            message=gettext(task.message) if task.message else "",
            result=task.result,
            error=gettext(task.error) if task.error else None,
            attempts=task.attempts,
            created_at=task.created_at,
            started_at=task.started_at,
            finished_at=task.finished_at,
            done=task.status.is_final,
        )


class QueueNumbers(Struct):
    """The caller's tasks by status, and the shared queue."""

    mine: dict[str, int]
    queued: int
    active: int
    scheduled: int
    workers: int


class TaskController(Controller):
    """Where a creator follows their long work."""

    tags = ["tasks"]

    @get("/tasks", include_in_schema=False)
    async def tasks_page(self, db: DB, creator: CurrentCreator) -> Template:
        """Every task of the creator, each with a progress bar that updates itself."""
        rows = await tasks.list_tasks(db, creator)
        return Template("tasks/index.html", context={"tasks": [TaskState.of(task) for task in rows]})

    @get("/api/tasks", summary="The creator's tasks, newest first")
    async def list_tasks(self, db: DB, creator: CurrentCreator) -> list[TaskState]:
        """Recent tasks."""
        return [TaskState.of(task) for task in await tasks.list_tasks(db, creator)]

    @get("/api/tasks/status/{task_id:uuid}", summary="A task's status and progress")
    async def task_status(
        self, request: Request[Any, Any, Any], task_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[TaskState]:
        """Status, progress, message and, when done, the result or the error."""
        task = await tasks.get_task(db, creator, task_id)
        return respond(request, TaskState.of(task), partial="tasks/_task.html")

    @delete("/api/tasks/cancel/{task_id:uuid}", status_code=200, summary="Cancel a task")
    async def cancel_task(
        self,
        request: Request[Any, Any, Any],
        task_id: FromPath[uuid.UUID],
        db: DB,
        queue: TaskQueue,
        creator: CurrentCreator,
    ) -> Response[TaskState]:
        """Stop a task that has not ended; 409 if it already has."""
        task = await tasks.cancel_task(db, queue, creator, task_id)
        return respond(request, TaskState.of(task), partial="tasks/_task.html")

    @get("/api/tasks/queue/stats", summary="The caller's task counts and the queue's state")
    async def queue_stats(self, db: DB, queue: TaskQueue, creator: CurrentCreator) -> QueueNumbers:
        """How many of the caller's tasks are in each status, and the queue's queued/active/scheduled/workers."""
        stats = await tasks.queue_stats(db, queue, creator)
        return QueueNumbers(
            mine=stats.mine,
            queued=stats.queued,
            active=stats.active,
            scheduled=stats.scheduled,
            workers=stats.workers,
        )

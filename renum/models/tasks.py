"""Long work a creator started: the source of truth for its status, whatever Redis remembers."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from renum.db import Base, UTCDateTime
from renum.i18n import N_


class TaskStatus(enum.StrEnum):
    """Where a task stands. The last three are final."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED)

    @property
    def label(self) -> str:
        """What the creator reads (an English message id, translated where shown)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    TaskStatus.QUEUED: N_("Queued"),
    TaskStatus.RUNNING: N_("Running"),
    TaskStatus.SUCCEEDED: N_("Succeeded"),
    TaskStatus.FAILED: N_("Failed"),
    TaskStatus.CANCELLED: N_("Cancelled"),
}


class Task(Base):
    """One piece of long work, owned by a creator and moved by one SAQ job."""

    __tablename__ = "tasks"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=TaskStatus.QUEUED,
        index=True,
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(300), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    job_key: Mapped[str] = mapped_column(String(80), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

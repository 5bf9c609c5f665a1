"""The kinds of job RENUM runs, each with its timeout, retries, backoff and ttl written out.

SAQ's defaults (10 s timeout, one attempt, no backoff) are wrong for media and AI work, so a
kind has no defaults for them: every module that adds a kind says what its work needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

__all__ = ["JobKind", "TaskRun", "kind", "kinds", "label_of", "register"]


@dataclass(slots=True)
class TaskRun:
    """What a job function gets: its task's ids and parameters, and a way to report progress."""

    task_id: uuid.UUID
    owner_id: uuid.UUID
    params: dict[str, Any]
    attempt: int
    session_factory: async_sessionmaker[AsyncSession]
    report: Callable[[int, str], Awaitable[None]] = field(repr=False)

    async def progress(self, percent: int, message: str = "") -> None:
        """Move the task's progress bar (0–100) and say what is happening, for the creator."""
        await self.report(max(0, min(100, percent)), message)


JobFunction = Callable[[TaskRun], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class JobKind:
    """One kind of long work and how the queue must treat it."""

    name: str
    function: JobFunction
    timeout: int
    retries: int
    retry_delay: float
    retry_backoff: bool | float
    ttl: int
    heartbeat: int = 60
    label: str = ""
    """What the creator reads for this kind of work (an English message id marked with ``N_``)."""


_kinds: dict[str, JobKind] = {}


def register(job_kind: JobKind) -> JobKind:
    """Make a kind known to the queue and the worker (a later registration of a name replaces it)."""
    _kinds[job_kind.name] = job_kind
    return job_kind


def kind(name: str) -> JobKind:
    """The registered kind of that name."""
    return _kinds[name]


def label_of(name: str) -> str:
    """The creator-facing label of a kind (its name when it has none, or is unknown)."""
    registered = _kinds.get(name)
    return registered.label if registered and registered.label else name


def kinds() -> list[JobKind]:
    """Every registered kind."""
    return list(_kinds.values())

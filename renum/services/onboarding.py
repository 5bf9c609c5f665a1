"""The onboarding wizard: the creator's profile, then HeyGen, Metricool and social accounts, then done.

Each step is marked done or skipped, in any order, and a creator can leave and come back: the wizard
resumes at the first step still ahead. A step is only *done* when what it sets up works (a HeyGen key
with an avatar and a voice, a Metricool brand, a linked network); otherwise it can be skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.db import utcnow
from renum.errors import Conflict, InvalidInput, NotFound
from renum.i18n import N_
from renum.models import CreatorProfile, User
from renum.services import accounts, integrations

__all__ = [
    "STEPS",
    "Progress",
    "StepState",
    "WizardPage",
    "get_profile",
    "mark_step",
    "next_step",
    "progress",
    "save_profile",
    "wizard_page",
]

log = structlog.get_logger(__name__)

STEPS = ("profile", "heygen", "metricool", "social", "done")
"""The wizard's pages in order; every one but the last is marked done or skipped."""

_MARKED = STEPS[:-1]
_MAX_NICHE = 200
_MAX_AUDIENCE = 500

StepStatus = Literal["done", "skipped", "ahead"]


@dataclass(frozen=True, slots=True)
class StepState:
    """One step of the wizard and where the creator stands on it."""

    name: str
    status: StepStatus


@dataclass(frozen=True, slots=True)
class Progress:
    """How far the creator went: every step's state, where to resume, and whether all are behind them."""

    steps: list[StepState]
    resume: str
    finished: bool
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class WizardPage:
    """What one page of the wizard shows."""

    step: str
    progress: Progress
    profile: CreatorProfile
    integrations: integrations.Overview


async def get_profile(db: AsyncSession, user: User) -> CreatorProfile:
    """The creator's profile; an empty one (not yet stored) when they never filled it in."""
    row = await db.scalar(select(CreatorProfile).where(CreatorProfile.owner_id == user.id))
    return row or CreatorProfile(owner_id=user.id, niche="", audience="", onboarding_steps={})


async def _stored_profile(db: AsyncSession, user: User) -> CreatorProfile:
    row = await get_profile(db, user)
    db.add(row)  # nothing happens to a stored one
    return row


async def save_profile(
    db: AsyncSession,
    user: User,
    *,
    name: str | None,
    language: str | None,
    timezone: str | None,
    niche: str | None,
    audience: str | None,
) -> CreatorProfile:
    """Save the profile step (name, language and timezone on the account; niche and audience here)."""
    fields = {}
    if niche is not None and len(niche.strip()) > _MAX_NICHE:
        fields["niche"] = N_("Describe your niche in at most 200 characters.")
    if audience is not None and len(audience.strip()) > _MAX_AUDIENCE:
        fields["audience"] = N_("Describe your audience in at most 500 characters.")
    if fields:
        raise InvalidInput(fields=fields)

    await accounts.update_profile(db, user, name=name, language=language, timezone=timezone)
    row = await _stored_profile(db, user)
    if niche is not None:
        row.niche = niche.strip()
    if audience is not None:
        row.audience = audience.strip()
    _mark(row, "profile", "done")
    await db.flush()
    log.info("onboarding.profile_saved", user_id=str(user.id))
    return row


def _progress(row: CreatorProfile) -> Progress:
    marks = row.onboarding_steps or {}
    steps = [StepState(name, marks.get(name, "ahead")) for name in _MARKED]  # type: ignore[arg-type]
    resume = next((state.name for state in steps if state.status == "ahead"), STEPS[-1])
    return Progress(
        steps=[*steps, StepState(STEPS[-1], "done" if row.onboarding_finished_at else "ahead")],
        resume=resume,
        finished=row.onboarding_finished_at is not None,
        finished_at=row.onboarding_finished_at,
    )


async def progress(db: AsyncSession, user: User) -> Progress:
    """Where the creator stands in the wizard."""
    return _progress(await get_profile(db, user))


def next_step(step: str) -> str:
    """The page after ``step``."""
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def _mark(row: CreatorProfile, step: str, status: str) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    row.onboarding_steps = {**(row.onboarding_steps or {}), step: status}
    if row.onboarding_finished_at is None and all(name in row.onboarding_steps for name in _MARKED):
        row.onboarding_finished_at = utcnow()


async def _check_done(db: AsyncSession, user: User, step: str) -> None:
    """Refuse to call a step done when what it sets up is missing."""
    if step == "profile":
        return
    state = await integrations.overview(db, user)
    problem = None
    if step == "heygen" and state.heygen is None:
        problem = N_("Save your HeyGen API key first, or skip this step.")
    elif step == "heygen" and state.heygen and not (state.heygen.default_avatar_id and state.heygen.default_voice_id):
        problem = N_("Choose a default avatar and a default voice, or skip this step.")
    elif step == "metricool" and state.metricool is None:
        problem = N_("Connect Metricool and choose a brand first, or skip this step.")
    elif step == "social" and not any(account.linked for account in state.social):
        problem = N_("Link at least one social account, or skip this step.")
    if problem:
        raise Conflict(problem)


async def mark_step(db: AsyncSession, user: User, step: str, status: str) -> Progress:
    """Mark a step done (when what it sets up works) or skipped; the wizard is finished once none is ahead."""
    if step not in _MARKED:
        raise NotFound()
    if status not in ("done", "skipped"):
        raise InvalidInput(fields={"status": N_("Send done or skipped.")})
    if status == "done":
        await _check_done(db, user, step)

    row = await _stored_profile(db, user)
    was_finished = row.onboarding_finished_at is not None
    _mark(row, step, status)
    await db.flush()
    log.info("onboarding.step_marked", user_id=str(user.id), step=step, status=status)
    if not was_finished and row.onboarding_finished_at is not None:
        log.info("onboarding.finished", user_id=str(user.id))
    return _progress(row)


async def wizard_page(db: AsyncSession, user: User, step: str) -> WizardPage:
    """Everything one page of the wizard shows; an unknown step is not found."""
    if step not in STEPS:
        raise NotFound()
    profile = await get_profile(db, user)
    return WizardPage(
        step=step, progress=_progress(profile), profile=profile, integrations=await integrations.overview(db, user)
    )

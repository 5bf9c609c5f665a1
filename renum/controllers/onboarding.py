"""Onboarding: the wizard a new creator lands in (profile, HeyGen, Metricool, social accounts, done).

Each page shows the steps with a progress indicator; its forms call the integrations routes, and the
buttons at the bottom mark the step done or skipped through ``PUT /api/onboarding/steps/{step}``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from msgspec import Struct

from renum.controllers.integrations import HeyGenState, MetricoolState, SocialAccountState
from renum.models import CreatorProfile, User
from renum.services import onboarding
from renum.web.deps import DB, CurrentCreator
from renum.web.representation import respond

__all__ = ["OnboardingController"]


class ProfileStep(Struct, forbid_unknown_fields=False):
    """The profile step: account fields, and the niche and audience the AI features will write for."""

    name: str | None = None
    language: str | None = None
    timezone: str | None = None
    niche: str | None = None
    audience: str | None = None


class StepMark(Struct, forbid_unknown_fields=False):
    """``done`` or ``skipped``."""

    status: str


class CreatorProfileState(Struct):
    """The profile as the wizard saved it."""

    name: str
    language: str
    timezone: str
    niche: str
    audience: str

    @classmethod
    def of(cls, user: User, profile: CreatorProfile) -> CreatorProfileState:
        return cls(
            name=user.name,
            language=user.language,
            timezone=user.timezone,
            niche=profile.niche,
            audience=profile.audience,
        )


class StepInfo(Struct):
    """One step and where the creator stands on it: ``done``, ``skipped`` or ``ahead``."""

    name: str
    status: str


class ProgressState(Struct):
    """The wizard's steps, the one to resume at, and whether it is finished."""

    steps: list[StepInfo]
    resume: str
    finished: bool
    finished_at: datetime | None

    @classmethod
    def of(cls, progress: onboarding.Progress) -> ProgressState:
        return cls(
            steps=[StepInfo(name=step.name, status=step.status) for step in progress.steps],
            resume=progress.resume,
            finished=progress.finished,
            finished_at=progress.finished_at,
        )


class OnboardingController(Controller):
    """The wizard's pages and the routes that move through it."""

    tags = ["onboarding"]

    @get("/onboarding", include_in_schema=False)
    async def resume(self, db: DB, creator: CurrentCreator) -> Redirect:
        """Back where the creator left off: the first step still ahead, or the summary."""
        progress = await onboarding.progress(db, creator)
        return Redirect(f"/onboarding/{progress.resume}")

    @get("/onboarding/{step:str}", include_in_schema=False)
    async def step_page(self, step: FromPath[str], db: DB, creator: CurrentCreator) -> Template:
        """One step of the wizard, with the progress indicator."""
        page = await onboarding.wizard_page(db, creator, step)
        state = page.integrations
        return Template(
            f"onboarding/{page.step}.html",
            context={
                "step": page.step,
                "progress": ProgressState.of(page.progress),
                "next_step": onboarding.next_step(page.step),
                "profile": CreatorProfileState.of(creator, page.profile),
                "timezones": sorted(available_timezones()),
                "heygen": HeyGenState.of(state.heygen),
                "metricool": MetricoolState.of(state.metricool),
                "social": [SocialAccountState.of(view) for view in state.social],
            },
        )

    @get("/api/onboarding", summary="Where the creator stands in the onboarding wizard")
    async def get_progress(self, db: DB, creator: CurrentCreator) -> ProgressState:
        """Every step's state and the step to resume at."""
        return ProgressState.of(await onboarding.progress(db, creator))

    @put("/api/onboarding/profile", summary="Save the profile step: name, language, timezone, niche, audience")
    async def save_profile(
        self, request: Request[Any, Any, Any], data: JSONBody[ProfileStep], db: DB, creator: CurrentCreator
    ) -> Response[CreatorProfileState]:
        """Save the profile and go on to the next step."""
        profile = await onboarding.save_profile(
            db,
            creator,
            name=data.name,
            language=data.language,
            timezone=data.timezone,
            niche=data.niche,
            audience=data.audience,
        )
        headers = {"HX-Redirect": f"/onboarding/{onboarding.next_step('profile')}"}
        return respond(request, CreatorProfileState.of(creator, profile), partial="_empty.html", headers=headers)

    @put("/api/onboarding/steps/{step:str}", summary="Mark an onboarding step done or skipped")
    async def mark_step(
        self,
        request: Request[Any, Any, Any],
        step: FromPath[str],
        data: JSONBody[StepMark],
        db: DB,
        creator: CurrentCreator,
    ) -> Response[ProgressState]:
        """Done only when what the step sets up works (409 otherwise); skipped at any time."""
        progress = await onboarding.mark_step(db, creator, step, data.status)
        headers = {"HX-Redirect": f"/onboarding/{onboarding.next_step(step)}"}
        return respond(request, ProgressState.of(progress), partial="_empty.html", headers=headers)

"""Leads: the landing page's waiting list (JSON, form posts and htmx alike)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import SerializationException
from msgspec import Struct

from renum.errors import InvalidInput
from renum.i18n import N_, current_language
from renum.services import leads
from renum.web.deps import DB, AppSettings
from renum.web.ratelimit import client_address, enforce_rate_limit
from renum.web.representation import respond

__all__ = ["LeadController"]

HONEYPOT = "website"


class LeadAnswer(Struct):
    """What a lead submission answers: always the same, new or repeated."""

    ok: bool
    count: int


class LeadCount(Struct):
    """How many people are on the list."""

    count: int


async def _submitted(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The submitted fields, from JSON or from a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except SerializationException:
            body = None
        if not isinstance(body, dict):
            raise InvalidInput(N_("Send a JSON object with name, email and what you create."))
        return body
    return dict((await request.form()).items())


class LeadController(Controller):
    """The waiting list."""

    tags = ["leads"]

    @post("/api/leads", status_code=201, summary="Join the waiting list")
    async def create_lead(
        self, request: Request[Any, Any, State], db: DB, settings: AppSettings
    ) -> Response[LeadAnswer]:
        """Add a lead (JSON or form). The same email twice keeps one lead and answers the same."""
        await enforce_rate_limit(
            request.app.state.redis,
            namespace=settings.redis.queue_name,
            bucket="leads",
            who=client_address(request),
            per_minute=settings.security.lead_rate_limit,
        )
        fields = await _submitted(request)

        if str(fields.get(HONEYPOT) or "").strip():
            # A bot filled the hidden field: answer as if it worked and keep nothing.
            count = await leads.count_leads(db)
        else:
            await leads.add_lead(
                db,
                email=str(fields.get("email") or ""),
                name=str(fields.get("name") or ""),
                creates=str(fields.get("creates") or ""),
                language=current_language(),
            )
            await db.flush()
            count = await leads.count_leads(db)
        return respond(request, LeadAnswer(ok=True, count=count), partial="landing/_lead_thanks.html", status_code=201)

    @get("/api/leads/count", summary="How many people joined the list")
    async def count_leads(self, request: Request[Any, Any, Any], db: DB) -> Response[LeadCount]:
        """``{"count": N}``."""
        return respond(request, LeadCount(count=await leads.count_leads(db)), partial="landing/_lead_count.html")

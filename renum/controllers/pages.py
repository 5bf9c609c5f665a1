"""The front door: the landing page for visitors, the home page for creators."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from renum.controllers.tasks import TaskState
from renum.i18n import N_
from renum.models import User
from renum.services import leads, tasks
from renum.web.deps import DB

__all__ = ["MODULES", "PageController"]

# The modules a creator can open today; each module issue adds its entry.
MODULES: list[dict[str, str]] = [
    {"name": N_("ScriptAI"), "href": "/scriptai", "about": N_("Turn a topic into a script timed for your video.")},
    {"name": N_("Drafts"), "href": "/scriptai/drafts", "about": N_("Your saved scripts and every version of them.")},
    {"name": N_("Assistant"), "href": "/assistant", "about": N_("Ask the AI about your ideas, scripts and plans.")},
    {
        "name": N_("PostRápido"),
        "href": "/postrapido",
        "about": N_("Upload a recording: transcribe it, cut the pauses, render it for each network."),
    },
    {"name": N_("Tasks"), "href": "/tasks", "about": N_("Follow your long work as it runs.")},
    {
        "name": N_("Integrations"),
        "href": "/settings/integrations",
        "about": N_("Connect HeyGen and Metricool, and choose the networks you publish to."),
    },
    {
        "name": N_("Get started"),
        "href": "/onboarding",
        "about": N_("Set up your profile and connections step by step."),
    },
    {
        "name": N_("Account"),
        "href": "/account",
        "about": N_("Your profile, language, password and API tokens."),
    },
]


class PageController(Controller):
    """``/``."""

    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any], db: DB) -> Template:
        """The landing page with the lead form, or the creator's home page."""
        user: User | None = request.scope.get("user")
        if user is None:
            return Template("landing/index.html", context={"count": await leads.count_leads(db)})
        recent = await tasks.list_tasks(db, user, limit=5)
        return Template("home.html", context={"tasks": [TaskState.of(task) for task in recent], "modules": MODULES})

"""Litestar controllers, one module per area; pages and API routes side by side."""

from renum.controllers.accounts import AccountController
from renum.controllers.health import HealthController
from renum.controllers.leads import LeadController
from renum.controllers.pages import PageController
from renum.controllers.tasks import TaskController

CONTROLLERS = [PageController, AccountController, HealthController, LeadController, TaskController]

__all__ = ["CONTROLLERS"]

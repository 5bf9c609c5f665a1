"""Litestar controllers, one module per area; pages and API routes side by side."""

from renum.controllers.accounts import AccountController
from renum.controllers.assistant import AssistantController
from renum.controllers.health import HealthController
from renum.controllers.integrations import IntegrationController
from renum.controllers.leads import LeadController
from renum.controllers.onboarding import OnboardingController
from renum.controllers.pages import PageController
from renum.controllers.postrapido import PostRapidoController
from renum.controllers.scriptai import ScriptAIController
from renum.controllers.tasks import TaskController

CONTROLLERS = [
    PageController,
    AccountController,
    HealthController,
    LeadController,
    TaskController,
    ScriptAIController,
    AssistantController,
    IntegrationController,
    OnboardingController,
    PostRapidoController,
]

__all__ = ["CONTROLLERS"]

"""SQLAlchemy models, one module per area; importing this package registers every table."""

from renum.models.accounts import ApiToken, User, WebSession
from renum.models.leads import Lead
from renum.models.tasks import Task, TaskStatus

__all__ = ["ApiToken", "Lead", "Task", "TaskStatus", "User", "WebSession"]

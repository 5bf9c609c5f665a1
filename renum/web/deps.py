"""Names of the dependencies handlers ask for, declared once (Litestar injects them by name)."""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import NamedDependency
from saq import Queue
from sqlalchemy.ext.asyncio import AsyncSession

from renum.config import Settings
from renum.models import User
from renum.services.integrations import Outside

__all__ = ["DB", "AppSettings", "CurrentCreator", "OutsideServices", "TaskQueue", "provide_outside"]

DB = NamedDependency[AsyncSession]
"""``db``: the request's database session, committed when the handler succeeds."""

CurrentCreator = NamedDependency[User]
"""``creator``: the signed-in creator (401 when nobody is)."""

TaskQueue = NamedDependency[Queue]
"""``queue``: the SAQ queue."""

AppSettings = NamedDependency[Settings]
"""``settings``: the settings the app was built with."""

OutsideServices = NamedDependency[Outside]
"""``outside``: settings, secret box and list cache for reaching HeyGen and Metricool."""


def provide_outside(state: State) -> Outside:
    """How this request reaches the outside services."""
    return Outside.from_settings(state.settings, state.redis)

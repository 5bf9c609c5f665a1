"""The landing page's waiting list."""

from __future__ import annotations

import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from renum.errors import InvalidInput
from renum.i18n import N_
from renum.models import Lead
from renum.services.accounts import normalize_email

__all__ = ["add_lead", "count_leads"]

log = structlog.get_logger(__name__)


async def add_lead(db: AsyncSession, *, email: str, name: str, creates: str, language: str) -> bool:
    """Put someone on the list; answers whether they are new (the same email twice keeps one lead)."""
    email = normalize_email(email)
    if len(name) > 120 or len(creates) > 200:
        raise InvalidInput(fields={"name" if len(name) > 120 else "creates": N_("This text is too long.")})
    if await db.scalar(select(Lead.id).where(Lead.email == email)):
        return False

    try:
        async with db.begin_nested():
            db.add(Lead(email=email, name=name.strip(), creates=creates.strip(), language=language))
    except IntegrityError:
        # The same email arrived twice at once: the other request kept it.
        return False
    log.info("lead.added")
    return True


async def count_leads(db: AsyncSession) -> int:
    """How many people are on the list."""
    return int(await db.scalar(select(func.count()).select_from(Lead)) or 0)

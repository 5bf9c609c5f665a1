"""What a creator tells RENUM about their work, and how far they went through the onboarding wizard."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from renum.db import Base, UTCDateTime


class CreatorProfile(Base):
    """The creator's niche and audience (read later by the AI features) and their onboarding steps.

    ``onboarding_steps`` maps a step name to ``"done"`` or ``"skipped"``; a step not in it is still ahead.
    """

    __tablename__ = "creator_profiles"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    niche: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(500), default="")
    onboarding_steps: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    onboarding_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

"""ScriptAI's saved scripts: a creator's drafts and every version each one went through."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from renum.db import Base


class Draft(Base):
    """A script a creator saved, as it stands now.

    ``content`` holds the script's text and the parameters it was written for; ``version`` is the
    number of its latest :class:`DraftVersion`, which a client sends back when it updates the draft
    so that a stale copy cannot overwrite a newer one. ``search_text`` is the script's words without
    accents or case, so a search for "pao" finds "Pão".
    """

    __tablename__ = "drafts"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    topic: Mapped[str] = mapped_column(String(500), default="")
    platform: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    duration_seconds: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class DraftVersion(Base):
    """One state a draft was in: kept on every save, regeneration and restore, never changed."""

    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number", name="uq_draft_versions_draft_id_number"),)

    draft_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

"""A creator's connections to outside services (HeyGen, Metricool) and the social accounts they link.

Keys and tokens are stored sealed (:mod:`renum.security`); only a hint of their last characters is kept
in clear, to show which key is saved. ``last_error`` holds RENUM's own English message for the last
failed check (translated where it is shown), never the service's text.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from renum.db import Base, UTCDateTime


class HeyGenConnection(Base):
    """A creator's HeyGen API key and the avatar and voice their videos use unless they choose others."""

    __tablename__ = "heygen_connections"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    api_key_sealed: Mapped[str] = mapped_column(Text)
    key_hint: Mapped[str] = mapped_column(String(8))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_code: Mapped[str | None] = mapped_column(String(40))
    remaining_credits: Mapped[float | None] = mapped_column(Float)
    default_avatar_id: Mapped[str | None] = mapped_column(String(200))
    default_avatar_kind: Mapped[str | None] = mapped_column(String(20))
    default_avatar_name: Mapped[str | None] = mapped_column(String(200))
    default_avatar_image: Mapped[str | None] = mapped_column(String(1000))
    default_voice_id: Mapped[str | None] = mapped_column(String(200))
    default_voice_name: Mapped[str | None] = mapped_column(String(200))
    default_voice_language: Mapped[str | None] = mapped_column(String(80))
    default_voice_audio: Mapped[str | None] = mapped_column(String(1000))


class MetricoolConnection(Base):
    """A creator's Metricool user token and user id, and the brand (``blogId``) RENUM publishes through."""

    __tablename__ = "metricool_connections"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    user_token_sealed: Mapped[str] = mapped_column(Text)
    token_hint: Mapped[str] = mapped_column(String(8))
    metricool_user_id: Mapped[str] = mapped_column(String(40))
    blog_id: Mapped[int] = mapped_column(Integer)
    brand_name: Mapped[str] = mapped_column(String(200))
    brand_timezone: Mapped[str | None] = mapped_column(String(64))
    brand_networks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_code: Mapped[str | None] = mapped_column(String(40))


class SocialAccount(Base):
    """A network the creator publishes to from RENUM, linked through their Metricool brand."""

    __tablename__ = "social_accounts"
    __table_args__ = (UniqueConstraint("owner_id", "platform"),)

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(200), default="")

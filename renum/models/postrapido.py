"""PostRápido's records: an uploaded video, its transcript, its renders, captions and scheduled posts.

The files themselves live in :mod:`renum.media.storage`; rows keep only their storage names. The
silence settings the creator last chose, and what they found, are kept on the video so that
leaving the page and coming back resumes where the creator was.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from renum.db import Base, UTCDateTime

__all__ = ["Caption", "PostStatus", "Render", "ScheduledPost", "Transcript", "Video", "VideoStatus"]


class VideoStatus(enum.StrEnum):
    """How far a video has gone through PostRápido."""

    UPLOADED = "uploaded"
    TRANSCRIBED = "transcribed"
    RENDERED = "rendered"


class Video(Base):
    """A recording a creator uploaded, with what probing it found."""

    __tablename__ = "videos"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    storage_name: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[VideoStatus] = mapped_column(
        Enum(VideoStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=VideoStatus.UPLOADED,
    )
    duration: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    frame_rate: Mapped[float] = mapped_column(Float)
    container: Mapped[str] = mapped_column(String(20), default="")
    video_codec: Mapped[str] = mapped_column(String(40))
    audio_codec: Mapped[str | None] = mapped_column(String(40))
    has_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    silence_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """The thresholds the creator last chose (``SilenceSettings`` fields)."""
    silences: Mapped[list[list[float]] | None] = mapped_column(JSON)
    """The silences those thresholds found, as ``[start, end]`` seconds."""


class Transcript(Base):
    """What is said in a video, as the model heard it and as the creator corrected it."""

    __tablename__ = "transcripts"

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """``{"start", "end", "text"}`` in source seconds, as transcribed."""
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """``{"start", "end", "word"}`` in source seconds: no silence cut may fall inside one."""
    edited_segments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """The creator's corrections (same shape as ``segments``); ``None`` until they edit."""

    @property
    def current_segments(self) -> list[dict[str, Any]]:
        """The segments to use: the creator's corrections when there are any."""
        return self.edited_segments if self.edited_segments is not None else self.segments


class Render(Base):
    """One rendering of a video: what was asked, the task doing it, and the file it made."""

    __tablename__ = "renders"

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    storage_name: Mapped[str | None] = mapped_column(String(200))
    """Set only once the output is complete: a half-written file is never named here."""
    duration_before: Mapped[float] = mapped_column(Float)
    duration_after: Mapped[float | None] = mapped_column(Float)


class Caption(Base):
    """The text a video goes out with on one platform: written by the model, perhaps edited by the creator."""

    __tablename__ = "captions"
    __table_args__ = (UniqueConstraint("video_id", "platform"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    """A key of :data:`renum.services.integrations.PLATFORMS`."""
    title: Mapped[str | None] = mapped_column(String(255))
    """YouTube's video title; ``None`` on platforms without one."""
    text: Mapped[str] = mapped_column(Text)
    """The caption as posted, hashtags included."""
    fixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    """What RENUM changed after the model missed a limit (codes such as ``too_long``)."""
    edited: Mapped[bool] = mapped_column(Boolean, default=False)


class PostStatus(enum.StrEnum):
    """Where a scheduled post stands with Metricool."""

    SENDING = "sending"
    """Saved, not yet accepted by Metricool (a post left here was interrupted while sending)."""
    SCHEDULED = "scheduled"
    FAILED = "failed"


class ScheduledPost(Base):
    """A video going out on one platform at a moment the creator chose, through Metricool's planner.

    The moment is kept in UTC beside the creator's local wall time and timezone, which is what
    Metricool is sent; each post has its own status and error, so one network failing hides nothing.
    """

    __tablename__ = "scheduled_posts"

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    render_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("renders.id", ondelete="SET NULL"))
    """The render posted; ``None`` when the original upload is posted."""
    platform: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    """The moment of publication, in UTC."""
    local_time: Mapped[str] = mapped_column(String(19))
    """The creator's wall time for it, ``YYYY-MM-DDTHH:MM:SS`` in ``timezone``, as Metricool receives it."""
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[PostStatus] = mapped_column(
        Enum(PostStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=PostStatus.SENDING,
    )
    error: Mapped[str | None] = mapped_column(String(500))
    """RENUM's English message for the last failure (translated where shown), never the service's text."""
    error_code: Mapped[str | None] = mapped_column(String(40))
    blog_id: Mapped[int | None] = mapped_column(Integer)
    metricool_post_id: Mapped[int | None] = mapped_column(BigInteger)
    metricool_uuid: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)

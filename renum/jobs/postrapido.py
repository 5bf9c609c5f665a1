"""PostRápido's long work: transcribing a video, rendering the cut, and both in one go.

Each job takes ids from its task's parameters, re-reads the rows, and is safe to run twice: a
transcript is replaced, a render writes over its own output (named by the render's id).
Settings come from the environment, as for any worker process.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import select

from renum.clients.llm import LLMClient
from renum.config import get_settings
from renum.i18n import N_
from renum.jobs.kinds import JobKind, TaskRun, register
from renum.media.speech import TRANSCRIPTION_LIMIT
from renum.models import Render, Transcript, Video, VideoStatus
from renum.services import postrapido

__all__ = ["PROCESS_VIDEO", "RENDER", "TRANSCRIBE"]

log = structlog.get_logger(__name__)

# Bytes per audio piece sent for transcription; tests lower it to exercise the splitting.
piece_bytes = TRANSCRIPTION_LIMIT


def _scaled(run: TaskRun, low: int, high: int) -> postrapido.Progress:
    """A progress callback mapping a step's 0–1 onto ``low``–``high`` percent of the task."""

    async def report(fraction: float, message: str) -> None:
        await run.progress(round(low + (high - low) * fraction), message)

    return report


async def _video(run: TaskRun) -> Video:
    async with run.session_factory() as db:
        return await postrapido.get_video(db, run.owner_id, uuid.UUID(run.params["video_id"]))


async def _transcribe(run: TaskRun, video: Video, low: int, high: int) -> Transcript:
    settings = get_settings()
    async with LLMClient(settings.ai) as llm:
        heard = await postrapido.transcribe_audio(
            postrapido.media_store(settings),
            llm,
            video,
            language=run.params.get("language"),
            progress=_scaled(run, low, high),
            piece_bytes=piece_bytes,
        )
    async with run.session_factory() as db:
        row = await db.get(Video, video.id)
        assert row is not None
        transcript = await postrapido.save_transcript(db, row, heard)
        await db.commit()
    return transcript


async def _render(run: TaskRun, video: Video, low: int, high: int) -> dict[str, Any]:
    settings = get_settings()
    render_id = uuid.UUID(run.params["render_id"])
    async with run.session_factory() as db:
        render = await postrapido.get_render(db, run.owner_id, render_id)
        transcript = await db.scalar(select(Transcript).where(Transcript.video_id == video.id))

    result = await postrapido.render_cut(
        postrapido.media_store(settings), video, transcript, render, progress=_scaled(run, low, high)
    )

    async with run.session_factory() as db:
        row = await db.get(Render, render_id)
        assert row is not None
        row.storage_name = postrapido.output_name(row)
        row.duration_after = result.duration
        video_row = await db.get(Video, video.id)
        if video_row is not None:
            video_row.status = VideoStatus.RENDERED
        await db.commit()
    return {
        "video_id": str(video.id),
        "render_id": str(render_id),
        "duration_before": video.duration,
        "duration_after": result.duration,
        "width": result.width,
        "height": result.height,
        "output_url": f"/api/postrapido/renders/{render_id}/file",
    }


async def transcribe(run: TaskRun) -> dict[str, Any]:
    """Transcribe the task's video and keep its segments and words."""
    video = await _video(run)
    transcript = await _transcribe(run, video, 0, 100)
    return {
        "video_id": str(video.id),
        "language": transcript.language,
        "segments": len(transcript.segments),
        "words": len(transcript.words),
    }


async def render(run: TaskRun) -> dict[str, Any]:
    """Render the task's video as its render row asks."""
    video = await _video(run)
    return await _render(run, video, 0, 100)


async def process_video(run: TaskRun) -> dict[str, Any]:
    """The whole pipeline: transcribe (when the AI is set up), then cut and render."""
    video = await _video(run)
    notes: list[str] = []
    if not video.has_audio:
        notes.append(N_("The video has no sound: nothing was transcribed or cut."))
    elif not LLMClient(get_settings().ai).is_configured:
        notes.append(N_("Transcription was skipped: the AI is not set up (RENUM_AI_API_KEY or RENUM_AI_BASE_URL)."))
    else:
        await _transcribe(run, video, 0, 40)
    result = await _render(run, video, 40 if not notes else 0, 100)
    return {**result, "notes": notes}


TRANSCRIBE = register(
    JobKind(
        name="postrapido.transcribe",
        function=transcribe,
        # An hour of speech is a few requests of a few minutes each.
        timeout=3600,
        retries=3,
        retry_delay=30.0,
        retry_backoff=True,
        ttl=86_400,
        heartbeat=60,
        label=N_("Transcribing a video"),
    )
)

RENDER = register(
    JobKind(
        name="postrapido.render",
        function=render,
        # A long 1080p recording re-encodes in tens of minutes on a small machine.
        timeout=4 * 3600,
        retries=2,
        retry_delay=10.0,
        retry_backoff=True,
        ttl=86_400,
        heartbeat=60,
        label=N_("Rendering a video"),
    )
)

PROCESS_VIDEO = register(
    JobKind(
        name="postrapido.process_video",
        function=process_video,
        timeout=5 * 3600,
        retries=2,
        retry_delay=30.0,
        retry_backoff=True,
        ttl=86_400,
        heartbeat=60,
        label=N_("Transcribing, cutting and rendering a video"),
    )
)

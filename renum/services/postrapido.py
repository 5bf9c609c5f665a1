"""PostRápido: a creator's uploaded videos, their silences, transcripts and renders.

Every function takes the current creator; another creator's video is not found. The media work
itself is in :mod:`renum.media`; files are kept by :mod:`renum.media.storage`.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import structlog
from saq import Queue
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.clients.llm import LLMClient, TimedText, Transcription
from renum.config import Settings
from renum.errors import InvalidInput, NotFound
from renum.i18n import N_
from renum.media import (
    Cue,
    NoAudio,
    RenderOptions,
    RenderResult,
    SilenceCut,
    SilenceSettings,
    Span,
    analyse_silences,
    find_silences,
    probe_video_async,
    render_video,
    waveform_svg,
)
from renum.media.audio import LoudnessEnvelope, load_envelope, read_envelope, save_envelope
from renum.media.speech import TRANSCRIPTION_LIMIT, piece_count, speech_pieces
from renum.media.storage import MediaStorage, local_storage, new_name
from renum.models import Caption, Render, ScheduledPost, Task, Transcript, User, Video, VideoStatus
from renum.services.tasks import start_task

__all__ = [
    "RenderChoice",
    "SilenceReview",
    "Workspace",
    "captions_of",
    "detect_silences",
    "edit_transcript",
    "finished_render",
    "get_render",
    "get_transcript",
    "get_video",
    "media_store",
    "output_name",
    "prepare_render",
    "render_cut",
    "render_for_task",
    "require_transcript",
    "save_transcript",
    "shared_render",
    "shared_video",
    "start_render",
    "start_transcription",
    "transcribe_audio",
    "transcription_language",
    "upload_video",
    "word_spans",
    "workspace",
]

Progress = Callable[[float, str], Awaitable[None]]
"""Told a fraction (0–1) of the step done and what is happening (an ``N_`` message)."""

MAX_SEGMENTS = 5000
MAX_SEGMENT_TEXT = 1000
# A corrected segment may end a little after the probed duration (rounding in the model's times).
_END_SLACK = 0.5

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SilenceReview:
    """The silences found with the creator's thresholds, and the waveform that shows them."""

    cut: SilenceCut
    waveform: str


def media_store(settings: Settings) -> MediaStorage:
    """Where this installation keeps videos: the local disk, under the data directory."""
    return local_storage(settings.app.data_dir)


async def upload_video(
    db: AsyncSession, store: MediaStorage, owner: User, *, filename: str, chunks: AsyncIterable[bytes]
) -> Video:
    """Keep an uploaded file if it is a video RENUM can work with; otherwise keep nothing and raise.

    The bytes go to storage as they arrive (the caller's ``chunks`` enforce the size cap), then
    the file is probed: a file that is empty, not a video or cut short is deleted and its
    :class:`~renum.media.MediaError` raised.
    """
    name = new_name(PurePath(filename).suffix)
    await store.save(name, chunks)
    try:
        info = await probe_video_async(store.local_path(name))
        video = Video(
            owner_id=owner.id,
            storage_name=name,
            filename=PurePath(filename).name[:255],
            duration=info.duration,
            size=info.size,
            width=info.width,
            height=info.height,
            frame_rate=info.frame_rate,
            container=info.container,
            video_codec=info.video_codec,
            audio_codec=info.audio_codec,
            has_audio=info.has_audio,
        )
        db.add(video)
        await db.flush()
    except BaseException:
        await asyncio.to_thread(store.delete, name)
        raise
    log.info("postrapido.uploaded", video_id=str(video.id), user_id=str(owner.id), size=video.size)
    return video


async def get_video(db: AsyncSession, owner: User | uuid.UUID, video_id: uuid.UUID) -> Video:
    """The creator's video; another creator's is not found."""
    owner_id = owner if isinstance(owner, uuid.UUID) else owner.id
    video = await db.scalar(select(Video).where(Video.id == video_id, Video.owner_id == owner_id))
    if video is None:
        raise NotFound(N_("No video with this id. It may belong to another account or have been removed."))
    return video


async def get_transcript(db: AsyncSession, owner: User | uuid.UUID, video_id: uuid.UUID) -> Transcript | None:
    """The transcript of the creator's video, if it has one (the video must be theirs)."""
    video = await get_video(db, owner, video_id)
    transcript: Transcript | None = await db.scalar(select(Transcript).where(Transcript.video_id == video.id))
    return transcript


async def get_render(db: AsyncSession, owner: User | uuid.UUID, render_id: uuid.UUID) -> Render:
    """The creator's render; another creator's is not found."""
    owner_id = owner if isinstance(owner, uuid.UUID) else owner.id
    render = await db.scalar(select(Render).where(Render.id == render_id, Render.owner_id == owner_id))
    if render is None:
        raise NotFound(N_("No rendered video with this id. It may belong to another account or have been removed."))
    return render


async def require_transcript(db: AsyncSession, owner: User, video_id: uuid.UUID) -> Transcript:
    """The transcript of the creator's video; not found before the video is transcribed."""
    transcript = await get_transcript(db, owner, video_id)
    if transcript is None:
        raise NotFound(N_("This video has no transcript yet. Transcribe it first."))
    return transcript


async def finished_render(db: AsyncSession, owner: User, render_id: uuid.UUID) -> Render:
    """The creator's render, once its file is complete (never a half-written one)."""
    render = await get_render(db, owner, render_id)
    if render.storage_name is None:
        raise NotFound(N_("This video is not rendered yet. Wait for its task to finish."))
    return render


async def shared_video(db: AsyncSession, video_id: uuid.UUID) -> Video:
    """A video reached through a signed link (the signature stands in for the owner)."""
    video = await db.get(Video, video_id)
    if video is None:
        raise NotFound()
    return video


async def shared_render(db: AsyncSession, render_id: uuid.UUID) -> Render:
    """A finished render reached through a signed link."""
    render = await db.get(Render, render_id)
    if render is None or render.storage_name is None:
        raise NotFound()
    return render


@dataclass(frozen=True, slots=True)
class Workspace:
    """Where the creator left PostRápido: a video, its transcript, its latest render, captions and posts."""

    video: Video | None
    transcript: Transcript | None
    render: Render | None
    render_task: Task | None
    captions: list[Caption]
    posts: list[ScheduledPost]


async def workspace(db: AsyncSession, owner: User, video_id: uuid.UUID | None) -> Workspace:
    """The asked video (the latest uploaded when none is asked) and how far it has gone."""
    if video_id is not None:
        video: Video | None = await get_video(db, owner, video_id)
    else:
        latest = select(Video).where(Video.owner_id == owner.id).order_by(Video.created_at.desc()).limit(1)
        video = await db.scalar(latest)
    if video is None:
        return Workspace(None, None, None, None, [], [])
    transcript = await db.scalar(select(Transcript).where(Transcript.video_id == video.id))
    render = await db.scalar(
        select(Render).where(Render.video_id == video.id).order_by(Render.created_at.desc()).limit(1)
    )
    task = await db.get(Task, render.task_id) if render is not None and render.task_id is not None else None
    captions = await db.scalars(select(Caption).where(Caption.video_id == video.id).order_by(Caption.created_at))
    posts = await db.scalars(
        select(ScheduledPost).where(ScheduledPost.video_id == video.id).order_by(ScheduledPost.publish_at)
    )
    return Workspace(video, transcript, render, task, list(captions), list(posts))


def word_spans(transcript: Transcript | None) -> list[tuple[float, float]] | None:
    """The (start, end) of every transcribed word, or ``None`` without a transcript with words."""
    if transcript is None or not transcript.words:
        return None
    return [(float(word["start"]), float(word["end"])) for word in transcript.words]


def envelope_name(video: Video) -> str:
    """Where the loudness of a video's sound is kept once measured: in the same store, named by the video's id."""
    return f"{video.id.hex}.npz"


def _envelope_of(store: MediaStorage, video: Video) -> LoudnessEnvelope:
    """The video's loudness envelope, decoded once and then read back, so moving a slider costs no decode."""
    kept = store.local_path(envelope_name(video))
    envelope = load_envelope(kept)
    if envelope is None:
        envelope = read_envelope(store.local_path(video.storage_name))
        save_envelope(envelope, kept)
    return envelope


async def detect_silences(
    db: AsyncSession, store: MediaStorage, owner: User, video_id: uuid.UUID, settings: SilenceSettings
) -> SilenceReview:
    """Find the video's silences with ``settings``, keep them on the video, and draw the waveform.

    When the video has a transcript with word timestamps, no cut falls inside a word.
    """
    video = await get_video(db, owner, video_id)
    if not video.has_audio:
        raise NoAudio(f"video {video.id} has no audio stream")
    words = word_spans(await get_transcript(db, owner, video_id))

    envelope = await asyncio.to_thread(_envelope_of, store, video)
    cut = find_silences(envelope, settings, words=words, frame_rate=video.frame_rate)

    video.silence_settings = {
        "threshold_db": settings.threshold_db,
        "min_silence": settings.min_silence,
        "margin": settings.margin,
        "min_clip": settings.min_clip,
    }
    video.silences = [[span.start, span.end] for span in cut.silences]
    return SilenceReview(cut=cut, waveform=waveform_svg(envelope, cut))


# -- transcription ------------------------------------------------------------------------------


def transcription_language(language: str | None) -> str | None:
    """The ISO 639-1 code the transcription model takes: ``pt_BR`` and ``pt-BR`` give ``pt``."""
    if not language:
        return None
    return language.replace("-", "_").split("_")[0].lower()[:2] or None


async def transcribe_audio(
    store: MediaStorage,
    llm: LLMClient,
    video: Video,
    *,
    language: str | None,
    progress: Progress,
    piece_bytes: int = TRANSCRIPTION_LIMIT,
) -> Transcription:
    """The words spoken in ``video``, piece by piece, with every time moved back onto the whole video."""
    if not video.has_audio:
        raise NoAudio(f"video {video.id} has no audio stream")
    with tempfile.TemporaryDirectory(prefix="renum-speech-") as scratch:
        await progress(0.05, N_("Extracting the sound"))
        # A recording in several pieces is cut at pauses, found in its loudness (kept for the silences).
        several = piece_count(video.duration, piece_bytes) > 1
        envelope = await asyncio.to_thread(_envelope_of, store, video) if several else None
        pieces = await asyncio.to_thread(
            speech_pieces,
            store.local_path(video.storage_name),
            Path(scratch),
            duration=video.duration,
            max_bytes=piece_bytes,
            envelope=envelope,
        )
        heard: list[tuple[float, Transcription]] = []
        for index, piece in enumerate(pieces):
            await progress(0.1 + 0.85 * index / len(pieces), N_("Transcribing"))
            heard.append((piece.offset, await llm.transcribe(piece.path, language=language)))

    def moved(items: list[TimedText], offset: float) -> list[TimedText]:
        return [TimedText(round(i.start + offset, 3), round(i.end + offset, 3), i.text) for i in items]

    return Transcription(
        text=" ".join(part.text.strip() for _, part in heard if part.text.strip()),
        language=heard[0][1].language if heard else "",
        duration=video.duration,
        segments=[segment for offset, part in heard for segment in moved(part.segments, offset)],
        words=[word for offset, part in heard for word in moved(part.words, offset)],
    )


async def save_transcript(db: AsyncSession, video: Video, heard: Transcription) -> Transcript:
    """Keep ``heard`` as the video's transcript, replacing any earlier one and its corrections."""
    transcript = await db.scalar(select(Transcript).where(Transcript.video_id == video.id))
    if transcript is None:
        transcript = Transcript(video_id=video.id, owner_id=video.owner_id)
        db.add(transcript)
    transcript.language = heard.language[:16]
    transcript.text = heard.text
    transcript.segments = [{"start": s.start, "end": s.end, "text": s.text} for s in heard.segments]
    transcript.words = [{"start": w.start, "end": w.end, "word": w.text} for w in heard.words]
    transcript.edited_segments = None
    if video.status is VideoStatus.UPLOADED:
        video.status = VideoStatus.TRANSCRIBED
    await db.flush()
    log.info("postrapido.transcribed", video_id=str(video.id), segments=len(heard.segments), words=len(heard.words))
    return transcript


async def edit_transcript(
    db: AsyncSession, owner: User, video_id: uuid.UUID, segments: list[dict[str, Any]]
) -> Transcript:
    """Keep the creator's corrected segments (the model's own stay, for word timings)."""
    video = await get_video(db, owner, video_id)
    transcript = await require_transcript(db, owner, video_id)
    problem = _segments_problem(segments, video.duration)
    if problem is not None:
        raise InvalidInput(problem, fields={"segments": problem})
    transcript.edited_segments = [
        {"start": float(s["start"]), "end": float(s["end"]), "text": str(s["text"]).strip()} for s in segments
    ]
    transcript.text = " ".join(s["text"] for s in transcript.edited_segments)
    await db.flush()
    return transcript


def _segments_problem(segments: list[dict[str, Any]], duration: float) -> str | None:
    if len(segments) > MAX_SEGMENTS:
        return N_("A transcript has at most 5000 segments.")
    previous_start = 0.0
    for segment in segments:
        start, end, text = segment["start"], segment["end"], str(segment["text"]).strip()
        if not (0 <= start < end <= duration + _END_SLACK):
            return N_("Each segment must start before it ends, within the video.")
        if start < previous_start:
            return N_("Segments must be in the order they are spoken.")
        if not text or len(text) > MAX_SEGMENT_TEXT:
            return N_("Each segment needs some text, at most 1000 characters.")
        previous_start = start
    return None


def captions_of(transcript: Transcript) -> list[Cue]:
    """The transcript's current segments as captions, timed on the source video."""
    return [Cue(float(s["start"]), float(s["end"]), str(s["text"])) for s in transcript.current_segments]


# -- rendering ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderChoice:
    """What the creator asked of a render."""

    cut_silences: bool = True
    captions: bool = False
    aspect: str | None = None
    fit: str = "crop"

    def as_params(self) -> dict[str, Any]:
        """The choice as a task's JSON parameters."""
        return {"cut_silences": self.cut_silences, "captions": self.captions, "aspect": self.aspect, "fit": self.fit}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> RenderChoice:
        """The choice back from a task's parameters."""
        return cls(
            cut_silences=bool(params.get("cut_silences", True)),
            captions=bool(params.get("captions", False)),
            aspect=params.get("aspect"),
            fit=str(params.get("fit", "crop")),
        )

    def options(self, captions: list[Cue] | None = None) -> RenderOptions:
        """The media layer's options (raises :class:`~renum.media.InvalidMediaParameter` when out of range)."""
        return RenderOptions(aspect=self.aspect, fit=self.fit, captions=tuple(captions or ()))  # type: ignore[arg-type]


async def prepare_render(
    db: AsyncSession, owner: User, video_id: uuid.UUID, choice: RenderChoice, *, transcript_exists: bool = True
) -> Render:
    """Check a render can be done as asked, and record it (its task is started by the caller).

    ``transcript_exists`` False skips the check that captions have a transcript to come from (the
    whole pipeline makes one first).
    """
    video = await get_video(db, owner, video_id)
    choice.options()
    if choice.captions and transcript_exists:
        transcript = await get_transcript(db, owner, video_id)
        if transcript is None or not transcript.current_segments:
            message = N_("Captions come from the transcript: transcribe the video first, or render without captions.")
            raise InvalidInput(message, fields={"captions": message})
    render = Render(
        id=uuid.uuid4(),
        video_id=video.id,
        owner_id=owner.id,
        options=choice.as_params(),
        duration_before=video.duration,
    )
    db.add(render)
    await db.flush()
    return render


async def start_transcription(
    db: AsyncSession, queue: Queue, owner: User, video_id: uuid.UUID, *, language: str | None
) -> Task:
    """Start transcribing the creator's video (422 when it has no sound)."""
    video = await get_video(db, owner, video_id)
    if not video.has_audio:
        raise NoAudio(f"video {video.id} has no audio stream")
    code = transcription_language(language or owner.language)
    return await start_task(
        db, queue, owner, kind="postrapido.transcribe", params={"video_id": str(video.id), "language": code}
    )


async def start_render(
    db: AsyncSession,
    queue: Queue,
    owner: User,
    video_id: uuid.UUID,
    choice: RenderChoice,
    *,
    kind: str = "postrapido.render",
    language: str | None = None,
) -> tuple[Task, Render]:
    """Record a render of the creator's video and start the task that makes it.

    ``kind`` ``postrapido.process_video`` transcribes first (when the AI is set up).
    """
    render = await prepare_render(db, owner, video_id, choice, transcript_exists=kind == "postrapido.render")
    params = {
        "video_id": str(video_id),
        "render_id": str(render.id),
        "language": transcription_language(language or owner.language),
    }
    task = await start_task(db, queue, owner, kind=kind, params=params)
    render.task_id = task.id
    return task, render


async def render_for_task(db: AsyncSession, owner: User, task_id: uuid.UUID) -> Render:
    """The creator's render made by task ``task_id``; another creator's is not found."""
    render = await db.scalar(select(Render).where(Render.task_id == task_id, Render.owner_id == owner.id))
    if render is None:
        raise NotFound(N_("No video is being rendered by this task. Check the id."))
    return render


def output_name(render: Render) -> str:
    """The render's file name in storage: fixed by its id, so a retried job overwrites its own output."""
    return f"{render.id.hex}.mp4"


async def render_cut(
    store: MediaStorage,
    video: Video,
    transcript: Transcript | None,
    render: Render,
    *,
    progress: Progress,
) -> RenderResult:
    """Render ``video`` as ``render`` asks: silences cut (with the creator's thresholds), captions, aspect."""
    choice = RenderChoice.from_params(render.options)
    source = store.local_path(video.storage_name)
    kept: list[Span] | None = None
    if choice.cut_silences and video.has_audio:
        await progress(0.0, N_("Finding the silences"))
        thresholds = SilenceSettings(**(video.silence_settings or {}))
        cut = await asyncio.to_thread(analyse_silences, source, thresholds, words=word_spans(transcript))
        kept = list(cut.kept)
    captions = captions_of(transcript) if choice.captions and transcript is not None else None

    async def on_progress(fraction: float) -> None:
        await progress(fraction, N_("Rendering"))

    return await render_video(
        source,
        store.local_path(output_name(render)),
        kept=kept,
        options=choice.options(captions),
        on_progress=on_progress,
    )

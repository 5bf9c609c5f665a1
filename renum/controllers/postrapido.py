"""PostRápido: upload a recording, find its silences, transcribe it, render the cut, caption and schedule it.

Canonical paths are the SPA's (``/api/postrapido/...``); the old backend's ``/api/modules/2/...``
paths are deprecated aliases on the same handlers. Every route that takes an id answers 404 for
another creator's video, transcript, render, caption or post.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import File, Template
from markupsafe import Markup
from msgspec import Meta, Struct

from renum.config import Settings
from renum.controllers.tasks import TaskState
from renum.errors import InvalidInput, NotFound
from renum.i18n import N_, gettext
from renum.media import SilenceSettings, srt_text, vtt_text
from renum.models import Caption, PostStatus, Render, ScheduledPost, Task, Transcript, Video
from renum.services import captions, integrations, postrapido, publishing, tasks
from renum.services.integrations import PLATFORMS
from renum.services.postrapido import RenderChoice
from renum.web.ai import AI, AI_DEPENDENCIES, limit_ai_calls
from renum.web.aliases import paths
from renum.web.deps import DB, AppSettings, CurrentCreator, OutsideServices, TaskQueue, provide_outside
from renum.web.representation import respond
from renum.web.signed_links import DEFAULT_LIFETIME, MAX_LIFETIME, check_link, signed_link
from renum.web.uploads import incoming_file

__all__ = ["PostRapidoController"]


class VideoInfo(Struct):
    """An uploaded video and what probing it found."""

    id: uuid.UUID
    filename: str
    status: str
    duration: float
    size: int
    width: int
    height: int
    frame_rate: float
    container: str
    video_codec: str
    audio_codec: str | None
    has_audio: bool
    created_at: datetime
    original_url: str

    @classmethod
    def of(cls, video: Video) -> VideoInfo:
        return cls(
            id=video.id,
            filename=video.filename,
            status=video.status.value,
            duration=video.duration,
            size=video.size,
            width=video.width,
            height=video.height,
            frame_rate=video.frame_rate,
            container=video.container,
            video_codec=video.video_codec,
            audio_codec=video.audio_codec,
            has_audio=video.has_audio,
            created_at=video.created_at,
            original_url=f"/api/postrapido/videos/{video.id}/original",
        )


class SilenceRequest(Struct, forbid_unknown_fields=False):
    """The video and the creator's thresholds (auto-editor's defaults when left out)."""

    video_id: uuid.UUID
    threshold_db: float = -28.0
    min_silence: float = 0.2
    margin: float = 0.2
    min_clip: float = 0.1


class SilenceAnswer(Struct):
    """What the thresholds cut: silences and kept spans as ``[start, end]`` seconds."""

    video_id: uuid.UUID
    silences: list[tuple[float, float]]
    kept: list[tuple[float, float]]
    duration: float
    kept_duration: float
    time_saved: float
    waveform_svg: str


class TranscribeRequest(Struct, forbid_unknown_fields=False):
    """The video to transcribe and, optionally, its language (``pt``, ``en``...; the creator's by default)."""

    video_id: uuid.UUID
    language: Annotated[str, Meta(max_length=10)] | None = None


class Segment(Struct):
    """A phrase of the transcript, in seconds of the source video."""

    start: float
    end: float
    text: str


class Word(Struct):
    """One word and when it is spoken."""

    start: float
    end: float
    word: str


class TranscriptInfo(Struct):
    """A video's transcript: the segments in use (the creator's corrections, if any) and the model's words."""

    video_id: uuid.UUID
    language: str
    text: str
    segments: list[Segment]
    words: list[Word]
    edited: bool
    srt_url: str
    vtt_url: str

    @classmethod
    def of(cls, transcript: Transcript) -> TranscriptInfo:
        base = f"/api/postrapido/videos/{transcript.video_id}/transcript"
        return cls(
            video_id=transcript.video_id,
            language=transcript.language,
            text=transcript.text,
            segments=[Segment(s["start"], s["end"], s["text"]) for s in transcript.current_segments],
            words=[Word(w["start"], w["end"], w["word"]) for w in transcript.words],
            edited=transcript.edited_segments is not None,
            srt_url=f"{base}.srt",
            vtt_url=f"{base}.vtt",
        )


class TranscriptEdit(Struct, forbid_unknown_fields=False):
    """The corrected segments, in order."""

    segments: list[Segment]


class ProcessRequest(Struct, forbid_unknown_fields=False):
    """A render of a video: silences cut (by the thresholds last chosen), captions burned in, reframed."""

    video_id: uuid.UUID
    cut_silences: bool = True
    captions: bool = False
    aspect: str | None = None
    fit: str = "crop"
    language: Annotated[str, Meta(max_length=10)] | None = None

    def choice(self) -> RenderChoice:
        return RenderChoice(cut_silences=self.cut_silences, captions=self.captions, aspect=self.aspect, fit=self.fit)


class ProcessStatus(Struct):
    """A render's task: status and progress, and once done the output and its durations."""

    job_id: uuid.UUID
    render_id: uuid.UUID
    video_id: uuid.UUID
    status: str
    progress: int
    message: str
    error: str | None
    done: bool
    duration_before: float
    duration_after: float | None
    output_url: str | None
    task: TaskState


class SharedLink(Struct):
    """A link that opens the file without signing in, until ``expires_at``."""

    url: str
    expires_at: datetime


class LinkRequest(Struct, forbid_unknown_fields=False):
    """How long the link should work, in seconds (a day by default, a week at most)."""

    lifetime: Annotated[int, Meta(ge=60, le=7 * 24 * 3600)] = DEFAULT_LIFETIME


class CaptionView(Struct):
    """A platform's caption, measured as the platform measures it."""

    id: uuid.UUID
    video_id: uuid.UUID
    platform: str
    platform_name: str
    title: str | None
    text: str
    length: int
    max_length: int
    counting: str
    hashtags: int
    max_hashtags: int | None
    max_title: int | None
    fixes: list[str]
    """What RENUM changed after the model missed a limit (``too_long``, ``too_many_hashtags``...)."""
    edited: bool

    @classmethod
    def of(cls, caption: Caption) -> CaptionView:
        limits = captions.LIMITS[caption.platform]
        return cls(
            id=caption.id,
            video_id=caption.video_id,
            platform=caption.platform,
            platform_name=PLATFORMS[caption.platform].name,
            title=caption.title,
            text=caption.text,
            length=captions.measure(caption.platform, caption.text),
            max_length=limits.max_length,
            counting=limits.counting,
            hashtags=len(captions.hashtags_in(caption.text)),
            max_hashtags=limits.max_hashtags,
            max_title=limits.max_title,
            fixes=list(caption.fixes),
            edited=caption.edited,
        )


class CaptionList(Struct):
    """A video's captions, one per platform."""

    video_id: uuid.UUID
    captions: list[CaptionView]


_PLATFORM_LIST = Meta(max_length=len(PLATFORMS) * 2)


class CaptionsRequest(Struct, forbid_unknown_fields=False):
    """The platforms to write for (``platform`` alone is taken too), the captions' language and a wish."""

    video_id: uuid.UUID
    platforms: Annotated[list[Annotated[str, Meta(max_length=20)]], _PLATFORM_LIST] = []
    platform: Annotated[str, Meta(max_length=20)] | None = None
    language: Annotated[str, Meta(max_length=10)] | None = None
    instruction: str | None = None

    def chosen(self) -> list[str]:
        return [*self.platforms, *([self.platform] if self.platform else [])]


class CaptionRewrite(Struct, forbid_unknown_fields=False):
    """One caption to rewrite: by ``caption_id``, or by ``video_id`` and ``platform``; and how."""

    caption_id: uuid.UUID | None = None
    video_id: uuid.UUID | None = None
    platform: Annotated[str, Meta(max_length=20)] | None = None
    instruction: str | None = None
    language: Annotated[str, Meta(max_length=10)] | None = None


class CaptionEdit(Struct, forbid_unknown_fields=False):
    """The creator's wording (and YouTube's title)."""

    text: Annotated[str, Meta(max_length=70_000)]
    title: Annotated[str, Meta(max_length=1000)] | None = None


class PostAsk(Struct, forbid_unknown_fields=False):
    """One platform's post: the caption, and when (a wall time in the creator's timezone)."""

    platform: Annotated[str, Meta(max_length=20)]
    text: Annotated[str, Meta(max_length=70_000)]
    publish_at: Annotated[str, Meta(max_length=40)] | None = None
    title: Annotated[str, Meta(max_length=1000)] | None = None


class ScheduleRequest(Struct, forbid_unknown_fields=False):
    """Posts of a video, one per platform; ``publish_at`` here is for posts that do not give their own."""

    video_id: uuid.UUID
    posts: Annotated[list[PostAsk], _PLATFORM_LIST]
    render_id: uuid.UUID | None = None
    timezone: Annotated[str, Meta(max_length=64)] | None = None
    publish_at: Annotated[str, Meta(max_length=40)] | None = None

    def planned(self) -> list[publishing.PlannedPost]:
        planned = []
        for index, ask in enumerate(self.posts):
            when = ask.publish_at or self.publish_at
            if not when:
                raise InvalidInput(fields={f"posts.{index}.publish_at": N_("Choose the date and time of this post.")})
            planned.append(publishing.PlannedPost(ask.platform, ask.text, when, ask.title))
        return planned


class RetryRequest(Struct, forbid_unknown_fields=False):
    """A new wall time for the post, when its own has passed."""

    publish_at: Annotated[str, Meta(max_length=40)] | None = None


class PostView(Struct):
    """A scheduled post and where it stands with Metricool."""

    id: uuid.UUID
    video_id: uuid.UUID
    render_id: uuid.UUID | None
    platform: str
    platform_name: str
    title: str | None
    text: str
    publish_at: datetime
    """The moment, in UTC."""
    local_time: str
    timezone: str
    status: str
    error: str | None
    """What went wrong, in the creator's language."""
    error_code: str | None
    metricool_post_id: int | None
    attempts: int

    @classmethod
    def of(cls, post: ScheduledPost) -> PostView:
        return cls(
            id=post.id,
            video_id=post.video_id,
            render_id=post.render_id,
            platform=post.platform,
            platform_name=PLATFORMS[post.platform].name,
            title=post.title,
            text=post.text,
            publish_at=post.publish_at,
            local_time=post.local_time,
            timezone=post.timezone,
            status=post.status.value,
            error=gettext(post.error) if post.error else None,
            error_code=post.error_code,
            metricool_post_id=post.metricool_post_id,
            attempts=post.attempts,
        )


class PostList(Struct):
    """Posts of a video: how many are scheduled, how many failed, and each one."""

    video_id: uuid.UUID
    scheduled: int
    failed: int
    posts: list[PostView]

    @classmethod
    def of(cls, video_id: uuid.UUID, posts: list[ScheduledPost]) -> PostList:
        return cls(
            video_id=video_id,
            scheduled=sum(post.status is PostStatus.SCHEDULED for post in posts),
            failed=sum(post.status is PostStatus.FAILED for post in posts),
            posts=[PostView.of(post) for post in posts],
        )


def _file(settings: Settings, storage_name: str, filename: str) -> File:
    path = postrapido.media_store(settings).local_path(storage_name)
    return File(path=path, filename=filename, media_type="video/mp4", content_disposition_type="inline")


def _render_file(settings: Settings, render: Render) -> File:
    if render.storage_name is None:
        raise NotFound()
    return _file(settings, render.storage_name, f"renum-{render.id.hex[:8]}.mp4")


def _link(settings: Settings, path: str, lifetime: int) -> SharedLink:
    link = signed_link(settings, path, lifetime=lifetime)
    return SharedLink(url=link.url, expires_at=link.expires_at)


def _signer(settings: Settings) -> publishing.Signer:
    """Signed links for Metricool, valid a week: it copies the file when scheduled, later if it retries."""
    return lambda path: signed_link(settings, path, lifetime=MAX_LIFETIME).url


class PostRapidoController(Controller):
    """From a raw recording to a cut video."""

    tags = ["postrapido"]
    dependencies = {"outside": Provide(provide_outside, sync_to_thread=False)}

    @get("/postrapido", include_in_schema=False)
    async def postrapido_page(
        self, db: DB, creator: CurrentCreator, video: FromQuery[uuid.UUID | None] = None
    ) -> Template:
        """The wizard, resumed where the video (the latest, unless ``?video=`` names one) is."""
        place = await postrapido.workspace(db, creator, video)
        linked = await integrations.overview(db, creator)
        earliest, suggested = publishing.suggested_times(creator.timezone)
        context: dict[str, Any] = {
            "video": VideoInfo.of(place.video) if place.video else None,
            "transcript": TranscriptInfo.of(place.transcript) if place.transcript else None,
            "render": _status(place.render_task, place.render) if place.render and place.render_task else None,
            "thresholds": SilenceSettings(**((place.video.silence_settings if place.video else None) or {})),
            "captions": CaptionList(
                video_id=place.video.id, captions=[CaptionView.of(caption) for caption in place.captions]
            )
            if place.video
            else None,
            "posts": PostList.of(place.video.id, place.posts) if place.video else None,
            "metricool": linked.metricool,
            "social": linked.social,
            "timezone": creator.timezone,
            "earliest": earliest,
            "suggested": suggested,
        }
        return Template("postrapido/index.html", context=context)

    @post(
        paths("/api/postrapido/upload", "/api/modules/2/upload"),
        status_code=201,
        request_max_body_size=None,
        summary="Upload a video (multipart, field 'file'); answers what it holds",
    )
    async def upload_video(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator, settings: AppSettings
    ) -> Response[VideoInfo]:
        """Stream the file to disk (413 over ``RENUM_MAX_UPLOAD_BYTES``), probe it, keep it if it is a usable video.

        The body size is checked here, while streaming, against the setting: the app-wide limit
        for JSON bodies does not apply to this route.
        """
        upload = await incoming_file(request, max_bytes=settings.server.max_upload_bytes)
        video = await postrapido.upload_video(
            db,
            postrapido.media_store(settings),
            creator,
            filename=upload.filename or "",
            chunks=upload.chunks(),
        )
        return respond(request, VideoInfo.of(video), partial="postrapido/_video.html", status_code=201)

    @get("/api/postrapido/videos/{video_id:uuid}", summary="An uploaded video and its probe facts")
    async def get_video(
        self, request: Request[Any, Any, Any], video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[VideoInfo]:
        """The creator's video."""
        video = await postrapido.get_video(db, creator, video_id)
        return respond(request, VideoInfo.of(video), partial="postrapido/_video.html")

    @post(
        paths("/api/postrapido/detect-silences", "/api/modules/2/detect-silences"),
        status_code=200,
        summary="Find a video's silences with the given thresholds",
    )
    async def detect_silences(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SilenceRequest],
        db: DB,
        creator: CurrentCreator,
        settings: AppSettings,
    ) -> Response[SilenceAnswer]:
        """Silences, kept spans, time saved and the waveform with the silences shaded (422 without audio)."""
        thresholds = SilenceSettings(
            threshold_db=data.threshold_db, min_silence=data.min_silence, margin=data.margin, min_clip=data.min_clip
        )
        review = await postrapido.detect_silences(
            db, postrapido.media_store(settings), creator, data.video_id, thresholds
        )
        cut = review.cut
        answer = SilenceAnswer(
            video_id=data.video_id,
            silences=[(span.start, span.end) for span in cut.silences],
            kept=[(span.start, span.end) for span in cut.kept],
            duration=cut.duration,
            kept_duration=round(cut.kept_duration, 6),
            time_saved=round(cut.time_saved, 6),
            waveform_svg=review.waveform,
        )
        # The SVG is drawn by RENUM from numbers alone (no text from anyone), so it is safe to embed.
        context = {"waveform": Markup(review.waveform), "thresholds": thresholds}  # noqa: S704
        return respond(request, answer, partial="postrapido/_silences.html", context=context)

    # -- transcription ---------------------------------------------------------------------------

    @post(
        paths("/api/postrapido/transcribe", "/api/modules/2/transcribe"),
        status_code=202,
        dependencies=AI_DEPENDENCIES,
        summary="Start transcribing a video (a task)",
    )
    async def transcribe_video(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TranscribeRequest],
        db: DB,
        queue: TaskQueue,
        creator: CurrentCreator,
        llm: AI,
    ) -> Response[TaskState]:
        """Start the task, followed at ``/api/tasks/status/{id}``; 422 for a video without sound, 503 without AI."""
        task = await postrapido.start_transcription(db, queue, creator, data.video_id, language=data.language)
        return respond(request, TaskState.of(task), partial="tasks/_task.html", status_code=202)

    @get("/api/postrapido/videos/{video_id:uuid}/transcript", summary="A video's transcript")
    async def get_transcript(
        self, request: Request[Any, Any, Any], video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[TranscriptInfo]:
        """Segments (corrected, if the creator did) and word timestamps; 404 before transcription."""
        transcript = await postrapido.require_transcript(db, creator, video_id)
        return respond(request, TranscriptInfo.of(transcript), partial="postrapido/_transcript.html")

    @put("/api/postrapido/videos/{video_id:uuid}/transcript", summary="Correct a video's transcript")
    async def edit_transcript(
        self,
        request: Request[Any, Any, Any],
        video_id: FromPath[uuid.UUID],
        data: JSONBody[TranscriptEdit],
        db: DB,
        creator: CurrentCreator,
    ) -> Response[TranscriptInfo]:
        """Keep the creator's corrected segments (captions and subtitles use them from now on)."""
        segments = [{"start": s.start, "end": s.end, "text": s.text} for s in data.segments]
        transcript = await postrapido.edit_transcript(db, creator, video_id, segments)
        return respond(request, TranscriptInfo.of(transcript), partial="postrapido/_transcript.html")

    @get("/api/postrapido/videos/{video_id:uuid}/transcript.srt", summary="The transcript as SubRip subtitles")
    async def transcript_srt(self, video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator) -> Response[str]:
        """The current segments as an .srt file."""
        transcript = await postrapido.require_transcript(db, creator, video_id)
        return _subtitles(srt_text(postrapido.captions_of(transcript)), video_id, "srt", "application/x-subrip")

    @get("/api/postrapido/videos/{video_id:uuid}/transcript.vtt", summary="The transcript as WebVTT subtitles")
    async def transcript_vtt(self, video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator) -> Response[str]:
        """The current segments as a .vtt file."""
        transcript = await postrapido.require_transcript(db, creator, video_id)
        return _subtitles(vtt_text(postrapido.captions_of(transcript)), video_id, "vtt", "text/vtt")

    # -- rendering -------------------------------------------------------------------------------

    @post(
        paths("/api/postrapido/process", "/api/modules/2/process"),
        status_code=202,
        summary="Start rendering a video: silences cut, captions, aspect (a task)",
    )
    async def process_video(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ProcessRequest],
        db: DB,
        queue: TaskQueue,
        creator: CurrentCreator,
    ) -> Response[ProcessStatus]:
        """Start the render; follow it at ``/api/postrapido/process/{job_id}/status``."""
        task, render = await postrapido.start_render(db, queue, creator, data.video_id, data.choice())
        return respond(request, _status(task, render), partial="postrapido/_render.html", status_code=202)

    @post(
        "/api/tasks/process-video",
        status_code=202,
        summary="Transcribe (when the AI is set up), cut and render a video, as one task",
    )
    async def process_whole_video(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ProcessRequest],
        db: DB,
        queue: TaskQueue,
        creator: CurrentCreator,
    ) -> Response[ProcessStatus]:
        """The whole pipeline; without AI settings it only cuts and renders, and its result says so."""
        task, render = await postrapido.start_render(
            db, queue, creator, data.video_id, data.choice(), kind="postrapido.process_video", language=data.language
        )
        return respond(request, _status(task, render), partial="postrapido/_render.html", status_code=202)

    @get(
        paths("/api/postrapido/process/{job_id:uuid}/status", "/api/modules/2/process/{job_id:uuid}/status"),
        summary="A render's status, progress and, when done, its output",
    )
    async def process_status(
        self, request: Request[Any, Any, Any], job_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[ProcessStatus]:
        """Status and progress; once done the output video's URL and its duration before and after."""
        render = await postrapido.render_for_task(db, creator, job_id)
        task = await tasks.get_task(db, creator, job_id)
        return respond(request, _status(task, render), partial="postrapido/_render.html")

    # -- captions --------------------------------------------------------------------------------

    @post(
        paths("/api/postrapido/descriptions/generate", "/api/modules/2/generate-descriptions"),
        status_code=200,
        dependencies=AI_DEPENDENCIES,
        summary="Write a caption per platform from the video's transcript",
    )
    async def generate_descriptions(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CaptionsRequest],
        db: DB,
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> Response[CaptionList]:
        """One caption per platform, within each platform's limits (replacing earlier ones); 404 without transcript."""
        await limit_ai_calls(request, settings, creator)
        written = await captions.generate_captions(
            db, llm, creator, data.video_id, data.chosen(), language=data.language, instruction=data.instruction
        )
        answer = CaptionList(video_id=data.video_id, captions=[CaptionView.of(caption) for caption in written])
        return respond(request, answer, partial="postrapido/_captions.html")

    @post(
        paths("/api/postrapido/descriptions/regenerate", "/api/modules/2/regenerate-description"),
        status_code=200,
        dependencies=AI_DEPENDENCIES,
        summary="Rewrite one platform's caption with an instruction",
    )
    async def regenerate_description(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CaptionRewrite],
        db: DB,
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> Response[CaptionView]:
        """The rewritten caption, kept in place of the old one."""
        video_id, platform = data.video_id, data.platform
        if data.caption_id is not None:
            current = await captions.get_caption(db, creator, data.caption_id)
            video_id, platform = current.video_id, current.platform
        if video_id is None or not platform:
            raise InvalidInput(N_("Say which caption to rewrite: its caption_id, or the video_id and the platform."))
        await limit_ai_calls(request, settings, creator)
        caption = await captions.regenerate_caption(
            db, llm, creator, video_id, platform, instruction=data.instruction, language=data.language
        )
        return respond(request, CaptionView.of(caption), partial="postrapido/_caption.html")

    @get("/api/postrapido/videos/{video_id:uuid}/captions", summary="A video's captions")
    async def list_captions(
        self, request: Request[Any, Any, Any], video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[CaptionList]:
        """The captions written for the video so far."""
        rows = await captions.video_captions(db, creator, video_id)
        answer = CaptionList(video_id=video_id, captions=[CaptionView.of(caption) for caption in rows])
        return respond(request, answer, partial="postrapido/_captions.html")

    @put("/api/postrapido/captions/{caption_id:uuid}", summary="Keep the creator's wording of a caption")
    async def edit_caption(
        self,
        request: Request[Any, Any, Any],
        caption_id: FromPath[uuid.UUID],
        data: JSONBody[CaptionEdit],
        db: DB,
        creator: CurrentCreator,
    ) -> Response[CaptionView]:
        """The caption as the creator wrote it; 422 when the platform would refuse it."""
        caption = await captions.edit_caption(db, creator, caption_id, text=data.text, title=data.title)
        return respond(request, CaptionView.of(caption), partial="postrapido/_caption.html")

    # -- scheduling ------------------------------------------------------------------------------

    @post(
        paths("/api/postrapido/schedule", "/api/modules/2/schedule"),
        status_code=201,
        summary="Schedule the video on each chosen platform, through Metricool",
    )
    async def schedule_posts(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ScheduleRequest],
        db: DB,
        creator: CurrentCreator,
        settings: AppSettings,
        outside: OutsideServices,
    ) -> Response[PostList]:
        """201 when every post is scheduled; 207 when some failed (each post says why, and can be retried)."""
        rows = await publishing.schedule_posts(
            db,
            outside,
            creator,
            video_id=data.video_id,
            posts=data.planned(),
            sign=_signer(settings),
            render_id=data.render_id,
            timezone=data.timezone,
        )
        answer = PostList.of(data.video_id, rows)
        status = 207 if answer.failed else 201
        return respond(request, answer, partial="postrapido/_posts.html", status_code=status)

    @get("/api/postrapido/videos/{video_id:uuid}/posts", summary="The posts scheduled from a video")
    async def list_posts(
        self, request: Request[Any, Any, Any], video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[PostList]:
        """Each post with its status and, when it failed, why."""
        rows = await publishing.video_posts(db, creator, video_id)
        return respond(request, PostList.of(video_id, rows), partial="postrapido/_posts.html")

    @get("/api/postrapido/posts/{post_id:uuid}", summary="A scheduled post")
    async def get_post(
        self, request: Request[Any, Any, Any], post_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[PostView]:
        """The post and where it stands."""
        post_row = await publishing.get_post(db, creator, post_id)
        return respond(request, PostView.of(post_row), partial="postrapido/_post.html")

    @post("/api/postrapido/posts/{post_id:uuid}/retry", status_code=200, summary="Send a failed post again")
    async def retry_post(
        self,
        request: Request[Any, Any, Any],
        post_id: FromPath[uuid.UUID],
        db: DB,
        creator: CurrentCreator,
        settings: AppSettings,
        outside: OutsideServices,
        data: JSONBody[RetryRequest | None] = None,
    ) -> Response[PostView]:
        """The post after sending it again (at a new time, if given); 409 unless it had failed."""
        post_row = await publishing.retry_post(
            db, outside, creator, post_id, sign=_signer(settings), publish_at=data.publish_at if data else None
        )
        return respond(request, PostView.of(post_row), partial="postrapido/_post.html")

    # -- files -----------------------------------------------------------------------------------

    @get("/api/postrapido/videos/{video_id:uuid}/original", summary="Download the uploaded video")
    async def download_original(
        self, video_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator, settings: AppSettings
    ) -> File:
        """The file as uploaded; only its owner may download it."""
        video = await postrapido.get_video(db, creator, video_id)
        return _file(settings, video.storage_name, video.filename or "video.mp4")

    @get("/api/postrapido/renders/{render_id:uuid}/file", summary="Download a rendered video")
    async def download_render(
        self, render_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator, settings: AppSettings
    ) -> File:
        """The finished render (404 until it is complete); only its owner may download it."""
        render = await postrapido.finished_render(db, creator, render_id)
        return _render_file(settings, render)

    @post("/api/postrapido/videos/{video_id:uuid}/link", status_code=201, summary="A public, expiring link")
    async def link_original(
        self,
        video_id: FromPath[uuid.UUID],
        db: DB,
        creator: CurrentCreator,
        settings: AppSettings,
        data: JSONBody[LinkRequest | None] = None,
    ) -> SharedLink:
        """A link to the uploaded video that works without signing in until it expires."""
        video = await postrapido.get_video(db, creator, video_id)
        lifetime = data.lifetime if data else DEFAULT_LIFETIME
        return _link(settings, f"/api/postrapido/shared/videos/{video.id}", lifetime)

    @post("/api/postrapido/renders/{render_id:uuid}/link", status_code=201, summary="A public, expiring link")
    async def link_render(
        self,
        render_id: FromPath[uuid.UUID],
        db: DB,
        creator: CurrentCreator,
        settings: AppSettings,
        data: JSONBody[LinkRequest | None] = None,
    ) -> SharedLink:
        """A link to the rendered video that works without signing in (for Metricool) until it expires."""
        render = await postrapido.finished_render(db, creator, render_id)
        lifetime = data.lifetime if data else DEFAULT_LIFETIME
        return _link(settings, f"/api/postrapido/shared/renders/{render.id}", lifetime)

    @get("/api/postrapido/shared/videos/{video_id:uuid}", summary="An uploaded video, through a signed link")
    async def shared_original(
        self,
        request: Request[Any, Any, Any],
        video_id: FromPath[uuid.UUID],
        db: DB,
        settings: AppSettings,
        expires: FromQuery[int],
        signature: Annotated[str, QueryParameter(max_length=128)],
    ) -> File:
        """The file, to whoever holds an unexpired link signed by this server."""
        check_link(settings, request.url.path, expires, signature)
        video = await postrapido.shared_video(db, video_id)
        return _file(settings, video.storage_name, video.filename or "video.mp4")

    @get("/api/postrapido/shared/renders/{render_id:uuid}", summary="A rendered video, through a signed link")
    async def shared_render(
        self,
        request: Request[Any, Any, Any],
        render_id: FromPath[uuid.UUID],
        db: DB,
        settings: AppSettings,
        expires: FromQuery[int],
        signature: Annotated[str, QueryParameter(max_length=128)],
    ) -> File:
        """The rendered file, to whoever holds an unexpired link signed by this server."""
        check_link(settings, request.url.path, expires, signature)
        render = await postrapido.shared_render(db, render_id)
        return _render_file(settings, render)


def _subtitles(text: str, video_id: uuid.UUID, extension: str, media_type: str) -> Response[str]:
    disposition = f'attachment; filename="transcript-{str(video_id)[:8]}.{extension}"'
    return Response(text, media_type=f"{media_type}; charset=utf-8", headers={"Content-Disposition": disposition})


def _status(task: Task, render: Render) -> ProcessStatus:
    state = TaskState.of(task)
    finished = render.storage_name is not None
    return ProcessStatus(
        job_id=task.id,
        render_id=render.id,
        video_id=render.video_id,
        status=state.status,
        progress=state.progress,
        message=state.message,
        error=state.error,
        done=state.done,
        duration_before=render.duration_before,
        duration_after=render.duration_after if finished else None,
        output_url=f"/api/postrapido/renders/{render.id}/file" if finished else None,
        task=state,
    )

"""Captions per platform for a PostRápido video: written by the model from the transcript, kept within limits.

Each platform counts a caption its own way (``spec/external-apis.md``): most count UTF-16 code
units, YouTube counts its description in bytes and refuses ``<`` and ``>``, X weighs characters.
Whatever the model writes is measured here; a caption that is too long goes back to the model
once, and anything still over a limit is fixed by RENUM (hashtags dropped, brackets removed, text
shortened at a word), with what was fixed kept on the caption so the page can say so.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import msgspec
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.clients.llm import LLMClient, render_prompt
from renum.errors import InvalidInput, NotFound
from renum.i18n import N_
from renum.models import Caption, User
from renum.services import postrapido
from renum.services.integrations import PLATFORMS, platform_named

__all__ = [
    "LIMITS",
    "CaptionLimits",
    "check_caption",
    "edit_caption",
    "fit_caption",
    "generate_captions",
    "get_caption",
    "hashtags_in",
    "measure",
    "problems_of",
    "regenerate_caption",
    "video_captions",
]

log = structlog.get_logger(__name__)

MAX_INSTRUCTION = 500
MAX_TRANSCRIPT_CHARS = 12_000
"""How much of a long transcript the model reads: enough for a caption, cheap to send."""
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class CaptionLimits:
    """What one platform accepts in a post's text."""

    platform: str
    max_length: int
    counting: str
    """``utf16`` (code units), ``bytes`` (UTF-8) or ``weighted`` (X: most scripts count twice)."""
    max_hashtags: int | None = None
    max_title: int | None = None
    """The title's limit in characters; ``None`` where the platform has no title."""
    no_angle_brackets: bool = False


LIMITS: dict[str, CaptionLimits] = {
    "instagram": CaptionLimits("instagram", 2200, "utf16", max_hashtags=5),
    "tiktok": CaptionLimits("tiktok", 2200, "utf16"),
    "youtube": CaptionLimits("youtube", 5000, "bytes", max_title=100, no_angle_brackets=True),
    "linkedin": CaptionLimits("linkedin", 3000, "utf16"),
    # Facebook takes 63,206 characters, but schedulers (Metricool among them) stop at 5,000.
    "facebook": CaptionLimits("facebook", 5000, "utf16"),
    "x": CaptionLimits("x", 280, "weighted"),
}

_HASHTAG = re.compile(r"(?<![\w#&/])#(\w+)")
_URL = re.compile(r"https?://\S+")
# X counts these code point ranges (Latin and common punctuation) once and everything else twice.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_X_URL_WEIGHT = 23


class CaptionDraft(msgspec.Struct, forbid_unknown_fields=False):
    """One caption as the model writes it."""

    platform: str
    title: str
    text: str
    hashtags: list[str]


class CaptionSet(msgspec.Struct, forbid_unknown_fields=False):
    """The model's captions, one per platform asked for."""

    captions: list[CaptionDraft]


class RewrittenCaption(msgspec.Struct, forbid_unknown_fields=False):
    """One caption rewritten by the model."""

    title: str
    text: str
    hashtags: list[str]


# -- measuring ------------------------------------------------------------------------------------


def limits_of(platform: str) -> CaptionLimits:
    """The limits of a platform RENUM publishes to (a field error for any other)."""
    return LIMITS[platform_named(platform).key]


def _x_weight(text: str) -> int:
    weight = _X_URL_WEIGHT * len(_URL.findall(text))
    for char in _URL.sub("", unicodedata.normalize("NFC", text)):
        point = ord(char)
        weight += 1 if any(low <= point <= high for low, high in _X_LIGHT) else 2
    return weight


def measure(platform: str, text: str) -> int:
    """The length of ``text`` as ``platform`` counts it against its limit."""
    counting = limits_of(platform).counting
    if counting == "bytes":
        return len(text.encode("utf-8"))
    if counting == "weighted":
        return _x_weight(text)
    return len(text.encode("utf-16-le")) // 2


def _title_length(title: str) -> int:
    return len(title.encode("utf-16-le")) // 2


def hashtags_in(text: str) -> list[str]:
    """The hashtags of ``text`` as the platforms see them (``#`` and a word), in order."""
    return [f"#{word}" for word in _HASHTAG.findall(text)]


def problems_of(platform: str, text: str, title: str | None = None) -> dict[str, str]:
    """What breaks ``platform``'s rules in this caption: a code for each problem, with a message."""
    limits = limits_of(platform)
    found: dict[str, str] = {}
    if not text.strip():
        found["empty"] = N_("Write the caption before saving it.")
    if measure(platform, text) > limits.max_length:
        found["too_long"] = N_("The caption is longer than {platform} accepts. Shorten it.")
    if limits.max_hashtags is not None and len(hashtags_in(text)) > limits.max_hashtags:
        found["too_many_hashtags"] = N_("{platform} takes at most {hashtags} hashtags per post. Remove some.")
    if limits.no_angle_brackets and ("<" in text or ">" in text or "<" in (title or "") or ">" in (title or "")):
        found["angle_brackets"] = N_("YouTube does not accept the characters < and >. Remove them.")
    if limits.max_title is not None:
        if not (title or "").strip():
            found["title_missing"] = N_("YouTube needs a title for the video. Write one.")
        elif _title_length(title or "") > limits.max_title:
            found["title_too_long"] = N_("The title is longer than {platform} accepts ({title_limit}). Shorten it.")
    return found


def check_caption(
    platform: str, text: str, title: str | None = None, *, field: str = "text", title_field: str = "title"
) -> None:
    """Refuse a caption the platform would refuse, naming each problem under ``field`` or ``title_field``.

    Raises:
        InvalidInput: the caption breaks one of the platform's rules; ``fields`` names which.
    """
    limits = limits_of(platform)
    found = problems_of(platform, text, title)
    if not found:
        return
    fields = {(title_field if code.startswith("title") else field): message for code, message in found.items()}
    raise InvalidInput(
        next(iter(found.values())),
        fields=fields,
        platform=PLATFORMS[limits.platform].name,
        hashtags=limits.max_hashtags or 0,
        title_limit=limits.max_title or 0,
    )


# -- fixing what the model missed -------------------------------------------------------------------


def _with_hashtags(text: str, tags: Sequence[str]) -> str:
    """The text with the model's separate hashtags appended, each once, as a last line."""
    present = {tag.casefold() for tag in hashtags_in(text)}
    extra: list[str] = []
    for raw in tags:
        for piece in raw.split():
            word = "".join(ch for ch in piece.lstrip("#") if ch.isalnum() or ch == "_")
            if word and f"#{word}".casefold() not in present:
                present.add(f"#{word}".casefold())
                extra.append(f"#{word}")
    text = text.strip()
    return f"{text}\n\n{' '.join(extra)}" if extra else text


def _is_tag_line(line: str) -> bool:
    words = line.split()
    return bool(words) and all(word.startswith("#") for word in words)


def _drop_extra_hashtags(text: str, keep: int) -> str:
    """Keep the first ``keep`` hashtags; later ones leave a line of tags, or lose their ``#`` in a sentence."""
    seen = 0
    lines = []
    for line in text.split("\n"):
        if _is_tag_line(line):
            kept = []
            for word in line.split():
                if _HASHTAG.fullmatch(word) is None or seen < keep:
                    kept.append(word)
                seen += _HASHTAG.fullmatch(word) is not None
            if kept:
                lines.append(" ".join(kept))
            continue

        def unmark(match: re.Match[str]) -> str:
            nonlocal seen
            seen += 1
            return match.group(0) if seen <= keep else match.group(1)

        lines.append(_HASHTAG.sub(unmark, line))
    return "\n".join(lines).strip()


def _split_tail(text: str) -> tuple[str, str]:
    """The text before its closing lines of hashtags, and those lines."""
    lines = text.rstrip().split("\n")
    cut = len(lines)
    while cut > 0 and (_is_tag_line(lines[cut - 1]) or not lines[cut - 1].strip()):
        cut -= 1
    return "\n".join(lines[:cut]).rstrip(), "\n".join(line for line in lines[cut:] if line.strip())


def _shorten(text: str, fits: Callable[[str], bool]) -> str:
    """The longest beginning of ``text`` ending at a word (plus an ellipsis) for which ``fits`` is true."""
    if fits(text):
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + ELLIPSIS):
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    if low < len(text) and not text[low].isspace() and " " in head.strip():
        head = head[: head.rstrip().rfind(" ")]
    return head.rstrip(" ,;:-—\n") + ELLIPSIS


def fit_caption(platform: str, text: str, title: str | None = None) -> tuple[str, str | None, list[str]]:
    """Make a caption obey ``platform``'s rules; answers the text, the title and what had to be fixed."""
    limits = limits_of(platform)
    fixes: list[str] = []
    text = text.strip()

    if limits.no_angle_brackets:
        cleaned_text = text.replace("<", "").replace(">", "")
        cleaned_title = (title or "").replace("<", "").replace(">", "")
        if (cleaned_text, cleaned_title) != (text, title or ""):
            fixes.append("angle_brackets")
        text, title = cleaned_text, cleaned_title

    if limits.max_hashtags is not None and len(hashtags_in(text)) > limits.max_hashtags:
        text = _drop_extra_hashtags(text, limits.max_hashtags)
        fixes.append("too_many_hashtags")

    if measure(platform, text) > limits.max_length:
        body, tail = _split_tail(text)
        if tail and measure(platform, tail) > limits.max_length // 2:
            body, tail = text, ""
        joiner = "\n\n" if tail else ""
        body = _shorten(body, lambda candidate: measure(platform, f"{candidate}{joiner}{tail}") <= limits.max_length)
        text = f"{body}{joiner}{tail}"
        fixes.append("too_long")

    if limits.max_title is None:
        return text, None, fixes
    title = " ".join((title or "").split())
    if not title:
        title = " ".join(_split_tail(text)[0].split()[:12]) or "Video"
        fixes.append("title_missing")
    if _title_length(title) > limits.max_title:
        title = _shorten(title, lambda candidate: _title_length(candidate) <= (limits.max_title or 0))
        fixes.append("title_too_long")
    return text, title, fixes


# -- writing with the model -----------------------------------------------------------------------


def _platforms(names: Sequence[str]) -> list[str]:
    keys: list[str] = []
    for name in names:
        key = platform_named(name).key
        if key not in keys:
            keys.append(key)
    if not keys:
        raise InvalidInput(fields={"platforms": N_("Choose at least one platform to write captions for.")})
    return keys


def _spoken(segments: Sequence[dict[str, object]]) -> str:
    text = " ".join(str(segment.get("text", "")).strip() for segment in segments).strip()
    return text[:MAX_TRANSCRIPT_CHARS]


def _language(language: str | None, transcript_language: str, creator: User) -> str:
    return (language or transcript_language or creator.language or "pt_BR").strip()[:10]


def _rules(keys: Sequence[str]) -> list[dict[str, object]]:
    return [
        {
            "key": key,
            "name": PLATFORMS[key].name,
            "max_length": LIMITS[key].max_length,
            "counting": LIMITS[key].counting,
            "max_hashtags": LIMITS[key].max_hashtags,
            "max_title": LIMITS[key].max_title,
            "no_angle_brackets": LIMITS[key].no_angle_brackets,
        }
        for key in keys
    ]


def _instruction(instruction: str | None) -> str:
    cleaned = (instruction or "").strip()
    if len(cleaned) > MAX_INSTRUCTION:
        raise InvalidInput(
            fields={"instruction": N_("Keep the instruction under {limit} characters.")}, limit=MAX_INSTRUCTION
        )
    return cleaned


async def _keep(
    db: AsyncSession, owner: User, video_id: uuid.UUID, platform: str, draft: RewrittenCaption | CaptionDraft
) -> Caption:
    text, title, fixes = fit_caption(platform, _with_hashtags(draft.text, draft.hashtags), draft.title)
    caption = await db.scalar(select(Caption).where(Caption.video_id == video_id, Caption.platform == platform))
    if caption is None:
        caption = Caption(video_id=video_id, owner_id=owner.id, platform=platform)
        db.add(caption)
    caption.text, caption.title, caption.fixes, caption.edited = text, title, fixes, False
    if fixes:
        log.info("captions.fixed", video_id=str(video_id), platform=platform, fixes=fixes)
    return caption


async def generate_captions(
    db: AsyncSession,
    llm: LLMClient,
    owner: User,
    video_id: uuid.UUID,
    platforms: Sequence[str],
    *,
    language: str | None = None,
    instruction: str | None = None,
) -> list[Caption]:
    """Write one caption per platform from the video's transcript and keep them (replacing earlier ones).

    A caption the model writes too long is sent back once to be shortened; what is still wrong
    after that is fixed here (:func:`fit_caption`).

    Raises:
        NotFound: not the creator's video, or it has no transcript yet.
        InvalidInput: an unknown platform, or an instruction too long.
    """
    keys = _platforms(platforms)
    wish = _instruction(instruction)
    transcript = await postrapido.require_transcript(db, owner, video_id)
    spoken = _spoken(transcript.current_segments)
    if not spoken:
        raise InvalidInput(N_("The transcript is empty: nothing is said in this video to write captions from."))
    language = _language(language, transcript.language, owner)

    prompt = render_prompt(
        "captions_generate",
        locale=owner.language,
        transcript=spoken,
        platforms=_rules(keys),
        language=language,
        instruction=wish,
    )
    written = await llm.structured(prompt, CaptionSet, name="captions", locale=owner.language)
    drafts = _by_platform(written.captions, keys)

    posted = {key: _with_hashtags(drafts[key].text, drafts[key].hashtags) for key in keys}
    too_long = [key for key in keys if measure(key, posted[key]) > LIMITS[key].max_length]
    if too_long:
        log.info("captions.too_long", video_id=str(video_id), platforms=too_long)
        retry = render_prompt(
            "captions_shorten",
            locale=owner.language,
            platforms=_rules(too_long),
            language=language,
            captions=[{"key": key, "text": posted[key], "length": measure(key, posted[key])} for key in too_long],
        )
        shorter = await llm.structured(retry, CaptionSet, name="captions", locale=owner.language)
        drafts.update(_by_platform(shorter.captions, too_long, fallback=drafts))

    captions = [await _keep(db, owner, transcript.video_id, key, drafts[key]) for key in keys]
    await db.flush()
    log.info("captions.generated", video_id=str(video_id), user_id=str(owner.id), platforms=keys)
    return captions


def _by_platform(
    drafts: Sequence[CaptionDraft], keys: Sequence[str], *, fallback: dict[str, CaptionDraft] | None = None
) -> dict[str, CaptionDraft]:
    """The model's captions by platform key; a platform it skipped gets the fallback or an empty caption."""
    found: dict[str, CaptionDraft] = {}
    for draft in drafts:
        try:
            key = platform_named(draft.platform).key
        except InvalidInput:
            continue
        if key in keys and key not in found:
            found[key] = draft
    for key in keys:
        if key not in found:
            found[key] = (fallback or {}).get(key) or CaptionDraft(platform=key, title="", text="", hashtags=[])
    return found


async def regenerate_caption(
    db: AsyncSession,
    llm: LLMClient,
    owner: User,
    video_id: uuid.UUID,
    platform: str,
    *,
    instruction: str | None = None,
    language: str | None = None,
) -> Caption:
    """Rewrite one platform's caption following the creator's instruction (a fresh one without it)."""
    key = platform_named(platform).key
    wish = _instruction(instruction)
    transcript = await postrapido.require_transcript(db, owner, video_id)
    current = await db.scalar(select(Caption).where(Caption.video_id == video_id, Caption.platform == key))
    prompt = render_prompt(
        "caption_regenerate",
        locale=owner.language,
        transcript=_spoken(transcript.current_segments),
        platform=_rules([key])[0],
        caption=current.text if current else "",
        title=(current.title or "") if current else "",
        instruction=wish,
        language=_language(language, transcript.language, owner),
    )
    rewritten = await llm.structured(prompt, RewrittenCaption, name="caption", locale=owner.language)
    caption = await _keep(db, owner, video_id, key, rewritten)
    await db.flush()
    log.info("captions.regenerated", video_id=str(video_id), user_id=str(owner.id), platform=key)
    return caption


# -- the creator's captions -----------------------------------------------------------------------


async def video_captions(db: AsyncSession, owner: User, video_id: uuid.UUID) -> list[Caption]:
    """The captions written for the creator's video, in RENUM's platform order."""
    video = await postrapido.get_video(db, owner, video_id)
    rows = list(await db.scalars(select(Caption).where(Caption.video_id == video.id)))
    order = list(PLATFORMS)
    return sorted(rows, key=lambda caption: order.index(caption.platform) if caption.platform in order else 99)


async def get_caption(db: AsyncSession, owner: User, caption_id: uuid.UUID) -> Caption:
    """The creator's caption; another creator's is not found."""
    caption = await db.scalar(select(Caption).where(Caption.id == caption_id, Caption.owner_id == owner.id))
    if caption is None:
        raise NotFound(N_("No caption with this id. It may belong to another account or have been removed."))
    return caption


async def edit_caption(
    db: AsyncSession, owner: User, caption_id: uuid.UUID, *, text: str, title: str | None = None
) -> Caption:
    """Keep the creator's own wording, refused when the platform would refuse it."""
    caption = await get_caption(db, owner, caption_id)
    text = text.strip()
    title = " ".join(title.split()) if title is not None else caption.title
    if LIMITS[caption.platform].max_title is None:
        title = None
    check_caption(caption.platform, text, title)
    caption.text, caption.title, caption.edited, caption.fixes = text, title, True, []
    await db.flush()
    return caption

"""ScriptAI: scripts the AI writes to a target length, and the drafts a creator keeps of them.

A script is spoken aloud, so its length is measured in seconds: the words of the hook, the body
sections and the call to action, at the speaking rate of the script's language
(:data:`SPEAKING_RATES`). A new script must land within :data:`LENGTH_TOLERANCE` of the duration
asked for; when the model misses, it is asked to fix the length up to :data:`LENGTH_FIXES` times,
and a script still off is refused (:class:`ScriptLengthMissed`) rather than handed out. Revisions
asked by the creator ("shorter", "funnier") are not held to the target: the editor shows their
estimate against it instead.

Drafts keep every state they went through as a :class:`~renum.models.DraftVersion` (created, saved,
regenerated, restored). A draft's ``version`` is the number of its latest one; an update or a restore
that names an older number is refused with 409, so a stale browser tab cannot overwrite newer work.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from renum.clients.llm import LLMClient, Message, prompt_locale, render_prompt
from renum.errors import Conflict, InvalidInput, NotFound, RenumError
from renum.i18n import N_
from renum.models import Draft, DraftVersion, User

__all__ = [
    "LENGTH_FIXES",
    "LENGTH_TOLERANCE",
    "MAX_SECONDS",
    "MIN_SECONDS",
    "PLATFORMS",
    "SPEAKING_RATES",
    "DraftPage",
    "Revision",
    "Script",
    "ScriptBrief",
    "ScriptLengthMissed",
    "ScriptText",
    "Section",
    "SectionText",
    "WrittenScript",
    "check_brief",
    "create_draft",
    "delete_draft",
    "get_draft",
    "get_version",
    "list_drafts",
    "list_versions",
    "measure",
    "parse_script_text",
    "recent_drafts",
    "restore_version",
    "revise_script",
    "script_as_text",
    "script_of",
    "stream_script",
    "target_words",
    "text_of",
    "update_draft",
    "words_in",
    "write_script",
]

log = structlog.get_logger(__name__)

SPEAKING_RATES = {"pt-BR": 150, "en": 155}
"""Words spoken per minute in each language a script can be written in."""

LANGUAGE_NAMES = {"pt-BR": "português do Brasil", "en": "English"}
"""How the prompts (each in the script's own language) name that language."""

PLATFORMS = {
    "instagram": "Instagram Reels",
    "tiktok": "TikTok",
    "youtube": "YouTube Shorts",
    "linkedin": "LinkedIn",
    "facebook": "Facebook Reels",
    "x": "X",
}
"""The platforms a script can be written for, and how the prompts name them."""

MIN_SECONDS, MAX_SECONDS = 15, 600
LENGTH_TOLERANCE = 0.2
"""How far (as a share of the target) a new script's estimate may be from the duration asked for."""
LENGTH_FIXES = 2
"""How many times the model is asked to fix a script's length before RENUM gives up."""

HASHTAG_LIMITS = {"instagram": 5}
"""Instagram takes at most 5 hashtags per post since December 2025."""
DEFAULT_HASHTAG_LIMIT = 10

MAX_TOPIC, MAX_SHORT_FIELD, MAX_TITLE, MAX_INSTRUCTION = 500, 200, 200, 500
MAX_SECTIONS, MAX_SCRIPT_CHARS = 30, 20_000
VERSION_REASONS = (N_("created"), N_("saved"), N_("regenerated"), N_("restored"))
"""Why a version was kept; shown translated in the list of versions."""

_WORD = re.compile(r"\w(?:[\w'’-]|[.,]\d)*")
_MARKER = re.compile(r"^[\s*_>#-]*(TITLE|HOOK|CTA|HASHTAGS)[\s*_]*:[\s*_]*(.*?)[\s*_]*$", re.IGNORECASE)
_HEADING = re.compile(r"^\s*#{2,}\s*(.*?)[\s#*]*$")


# -- what scripts are made of --------------------------------------------------------------------


class ScriptBrief(msgspec.Struct, forbid_unknown_fields=False):
    """What the creator asks ScriptAI to write."""

    topic: str = ""
    platform: str = "instagram"
    duration_seconds: int = 60
    tone: str = ""
    audience: str = ""
    language: str = ""
    """``pt-BR`` or ``en``; the creator's own language when empty."""
    call_to_action: str = ""
    """The action to ask for at the end; the model picks one when empty."""


class SectionText(msgspec.Struct, forbid_unknown_fields=False):
    """A body section of a script, as written."""

    heading: str = ""
    text: str = ""


class ScriptText(msgspec.Struct, forbid_unknown_fields=False):
    """A script as the creator edits and saves it, with the brief it was written for.

    Measurements sent back by a client (word counts, estimates) are ignored: they are recomputed.
    """

    title: str = ""
    hook: str = ""
    sections: list[SectionText] = []
    call_to_action: str = ""
    hashtags: list[str] = []
    topic: str = ""
    platform: str = "instagram"
    language: str = "pt-BR"
    tone: str = ""
    audience: str = ""
    duration_seconds: int = 60


class Section(msgspec.Struct):
    """A body section with its length."""

    heading: str
    text: str
    word_count: int
    estimated_seconds: int


class Script(msgspec.Struct):
    """A script with its measurements: words, the spoken duration estimate and how it sits against the target."""

    title: str
    hook: str
    sections: list[Section]
    call_to_action: str
    hashtags: list[str]
    topic: str
    platform: str
    language: str
    tone: str
    audience: str
    duration_seconds: int
    word_count: int
    estimated_seconds: int
    words_per_minute: int
    within_target: bool


class WrittenSection(msgspec.Struct):
    """A body section, in the form the model writes it."""

    heading: str
    text: str


class WrittenScript(msgspec.Struct):
    """A whole script, in the form the model writes it (asked through a JSON schema)."""

    title: str
    hook: str
    sections: list[WrittenSection]
    call_to_action: str
    hashtags: list[str]


class WrittenPart(msgspec.Struct):
    """One rewritten part of a script: a body section (with its heading), the hook or the call to action."""

    heading: str
    text: str


class ScriptLengthMissed(RenumError):
    """The model kept writing a script too far from the duration asked for."""

    status_code = 502
    code = "script_length_missed"
    default_message = N_(
        "The AI wrote a script of about {estimate} seconds instead of {target}, even after being asked to fix "
        "it. Try again, or ask for another duration."
    )


@dataclass(frozen=True, slots=True)
class Revision:
    """A revised script, and the draft it was saved to (when it came from one)."""

    script: Script
    draft: Draft | None


@dataclass(frozen=True, slots=True)
class DraftPage:
    """One page of a creator's drafts, newest first, and how many match in all."""

    drafts: list[Draft]
    total: int
    page: int
    per_page: int


# -- measuring -----------------------------------------------------------------------------------


def words_in(text: str) -> int:
    """Spoken words in ``text`` ("don't" and "guarda-chuva" are one word each)."""
    return len(_WORD.findall(text))


def target_words(language: str, seconds: int) -> int:
    """About how many words fill ``seconds`` when spoken in ``language``."""
    return round(seconds * SPEAKING_RATES[language] / 60)


def _seconds(words: int, rate: int) -> float:
    return words * 60 / rate


def measure(text: ScriptText) -> Script:
    """``text`` with its word counts and spoken-duration estimates (per section and in all)."""
    rate = SPEAKING_RATES[text.language]
    sections = []
    for part in text.sections:
        words = words_in(part.text)
        sections.append(Section(part.heading, part.text, words, round(_seconds(words, rate))))
    total = words_in(text.hook) + sum(section.word_count for section in sections) + words_in(text.call_to_action)
    estimate = _seconds(total, rate)
    return Script(
        title=text.title,
        hook=text.hook,
        sections=sections,
        call_to_action=text.call_to_action,
        hashtags=list(text.hashtags),
        topic=text.topic,
        platform=text.platform,
        language=text.language,
        tone=text.tone,
        audience=text.audience,
        duration_seconds=text.duration_seconds,
        word_count=total,
        estimated_seconds=round(estimate),
        words_per_minute=rate,
        within_target=abs(estimate - text.duration_seconds) <= LENGTH_TOLERANCE * text.duration_seconds,
    )


# -- checking what the creator sends -------------------------------------------------------------


def _language(value: str, user: User) -> str | None:
    """``pt-BR`` or ``en`` from any common spelling (``pt_BR``, ``pt``, ``en-US``); ``None`` when neither."""
    tag = (value or user.language).strip().replace("_", "-").lower()
    if tag.split("-")[0] == "pt":
        return "pt-BR"
    if tag.split("-")[0] == "en":
        return "en"
    return None


def _check_common(
    fields: dict[str, str], *, platform: str, language: str | None, duration: int, tone: str, audience: str
) -> None:
    if platform not in PLATFORMS:
        fields["platform"] = N_("Choose one of: instagram, tiktok, youtube, linkedin, facebook, x.")
    if language is None:
        fields["language"] = N_("Choose pt-BR or en.")
    if not MIN_SECONDS <= duration <= MAX_SECONDS:
        fields["duration_seconds"] = N_("Choose a duration between 15 and 600 seconds.")
    if len(tone) > MAX_SHORT_FIELD:
        fields["tone"] = N_("Describe the tone in at most 200 characters.")
    if len(audience) > MAX_SHORT_FIELD:
        fields["audience"] = N_("Describe the audience in at most 200 characters.")


def check_brief(brief: ScriptBrief, user: User) -> ScriptBrief:
    """The brief trimmed and normalized, or :class:`InvalidInput` naming every field that is wrong."""
    topic, platform = brief.topic.strip(), brief.platform.strip().lower()
    language = _language(brief.language, user)
    fields: dict[str, str] = {}
    if not topic:
        fields["topic"] = N_("Write what the video is about.")
    elif len(topic) > MAX_TOPIC:
        fields["topic"] = N_("Keep the topic under 500 characters.")
    _check_common(
        fields,
        platform=platform,
        language=language,
        duration=brief.duration_seconds,
        tone=brief.tone.strip(),
        audience=brief.audience.strip(),
    )
    if len(brief.call_to_action.strip()) > MAX_SHORT_FIELD:
        fields["call_to_action"] = N_("Keep the call to action under 200 characters.")
    if fields or language is None:
        raise InvalidInput(fields=fields)

    return ScriptBrief(
        topic=topic,
        platform=platform,
        duration_seconds=brief.duration_seconds,
        tone=brief.tone.strip(),
        audience=brief.audience.strip(),
        language=language,
        call_to_action=brief.call_to_action.strip(),
    )


def check_text(text: ScriptText, user: User) -> ScriptText:
    """A script fit to keep: trimmed, normalized and within limits, or :class:`InvalidInput`."""
    platform = text.platform.strip().lower()
    language = _language(text.language, user)
    sections = [SectionText(s.heading.strip(), s.text.strip()) for s in text.sections if s.text.strip()]
    fields: dict[str, str] = {}
    _check_common(
        fields,
        platform=platform,
        language=language,
        duration=text.duration_seconds,
        tone=text.tone.strip(),
        audience=text.audience.strip(),
    )
    if len(text.title.strip()) > MAX_TITLE:
        fields["title"] = N_("Keep the title under 200 characters.")
    if len(sections) > MAX_SECTIONS:
        fields["sections"] = N_("A script has at most 30 sections.")
    spoken = [text.hook, text.call_to_action, *(s.text for s in sections)]
    if not any(part.strip() for part in spoken):
        fields["sections"] = N_("The script is empty: write its hook or a section.")
    elif sum(len(part) for part in spoken) > MAX_SCRIPT_CHARS:
        fields["sections"] = N_("The script is too long: keep it under 20,000 characters.")
    if fields or language is None:
        raise InvalidInput(fields=fields)

    return ScriptText(
        title=text.title.strip() or text.topic.strip()[:MAX_TITLE],
        hook=text.hook.strip(),
        sections=sections,
        call_to_action=text.call_to_action.strip(),
        hashtags=_hashtags(text.hashtags, platform),
        topic=text.topic.strip()[:MAX_TOPIC],
        platform=platform,
        language=language,
        tone=text.tone.strip(),
        audience=text.audience.strip(),
        duration_seconds=text.duration_seconds,
    )


def _hashtags(raw: Sequence[str], platform: str) -> list[str]:
    """Hashtags as posted: ``#`` and one word each, no repeats, no more than the platform takes."""
    tags: list[str] = []
    seen: set[str] = set()
    for item in raw:
        for piece in item.split():
            word = "".join(ch for ch in piece.lstrip("#") if ch.isalnum() or ch == "_")
            if word and word.casefold() not in seen:
                seen.add(word.casefold())
                tags.append(f"#{word}")
    return tags[: HASHTAG_LIMITS.get(platform, DEFAULT_HASHTAG_LIMIT)]


# -- the plain-text form (streamed to the page, and shown to the model) ---------------------------


def script_as_text(text: ScriptText | WrittenScript) -> str:
    """The script in the plain form the model streams: ``TITLE:``, ``HOOK:``, ``## heading``, ``CTA:``..."""
    lines = [f"TITLE: {text.title}", f"HOOK: {text.hook}"]
    for section in text.sections:
        lines += [f"## {section.heading}", section.text]
    lines += [f"CTA: {text.call_to_action}", f"HASHTAGS: {' '.join(text.hashtags)}"]
    return "\n".join(lines)


def parse_script_text(text: str) -> WrittenScript | None:
    """The script in a streamed reply of the plain form, or ``None`` when the reply does not follow it.

    Markdown around the markers (``**HOOK:**``) and text before the first marker are tolerated.
    """
    parts: dict[str, list[str]] = {}
    sections: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if marker := _MARKER.match(line):
            current = parts.setdefault(marker.group(1).upper(), [])
            current.append(marker.group(2))
        elif heading := _HEADING.match(line):
            sections.append((heading.group(1).strip(), []))
            current = sections[-1][1]
        elif current is not None:
            current.append(line)

    def joined(lines: list[str]) -> str:
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    body = [WrittenSection(heading, joined(lines)) for heading, lines in sections if joined(lines)]
    if not body or "HOOK" not in parts:
        return None
    return WrittenScript(
        title=joined(parts.get("TITLE", [])),
        hook=joined(parts["HOOK"]),
        sections=body,
        call_to_action=joined(parts.get("CTA", [])),
        hashtags=joined(parts.get("HASHTAGS", [])).split(),
    )


# -- writing with the model ----------------------------------------------------------------------


def _written_text(written: WrittenScript, like: ScriptBrief | ScriptText) -> ScriptText:
    """What the model wrote, as a script of the brief (or the script) it was written for."""
    return ScriptText(
        title=written.title.strip()[:MAX_TITLE] or like.topic[:MAX_TITLE],
        hook=written.hook.strip(),
        sections=[SectionText(s.heading.strip(), s.text.strip()) for s in written.sections if s.text.strip()],
        call_to_action=written.call_to_action.strip(),
        hashtags=_hashtags(written.hashtags, like.platform),
        topic=like.topic,
        platform=like.platform,
        language=like.language,
        tone=like.tone,
        audience=like.audience,
        duration_seconds=like.duration_seconds,
    )


def _generate_prompt(brief: ScriptBrief, *, text_format: bool) -> list[Message]:
    return render_prompt(
        "script_generate",
        locale=prompt_locale(brief.language),
        topic=brief.topic,
        platform=PLATFORMS[brief.platform],
        duration_seconds=brief.duration_seconds,
        tone=brief.tone,
        audience=brief.audience,
        language=LANGUAGE_NAMES[brief.language],
        call_to_action=brief.call_to_action,
        words_target=target_words(brief.language, brief.duration_seconds),
        text_format=text_format,
    )


async def _fit_length(llm: LLMClient, user: User, text: ScriptText) -> Script:
    """``text`` measured, after asking the model to fix its length (up to :data:`LENGTH_FIXES` times) while it
    misses the target; still off, :class:`ScriptLengthMissed`."""
    locale = prompt_locale(text.language)
    script = measure(text)
    fixes = 0
    while not script.within_target:
        if fixes == LENGTH_FIXES:
            log.warning("scriptai.length_given_up", user_id=str(user.id), target=text.duration_seconds)
            raise ScriptLengthMissed(estimate=script.estimated_seconds, target=text.duration_seconds)
        fixes += 1
        log.info(
            "scriptai.length_missed",
            user_id=str(user.id),
            fix=fixes,
            target=text.duration_seconds,
            estimate=script.estimated_seconds,
        )
        prompt = render_prompt(
            "script_fix_length",
            locale=locale,
            script=script_as_text(text),
            words_current=script.word_count,
            words_target=target_words(text.language, text.duration_seconds),
            duration_seconds=text.duration_seconds,
            language=LANGUAGE_NAMES[text.language],
        )
        fixed = await llm.structured(prompt, WrittenScript, name="script", locale=locale)
        text = _written_text(fixed, text)
        script = measure(text)
    return script


async def write_script(llm: LLMClient, user: User, brief: ScriptBrief) -> Script:
    """A new script for ``brief`` (checked), within the length tolerance.

    Raises:
        InvalidInput: the brief is not valid.
        ScriptLengthMissed: the model kept missing the duration.
        AIError: the model could not be reached or its reply could not be used.
    """
    brief = check_brief(brief, user)
    written = await llm.structured(
        _generate_prompt(brief, text_format=False), WrittenScript, name="script", locale=prompt_locale(brief.language)
    )
    script = await _fit_length(llm, user, _written_text(written, brief))
    log.info("scriptai.generated", user_id=str(user.id), seconds=script.estimated_seconds, streamed=False)
    return script


async def stream_script(llm: LLMClient, user: User, brief: ScriptBrief) -> AsyncGenerator[str | Script, None]:
    """A new script as it is written: text pieces, then the finished :class:`Script`.

    The model writes the plain form (:func:`script_as_text`); when its reply does not follow that
    form, it is asked once more for the same script as JSON. The length is then checked and fixed as
    in :func:`write_script`. Check the brief with :func:`check_brief` first, so that a bad one is
    refused before anything streams.
    """
    pieces: list[str] = []
    async for piece in llm.stream(_generate_prompt(brief, text_format=True)):
        pieces.append(piece)
        yield piece

    locale = prompt_locale(brief.language)
    written = parse_script_text("".join(pieces))
    if written is None:
        log.info("scriptai.stream_unparsed", user_id=str(user.id))
        prompt = render_prompt("script_structure", locale=locale, script="".join(pieces))
        written = await llm.structured(prompt, WrittenScript, name="script", locale=locale)
    script = await _fit_length(llm, user, _written_text(written, brief))
    log.info("scriptai.generated", user_id=str(user.id), seconds=script.estimated_seconds, streamed=True)
    yield script


def _part(text: ScriptText, section: int | str) -> tuple[str, str]:
    """The name and the current text of the part ``section`` names, or :class:`InvalidInput`."""
    if isinstance(section, int) and 0 <= section < len(text.sections):
        return text.sections[section].heading, text.sections[section].text
    if section == "hook":
        return "hook", text.hook
    if section == "call_to_action":
        return "call_to_action", text.call_to_action
    raise InvalidInput(fields={"section": N_("Name a section by its number (from 0), or 'hook' or 'call_to_action'.")})


def _with_part(text: ScriptText, section: int | str, part: WrittenPart) -> ScriptText:
    """``text`` with ``section`` replaced by ``part``."""
    if section == "hook":
        return msgspec.structs.replace(text, hook=part.text.strip())
    if section == "call_to_action":
        return msgspec.structs.replace(text, call_to_action=part.text.strip())
    assert isinstance(section, int)
    sections = list(text.sections)
    heading = part.heading.strip() or sections[section].heading
    sections[section] = SectionText(heading, part.text.strip())
    return msgspec.structs.replace(text, sections=sections)


async def revise_script(
    db: AsyncSession,
    llm: LLMClient,
    user: User,
    *,
    script: ScriptText | None,
    draft_id: uuid.UUID | None = None,
    version: int | None = None,
    section: int | str | None = None,
    instruction: str = "",
) -> Revision:
    """The script rewritten as ``instruction`` asks: all of it, or the one ``section`` named.

    The script is ``script``, else the saved draft ``draft_id``. With a draft, the revision is saved
    to it as a new version; a stale ``version`` is refused (409) before the model is asked.

    Raises:
        InvalidInput: no script to revise, or a section that does not exist.
        NotFound: the draft is not the creator's.
        Conflict: the draft changed since ``version``.
        AIError: the model failed.
    """
    draft = await get_draft(db, user, draft_id) if draft_id is not None else None
    if draft is not None:
        _check_version(draft, version)
    if script is not None:
        base = check_text(script, user)
    elif draft is not None:
        base = check_text(text_of(draft), user)
    else:
        raise InvalidInput(fields={"script": N_("Send the script to revise, or the id of a saved draft.")})
    instruction = instruction.strip()
    if len(instruction) > MAX_INSTRUCTION:
        raise InvalidInput(fields={"instruction": N_("Keep the instruction under 500 characters.")})

    if isinstance(section, str) and section.isdigit():
        section = int(section)
    locale = prompt_locale(base.language)
    passage = _part(base, section) if section is not None else None
    prompt = render_prompt(
        "script_regenerate",
        locale=locale,
        script=script_as_text(base),
        part=passage[0] if passage else None,
        section=passage[1] if passage else None,
        instruction=instruction,
        language=LANGUAGE_NAMES[base.language],
        words_target=target_words(base.language, base.duration_seconds),
    )
    if section is None:
        revised = _written_text(await llm.structured(prompt, WrittenScript, name="script", locale=locale), base)
    else:
        part = await llm.structured(prompt, WrittenPart, name="script_part", locale=locale)
        revised = _with_part(base, section, part)

    if draft is not None:
        _apply(draft, revised)
        await _keep_version(db, draft, "regenerated")
    log.info(
        "scriptai.revised",
        user_id=str(user.id),
        draft_id=str(draft.id) if draft else None,
        section=section if section is not None else "all",
    )
    return Revision(script=measure(revised), draft=draft)


# -- drafts --------------------------------------------------------------------------------------


def _searchable(text: str) -> str:
    """``text`` without accents or case, so searches match however the creator types."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def text_of(draft: Draft) -> ScriptText:
    """The script a draft holds."""
    return msgspec.convert(draft.content, ScriptText)


def script_of(draft: Draft) -> Script:
    """The script a draft holds, measured."""
    return measure(text_of(draft))


def _apply(draft: Draft, text: ScriptText) -> None:
    """Make ``text`` the draft's current script."""
    draft.title = text.title
    draft.topic = text.topic
    draft.platform = text.platform
    draft.language = text.language
    draft.duration_seconds = text.duration_seconds
    draft.content = msgspec.to_builtins(text)
    draft.search_text = _searchable(" ".join([text.topic, script_as_text(text)]))


def _check_version(draft: Draft, version: int | None) -> None:
    if version is not None and version != draft.version:
        raise Conflict(
            N_(
                "This draft was changed elsewhere and is now at version {current}. Reload it, then make your "
                "changes again."
            ),
            current=draft.version,
        )


async def _keep_version(db: AsyncSession, draft: Draft, reason: str) -> None:
    """Record the draft's current script as its next version."""
    if reason != "created":
        draft.version += 1
    db.add(
        DraftVersion(
            draft_id=draft.id,
            owner_id=draft.owner_id,
            number=draft.version,
            reason=reason,
            title=draft.title,
            content=draft.content,
        )
    )
    try:
        await db.flush()
    except IntegrityError:
        # Another request saved the same version number first.
        raise Conflict() from None
    log.info("scriptai.draft_versioned", draft_id=str(draft.id), version=draft.version, reason=reason)


async def create_draft(db: AsyncSession, user: User, text: ScriptText) -> Draft:
    """Save a new draft for ``user`` (version 1)."""
    draft = Draft(owner_id=user.id, version=1)
    _apply(draft, check_text(text, user))
    db.add(draft)
    await db.flush()
    await _keep_version(db, draft, "created")
    log.info("scriptai.draft_created", user_id=str(user.id), draft_id=str(draft.id))
    return draft


async def get_draft(db: AsyncSession, user: User, draft_id: uuid.UUID) -> Draft:
    """The creator's draft; another creator's is not found."""
    draft = await db.scalar(select(Draft).where(Draft.id == draft_id, Draft.owner_id == user.id))
    if draft is None:
        raise NotFound(N_("This draft does not exist, or it was deleted."))
    return draft


async def list_drafts(db: AsyncSession, user: User, *, query: str = "", page: int = 1, per_page: int = 20) -> DraftPage:
    """The creator's drafts whose text holds every word of ``query``, last changed first."""
    condition = [Draft.owner_id == user.id]
    for word in _searchable(query).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        condition.append(Draft.search_text.like(f"%{escaped}%", escape="\\"))

    total = await db.scalar(select(func.count()).select_from(Draft).where(*condition)) or 0
    rows = await db.scalars(
        select(Draft)
        .where(*condition)
        .order_by(Draft.updated_at.desc(), Draft.created_at.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return DraftPage(drafts=list(rows), total=total, page=page, per_page=per_page)


async def recent_drafts(db: AsyncSession, user: User, *, limit: int) -> list[Draft]:
    """The creator's last changed drafts."""
    return (await list_drafts(db, user, per_page=limit)).drafts


async def update_draft(db: AsyncSession, user: User, draft_id: uuid.UUID, text: ScriptText, *, version: int) -> Draft:
    """Save ``text`` over the draft, if the creator's copy was ``version`` (else 409)."""
    draft = await get_draft(db, user, draft_id)
    _check_version(draft, version)
    _apply(draft, check_text(text, user))
    await _keep_version(db, draft, "saved")
    return draft


async def delete_draft(db: AsyncSession, user: User, draft_id: uuid.UUID) -> None:
    """Delete the draft and all its versions."""
    draft = await get_draft(db, user, draft_id)
    await db.delete(draft)
    log.info("scriptai.draft_deleted", user_id=str(user.id), draft_id=str(draft_id))


async def list_versions(db: AsyncSession, user: User, draft_id: uuid.UUID) -> list[DraftVersion]:
    """Every version of the creator's draft, newest first."""
    draft = await get_draft(db, user, draft_id)
    rows = await db.scalars(
        select(DraftVersion).where(DraftVersion.draft_id == draft.id).order_by(DraftVersion.number.desc())
    )
    return list(rows)


async def get_version(db: AsyncSession, user: User, draft_id: uuid.UUID, number: int) -> DraftVersion:
    """Version ``number`` of the creator's draft."""
    draft = await get_draft(db, user, draft_id)
    row = await db.scalar(select(DraftVersion).where(DraftVersion.draft_id == draft.id, DraftVersion.number == number))
    if row is None:
        raise NotFound(N_("This draft has no such version."))
    return row


async def restore_version(
    db: AsyncSession, user: User, draft_id: uuid.UUID, number: int, *, version: int | None = None
) -> Draft:
    """Make version ``number`` the draft's script again, as a new version (history is never rewritten)."""
    row = await get_version(db, user, draft_id, number)
    draft = await get_draft(db, user, draft_id)
    _check_version(draft, version)
    _apply(draft, msgspec.convert(row.content, ScriptText))
    await _keep_version(db, draft, "restored")
    log.info("scriptai.version_restored", user_id=str(user.id), draft_id=str(draft.id), restored=number)
    return draft


def summary_of(row: DraftVersion | Draft) -> dict[str, Any]:
    """Length figures of a stored script, for lists: words and estimated seconds."""
    script = measure(msgspec.convert(row.content, ScriptText))
    return {"word_count": script.word_count, "estimated_seconds": script.estimated_seconds}

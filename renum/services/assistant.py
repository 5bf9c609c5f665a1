"""The AI assistant: conversations with a creator, answered with their own work in view.

Each answer is asked with a system prompt that holds the creator's profile (name, and niche,
audience, tone and platforms once the profile has them), their last changed drafts and, when
scheduling exists, what is scheduled; then the conversation's latest turns. Both are bounded
(:data:`HISTORY_MESSAGES`, :data:`HISTORY_CHARS`, and the prompt's own cut of the lists), so a long
conversation or a busy account never grows the request without limit.

A turn is kept only once the assistant has answered: the creator's message and the reply are saved
together, so a failed call leaves no half turn behind.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from babel.dates import format_date, format_datetime
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renum import models
from renum.clients.llm import AIBadReply, LLMClient, Message, prompt_locale, render_prompt
from renum.db import utcnow
from renum.errors import InvalidInput, NotFound
from renum.i18n import N_
from renum.models import ChatMessage, Conversation, User
from renum.services import publishing, scriptai
from renum.services.integrations import PLATFORMS

__all__ = [
    "HISTORY_CHARS",
    "HISTORY_MESSAGES",
    "MAX_MESSAGE",
    "ChatTurn",
    "Exchange",
    "chat",
    "context_for",
    "delete_conversation",
    "get_conversation",
    "list_conversations",
    "list_messages",
    "prepare_turn",
    "record_turn",
    "stream_chat",
]

log = structlog.get_logger(__name__)

MAX_MESSAGE = 4000
"""The longest message a creator can send, in characters."""
HISTORY_MESSAGES = 20
"""How many of the conversation's latest messages go with each question."""
HISTORY_CHARS = 12_000
"""And how many characters of them at most: older turns are dropped first."""
RECENT_DRAFTS = 10
"""How many of the creator's last changed drafts the assistant is told about."""
UPCOMING_POSTS = 10
"""And how many of their next scheduled posts."""
TITLE_LENGTH = 60
"""A new conversation is titled with its first message, cut to this many characters."""

_LANGUAGE_NAMES = {"pt_BR": "português do Brasil", "en": "English"}
_DRAFT_STATUS = {"pt_BR": "rascunho", "en": "draft"}


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """A question ready to be asked: the message, its conversation (``None`` for a new one), the prompt."""

    message: str
    conversation: Conversation | None
    prompt: list[Message]


@dataclass(frozen=True, slots=True)
class Exchange:
    """A turn as kept: the conversation, the creator's message and the assistant's reply."""

    conversation: Conversation
    question: ChatMessage
    reply: ChatMessage


def _check_message(message: str) -> str:
    message = message.strip()
    if not message:
        raise InvalidInput(fields={"message": N_("Write a message.")})
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(fields={"message": N_("Keep the message under 4,000 characters.")})
    return message


def _title(message: str) -> str:
    """A conversation's title: the start of its first message, cut at a word."""
    line = " ".join(message.split())
    if len(line) <= TITLE_LENGTH:
        return line
    return line[:TITLE_LENGTH].rsplit(" ", 1)[0] + "…"


def _read(source: Any, name: str) -> str:
    value = getattr(source, name, None) if source is not None else None
    return str(value).strip() if value else ""


async def _profile(db: AsyncSession, user: User) -> dict[str, Any]:
    """The profile the prompt shows.

    Niche and audience come from the onboarding's profile; it is read through ``getattr`` so that the
    assistant works the same on a database from before it (the prompt then shows the name only).
    """
    profile_model = getattr(models, "CreatorProfile", None)
    profile = None
    if profile_model is not None:
        profile = await db.scalar(select(profile_model).where(profile_model.owner_id == user.id))
    platforms = getattr(profile, "platforms", None) or []
    return {
        "name": user.name or user.email.split("@")[0],
        "niche": _read(profile, "niche") or _read(user, "niche"),
        "audience": _read(profile, "audience") or _read(user, "audience"),
        "tone": _read(profile, "tone") or _read(user, "tone"),
        "platforms": [str(p) for p in platforms] if isinstance(platforms, list | tuple) else [],
    }


async def context_for(db: AsyncSession, user: User) -> dict[str, Any]:
    """What the assistant knows of the creator: profile, recent drafts, scheduled posts, today."""
    locale = prompt_locale(user.language)
    drafts = await scriptai.recent_drafts(db, user, limit=RECENT_DRAFTS)
    zone = ZoneInfo(user.timezone)
    today = datetime.now(zone).date()
    return {
        "language": _LANGUAGE_NAMES[locale],
        "today": format_date(today, "full", locale=locale),
        "profile": await _profile(db, user),
        "drafts": [
            {
                "title": draft.title,
                "platform": draft.platform,
                "status": _DRAFT_STATUS[locale],
                "seconds": scriptai.script_of(draft).estimated_seconds,
            }
            for draft in drafts
        ],
        "scheduled_posts": [
            {
                "when": format_datetime(post.publish_at.astimezone(zone), "full", locale=locale),
                "platform": PLATFORMS[post.platform].name,
                "text": post.text,
            }
            for post in await publishing.upcoming_posts(db, user, limit=UPCOMING_POSTS)
        ],
    }


def _bounded(history: Sequence[ChatMessage]) -> list[Message]:
    """The latest messages that fit :data:`HISTORY_MESSAGES` and :data:`HISTORY_CHARS`, oldest first."""
    kept: list[Message] = []
    size = 0
    for row in reversed(history[-HISTORY_MESSAGES:]):
        size += len(row.content)
        if size > HISTORY_CHARS:
            break
        kept.append(Message("assistant" if row.role == "assistant" else "user", row.content))
    return kept[::-1]


async def get_conversation(db: AsyncSession, user: User, conversation_id: uuid.UUID) -> Conversation:
    """The creator's conversation; another creator's is not found."""
    conversation = await db.scalar(
        select(Conversation).where(Conversation.id == conversation_id, Conversation.owner_id == user.id)
    )
    if conversation is None:
        raise NotFound(N_("This conversation does not exist, or it was deleted."))
    return conversation


async def list_messages(db: AsyncSession, conversation: Conversation) -> list[ChatMessage]:
    """A conversation's messages in order."""
    rows = await db.scalars(
        select(ChatMessage).where(ChatMessage.conversation_id == conversation.id).order_by(ChatMessage.position)
    )
    return list(rows)


async def list_conversations(db: AsyncSession, user: User, *, limit: int = 50) -> list[Conversation]:
    """The creator's conversations, the last active first."""
    rows = await db.scalars(
        select(Conversation)
        .where(Conversation.owner_id == user.id)
        .order_by(Conversation.updated_at.desc(), Conversation.created_at.desc())
        .limit(limit)
    )
    return list(rows)


async def delete_conversation(db: AsyncSession, user: User, conversation_id: uuid.UUID) -> None:
    """Delete the conversation and its messages."""
    conversation = await get_conversation(db, user, conversation_id)
    await db.delete(conversation)
    log.info("assistant.conversation_deleted", user_id=str(user.id), conversation_id=str(conversation_id))


async def prepare_turn(
    db: AsyncSession, user: User, *, message: str, conversation_id: uuid.UUID | None = None
) -> ChatTurn:
    """Check the message and build the prompt for it: context, bounded history, the message.

    Raises:
        InvalidInput: the message is empty or too long.
        NotFound: the conversation is not the creator's.
    """
    message = _check_message(message)
    conversation = await get_conversation(db, user, conversation_id) if conversation_id else None
    history = await list_messages(db, conversation) if conversation else []

    system = render_prompt("assistant_system", locale=user.language, **await context_for(db, user))
    return ChatTurn(
        message=message, conversation=conversation, prompt=[*system, *_bounded(history), Message("user", message)]
    )


async def record_turn(db: AsyncSession, user: User, turn: ChatTurn, reply: str) -> Exchange:
    """Keep the creator's message and the assistant's reply (a new conversation starts here)."""
    reply = reply.strip()
    if not reply:
        raise AIBadReply("the assistant's reply is empty")

    conversation = turn.conversation
    if conversation is None:
        conversation = Conversation(owner_id=user.id, title=_title(turn.message))
        db.add(conversation)
        await db.flush()
    else:
        # The turn may have been prepared in another session (a streamed reply is saved after it ends).
        conversation = await get_conversation(db, user, conversation.id)

    last = await db.scalar(select(func.max(ChatMessage.position)).where(ChatMessage.conversation_id == conversation.id))
    position = (last or 0) + 1
    question = ChatMessage(
        conversation_id=conversation.id, owner_id=user.id, position=position, role="user", content=turn.message
    )
    answer = ChatMessage(
        conversation_id=conversation.id, owner_id=user.id, position=position + 1, role="assistant", content=reply
    )
    db.add_all([question, answer])
    conversation.updated_at = utcnow()
    await db.flush()
    log.info("assistant.replied", user_id=str(user.id), conversation_id=str(conversation.id), position=position)
    return Exchange(conversation=conversation, question=question, reply=answer)


async def chat(
    db: AsyncSession, llm: LLMClient, user: User, *, message: str, conversation_id: uuid.UUID | None = None
) -> Exchange:
    """Ask the assistant ``message`` in a conversation (a new one without ``conversation_id``) and keep the turn.

    Raises:
        InvalidInput: the message is empty or too long.
        NotFound: the conversation is not the creator's.
        AIError: the model failed; nothing is kept.
    """
    turn = await prepare_turn(db, user, message=message, conversation_id=conversation_id)
    reply = await llm.complete(turn.prompt)
    return await record_turn(db, user, turn, reply)


async def stream_chat(llm: LLMClient, turn: ChatTurn) -> AsyncGenerator[str, None]:
    """The assistant's reply to a prepared turn, piece by piece; keep it with :func:`record_turn` once complete."""
    async for piece in llm.stream(turn.prompt):
        yield piece

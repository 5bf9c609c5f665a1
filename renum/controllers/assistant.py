"""The AI assistant: a chat that knows the creator's work, and the conversations it keeps.

``POST /api/assistant/chat`` is the SPA's call (and the old backend's path); the page ``/assistant``
sends its messages to ``/api/assistant/chat/stream`` instead, to show the reply as it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import ServerSentEvent, Template
from litestar.response.sse import ServerSentEventMessage
from msgspec import Struct

from renum.clients.llm import LLMClient
from renum.models import ChatMessage, Conversation, User
from renum.services import assistant
from renum.services.assistant import ChatTurn
from renum.web.ai import AI, AI_DEPENDENCIES, ai_missing, event, limit_ai_calls, render_partial, stream_events
from renum.web.deps import DB, AppSettings, CurrentCreator
from renum.web.representation import respond

__all__ = ["AssistantController"]

CHANGED = {"HX-Trigger": "conversation-changed"}
"""Tells the page's conversation list (which listens for it) to refresh itself."""


class ChatRequest(Struct, forbid_unknown_fields=False):
    """A message for the assistant; without ``conversation_id`` it starts a new conversation."""

    message: str = ""
    conversation_id: uuid.UUID | None = None


class MessageView(Struct):
    """One message of a conversation."""

    id: uuid.UUID
    role: str
    content: str
    created_at: datetime

    @classmethod
    def of(cls, row: ChatMessage) -> MessageView:
        return cls(id=row.id, role=row.role, content=row.content, created_at=row.created_at)


class ChatReply(Struct):
    """The assistant's answer and the conversation it belongs to."""

    reply: str
    conversation_id: uuid.UUID
    title: str
    question: MessageView
    answer: MessageView


class ConversationSummary(Struct):
    """A conversation as listed."""

    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Conversation) -> ConversationSummary:
        return cls(id=row.id, title=row.title, created_at=row.created_at, updated_at=row.updated_at)


class ConversationView(Struct):
    """A conversation with its messages in order."""

    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime
    messages: list[MessageView]


def _reply(exchange: assistant.Exchange) -> ChatReply:
    return ChatReply(
        reply=exchange.reply.content,
        conversation_id=exchange.conversation.id,
        title=exchange.conversation.title,
        question=MessageView.of(exchange.question),
        answer=MessageView.of(exchange.reply),
    )


async def _reply_events(
    request: Request[Any, Any, State], llm: LLMClient, creator: User, turn: ChatTurn
) -> AsyncIterator[ServerSentEventMessage]:
    """``delta`` for each piece of the reply, then ``reply`` once it is kept (the request's session has closed
    by then, so the turn is saved in a session of its own)."""
    pieces = []
    async for piece in assistant.stream_chat(llm, turn):
        pieces.append(piece)
        yield event("delta", text=piece)

    async with request.app.state.session_factory() as db:
        exchange = await assistant.record_turn(db, creator, turn, "".join(pieces))
        await db.commit()
    answer = _reply(exchange)
    html = render_partial(request, "assistant/_message.html", message=answer.answer)
    yield event("reply", reply=answer.reply, conversation_id=str(answer.conversation_id), title=answer.title, html=html)


class AssistantController(Controller):
    """Chatting with the assistant, and the creator's conversations."""

    tags = ["assistant"]
    dependencies = AI_DEPENDENCIES

    @get("/assistant", include_in_schema=False)
    async def assistant_page(self, request: Request[Any, Any, State], db: DB, creator: CurrentCreator) -> Template:
        """The chat, with the creator's conversations beside it."""
        return await self._page(request, db, creator, None)

    @get("/assistant/{conversation_id:uuid}", include_in_schema=False)
    async def conversation_page(
        self, request: Request[Any, Any, State], conversation_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Template:
        """A conversation reopened where it stopped."""
        return await self._page(request, db, creator, conversation_id)

    @staticmethod
    async def _page(
        request: Request[Any, Any, State], db: DB, creator: User, conversation_id: uuid.UUID | None
    ) -> Template:
        conversation = await assistant.get_conversation(db, creator, conversation_id) if conversation_id else None
        messages = await assistant.list_messages(db, conversation) if conversation else []
        conversations = await assistant.list_conversations(db, creator)
        return Template(
            "assistant/index.html",
            context={
                "ai_missing": ai_missing(request),
                "conversation": conversation,
                "messages": [MessageView.of(row) for row in messages],
                "conversations": [ConversationSummary.of(row) for row in conversations],
            },
        )

    @post("/api/assistant/chat", status_code=200, summary="Ask the assistant")
    async def chat(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[ChatRequest],
        db: DB,
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> Response[ChatReply]:
        """The reply and the conversation id (a new conversation when none was given)."""
        await limit_ai_calls(request, settings, creator)
        exchange = await assistant.chat(db, llm, creator, message=data.message, conversation_id=data.conversation_id)
        return respond(request, _reply(exchange), partial="assistant/_exchange.html", headers=CHANGED)

    @post("/api/assistant/chat/stream", status_code=200, summary="Ask the assistant, the reply streamed")
    async def chat_stream(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[ChatRequest],
        db: DB,
        creator: CurrentCreator,
        llm: AI,
        settings: AppSettings,
    ) -> ServerSentEvent:
        """Server-sent events: ``delta`` ``{text}`` while the reply is written, then ``reply``
        ``{reply, conversation_id, title, html}`` once it is kept (or ``error``)."""
        await limit_ai_calls(request, settings, creator)
        turn = await assistant.prepare_turn(db, creator, message=data.message, conversation_id=data.conversation_id)
        return stream_events(_reply_events(request, llm, creator, turn))

    @get("/api/assistant/conversations", summary="The creator's conversations")
    async def list_conversations(
        self, request: Request[Any, Any, Any], db: DB, creator: CurrentCreator
    ) -> Response[list[ConversationSummary]]:
        """The last 50 conversations, the last active first."""
        rows = await assistant.list_conversations(db, creator)
        return respond(request, [ConversationSummary.of(row) for row in rows], partial="assistant/_conversations.html")

    @get("/api/assistant/conversations/{conversation_id:uuid}", summary="A conversation and its messages")
    async def get_conversation(
        self, conversation_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> ConversationView:
        """Every message, in order."""
        conversation = await assistant.get_conversation(db, creator, conversation_id)
        messages = await assistant.list_messages(db, conversation)
        summary = ConversationSummary.of(conversation)
        return ConversationView(
            id=summary.id,
            title=summary.title,
            created_at=summary.created_at,
            updated_at=summary.updated_at,
            messages=[MessageView.of(row) for row in messages],
        )

    @delete("/api/assistant/conversations/{conversation_id:uuid}", status_code=200, summary="Delete a conversation")
    async def delete_conversation(
        self, request: Request[Any, Any, Any], conversation_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[dict[str, Any]]:
        """Gone, with its messages."""
        await assistant.delete_conversation(db, creator, conversation_id)
        return respond(request, {"id": str(conversation_id), "deleted": True}, partial="_empty.html")

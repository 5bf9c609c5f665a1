"""What every AI route shares: the app's one LLM client, the 503 when it is not set up, the per-creator
limit, and the server-sent events that stream a model's text into a page.

A stream's events carry JSON: ``delta`` ``{"text"}`` for each piece of text as the model writes it,
then one event that closes it (its name and content are the route's), or ``error`` with the same
``{"status", "code", "message", "fields"}`` a JSON error answer has. Errors found before the stream
starts (401, 422, 429, 503) are ordinary error answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from renum.clients.llm import AINotConfigured, LLMClient
from renum.config import Settings
from renum.models import User
from renum.web.errors import describe
from renum.web.ratelimit import enforce_rate_limit

__all__ = [
    "AI",
    "AI_DEPENDENCIES",
    "ai_missing",
    "event",
    "limit_ai_calls",
    "provide_llm",
    "render_partial",
    "stream_events",
]

AI = NamedDependency[LLMClient]
"""``llm``: the app's LLM client, built once in the lifespan; asking for it answers 503 when AI is not set up."""


def provide_llm(state: State, creator: NamedDependency[User]) -> LLMClient:
    """The app's LLM client, or :class:`AINotConfigured` (503, naming the settings) when it has neither key nor URL.

    It asks for the creator first, so an anonymous caller is told to sign in (401), not about the AI set-up.
    """
    llm: LLMClient = state.llm
    if not llm.is_configured:
        raise AINotConfigured()
    return llm


AI_DEPENDENCIES = {"llm": Provide(provide_llm, sync_to_thread=False)}
"""Dependencies of a controller whose handlers call the model."""


def ai_missing(request: Request[Any, Any, State]) -> str | None:
    """For pages: the (untranslated) message naming the settings to set when the AI is not set up, else None."""
    llm: LLMClient = request.app.state.llm
    return None if llm.is_configured else AINotConfigured.default_message


async def limit_ai_calls(request: Request[Any, Any, State], settings: Settings, creator: User) -> None:
    """Count one AI request by ``creator``; past ``RENUM_AI_RATE_LIMIT`` in a minute, answer 429."""
    await enforce_rate_limit(
        request.app.state.redis,
        namespace=settings.redis.queue_name,
        bucket="ai",
        who=str(creator.id),
        per_minute=settings.ai.rate_limit,
    )


def event(name: str, **payload: Any) -> ServerSentEventMessage:
    """A server-sent event named ``name`` whose data is ``payload`` as one line of JSON."""
    return ServerSentEventMessage(event=name, data=msgspec.json.encode(payload).decode())


def stream_events(events: AsyncIterator[ServerSentEventMessage]) -> ServerSentEvent:
    """Answer ``events`` as a stream; an exception raised while it runs ends it with an ``error`` event."""

    async def guarded() -> AsyncIterator[ServerSentEventMessage]:
        try:
            async for item in events:
                yield item
        except Exception as exc:
            # The answer has started: the error can only be told inside the stream.
            answer = describe(exc)
            yield event("error", status=answer.status, code=answer.code, message=answer.message, fields=answer.fields)

    return ServerSentEvent(guarded(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def render_partial(request: Request[Any, Any, Any], name: str, **context: Any) -> str:
    """The HTML of partial ``name`` with ``context``, for a page that receives it inside a stream."""
    engine = request.app.template_engine
    if engine is None:
        raise RuntimeError("the app has no template engine")
    template = engine.get_template(name)
    return str(template.render(request=request, **context))

"""The LLM behind ScriptAI, captions and the assistant: any server that speaks OpenAI's chat API.

OpenAI, Ollama (``http://localhost:11434/v1``) and llama.cpp's ``llama-server`` all work: the base
URL, key and model come from :class:`~renum.config.AISettings`. This module is the only code that
calls them. It offers three calls on :class:`LLMClient`:

- :meth:`~LLMClient.complete` for a short text, :meth:`~LLMClient.stream` for a long one;
- :meth:`~LLMClient.structured` for a reply shaped like a msgspec Struct or pydantic model, asked
  through a JSON schema where the server supports one and always validated here.
- :meth:`~LLMClient.transcribe` for the words of an audio file, with segment and word timestamps.

Prompts are files under ``renum/prompts/<locale>/<name>.jinja``, filled by :func:`render_prompt`.
Failures surface as :class:`AIError` subclasses carrying a code, a constant message for the creator
and the HTTP status RENUM answers with.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import jinja2
import msgspec
import pydantic
import structlog
from jinja2.sandbox import SandboxedEnvironment
from openai import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AsyncOpenAI,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    omit,
)
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.completion_usage import CompletionUsage
from openai.types.shared_params import ResponseFormatJSONSchema

from renum.clients.http import RetryPolicy
from renum.config import AISettings
from renum.errors import RenumError
from renum.i18n import N_

__all__ = [
    "PROMPT_LOCALES",
    "AIBadReply",
    "AIError",
    "AIInvalidKey",
    "AIModelNotFound",
    "AINotConfigured",
    "AIQuotaExceeded",
    "AIRateLimited",
    "AIRequestRejected",
    "AITranscriptionUnsupported",
    "AIUnavailable",
    "Conversation",
    "LLMClient",
    "Message",
    "TimedText",
    "Transcription",
    "json_schema",
    "prompt_locale",
    "render_prompt",
]

log = structlog.get_logger(__name__)

T = TypeVar("T", bound=msgspec.Struct | pydantic.BaseModel)
_R = TypeVar("_R")

PROMPT_LOCALES = ("pt_BR", "en")
"""Locales that have a prompt folder; the first is RENUM's default."""

_SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)
_CODE_FENCE = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)```", re.DOTALL)
_INVALID_REPLY = (msgspec.ValidationError, msgspec.DecodeError, pydantic.ValidationError)
_ERROR_DETAIL_LIMIT = 1000

# Ollama and llama.cpp need no key, but the SDK refuses to start without one and they ignore it.
_KEY_FOR_KEYLESS_SERVERS = "no-key"


# -- errors -------------------------------------------------------------------------------------


class AIError(RenumError):
    """A failed LLM call: a stable ``code``, a constant ``message`` for the creator, our ``status_code``.

    ``detail`` holds what the server said, for logs only: it is never shown to the creator.
    """

    code = "ai_error"
    status_code = 502
    default_message = N_("The AI server could not answer this request. Try again in a moment.")

    def __init__(self, detail: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(headers=headers)
        self.detail = detail


class AINotConfigured(AIError):
    """Neither an API key nor a base URL is set."""

    code = "ai_not_configured"
    default_message = N_(
        "The AI is not set up. Set RENUM_AI_API_KEY (for OpenAI) or RENUM_AI_BASE_URL (for a server of "
        "your own, such as Ollama) and restart RENUM."
    )
    status_code = 503


class AIInvalidKey(AIError):
    """The server refused the API key (401)."""

    code = "ai_invalid_key"
    default_message = N_("The AI server refused the API key. Check RENUM_AI_API_KEY and restart RENUM.")
    status_code = 502


class AIRateLimited(AIError):
    """The server kept answering 429 after our retries; ``retry_after`` is its last hint, in seconds."""

    code = "ai_rate_limited"
    default_message = N_("The AI server is receiving too many requests. Wait a minute and try again.")
    status_code = 429

    def __init__(self, detail: str = "", *, retry_after: float | None = None) -> None:
        hint = {"Retry-After": str(math.ceil(retry_after))} if retry_after and retry_after > 0 else None
        super().__init__(detail, headers=hint)
        self.retry_after = retry_after


class AIQuotaExceeded(AIError):
    """The account behind the key has no credit left (429 ``insufficient_quota``): retrying cannot help."""

    code = "ai_quota_exceeded"
    default_message = N_(
        "The AI account has run out of credit. Check the plan and billing of the account behind RENUM_AI_API_KEY."
    )
    status_code = 503


class AIUnavailable(AIError):
    """Server errors, timeouts or refused connections, after our retries."""

    code = "ai_unavailable"
    default_message = N_(
        "The AI server is not answering. Try again in a few minutes; if you run your own server, check "
        "that it is running at RENUM_AI_BASE_URL."
    )
    status_code = 503


class AIModelNotFound(AIError):
    """The server answered 404: an unknown model, or a base URL missing its ``/v1``."""

    code = "ai_model_not_found"
    default_message = N_(
        "The AI server does not know the configured model. Check RENUM_AI_MODEL, and RENUM_AI_BASE_URL "
        "(it usually ends in /v1)."
    )
    status_code = 502


class AIBadReply(AIError):
    """The model's reply could not be used, even after asking once for a repair."""

    code = "ai_bad_reply"
    default_message = N_(
        "The AI answered in a form RENUM could not use. Try again; if it keeps happening, a larger model may be needed."
    )
    status_code = 502


class AIRequestRejected(AIError):
    """Any other refusal (400, 403...): the server did not accept what we sent."""

    code = "ai_request_rejected"


class AITranscriptionUnsupported(AIRequestRejected):
    """The transcription model gives no timestamps (``gpt-4o-transcribe`` refuses ``verbose_json``)."""

    code = "ai_transcription_unsupported"
    default_message = N_(
        "The transcription model cannot give word timings. Set RENUM_AI_TRANSCRIPTION_MODEL to whisper-1 "
        "(or a server's Whisper model) and restart RENUM."
    )


class _JsonSchemaRejected(AIRequestRejected):
    """The server does not take ``response_format`` of type json_schema; structured() falls back."""


# -- messages and prompts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimedText:
    """A piece of a transcription: a segment (a phrase) or a single word, in seconds of its audio."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Transcription:
    """What the transcription model heard in one audio file."""

    text: str
    language: str
    duration: float
    segments: list[TimedText]
    words: list[TimedText]


class Message(msgspec.Struct, frozen=True):
    """One turn of a conversation with the model."""

    role: Literal["system", "user", "assistant"]
    content: str


Conversation = str | Sequence[Message]
"""What the calls take: a single user message, or the whole conversation."""

# Prompts are plain text, not HTML, so nothing is escaped; the sandbox keeps templates from reaching
# into the objects they are given, and StrictUndefined turns a forgotten variable into an error.
_prompts = SandboxedEnvironment(
    loader=jinja2.PackageLoader("renum", "prompts"),
    autoescape=False,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def prompt_locale(locale: str | None) -> str:
    """The prompt folder for a locale: ``pt-BR`` or ``pt`` give ``pt_BR``; ones without a folder ``en``."""
    tag = (locale or PROMPT_LOCALES[0]).replace("-", "_").lower()
    for known in PROMPT_LOCALES:
        if tag == known.lower():
            return known
    for known in PROMPT_LOCALES:
        if tag.split("_")[0] == known.split("_")[0].lower():
            return known
    return "en"


def render_prompt(name: str, *, locale: str | None = None, **variables: Any) -> list[Message]:
    """The messages of prompt ``name`` in the creator's ``locale``, filled with ``variables``.

    A prompt file defines a ``system`` block, a ``user`` block, or both; each becomes one message.

    Raises:
        jinja2.TemplateNotFound: no such prompt.
        jinja2.UndefinedError: a variable the prompt uses was not given.
    """
    template = _prompts.get_template(f"{prompt_locale(locale)}/{name}.jinja")
    context = template.new_context(variables)

    messages = []
    for role in ("system", "user"):
        block = template.blocks.get(role)
        if block is not None:
            messages.append(Message(role, "".join(block(context)).strip()))
    return messages


def json_schema(schema: type[T]) -> dict[str, Any]:
    """The JSON schema of ``schema`` in the form OpenAI's strict structured outputs accept.

    The root is the object itself (not a ``$ref``), every object lists all its properties as
    required and forbids others, and defaults are dropped (the model must write every field).
    """
    if issubclass(schema, pydantic.BaseModel):
        return _strict_root(schema.model_json_schema())
    return _strict_root(msgspec.json.schema(schema))


def _strict_root(document: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in document:
        definitions = dict(document.get("$defs", {}))
        document = definitions.pop(document["$ref"].rsplit("/", 1)[-1])
        if definitions:
            document = {**document, "$defs": definitions}
    return cast(dict[str, Any], _strict(document))


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node

    strict = {key: _strict(value) for key, value in node.items() if key != "default"}
    if strict.get("type") == "object" and "properties" in node:
        strict["required"] = list(node["properties"])
        strict["additionalProperties"] = False
    return strict


# -- the client ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Sampling:
    temperature: float | None = None
    max_tokens: int | None = None


class LLMClient:
    """Chat with the configured OpenAI-compatible server.

    Building one never fails, so the app starts without AI settings; each call then raises
    :class:`AINotConfigured`. Keep one per process: it holds a connection pool and remembers
    whether the server takes JSON schemas.
    """

    def __init__(self, settings: AISettings, *, retry: RetryPolicy | None = None) -> None:
        """Prepare a client for ``settings``; ``retry`` defaults to the shared client policy.

        Retries cover 429, 5xx, timeouts and refused connections, honouring ``Retry-After`` up to
        ``retry.max_retry_after``; a longer hint gives up at once with :class:`AIRateLimited`.
        """
        self.settings = settings
        self.retry = retry or RetryPolicy()
        self._json_schema_supported = True
        self._sdk: AsyncOpenAI | None = None
        if self.is_configured:
            self._sdk = AsyncOpenAI(
                api_key=settings.api_key or _KEY_FOR_KEYLESS_SERVERS,
                base_url=settings.base_url,
                timeout=settings.timeout,
                # Retries are ours: they honour Retry-After, log each attempt and can be tuned in tests.
                max_retries=0,
            )

    @property
    def is_configured(self) -> bool:
        """Whether a key or a base URL is set (a local server such as Ollama needs no key)."""
        return bool(self.settings.api_key or self.settings.base_url)

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._sdk is not None:
            await self._sdk.close()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def complete(
        self, prompt: Conversation, *, temperature: float | None = None, max_tokens: int | None = None
    ) -> str:
        """The model's reply to ``prompt``, as text.

        Raises:
            AIError: one of its subclasses, ready to be answered with its status code.
        """
        completion = await self._create(_messages(prompt), call="complete", sampling=_Sampling(temperature, max_tokens))
        return _content(completion)

    async def stream(
        self, prompt: Conversation, *, temperature: float | None = None, max_tokens: int | None = None
    ) -> AsyncGenerator[str, None]:
        """The model's reply to ``prompt``, piece by piece as it is written.

        Only opening the stream is retried: once text has been handed out, a failure raises.

        Raises:
            AIError: one of its subclasses.
        """
        sdk = self._client()
        sampling = _Sampling(temperature, max_tokens)
        started = time.monotonic()
        chunks = await self._with_retries(
            "stream",
            lambda: sdk.chat.completions.create(
                model=self.settings.model,
                messages=_params(_messages(prompt)),
                stream=True,
                stream_options={"include_usage": True},
                temperature=_given(sampling.temperature),
                max_tokens=_given(sampling.max_tokens),
            ),
        )

        usage: CompletionUsage | None = None
        model = self.settings.model
        finished = False
        try:
            async with chunks:
                async for chunk in chunks:
                    usage = chunk.usage or usage
                    model = chunk.model or model
                    for choice in chunk.choices:
                        if choice.delta.content:
                            yield choice.delta.content
            finished = True
        except APIError as exc:
            raise self._failed("stream", exc, attempts=1) from exc
        finally:
            _log_usage("stream", model=model, usage=usage, started=started, finished=finished)

    async def structured(
        self,
        prompt: Conversation,
        schema: type[T],
        *,
        name: str,
        locale: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
    ) -> T:
        """The model's reply to ``prompt`` as an instance of ``schema`` (a msgspec Struct or pydantic model).

        The reply is asked through a strict JSON schema named ``name``; a server that refuses JSON
        schemas is asked through instructions instead (and remembered). Either way the reply is
        validated here, and an invalid one is sent back once with the error for a repair. ``locale``
        picks the language of those instructions and of the repair request.

        Raises:
            AIBadReply: the repaired reply is still invalid.
            AIError: any other subclass, from the calls themselves.
        """
        if not _SCHEMA_NAME.match(name):
            raise ValueError(f"schema name {name!r} must be 1-64 letters, digits, '_' or '-'")
        document = json_schema(schema)
        sampling = _Sampling(temperature, max_tokens)

        reply, messages, response_format = await self._ask_for_json(
            _messages(prompt), document, name=name, locale=locale, sampling=sampling
        )
        try:
            return _decode(reply, schema)
        except _INVALID_REPLY as exc:
            error = _describe(exc)
        log.warning("llm.reply_invalid", name=name, model=self.settings.model, error=error)

        repair = render_prompt("json_repair", locale=locale, error=error, schema=_schema_text(document))
        messages = [*messages, Message("assistant", reply), *repair]
        completion = await self._create(
            messages, call="structured_repair", name=name, response_format=response_format, sampling=sampling
        )
        try:
            return _decode(_content(completion), schema)
        except _INVALID_REPLY as exc:
            log.warning("llm.bad_reply", name=name, model=self.settings.model, error=_describe(exc))
            raise AIBadReply(_describe(exc)) from exc

    async def models(self) -> list[str]:
        """The ids of the models the server offers (a cheap check that address and key work).

        Raises:
            AIError: one of its subclasses.
        """
        sdk = self._client()
        page = await self._with_retries("models", lambda: sdk.models.list())
        return [model.id for model in page.data]

    async def transcribe(self, path: Path, *, language: str | None = None) -> Transcription:
        """The words spoken in the audio file at ``path``, with segment and word timestamps.

        ``path`` must be under the server's 25 MiB limit (PostRápido sends compressed mono pieces);
        ``language`` is an ISO 639-1 code (``pt``, ``en``), or ``None`` to let the model guess.

        Raises:
            AIError: one of its subclasses; :class:`AITranscriptionUnsupported` for a model
            without timestamps.
        """
        sdk = self._client()
        model = self.settings.transcription_model
        started = time.monotonic()
        audio = await asyncio.to_thread(path.read_bytes)
        try:
            reply = await self._with_retries(
                "transcribe",
                lambda: sdk.audio.transcriptions.create(
                    file=(path.name, audio),
                    model=model,
                    response_format="verbose_json",
                    timestamp_granularities=["word", "segment"],
                    language=_given(language),
                ),
            )
        except AIRequestRejected as exc:
            if "response_format" in exc.detail or "verbose_json" in exc.detail:
                raise AITranscriptionUnsupported(exc.detail) from exc
            raise
        log.info(
            "llm.call",
            call="transcribe",
            model=model,
            audio_bytes=len(audio),
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        return Transcription(
            text=reply.text,
            language=reply.language,
            duration=reply.duration,
            segments=[TimedText(s.start, s.end, s.text.strip()) for s in reply.segments or []],
            words=[TimedText(w.start, w.end, w.word.strip()) for w in reply.words or []],
        )

    async def _ask_for_json(
        self,
        messages: list[Message],
        document: dict[str, Any],
        *,
        name: str,
        locale: str | None,
        sampling: _Sampling,
    ) -> tuple[str, list[Message], ResponseFormatJSONSchema | None]:
        """The first reply of a structured call, the messages that asked for it, and its response format."""
        if self._json_schema_supported:
            response_format: ResponseFormatJSONSchema = {
                "type": "json_schema",
                "json_schema": {"name": name, "strict": True, "schema": document},
            }
            try:
                completion = await self._create(
                    messages, call="structured", name=name, response_format=response_format, sampling=sampling
                )
                return _content(completion), messages, response_format
            except _JsonSchemaRejected as exc:
                self._json_schema_supported = False
                log.info("llm.json_schema_unsupported", model=self.settings.model, detail=exc.detail)

        instructions = render_prompt("json_reply", locale=locale, schema=_schema_text(document))
        instructed = _with_system(messages, instructions[0].content)
        completion = await self._create(instructed, call="structured", name=name, sampling=sampling)
        return _content(completion), instructed, None

    async def _create(
        self,
        messages: list[Message],
        *,
        call: str,
        sampling: _Sampling,
        name: str | None = None,
        response_format: ResponseFormatJSONSchema | None = None,
    ) -> ChatCompletion:
        """One chat completion, retried, with its token usage logged."""
        sdk = self._client()
        started = time.monotonic()
        completion = await self._with_retries(
            call,
            lambda: sdk.chat.completions.create(
                model=self.settings.model,
                messages=_params(messages),
                response_format=_given(response_format),
                temperature=_given(sampling.temperature),
                max_tokens=_given(sampling.max_tokens),
            ),
        )
        _log_usage(call, name=name, model=completion.model, usage=completion.usage, started=started)
        return completion

    async def _with_retries(self, call: str, send: Callable[[], Awaitable[_R]]) -> _R:
        """``send()``, retried on 429, 5xx, timeouts and refused connections; errors become AIError."""
        retries = 0
        while True:
            try:
                return await send()
            except (RateLimitError, InternalServerError, APIConnectionError) as exc:
                delay = None
                if retries < self.retry.retries and not _is_quota(exc):
                    delay = self.retry.delay(retries, _retry_after(exc))
                if delay is None:
                    raise self._failed(call, exc, attempts=retries + 1) from exc
                retries += 1
                log.warning("llm.retry", call=call, retry=retries, error=type(exc).__name__, delay=round(delay, 3))
                await asyncio.sleep(delay)
            except APIError as exc:
                raise self._failed(call, exc, attempts=retries + 1) from exc

    def _client(self) -> AsyncOpenAI:
        if self._sdk is None:
            raise AINotConfigured()
        return self._sdk

    def _failed(self, call: str, exc: APIError, *, attempts: int) -> AIError:
        """The AIError for ``exc``, logged once (a refused JSON schema is logged by its fallback)."""
        error = _translate(exc)
        if isinstance(error, _JsonSchemaRejected):
            return error
        # A refused key is answered with part of the key in the message: keep it out of the logs.
        detail = None if isinstance(error, AIInvalidKey) else error.detail
        status = exc.status_code if isinstance(exc, APIStatusError) else None
        log.warning(
            "llm.failed",
            call=call,
            model=self.settings.model,
            code=error.code,
            status=status,
            attempts=attempts,
            detail=detail,
        )
        return error


# -- helpers ------------------------------------------------------------------------------------


def _messages(prompt: Conversation) -> list[Message]:
    if isinstance(prompt, str):
        return [Message("user", prompt)]
    return list(prompt)


def _params(messages: list[Message]) -> list[ChatCompletionMessageParam]:
    # The SDK types each role as its own TypedDict; a Message's role is one of them by construction.
    return [cast(ChatCompletionMessageParam, {"role": m.role, "content": m.content}) for m in messages]


def _with_system(messages: list[Message], text: str) -> list[Message]:
    """``messages`` with ``text`` added to the system message (many chat templates allow only one)."""
    if messages and messages[0].role == "system":
        return [Message("system", f"{messages[0].content}\n\n{text}"), *messages[1:]]
    return [Message("system", text), *messages]


def _given(value: Any) -> Any:
    """The SDK's marker for "leave this parameter out" when ``value`` is None."""
    return omit if value is None else value


def _content(completion: ChatCompletion) -> str:
    if not completion.choices:
        raise AIBadReply("the reply has no choices")
    return completion.choices[0].message.content or ""


def _schema_text(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False)


def _json_text(reply: str) -> str:
    """The JSON inside a reply: without reasoning blocks, code fences or a sentence around it."""
    text = _THINKING.sub("", reply).strip()
    if fenced := _CODE_FENCE.search(text):
        return fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        return text[start : end + 1]
    return text


def _decode(reply: str, schema: type[T]) -> T:
    text = _json_text(reply)
    if issubclass(schema, pydantic.BaseModel):
        return schema.model_validate_json(text)
    return msgspec.json.decode(text, type=schema)


def _describe(exc: Exception) -> str:
    return str(exc)[:_ERROR_DETAIL_LIMIT]


def _is_quota(exc: APIError) -> bool:
    return isinstance(exc, RateLimitError) and exc.code == "insufficient_quota"


def _retry_after(exc: APIError) -> float | None:
    """The server's ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), in seconds."""
    if not isinstance(exc, APIStatusError):
        return None
    headers = exc.response.headers
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            pass
        try:
            return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return None


def _mentions_response_format(exc: BadRequestError) -> bool:
    text = f"{exc.param or ''} {exc.message}".lower()
    return "response_format" in text or "json_schema" in text


def _translate(exc: APIError) -> AIError:
    detail = exc.message
    if isinstance(exc, AuthenticationError):
        return AIInvalidKey()
    if _is_quota(exc):
        return AIQuotaExceeded(detail)
    if isinstance(exc, RateLimitError):
        return AIRateLimited(detail, retry_after=_retry_after(exc))
    if isinstance(exc, NotFoundError):
        return AIModelNotFound(detail)
    if isinstance(exc, BadRequestError) and _mentions_response_format(exc):
        return _JsonSchemaRejected(detail)
    if isinstance(exc, InternalServerError | APIConnectionError):
        return AIUnavailable(detail)
    if isinstance(exc, APIResponseValidationError):
        return AIBadReply(detail)
    return AIRequestRejected(detail)


def _log_usage(
    call: str,
    *,
    model: str,
    usage: CompletionUsage | None,
    started: float,
    name: str | None = None,
    finished: bool = True,
) -> None:
    """One event per call with its token usage (local servers may report none)."""
    log.info(
        "llm.call",
        call=call,
        name=name,
        model=model,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        duration_ms=round((time.monotonic() - started) * 1000),
        finished=finished,
    )

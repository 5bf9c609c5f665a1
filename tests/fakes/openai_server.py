"""A fake OpenAI-compatible server: chat completions (plain and streamed), transcriptions, the model list.

It answers in OpenAI's shapes, including its error bodies, so the real ``openai`` SDK talks to it
over HTTP exactly as it would talk to OpenAI, Ollama or llama.cpp. A test drives it through the
:class:`FakeOpenAI` object it was built from::

    fake = FakeOpenAI()
    with serve(fake.app) as base_url:
        fake.reply('{"title": "Oi"}')           # next completion answers this
        fake.fail(429, times=2)                 # ...or these errors first
        fake.responder = lambda body: "..."     # used once the queue is empty
        ...
        assert fake.chat_requests[0]["response_format"]["type"] == "json_schema"

Transcriptions (``POST /v1/audio/transcriptions``, multipart) answer ``verbose_json`` with segments
and words like Whisper: ``fake.transcript`` (times within the file sent) or ``fake.transcriber``
(called with the recorded form) say what was "heard"; ``fake.fail_transcription(503)`` queues
errors. The fake cannot hear: it only checks the request's shape and the 25 MiB limit.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, get, post
from litestar.response import Response, Stream

__all__ = ["FakeOpenAI", "RecordedRequest", "ScriptedReply"]

MALFORMED_CONTENT = "Claro! Aqui está o seu roteiro, com um gancho forte e um final marcante."
"""What the fake answers in malformed mode: prose where JSON was asked."""

_SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: (
        "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    ),
    404: (
        "The model does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
    ),
    429: ("Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


@dataclass(slots=True)
class ScriptedReply:
    """One answer the fake gives to the next chat completion request.

    ``content`` as a list is streamed piece by piece (and joined when not streamed); ``status`` other
    than 200 answers with an OpenAI error body; ``delay`` waits before answering (the timeout mode).
    """

    content: str | list[str] = ""
    status: int = 200
    error_code: str | None = None
    error_message: str | None = None
    retry_after: str | None = None
    delay: float = 0.0


MAX_AUDIO_BYTES = 25 * 1024 * 1024
"""OpenAI's upload limit for one transcription request."""

TIMESTAMP_MODELS = ("whisper-1",)
"""Models that answer ``verbose_json``; ``gpt-4o-transcribe`` and its mini refuse it."""

DEFAULT_TRANSCRIPT: dict[str, Any] = {
    "language": "portuguese",
    "segments": [{"start": 0.5, "end": 1.5, "text": " Olá, tudo bem?"}],
    "words": [
        {"word": "Olá,", "start": 0.5, "end": 0.9},
        {"word": "tudo", "start": 1.0, "end": 1.2},
        {"word": "bem?", "start": 1.2, "end": 1.5},
    ],
}


@dataclass(slots=True)
class RecordedRequest:
    """A request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeOpenAI:
    """The fake's state and controls; ``app`` is the ASGI app to serve."""

    api_key: str | None = "sk-fake-test-key"
    """The only key accepted; None accepts any key or none, as Ollama does."""
    models: list[str] = field(default_factory=lambda: ["gpt-fake", "llama3.1"])
    supports_json_schema: bool = True
    """False answers ``response_format`` of type json_schema with a 400, like servers without it."""
    malformed: bool = False
    """True answers prose to every request that asks for JSON (by response_format or in its messages)."""
    responder: Callable[[dict[str, Any]], str | list[str]] | None = None
    """Builds the content from the request body once the scripted queue is empty."""
    replies: deque[ScriptedReply] = field(default_factory=deque)
    requests: list[RecordedRequest] = field(default_factory=list)
    transcript: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_TRANSCRIPT))
    """What every transcription hears: ``language``, ``segments`` and ``words``, timed within the file."""
    transcriber: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """Builds the transcript from the recorded form (``file_size``, ``file_name``...) instead of ``transcript``."""
    transcription_failures: deque[ScriptedReply] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.app = _create_app(self)

    def reply(self, *contents: str | list[str]) -> None:
        """Queue successful answers, one per coming completion request."""
        self.replies.extend(ScriptedReply(content=content) for content in contents)

    def fail(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = "0",
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Queue ``times`` error answers with ``status`` (``retry_after`` is sent on 429 only)."""
        for _ in range(times):
            self.replies.append(
                ScriptedReply(
                    status=status,
                    error_code=code,
                    error_message=message,
                    retry_after=retry_after if status == 429 else None,
                )
            )

    def hang(self, seconds: float, *, times: int = 1) -> None:
        """Queue ``times`` answers that wait ``seconds`` first, to run past the client's timeout."""
        self.replies.extend(ScriptedReply(content="late", delay=seconds) for _ in range(times))

    def fail_transcription(self, status: int, *, times: int = 1, message: str | None = None) -> None:
        """Queue ``times`` error answers to the coming transcription requests."""
        for _ in range(times):
            self.transcription_failures.append(
                ScriptedReply(status=status, error_message=message, retry_after="0" if status == 429 else None)
            )

    @property
    def transcription_requests(self) -> list[dict[str, Any]]:
        """The form of every transcription request (the file as ``file_name`` and ``file_size``), oldest first."""
        return [r.body for r in self.requests if r.path == "/v1/audio/transcriptions" and r.body is not None]

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of every chat completion request, oldest first."""
        return [r.body for r in self.requests if r.path == "/v1/chat/completions" and r.body is not None]

    def reset(self) -> None:
        """Back to the defaults: nothing queued, nothing recorded, json_schema supported."""
        self.api_key = "sk-fake-test-key"
        self.supports_json_schema = True
        self.malformed = False
        self.responder = None
        self.replies.clear()
        self.requests.clear()
        self.transcript = dict(DEFAULT_TRANSCRIPT)
        self.transcriber = None
        self.transcription_failures.clear()

    def next_reply(self, body: dict[str, Any]) -> ScriptedReply:
        """The queued answer, else the responder's, else an echo of the last user message."""
        if self.replies:
            return self.replies.popleft()
        if self.responder is not None:
            return ScriptedReply(content=self.responder(body))
        user_messages = [m for m in body.get("messages", []) if m.get("role") == "user"]
        return ScriptedReply(content=f"echo: {_text(user_messages[-1]) if user_messages else ''}")


def error_response(
    status: int,
    *,
    message: str | None = None,
    code: str | None = None,
    param: str | None = None,
    retry_after: str | None = None,
) -> Response[dict[str, Any]]:
    """An error in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``.

    ``code`` None means the status's usual code; an empty string sends ``null``.
    """
    default_message, error_type, default_code = _ERRORS.get(status, _ERRORS[500])
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    body = {
        "error": {
            "message": message or default_message,
            "type": error_type,
            "param": param,
            "code": (default_code if code is None else code) or None,
        }
    }
    return Response(body, status_code=status, headers=headers)


def _create_app(fake: FakeOpenAI) -> Litestar:
    """The Litestar app serving ``fake``."""

    async def record(request: Request[Any, Any, Any]) -> Response[dict[str, Any]] | None:
        body = await request.json() if request.method == "POST" else None
        fake.requests.append(RecordedRequest(request.method, request.url.path, dict(request.headers), body))
        return _check_key(fake, request.headers.get("authorization"))

    @get("/v1/models")
    async def list_models(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        if (refused := await record(request)) is not None:
            return refused
        data = [{"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "renum-fake"} for m in fake.models]
        return Response({"object": "list", "data": data})

    @post("/v1/chat/completions", status_code=200)
    async def create_chat_completion(request: Request[Any, Any, Any]) -> Response[Any]:
        if (refused := await record(request)) is not None:
            return refused
        body = fake.requests[-1].body or {}
        if (invalid := _check_body(fake, body)) is not None:
            return invalid

        reply = fake.next_reply(body)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status != 200:
            return error_response(
                reply.status,
                message=reply.error_message,
                code=reply.error_code,
                retry_after=reply.retry_after,
            )

        pieces = [MALFORMED_CONTENT] if fake.malformed and _asks_for_json(body) else _pieces(reply.content)
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return Stream(_sse(body, pieces, include_usage=include_usage), media_type="text/event-stream")
        return Response(_completion(body, "".join(pieces)))

    @post("/v1/audio/transcriptions", status_code=200, request_max_body_size=64 * 1024 * 1024)
    async def create_transcription(request: Request[Any, Any, Any]) -> Response[Any]:
        form = await request.form()
        body: dict[str, Any] = {}
        for key, value in form.multi_items():
            if hasattr(value, "read"):
                content = await value.read()
                body["file_name"], body["file_size"] = value.filename, len(content)
            elif key.endswith("[]"):
                body.setdefault(key[:-2], []).append(value)
            else:
                body[key] = value
        fake.requests.append(RecordedRequest(request.method, request.url.path, dict(request.headers), body))
        if (refused := _check_key(fake, request.headers.get("authorization"))) is not None:
            return refused
        if (invalid := _check_transcription(fake, body)) is not None:
            return invalid
        if fake.transcription_failures:
            failure = fake.transcription_failures.popleft()
            return error_response(failure.status, message=failure.error_message, retry_after=failure.retry_after)
        heard = fake.transcriber(body) if fake.transcriber is not None else fake.transcript
        return Response(_verbose_transcription(heard, body))

    return Litestar(route_handlers=[list_models, create_chat_completion, create_transcription], openapi_config=None)


def _check_transcription(fake: FakeOpenAI, body: dict[str, Any]) -> Response[dict[str, Any]] | None:
    """OpenAI's validation of a transcription request, as far as the fake understands it."""
    if "file_size" not in body:
        return error_response(400, message="'file' is a required property", param="file")
    if body["file_size"] > MAX_AUDIO_BYTES:
        return error_response(
            413,
            message=f"Maximum content size limit ({MAX_AUDIO_BYTES}) exceeded ({body['file_size']} bytes read)",
        )
    model = body.get("model")
    if model not in (*TIMESTAMP_MODELS, "gpt-4o-transcribe", "gpt-4o-mini-transcribe"):
        return error_response(404, message=f"The model `{model}` does not exist or you do not have access to it.")
    response_format = body.get("response_format", "json")
    if response_format == "verbose_json" and model not in TIMESTAMP_MODELS:
        return error_response(
            400,
            message=f"response_format 'verbose_json' is not compatible with model '{model}'. Use 'json' or 'text'.",
            param="response_format",
            code="unsupported_value",
        )
    if body.get("timestamp_granularities") and response_format != "verbose_json":
        return error_response(
            400,
            message="timestamp_granularities requires response_format to be 'verbose_json'.",
            param="timestamp_granularities",
        )
    return None


def _verbose_transcription(heard: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Whisper's ``verbose_json``: segments unless only words were asked for; words only when asked for."""
    granularities = body.get("timestamp_granularities") or ["segment"]
    segments = heard.get("segments", [])
    answer: dict[str, Any] = {
        "task": "transcribe",
        "language": heard.get("language", "english"),
        "duration": max([0.0, *(s["end"] for s in segments), *(w["end"] for w in heard.get("words", []))]),
        "text": "".join(s["text"] for s in segments).strip(),
        "usage": {"type": "duration", "seconds": 1},
    }
    if "segment" in granularities:
        answer["segments"] = [
            {
                "id": index,
                "seek": 0,
                "start": s["start"],
                "end": s["end"],
                "text": s["text"],
                "tokens": [50364, 1044, 50414],
                "temperature": 0.0,
                "avg_logprob": -0.25,
                "compression_ratio": 1.1,
                "no_speech_prob": 0.01,
            }
            for index, s in enumerate(segments)
        ]
    if "word" in granularities:
        answer["words"] = [{"word": w["word"], "start": w["start"], "end": w["end"]} for w in heard.get("words", [])]
    return answer


def _check_key(fake: FakeOpenAI, authorization: str | None) -> Response[dict[str, Any]] | None:
    if fake.api_key is None:
        return None
    if not authorization or not authorization.startswith("Bearer "):
        return error_response(
            401,
            message="You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code="",
        )
    key = authorization.removeprefix("Bearer ")
    if key != fake.api_key:
        # OpenAI names the refused key, masked but for its ends.
        masked = f"{key[:3]}{'*' * max(len(key) - 7, 0)}{key[-4:]}"
        return error_response(
            401,
            message=f"Incorrect API key provided: {masked}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
        )
    return None


def _check_body(fake: FakeOpenAI, body: dict[str, Any]) -> Response[dict[str, Any]] | None:
    """OpenAI's validation of the fields the fake understands."""
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return error_response(400, message="'messages' is a required property", param="messages")
    if body.get("model") not in fake.models:
        return error_response(
            404, message=f"The model `{body.get('model')}` does not exist or you do not have access to it."
        )

    response_format = body.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return None
    if not fake.supports_json_schema:
        return error_response(
            400,
            message="Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            param="response_format",
        )
    json_schema = response_format.get("json_schema") or {}
    problem = _strict_schema_problem(json_schema)
    if problem is not None:
        return error_response(
            400,
            message=f"Invalid schema for response_format '{json_schema.get('name')}': {problem}",
            param="response_format",
            code="invalid_json_schema",
        )
    return None


def _strict_schema_problem(json_schema: dict[str, Any]) -> str | None:
    """The first rule of OpenAI's strict structured outputs that ``json_schema`` breaks, if any."""
    if not _SCHEMA_NAME.match(str(json_schema.get("name", ""))):
        return "'name' must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes."
    schema = json_schema.get("schema")
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return "the root schema must be an object, not a $ref or anyOf."
    if not json_schema.get("strict"):
        return None

    pending: list[Any] = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if node.get("type") == "object" and "properties" in node:
            if node.get("additionalProperties") is not False:
                return "'additionalProperties' is required to be supplied and to be false."
            if set(node.get("required", [])) != set(node["properties"]):
                return "'required' must be supplied and be an array including every key in properties."
        pending.extend(v for k, v in node.items() if k != "properties")
        pending.extend(node.get("properties", {}).values())
    return None


def _asks_for_json(body: dict[str, Any]) -> bool:
    response_format = body.get("response_format") or {}
    if str(response_format.get("type", "")).startswith("json"):
        return True
    return any("JSON" in _text(m) for m in body.get("messages", []))


def _pieces(content: str | list[str]) -> list[str]:
    """The stream pieces: as scripted, or a text split after each word."""
    if isinstance(content, list):
        return content
    return re.findall(r"\S+\s*|\s+", content) or [""]


def _text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def _usage(body: dict[str, Any], content: str) -> dict[str, int]:
    """Token counts the way a test can predict them: one token per whitespace-separated word."""
    prompt = sum(len(_text(m).split()) for m in body.get("messages", []))
    completion = len(content.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_renum_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(body, content),
    }


async def _sse(body: dict[str, Any], pieces: list[str], *, include_usage: bool) -> AsyncIterator[bytes]:
    """Chunks as OpenAI streams them: role first, then content deltas, a stop, usage, ``[DONE]``."""
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_renum_fake",
    }

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        data = {**base, "choices": [choice]}
        if include_usage:
            data["usage"] = None
        return f"data: {json.dumps(data)}\n\n".encode()

    yield chunk({"role": "assistant", "content": ""})
    for piece in pieces:
        yield chunk({"content": piece})
    yield chunk({}, "stop")
    if include_usage:
        usage = {**base, "choices": [], "usage": _usage(body, "".join(pieces))}
        yield f"data: {json.dumps(usage)}\n\n".encode()
    yield b"data: [DONE]\n\n"

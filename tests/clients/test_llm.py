"""The LLM client against a fake OpenAI-compatible server, over real HTTP on loopback."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import jinja2
import msgspec
import pydantic
import pytest
from structlog.testing import capture_logs

from renum.clients.http import RetryPolicy
from renum.clients.llm import (
    AIBadReply,
    AIError,
    AIInvalidKey,
    AIModelNotFound,
    AINotConfigured,
    AIQuotaExceeded,
    AIRateLimited,
    AIUnavailable,
    LLMClient,
    Message,
    prompt_locale,
    render_prompt,
)
from renum.config import AISettings
from renum.errors import RenumError
from renum.i18n import use_language
from renum.web.errors import describe
from tests.fakes.openai_server import MALFORMED_CONTENT, FakeOpenAI
from tests.fakes.server import free_port, serve

KEY = "sk-fake-test-key"
# No backoff, so retries cost only the round trips; Retry-After hints up to 0.5 s are still honoured.
FAST_RETRIES = RetryPolicy(retries=2, backoff=0.0, max_backoff=0.0, max_retry_after=0.5)


class Section(msgspec.Struct):
    heading: str
    text: str


class Script(msgspec.Struct):
    title: str
    sections: list[Section]
    hashtags: list[str] = []


class Caption(pydantic.BaseModel):
    text: str
    hashtags: list[str]


SCRIPT = Script(
    title="Pão caseiro em 30 segundos",
    sections=[Section("gancho", "Você nunca mais vai comprar pão."), Section("cta", "Salve para depois!")],
    hashtags=["#pao"],
)
SCRIPT_JSON = msgspec.json.encode(SCRIPT).decode()


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI(api_key=KEY, models=["gpt-fake", "llama3.1"])
    with serve(fake.app) as url:
        yield fake, f"{url}/v1"


@pytest.fixture
def fake(fake_server: tuple[FakeOpenAI, str]) -> FakeOpenAI:
    fake_server[0].reset()
    fake_server[0].api_key = KEY
    return fake_server[0]


@pytest.fixture
def base_url(fake_server: tuple[FakeOpenAI, str]) -> str:
    return fake_server[1]


def settings(base_url: str | None, **overrides: Any) -> AISettings:
    values: dict[str, Any] = {"base_url": base_url, "api_key": KEY, "model": "gpt-fake", "timeout": 2.0}
    return AISettings(**(values | overrides))


@pytest.fixture
async def llm(base_url: str) -> AsyncIterator[LLMClient]:
    async with LLMClient(settings(base_url), retry=FAST_RETRIES) as client:
        yield client


# -- structured replies -------------------------------------------------------------------------


async def test_structured_reply_is_asked_through_a_strict_json_schema(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.reply(SCRIPT_JSON)

    script = await llm.structured("Um roteiro sobre pão", Script, name="script")

    assert script == SCRIPT
    [request] = fake.chat_requests
    response_format = request["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "script"
    assert response_format["json_schema"]["strict"] is True
    # The fake refuses schemas that break OpenAI's strict rules, so getting here proves the form.
    schema = response_format["json_schema"]["schema"]
    assert schema["type"] == "object"
    assert schema["required"] == ["title", "sections", "hashtags"]


async def test_structured_reply_can_be_a_pydantic_model(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.reply('{"text": "Pão quentinho", "hashtags": ["#pao", "#receita"]}')

    caption = await llm.structured([Message("user", "Uma legenda")], Caption, name="caption")

    assert caption == Caption(text="Pão quentinho", hashtags=["#pao", "#receita"])


async def test_server_without_json_schema_is_asked_by_instructions_and_remembered(
    llm: LLMClient, fake: FakeOpenAI
) -> None:
    fake.supports_json_schema = False
    fake.responder = lambda body: f"Claro!\n```json\n{SCRIPT_JSON}\n```"

    with capture_logs() as logs:
        first = await llm.structured(
            [Message("system", "Você é o ScriptAI."), Message("user", "Um roteiro")], Script, name="script"
        )
        second = await llm.structured("Outro roteiro", Script, name="script")

    assert first == second == SCRIPT
    assert "llm.json_schema_unsupported" in [e["event"] for e in logs]
    assert "llm.failed" not in [e["event"] for e in logs]
    refused, instructed, again = fake.chat_requests
    assert refused["response_format"]["type"] == "json_schema"
    assert "response_format" not in instructed and "response_format" not in again
    system = instructed["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith("Você é o ScriptAI.")
    assert "JSON Schema" in system["content"] and '"sections"' in system["content"]


async def test_thinking_and_prose_around_the_json_need_no_repair(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.reply(f"<think>The creator wants bread.</think>Here is your script: {SCRIPT_JSON} Enjoy!")

    assert await llm.structured("Um roteiro", Script, name="script") == SCRIPT
    assert len(fake.chat_requests) == 1


async def test_invalid_json_is_sent_back_once_with_the_error_and_the_repair_is_used(
    llm: LLMClient, fake: FakeOpenAI
) -> None:
    fake.reply('{"title": "Pão", "sections": [', SCRIPT_JSON)

    script = await llm.structured("Um roteiro", Script, name="script", locale="en")

    assert script == SCRIPT
    first, repair = fake.chat_requests
    assert repair["messages"][:-2] == first["messages"]
    assert repair["messages"][-2] == {"role": "assistant", "content": '{"title": "Pão", "sections": ['}
    assert repair["messages"][-1]["role"] == "user"
    assert repair["messages"][-1]["content"].startswith("Your last reply could not be used: ")


async def test_reply_that_does_not_match_the_schema_is_repaired_with_the_validation_error(
    llm: LLMClient, fake: FakeOpenAI
) -> None:
    fake.reply('{"title": "Pão"}', SCRIPT_JSON)

    script = await llm.structured("Um roteiro", Script, name="script")

    assert script == SCRIPT
    repair_request = fake.chat_requests[1]["messages"][-1]["content"]
    assert "Sua última resposta não pôde ser usada" in repair_request
    assert "sections" in repair_request


async def test_reply_still_unusable_after_one_repair_is_a_bad_reply(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.malformed = True

    with capture_logs() as logs, pytest.raises(AIBadReply) as raised:
        await llm.structured("Um roteiro", Script, name="script")

    assert raised.value.status_code == 502
    assert raised.value.code == "ai_bad_reply"
    assert len(fake.chat_requests) == 2
    assert fake.chat_requests[1]["messages"][-2]["content"] == MALFORMED_CONTENT
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == ["llm.reply_invalid", "llm.bad_reply"]


async def test_prose_from_a_server_without_json_schema_is_a_bad_reply_after_one_repair(
    llm: LLMClient, fake: FakeOpenAI
) -> None:
    fake.supports_json_schema = False
    fake.malformed = True

    with pytest.raises(AIBadReply):
        await llm.structured("Um roteiro", Script, name="script")

    _refused, instructed, repair = fake.chat_requests
    assert "JSON Schema" in instructed["messages"][0]["content"]
    assert repair["messages"][-2] == {"role": "assistant", "content": MALFORMED_CONTENT}


async def test_schema_names_the_api_refuses_are_caught_before_calling(llm: LLMClient, fake: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="schema name"):
        await llm.structured("Um roteiro", Script, name="roteiro completo")
    assert fake.chat_requests == []


# -- text and streams ---------------------------------------------------------------------------


async def test_complete_returns_the_text_and_logs_usage_without_the_key(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.reply("Um roteiro curto")

    with capture_logs() as logs:
        text = await llm.complete("Escreva um roteiro")

    assert text == "Um roteiro curto"
    assert fake.requests[-1].headers["authorization"] == f"Bearer {KEY}"
    [call] = [e for e in logs if e["event"] == "llm.call"]
    assert call["model"] == "gpt-fake"
    assert call["prompt_tokens"] == 3
    assert call["completion_tokens"] == 3
    assert isinstance(call["duration_ms"], int)
    assert KEY not in repr(logs)


async def test_stream_yields_the_pieces_in_order_and_logs_usage(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.reply(["Olá", ", ", "criador", "! Vamos", " gravar?"])

    with capture_logs() as logs:
        pieces = [piece async for piece in llm.stream("Diga oi")]

    assert pieces == ["Olá", ", ", "criador", "! Vamos", " gravar?"]
    [request] = fake.chat_requests
    assert request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}
    [call] = [e for e in logs if e["event"] == "llm.call"]
    assert call["call"] == "stream"
    assert call["completion_tokens"] == 4
    assert call["finished"] is True


async def test_stream_left_early_still_logs_the_call(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.reply("um dois três quatro cinco")

    with capture_logs() as logs:
        stream = llm.stream("Conte")
        async for _ in stream:
            break
        await stream.aclose()

    [call] = [e for e in logs if e["event"] == "llm.call"]
    assert call["finished"] is False


async def test_stream_with_a_refused_key_raises_invalid_key(base_url: str, fake: FakeOpenAI) -> None:
    async with LLMClient(settings(base_url, api_key="sk-wrong-key-123456"), retry=FAST_RETRIES) as llm:
        with pytest.raises(AIInvalidKey):
            _ = [piece async for piece in llm.stream("Oi")]


# -- errors -------------------------------------------------------------------------------------


async def test_refused_key_is_not_retried_and_asks_to_check_the_key(base_url: str, fake: FakeOpenAI) -> None:
    wrong_key = "sk-wrong-key-123456"

    async with LLMClient(settings(base_url, api_key=wrong_key), retry=FAST_RETRIES) as llm:
        with capture_logs() as logs, pytest.raises(AIInvalidKey) as raised:
            await llm.complete("Oi")

    assert raised.value.status_code == 502
    assert "RENUM_AI_API_KEY" in raised.value.message
    assert len(fake.chat_requests) == 1
    assert "3456" not in repr(logs)  # not even the masked key the server echoes


async def test_rate_limit_is_retried_until_it_passes(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(429, times=2)
    fake.reply("pronto")

    assert await llm.complete("Oi") == "pronto"
    assert len(fake.chat_requests) == 3


async def test_rate_limit_that_persists_is_answered_429(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(429, times=3)

    with pytest.raises(AIRateLimited) as raised:
        await llm.complete("Oi")

    assert raised.value.status_code == 429
    assert len(fake.chat_requests) == 3


async def test_retry_after_is_waited_for(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(429, retry_after="0.3")
    fake.reply("pronto")

    started = time.monotonic()
    assert await llm.complete("Oi") == "pronto"
    assert time.monotonic() - started >= 0.3


async def test_retry_after_longer_than_a_request_can_wait_gives_up_at_once(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(429, retry_after="20")

    with pytest.raises(AIRateLimited) as raised:
        await llm.complete("Oi")

    assert raised.value.retry_after == 20
    assert len(fake.chat_requests) == 1


async def test_account_without_credit_is_not_retried(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(429, code="insufficient_quota", message="You exceeded your current quota.")

    with pytest.raises(AIQuotaExceeded) as raised:
        await llm.complete("Oi")

    assert raised.value.status_code == 503
    assert len(fake.chat_requests) == 1


async def test_server_error_is_retried_until_it_passes(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(500)
    fake.reply("pronto")

    assert await llm.complete("Oi") == "pronto"
    assert len(fake.chat_requests) == 2


async def test_server_errors_after_retries_mean_unavailable(llm: LLMClient, fake: FakeOpenAI) -> None:
    fake.fail(500, times=2)
    fake.fail(503)

    with pytest.raises(AIUnavailable) as raised:
        await llm.complete("Oi")

    assert raised.value.status_code == 503
    assert len(fake.chat_requests) == 3


async def test_server_slower_than_the_timeout_means_unavailable(base_url: str, fake: FakeOpenAI) -> None:
    fake.hang(0.6, times=2)
    retry = RetryPolicy(retries=1, backoff=0.0)

    started = time.monotonic()
    async with LLMClient(settings(base_url, timeout=0.2), retry=retry) as llm:
        with pytest.raises(AIUnavailable):
            await llm.complete("Oi")

    assert time.monotonic() - started < 1.0
    assert len(fake.chat_requests) == 2


async def test_server_that_is_not_running_means_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"

    async with LLMClient(settings(url), retry=FAST_RETRIES) as llm:
        with pytest.raises(AIUnavailable) as raised:
            await llm.complete("Oi")

    assert "RENUM_AI_BASE_URL" in raised.value.message


async def test_unknown_model_asks_to_check_the_model_setting(base_url: str, fake: FakeOpenAI) -> None:
    async with LLMClient(settings(base_url, model="gpt-9"), retry=FAST_RETRIES) as llm:
        with pytest.raises(AIModelNotFound) as raised:
            await llm.complete("Oi")

    assert "RENUM_AI_MODEL" in raised.value.message
    assert len(fake.chat_requests) == 1


def test_error_messages_are_constant_and_never_carry_the_server_text() -> None:
    error = AIUnavailable("upstream connect error to 10.0.0.7")

    assert str(error) == error.message == AIUnavailable.default_message
    assert "10.0.0.7" not in error.message
    assert error.detail == "upstream connect error to 10.0.0.7"
    assert isinstance(error, AIError) and isinstance(error, RenumError)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (AINotConfigured(), 503, "ai_not_configured"),
        (AIInvalidKey(), 502, "ai_invalid_key"),
        (AIRateLimited(retry_after=7.2), 429, "ai_rate_limited"),
        (AIUnavailable(), 503, "ai_unavailable"),
        (AIBadReply(), 502, "ai_bad_reply"),
    ],
)
def test_the_app_answers_ai_errors_with_their_status_and_message(error: AIError, status: int, code: str) -> None:
    with use_language("en"):
        answer = describe(error)

    assert (answer.status, answer.code) == (status, code)
    assert answer.message == error.message


def test_rate_limited_answer_tells_when_to_come_back() -> None:
    assert describe(AIRateLimited(retry_after=7.2)).headers == {"Retry-After": "8"}


# -- configuration ------------------------------------------------------------------------------


async def test_without_key_or_base_url_every_call_names_the_settings_to_set() -> None:
    llm = LLMClient(AISettings(base_url=None, api_key=None))

    assert llm.is_configured is False
    for call in (
        llm.complete("Oi"),
        llm.structured("Oi", Script, name="script"),
        llm.models(),
        anext(llm.stream("Oi")),
    ):
        with pytest.raises(AINotConfigured) as raised:
            await call
        assert raised.value.status_code == 503
        assert "RENUM_AI_API_KEY" in raised.value.message
        assert "RENUM_AI_BASE_URL" in raised.value.message


async def test_a_base_url_alone_is_enough_for_keyless_servers(base_url: str, fake: FakeOpenAI) -> None:
    fake.api_key = None  # Ollama and llama.cpp take any key
    fake.reply("olá do ollama")

    async with LLMClient(settings(base_url, api_key=None, model="llama3.1"), retry=FAST_RETRIES) as llm:
        assert llm.is_configured
        assert await llm.complete("Oi") == "olá do ollama"

    assert fake.chat_requests[0]["model"] == "llama3.1"


async def test_models_lists_what_the_server_offers(llm: LLMClient, fake: FakeOpenAI) -> None:
    assert await llm.models() == ["gpt-fake", "llama3.1"]


# -- prompts ------------------------------------------------------------------------------------

PROMPT_VARIABLES: dict[str, dict[str, Any]] = {
    "script_generate": {
        "topic": "pão de fermentação natural",
        "platform": "TikTok",
        "duration_seconds": 45,
        "tone": "bem-humorado",
        "audience": "padeiros iniciantes",
        "language": "Português do Brasil",
        "call_to_action": "Siga para a parte 2",
        "words_target": 110,
    },
    "script_fix_length": {
        "script": "Hoje eu vou te ensinar a fazer pão.",
        "words_current": 180,
        "words_target": 110,
        "duration_seconds": 45,
        "language": "Português do Brasil",
    },
    "script_regenerate": {
        "script": "Hoje eu vou te ensinar a fazer pão. Siga para a parte 2.",
        "section": "Siga para a parte 2.",
        "instruction": "Mais urgência",
        "language": "Português do Brasil",
    },
    "assistant_system": {
        "language": "Português do Brasil",
        "today": "2026-07-08",
        "profile": {
            "name": "Ana Padeira",
            "niche": "panificação",
            "audience": "iniciantes",
            "tone": "leve",
            "platforms": ["instagram", "tiktok"],
        },
        "drafts": [{"title": "Pão de queijo", "platform": "instagram", "status": "rascunho"}],
        "scheduled_posts": [{"when": "09/07 10:00", "platform": "tiktok", "text": "Fermento natural"}],
    },
    "json_repair": {"error": "Object missing required field `sections`", "schema": '{"type": "object"}'},
    "json_reply": {"schema": '{"type": "object"}'},
}


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield str(value)


@pytest.mark.parametrize("locale", ["pt_BR", "en"])
@pytest.mark.parametrize("name", sorted(PROMPT_VARIABLES))
def test_prompts_exist_in_both_languages_and_fill_every_variable(name: str, locale: str) -> None:
    variables = PROMPT_VARIABLES[name]

    messages = render_prompt(name, locale=locale, **variables)

    text = "\n".join(m.content for m in messages)
    assert messages and all(m.content for m in messages)
    for value in _leaves(variables):
        assert value in text
    assert "{{" not in text and "{%" not in text


def test_prompts_speak_the_language_of_their_locale() -> None:
    variables = PROMPT_VARIABLES["script_generate"]

    [pt_system, pt_user] = render_prompt("script_generate", locale="pt-BR", **variables)
    [en_system, en_user] = render_prompt("script_generate", locale="en", **variables)

    assert (pt_system.role, pt_user.role) == (en_system.role, en_user.role) == ("system", "user")
    assert "Escreva o roteiro" in pt_user.content
    assert "Write the script" in en_user.content


def test_prompt_without_a_variable_it_needs_fails_loudly() -> None:
    variables = dict(PROMPT_VARIABLES["script_generate"])
    del variables["topic"]

    with pytest.raises(jinja2.UndefinedError, match="topic"):
        render_prompt("script_generate", locale="en", **variables)


def test_assistant_prompt_stays_bounded_however_much_the_account_holds() -> None:
    variables = dict(PROMPT_VARIABLES["assistant_system"])
    variables["drafts"] = [
        {"title": f"Rascunho {n} " + "muito longo " * 40, "platform": "tiktok", "status": "rascunho"} for n in range(50)
    ]

    [system] = render_prompt("assistant_system", locale="pt_BR", **variables)

    assert "Rascunho 9 " in system.content
    assert "Rascunho 10 " not in system.content
    assert "(10 de 50)" in system.content
    assert len(system.content) < 3000


@pytest.mark.parametrize(
    ("asked", "folder"),
    [("pt_BR", "pt_BR"), ("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("en-US", "en"), ("es", "en"), (None, "pt_BR")],
)
def test_prompt_locale_picks_the_nearest_folder(asked: str | None, folder: str) -> None:
    assert prompt_locale(asked) == folder

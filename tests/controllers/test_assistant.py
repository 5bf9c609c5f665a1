"""The AI assistant through HTTP, against a fake OpenAI-compatible server on loopback: replies with the
creator's work in view, conversations kept per creator, streaming, limits and failures."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from renum import models
from renum.config import Settings
from renum.models import ChatMessage
from renum.services.assistant import HISTORY_MESSAGES
from tests.conftest import Creator
from tests.controllers.sse import events
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.scriptwriter import ScriptWriter, written_script
from tests.fakes.server import serve

Client = httpx.AsyncClient
CHAT = "/api/assistant/chat"
STREAM = "/api/assistant/chat/stream"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def ai_server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI(models=["gpt-fake"])
    with serve(fake.app) as url:
        yield fake, f"{url}/v1"


@pytest.fixture
def ai_configured() -> bool:
    """Tests that need RENUM without AI settings parametrize this to False."""
    return True


@pytest.fixture(autouse=True)
def fake(ai_server: tuple[FakeOpenAI, str], settings: Settings, ai_configured: bool) -> FakeOpenAI:
    """The fake model, reset and replying with a fixed sentence; the app is pointed at it."""
    server, url = ai_server
    server.reset()
    server.responder = ScriptWriter()
    settings.ai.base_url = url if ai_configured else None
    settings.ai.api_key = server.api_key if ai_configured else None
    settings.ai.model = "gpt-fake"
    return server


async def ask(client: Client, creator: Creator, message: str, conversation_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = await client.post(CHAT, json=body, headers=creator.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_message_gets_a_reply_and_a_conversation_that_continues(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    first = await ask(client, creator, "Me dá uma ideia de vídeo sobre pão?")
    fake.responder = lambda body: "Mostre a casca crocante de perto."
    second = await ask(client, creator, "E o gancho?", first["conversation_id"])

    assert first["reply"] == "Uma boa ideia: mostre o antes e o depois do pão."
    assert second["reply"] == "Mostre a casca crocante de perto."
    assert second["conversation_id"] == first["conversation_id"]
    assert first["title"] == "Me dá uma ideia de vídeo sobre pão?"
    turns = [(m["role"], m["content"]) for m in fake.chat_requests[1]["messages"][1:]]
    assert turns == [
        ("user", "Me dá uma ideia de vídeo sobre pão?"),
        ("assistant", "Uma boa ideia: mostre o antes e o depois do pão."),
        ("user", "E o gancho?"),
    ]


async def test_the_assistant_knows_the_creators_profile_and_recent_drafts(
    client: Client, app: Litestar, creator: Creator, fake: FakeOpenAI
) -> None:
    for title in ["Pão de queijo em 30 segundos", "Bolo de caneca"]:
        response = await client.post(
            "/api/scriptai/drafts", json={"script": written_script(150, title=title)}, headers=creator.headers
        )
        assert response.status_code == 201

    await ask(client, creator, "O que eu estava escrevendo?")

    system = fake.chat_requests[0]["messages"][0]
    assert system["role"] == "system"
    assert "Test" in system["content"]  # the creator's name
    assert "Pão de queijo em 30 segundos" in system["content"] and "Bolo de caneca" in system["content"]
    assert "~60 s" in system["content"]


async def test_the_assistant_knows_the_niche_and_audience_from_the_onboarding_profile(
    client: Client, app: Litestar, creator: Creator, fake: FakeOpenAI
) -> None:
    profile_model = getattr(models, "CreatorProfile", None)
    if profile_model is None:
        pytest.skip("the onboarding profile does not exist in this tree")
    async with app.state.session_factory() as db:
        db.add(profile_model(owner_id=creator.id, niche="panificação artesanal", audience="padeiros de fim de semana"))
        await db.commit()

    await ask(client, creator, "Para quem eu falo?")

    system = fake.chat_requests[0]["messages"][0]["content"]
    assert "panificação artesanal" in system and "padeiros de fim de semana" in system


async def test_the_context_stays_bounded_in_a_long_conversation(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    conversation = None
    for n in range(HISTORY_MESSAGES // 2 + 3):
        conversation = (await ask(client, creator, f"pergunta {n}", conversation))["conversation_id"]

    last = fake.chat_requests[-1]["messages"]
    assert last[0]["role"] == "system"
    assert len(last) == 1 + HISTORY_MESSAGES + 1
    assert last[-1]["content"] == f"pergunta {HISTORY_MESSAGES // 2 + 2}"
    assert all(m["content"] != "pergunta 0" for m in last)


async def test_conversations_are_listed_reopened_and_deleted(client: Client, app: Litestar, creator: Creator) -> None:
    first = await ask(client, creator, "Primeira conversa")
    second = await ask(client, creator, "Segunda conversa")

    listed = (await client.get("/api/assistant/conversations", headers=creator.headers)).json()
    assert [c["title"] for c in listed] == ["Segunda conversa", "Primeira conversa"]

    reopened = await client.get(f"/api/assistant/conversations/{first['conversation_id']}", headers=creator.headers)
    assert reopened.status_code == 200
    assert [(m["role"], m["content"]) for m in reopened.json()["messages"]] == [
        ("user", "Primeira conversa"),
        ("assistant", first["reply"]),
    ]
    page = await client.get(f"/assistant/{first['conversation_id']}", headers=creator.headers | HTML)
    assert page.status_code == 200 and "Primeira conversa" in page.text

    deleted = await client.delete(f"/api/assistant/conversations/{second['conversation_id']}", headers=creator.headers)
    assert deleted.status_code == 200
    listed = (await client.get("/api/assistant/conversations", headers=creator.headers)).json()
    assert [c["id"] for c in listed] == [first["conversation_id"]]
    async with app.state.session_factory() as db:
        assert await db.scalar(select(func.count()).select_from(ChatMessage)) == 2  # the first conversation's


async def test_a_continued_conversation_moves_to_the_top(client: Client, creator: Creator) -> None:
    older = await ask(client, creator, "Mais antiga")
    await ask(client, creator, "Mais nova")
    await ask(client, creator, "De volta", older["conversation_id"])

    listed = (await client.get("/api/assistant/conversations", headers=creator.headers)).json()

    assert [c["title"] for c in listed] == ["Mais antiga", "Mais nova"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/assistant/conversations/{id}", None),
        ("DELETE", "/api/assistant/conversations/{id}", None),
        ("POST", CHAT, {"message": "Oi", "conversation_id": "{id}"}),
        ("POST", STREAM, {"message": "Oi", "conversation_id": "{id}"}),
        ("GET", "/assistant/{id}", None),
    ],
)
async def test_another_creators_conversation_is_404_on_every_route(
    client: Client,
    creator: Creator,
    other_creator: Creator,
    fake: FakeOpenAI,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    conversation_id = (await ask(client, creator, "Só minha"))["conversation_id"]
    calls = len(fake.chat_requests)
    if body:
        body = {key: value.format(id=conversation_id) for key, value in body.items()}

    response = await client.request(method, path.format(id=conversation_id), json=body, headers=other_creator.headers)

    assert response.status_code == 404
    assert len(fake.chat_requests) == calls
    mine = (await client.get("/api/assistant/conversations", headers=creator.headers)).json()
    assert [c["id"] for c in mine] == [conversation_id]
    assert (await client.get("/api/assistant/conversations", headers=other_creator.headers)).json() == []


async def test_an_unknown_conversation_is_404(client: Client, creator: Creator) -> None:
    body = {"message": "Oi", "conversation_id": str(uuid.uuid4())}

    response = await client.post(CHAT, json=body, headers=creator.headers)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [{"message": ""}, {"message": "   \n"}, {"message": "x" * 4001}, {}, {"message": "oi", "conversation_id": "x"}],
)
@pytest.mark.parametrize("path", [CHAT, STREAM])
async def test_bad_messages_are_422_and_cost_no_model_call(
    client: Client, creator: Creator, fake: FakeOpenAI, body: dict[str, Any], path: str
) -> None:
    response = await client.post(path, json=body, headers=creator.headers)

    assert response.status_code == 422
    assert set(response.json()["fields"]) & {"message", "conversation_id"}
    assert fake.chat_requests == []


async def test_a_failed_model_call_keeps_nothing(client: Client, creator: Creator, fake: FakeOpenAI) -> None:
    fake.api_key = "sk-another-key"

    response = await client.post(CHAT, json={"message": "Oi"}, headers=creator.headers)

    assert response.status_code == 502
    assert response.json()["code"] == "ai_invalid_key"
    assert (await client.get("/api/assistant/conversations", headers=creator.headers)).json() == []


async def test_an_empty_reply_is_a_502(client: Client, creator: Creator, fake: FakeOpenAI) -> None:
    fake.reply("   ")

    response = await client.post(CHAT, json={"message": "Oi"}, headers=creator.headers)

    assert response.status_code == 502
    assert response.json()["code"] == "ai_bad_reply"


async def test_the_assistant_is_rate_limited_per_creator(
    client: Client, app: Litestar, creator: Creator, other_creator: Creator
) -> None:
    app.state.settings.ai.rate_limit = 2

    codes = [(await client.post(CHAT, json={"message": "Oi"}, headers=creator.headers)).status_code for _ in range(3)]
    streamed = await client.post(STREAM, json={"message": "Oi"}, headers=creator.headers)
    other = await client.post(CHAT, json={"message": "Oi"}, headers=other_creator.headers)

    assert codes == [200, 200, 429]
    assert streamed.status_code == 429 and "Retry-After" in streamed.headers
    assert other.status_code == 200


@pytest.mark.parametrize("ai_configured", [False])
async def test_without_ai_settings_the_assistant_is_503_naming_the_setting(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    for path in (CHAT, STREAM):
        response = await client.post(path, json={"message": "Oi"}, headers=creator.headers)
        assert response.status_code == 503
        assert "RENUM_AI_API_KEY" in response.json()["message"]
    page = await client.get("/assistant", headers=creator.headers | HTML)

    assert 'data-testid="ai-missing"' in page.text and "RENUM_AI_BASE_URL" in page.text
    assert fake.requests == []


async def test_the_reply_streams_and_the_turn_is_kept_once_it_ends(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    response = await client.post(STREAM, json={"message": "Uma ideia?"}, headers=creator.headers)

    assert response.status_code == 200
    received = events(response.text)
    deltas = [data["text"] for name, data in received if name == "delta"]
    assert "".join(deltas) == "Uma boa ideia: mostre o antes e o depois do pão."
    assert len(deltas) > 3
    name, final = received[-1]
    assert name == "reply" and final["reply"] == "".join(deltas)
    assert 'data-role="assistant"' in final["html"]
    kept = await client.get(f"/api/assistant/conversations/{final['conversation_id']}", headers=creator.headers)
    assert [m["role"] for m in kept.json()["messages"]] == ["user", "assistant"]

    again = await client.post(
        STREAM, json={"message": "Outra?", "conversation_id": final["conversation_id"]}, headers=creator.headers
    )
    assert events(again.text)[-1][1]["conversation_id"] == final["conversation_id"]
    assert len(fake.chat_requests[-1]["messages"]) == 4  # system, the first turn, the new message


async def test_a_stream_that_fails_ends_with_an_error_and_keeps_nothing(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    fake.reply("")  # an empty reply cannot be kept

    response = await client.post(STREAM, json={"message": "Oi"}, headers=creator.headers)

    name, error = events(response.text)[-1]
    assert name == "error" and error["code"] == "ai_bad_reply"
    assert (await client.get("/api/assistant/conversations", headers=creator.headers)).json() == []


async def test_htmx_gets_the_exchange_with_the_reply_escaped(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    fake.reply('<img src=x onerror="alert(1)"> Olá')

    response = await client.post(CHAT, json={"message": "<b>Oi</b>"}, headers=creator.headers | {"HX-Request": "true"})

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "conversation-changed"
    assert "<img" not in response.text and "&lt;img" in response.text
    assert "&lt;b&gt;Oi&lt;/b&gt;" in response.text
    assert response.text.count('data-testid="message"') == 2


async def test_the_page_lists_conversations_and_escapes_what_the_model_wrote(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    fake.reply("<script>alert(1)</script>")
    conversation_id = (await ask(client, creator, "Oi"))["conversation_id"]

    page = await client.get(f"/assistant/{conversation_id}", headers=creator.headers | HTML)
    empty = await client.get("/assistant", headers=creator.headers | HTML)

    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert f'value="{conversation_id}"' in page.text
    assert f"/assistant/{conversation_id}" in empty.text and 'name="conversation_id" value=""' in empty.text


async def test_the_assistant_knows_the_creators_upcoming_posts(
    client: Client, app: Litestar, creator: Creator, fake: FakeOpenAI
) -> None:
    soon = datetime.now(UTC) + timedelta(days=2)
    async with app.state.session_factory() as db:
        video = models.Video(
            owner_id=creator.id,
            storage_name="v.mp4",
            duration=30.0,
            size=1,
            width=720,
            height=1280,
            frame_rate=30.0,
            video_codec="h264",
        )
        db.add(video)
        await db.flush()
        for platform, text, status, when in [
            ("instagram", "Pão de domingo no forno", models.PostStatus.SCHEDULED, soon),
            ("tiktok", "Post que falhou", models.PostStatus.FAILED, soon),
            ("youtube", "Post que já saiu", models.PostStatus.SCHEDULED, soon - timedelta(days=9)),
        ]:
            db.add(
                models.ScheduledPost(
                    owner_id=creator.id,
                    video_id=video.id,
                    platform=platform,
                    text=text,
                    publish_at=when,
                    local_time=when.strftime("%Y-%m-%dT%H:%M:%S"),
                    timezone="America/Sao_Paulo",
                    status=status,
                )
            )
        await db.commit()

    await ask(client, creator, "O que eu tenho agendado?")

    system = fake.chat_requests[0]["messages"][0]["content"]
    assert "Instagram: Pão de domingo no forno" in system
    assert "Post que falhou" not in system and "Post que já saiu" not in system

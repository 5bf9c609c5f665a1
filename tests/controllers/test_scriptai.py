"""ScriptAI through HTTP, against a fake OpenAI-compatible server on loopback: writing scripts to length,
revising them, drafts with versions, at the SPA's paths and the old backend's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from renum.config import Settings
from renum.models import DraftVersion
from tests.conftest import Creator
from tests.controllers.sse import events
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.scriptwriter import ScriptWriter, written_script
from tests.fakes.server import serve

Client = httpx.AsyncClient
HTMX = {"HX-Request": "true"}
BRIEF = {
    "topic": "pão de fermentação natural",
    "platform": "instagram",
    "duration_seconds": 60,
    "tone": "bem-humorado",
    "audience": "padeiros iniciantes",
    "language": "pt-BR",
    "call_to_action": "Siga para a parte 2",
}
GENERATE = ["/api/scriptai/generate", "/api/modules/1/generate-script"]
REGENERATE = ["/api/scriptai/regenerate", "/api/modules/1/regenerate-script"]
CREATE = ["/api/scriptai/drafts", "/api/modules/1/scripts/save-draft"]
LIST = ["/api/scriptai/drafts", "/api/modules/1/scripts/drafts"]
ONE = ["/api/scriptai/drafts/{id}", "/api/modules/1/scripts/drafts/{id}"]


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
    """The fake model, reset and writing 150-word scripts (60 s in pt-BR); the app is pointed at it."""
    server, url = ai_server
    server.reset()
    server.responder = ScriptWriter(words=150)
    settings.ai.base_url = url if ai_configured else None
    settings.ai.api_key = server.api_key if ai_configured else None
    settings.ai.model = "gpt-fake"
    return server


def writer(fake: FakeOpenAI) -> ScriptWriter:
    assert isinstance(fake.responder, ScriptWriter)
    return fake.responder


async def generate(client: Client, creator: Creator, **changes: Any) -> dict[str, Any]:
    response = await client.post(GENERATE[0], json=BRIEF | changes, headers=creator.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def save(client: Client, creator: Creator, script: dict[str, Any], path: str = CREATE[0]) -> dict[str, Any]:
    response = await client.post(path, json={"script": script}, headers=creator.headers)
    assert response.status_code == 201, response.text
    return response.json()


# -- generating ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GENERATE)
async def test_a_script_is_structured_and_timed_to_the_duration_asked(
    client: Client, creator: Creator, fake: FakeOpenAI, path: str
) -> None:
    response = await client.post(path, json=BRIEF, headers=creator.headers)

    assert response.status_code == 200, response.text
    script = response.json()
    assert script["title"] == "Pão caseiro sem segredo"
    assert script["hook"].startswith("gancho")
    assert [s["heading"] for s in script["sections"]] == ["Parte 1", "Parte 2", "Parte 3"]
    assert all(s["estimated_seconds"] > 0 for s in script["sections"])
    assert script["call_to_action"].startswith("siga")
    assert script["hashtags"] == ["#pao", "#receita", "#padaria", "#caseira"]
    # 150 words at pt-BR's 150 words a minute.
    assert (script["word_count"], script["estimated_seconds"], script["words_per_minute"]) == (150, 60, 150)
    assert script["within_target"] is True
    assert script["duration_seconds"] == 60 and script["platform"] == "instagram" and script["language"] == "pt-BR"
    assert ("Deprecation" in response.headers) is (path != GENERATE[0])


async def test_the_model_is_asked_through_a_schema_with_the_brief_and_the_words_it_needs(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    await generate(client, creator)

    [request] = fake.chat_requests
    assert request["response_format"]["json_schema"]["name"] == "script"
    prompt = "\n".join(m["content"] for m in request["messages"])
    assert "pão de fermentação natural" in prompt and "Instagram Reels" in prompt
    assert "Siga para a parte 2" in prompt and "padeiros iniciantes" in prompt
    assert "150" in prompt  # words for 60 s at 150 words a minute
    assert "Escreva o roteiro" in prompt  # the pt-BR prompt, for a pt-BR script


async def test_english_scripts_are_timed_at_the_english_speaking_rate(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    writer(fake).words = 155

    script = await generate(client, creator, language="en")

    assert (script["words_per_minute"], script["estimated_seconds"]) == (155, 60)
    assert "Write the script" in fake.chat_requests[0]["messages"][1]["content"]


async def test_a_script_far_from_the_duration_is_sent_back_to_be_fixed(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    fake.reply(json.dumps(written_script(300)))  # twice as long as 60 s

    script = await generate(client, creator)

    assert script["estimated_seconds"] == 60 and script["within_target"] is True
    _first, fix = fake.chat_requests
    assert "300" in fix["messages"][-1]["content"] and "150" in fix["messages"][-1]["content"]


async def test_a_script_that_stays_off_length_is_a_clear_502(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    writer(fake).words = 60  # 24 s instead of 60, however often it is asked

    response = await client.post(GENERATE[0], json=BRIEF, headers=creator.headers)

    assert response.status_code == 502
    assert response.json()["code"] == "script_length_missed"
    assert "24" in response.json()["message"] and "60" in response.json()["message"]
    assert len(fake.chat_requests) == 3  # the first try and two fixes


async def test_a_reply_that_is_not_json_is_repaired(client: Client, creator: Creator, fake: FakeOpenAI) -> None:
    fake.reply("Claro! Um roteiro sobre pão, já já.")

    script = await generate(client, creator)

    assert script["word_count"] == 150
    assert len(fake.chat_requests) == 2


async def test_a_reply_that_stays_unusable_is_a_clear_502(client: Client, creator: Creator, fake: FakeOpenAI) -> None:
    fake.malformed = True

    response = await client.post(GENERATE[0], json=BRIEF, headers=creator.headers)

    assert response.status_code == 502
    assert response.json()["code"] == "ai_bad_reply"


async def test_the_model_refusing_the_key_is_a_502_that_says_so(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    fake.api_key = "sk-another-key"

    response = await client.post(GENERATE[0], json=BRIEF, headers=creator.headers)

    assert response.status_code == 502
    assert response.json()["code"] == "ai_invalid_key"
    assert "RENUM_AI_API_KEY" in response.json()["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"topic": ""}, "topic"),
        ({"topic": "   "}, "topic"),
        ({"topic": "x" * 501}, "topic"),
        ({"duration_seconds": 14}, "duration_seconds"),
        ({"duration_seconds": 601}, "duration_seconds"),
        ({"platform": "orkut"}, "platform"),
        ({"language": "fr"}, "language"),
        ({"duration_seconds": "sixty"}, "duration_seconds"),
    ],
)
@pytest.mark.parametrize("path", GENERATE)
async def test_bad_briefs_are_422_naming_the_field_and_cost_no_model_call(
    client: Client, creator: Creator, fake: FakeOpenAI, changes: dict[str, Any], field: str, path: str
) -> None:
    response = await client.post(path, json=BRIEF | changes, headers=creator.headers)

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert fake.chat_requests == []


async def test_several_bad_fields_are_reported_together(client: Client, creator: Creator) -> None:
    response = await client.post(
        GENERATE[0], json={"topic": "", "duration_seconds": 5, "platform": "myspace"}, headers=creator.headers
    )

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"topic", "duration_seconds", "platform"}


async def test_durations_at_the_limits_are_accepted(client: Client, creator: Creator, fake: FakeOpenAI) -> None:
    writer(fake).words = 38
    assert (await generate(client, creator, duration_seconds=15))["duration_seconds"] == 15
    writer(fake).words = 1500
    assert (await generate(client, creator, duration_seconds=600))["estimated_seconds"] == 600


async def test_htmx_gets_the_editor_with_the_model_text_escaped(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    writer(fake).title = "<script>alert('x')</script> Pão"

    response = await client.post(GENERATE[0], json=BRIEF, headers=creator.headers | HTMX)

    assert response.status_code == 200
    assert 'id="editor"' in response.text and 'data-testid="section"' in response.text
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert" in response.text


async def test_ai_calls_are_rate_limited_per_creator(
    client: Client, app: Litestar, creator: Creator, other_creator: Creator
) -> None:
    app.state.settings.ai.rate_limit = 2

    codes = [(await client.post(GENERATE[0], json=BRIEF, headers=creator.headers)).status_code for _ in range(3)]
    refused = await client.post(REGENERATE[0], json={"script": written_script(150)}, headers=creator.headers)
    other = await client.post(GENERATE[0], json=BRIEF, headers=other_creator.headers)

    assert codes == [200, 200, 429]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert other.status_code == 200


async def test_a_signed_out_caller_cannot_generate(client: Client) -> None:
    assert (await client.post(GENERATE[0], json=BRIEF)).status_code == 401


# -- streaming -----------------------------------------------------------------------------------


async def test_the_stream_shows_the_script_as_written_then_the_structured_script(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    response = await client.post("/api/scriptai/generate/stream", json=BRIEF, headers=creator.headers)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    received = events(response.text)
    deltas = [data["text"] for name, data in received if name == "delta"]
    assert len(deltas) > 10 and "HOOK:" in "".join(deltas)
    name, final = received[-1]
    assert name == "script"
    assert final["script"]["word_count"] == 150 and final["script"]["within_target"] is True
    assert [s["heading"] for s in final["script"]["sections"]] == ["Parte 1", "Parte 2", "Parte 3"]
    assert 'id="editor"' in final["html"]
    [request] = fake.chat_requests  # the plain form needed no second call
    assert request["stream"] is True


async def test_a_streamed_script_out_of_form_is_structured_by_a_second_call(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    fake.reply("Era uma vez um pão. Ele cresceu devagar. Fim.")

    response = await client.post("/api/scriptai/generate/stream", json=BRIEF, headers=creator.headers)

    name, final = events(response.text)[-1]
    assert name == "script" and final["script"]["word_count"] == 150
    _streamed, structured = fake.chat_requests
    assert structured["response_format"]["json_schema"]["name"] == "script"
    assert "Era uma vez um pão" in structured["messages"][-1]["content"]


async def test_a_failure_while_streaming_ends_the_stream_with_an_error_event(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    writer(fake).words = 40  # the streamed script, and every fix, stays far too short

    response = await client.post("/api/scriptai/generate/stream", json=BRIEF, headers=creator.headers)

    assert response.status_code == 200
    name, error = events(response.text)[-1]
    assert name == "error"
    assert error["status"] == 502 and error["code"] == "script_length_missed" and error["message"]


async def test_a_bad_brief_is_refused_before_the_stream_starts(client: Client, creator: Creator) -> None:
    response = await client.post("/api/scriptai/generate/stream", json=BRIEF | {"topic": ""}, headers=creator.headers)

    assert response.status_code == 422
    assert "topic" in response.json()["fields"]


# -- without AI settings --------------------------------------------------------------------------


@pytest.mark.parametrize("ai_configured", [False])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        (GENERATE[0], BRIEF),
        (GENERATE[1], BRIEF),
        ("/api/scriptai/generate/stream", BRIEF),
        (REGENERATE[0], {"script": written_script(150)}),
        (REGENERATE[1], {"script": written_script(150)}),
    ],
)
async def test_without_ai_settings_every_ai_route_is_503_naming_the_setting(
    client: Client, creator: Creator, fake: FakeOpenAI, path: str, body: dict[str, Any]
) -> None:
    response = await client.post(path, json=body, headers=creator.headers)

    assert response.status_code == 503
    assert response.json()["code"] == "ai_not_configured"
    assert "RENUM_AI_API_KEY" in response.json()["message"] and "RENUM_AI_BASE_URL" in response.json()["message"]
    assert fake.requests == []


@pytest.mark.parametrize("ai_configured", [False])
async def test_without_ai_settings_the_page_says_so_and_drafts_still_work(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    page = await client.get("/scriptai", headers=creator.headers | {"Accept": "text/html"})
    draft = await save(client, creator, written_script(150))
    draft_page = await client.get(f"/scriptai/drafts/{draft['id']}", headers=creator.headers | {"Accept": "text/html"})

    assert page.status_code == 200
    assert 'data-testid="ai-missing"' in page.text and "RENUM_AI_API_KEY" in page.text
    assert 'data-testid="generate" disabled' in page.text
    assert "RENUM_AI_API_KEY" in draft_page.text


# -- regenerating --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGENERATE)
async def test_one_section_is_rewritten_and_the_rest_kept(
    client: Client, creator: Creator, fake: FakeOpenAI, path: str
) -> None:
    script = await generate(client, creator)

    response = await client.post(
        path, json={"script": script, "section": 1, "instruction": "mais engraçado"}, headers=creator.headers
    )

    assert response.status_code == 200, response.text
    revised = response.json()["script"]
    assert revised["sections"][1]["text"].startswith("novo")
    assert revised["sections"][1]["heading"] == "Trecho novo"
    assert [s["text"] for i, s in enumerate(revised["sections"]) if i != 1] == [
        s["text"] for i, s in enumerate(script["sections"]) if i != 1
    ]
    assert revised["hook"] == script["hook"] and revised["call_to_action"] == script["call_to_action"]
    assert revised["word_count"] < script["word_count"]  # a shorter section, measured again
    assert response.json()["draft"] is None
    request = fake.chat_requests[-1]
    assert request["response_format"]["json_schema"]["name"] == "script_part"
    prompt = request["messages"][-1]["content"]
    assert "mais engraçado" in prompt and script["sections"][1]["text"] in prompt


@pytest.mark.parametrize("section", ["hook", "call_to_action"])
async def test_the_hook_or_the_call_to_action_can_be_rewritten_alone(
    client: Client, creator: Creator, section: str
) -> None:
    script = await generate(client, creator)

    response = await client.post(
        REGENERATE[0], json={"script": script, "section": section, "instruction": "troque"}, headers=creator.headers
    )

    revised = response.json()["script"]
    assert revised[section].startswith("novo")
    assert revised["sections"] == script["sections"]


async def test_the_whole_script_is_rewritten_with_an_instruction(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    script = await generate(client, creator)
    writer(fake).title = "Pão em três passos"

    response = await client.post(
        REGENERATE[0], json={"script": script, "instruction": "mais curto"}, headers=creator.headers
    )

    assert response.json()["script"]["title"] == "Pão em três passos"
    assert response.json()["script"]["duration_seconds"] == 60
    assert "mais curto" in fake.chat_requests[-1]["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"section": 0}, "script"),
        ({"script": written_script(150), "section": 7}, "section"),
        ({"script": written_script(150), "section": "ending"}, "section"),
        ({"script": written_script(150), "instruction": "x" * 501}, "instruction"),
        ({"script": {"title": "Vazio"}}, "sections"),
        ({"script": written_script(150) | {"duration_seconds": 3}}, "duration_seconds"),
    ],
)
async def test_bad_revisions_are_422_naming_the_field(
    client: Client, creator: Creator, fake: FakeOpenAI, body: dict[str, Any], field: str
) -> None:
    response = await client.post(REGENERATE[0], json=body, headers=creator.headers)

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert fake.chat_requests == []


async def test_revising_a_draft_keeps_the_revision_as_a_new_version(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    draft = await save(client, creator, written_script(150))

    response = await client.post(
        REGENERATE[0],
        json={"draft_id": draft["id"], "version": 1, "section": 0, "instruction": "mais curto"},
        headers=creator.headers,
    )

    assert response.status_code == 200
    assert response.json()["draft"]["version"] == 2
    saved = (await client.get(ONE[0].format(id=draft["id"]), headers=creator.headers)).json()
    assert saved["version"] == 2 and saved["script"]["sections"][0]["text"].startswith("novo")
    versions = (await client.get(f"/api/scriptai/drafts/{draft['id']}/versions", headers=creator.headers)).json()
    assert [(v["number"], v["reason"]) for v in versions["items"]] == [(2, "regenerated"), (1, "created")]


async def test_revising_a_stale_copy_of_a_draft_is_409_before_the_model_is_asked(
    client: Client, creator: Creator, fake: FakeOpenAI
) -> None:
    draft = await save(client, creator, written_script(150))
    await client.put(
        ONE[0].format(id=draft["id"]), json={"script": draft["script"], "version": 1}, headers=creator.headers
    )

    response = await client.post(
        REGENERATE[0], json={"draft_id": draft["id"], "version": 1, "section": 0}, headers=creator.headers
    )

    assert response.status_code == 409
    assert fake.chat_requests == []


@pytest.mark.parametrize("path", REGENERATE)
async def test_another_creators_draft_cannot_be_revised(
    client: Client, creator: Creator, other_creator: Creator, fake: FakeOpenAI, path: str
) -> None:
    draft = await save(client, creator, written_script(150))

    response = await client.post(path, json={"draft_id": draft["id"], "section": 0}, headers=other_creator.headers)

    assert response.status_code == 404
    assert fake.chat_requests == []


# -- drafts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("create", "one"), [(CREATE[0], ONE[0]), (CREATE[1], ONE[1])])
async def test_a_draft_is_saved_read_updated_and_deleted(
    client: Client, app: Litestar, creator: Creator, create: str, one: str
) -> None:
    draft = await save(client, creator, written_script(150), path=create)
    url = one.format(id=draft["id"])
    assert draft["version"] == 1 and draft["script"]["word_count"] == 150
    assert draft["title"] == "Pão caseiro sem segredo"

    read = await client.get(url, headers=creator.headers)
    assert read.status_code == 200 and read.json()["script"] == draft["script"]

    edited = draft["script"] | {"hook": "Um gancho novo e curto."}
    updated = await client.put(url, json={"script": edited, "version": 1}, headers=creator.headers)
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2 and updated.json()["script"]["hook"] == "Um gancho novo e curto."

    deleted = await client.delete(url, headers=creator.headers)
    assert deleted.status_code == 200
    assert (await client.get(url, headers=creator.headers)).status_code == 404
    async with app.state.session_factory() as db:
        assert await db.scalar(select(func.count()).select_from(DraftVersion)) == 0


async def test_updating_a_stale_copy_is_409_and_keeps_the_newer_work(client: Client, creator: Creator) -> None:
    draft = await save(client, creator, written_script(150))
    url = ONE[0].format(id=draft["id"])
    first_tab = draft["script"] | {"hook": "Primeira aba."}
    second_tab = draft["script"] | {"hook": "Segunda aba."}

    assert (await client.put(url, json={"script": first_tab, "version": 1}, headers=creator.headers)).status_code == 200
    stale = await client.put(url, json={"script": second_tab, "version": 1}, headers=creator.headers)

    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict" and "2" in stale.json()["message"]
    assert (await client.get(url, headers=creator.headers)).json()["script"]["hook"] == "Primeira aba."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"script": written_script(150)}, "version"),
        ({"script": {"hook": "", "sections": []}, "version": 1}, "sections"),
        ({"script": written_script(150) | {"platform": "orkut"}, "version": 1}, "platform"),
        ({"script": written_script(150) | {"title": "x" * 201}, "version": 1}, "title"),
    ],
)
async def test_bad_updates_are_422_naming_the_field(
    client: Client, creator: Creator, body: dict[str, Any], field: str
) -> None:
    draft = await save(client, creator, written_script(150))

    response = await client.put(ONE[0].format(id=draft["id"]), json=body, headers=creator.headers)

    assert response.status_code == 422
    assert field in response.json()["fields"]


@pytest.mark.parametrize("path", CREATE)
async def test_an_empty_script_cannot_be_saved(client: Client, creator: Creator, path: str) -> None:
    response = await client.post(path, json={"script": {"title": "Nada"}}, headers=creator.headers)

    assert response.status_code == 422
    assert "sections" in response.json()["fields"]


@pytest.mark.parametrize("path", LIST)
async def test_drafts_are_listed_newest_first_searched_and_paged(client: Client, creator: Creator, path: str) -> None:
    for title in ["Pão de queijo", "Bolo de cenoura", "Pão francês", "Café coado"]:
        await save(client, creator, written_script(150, title=title) | {"hashtags": ["#cozinha"]})

    everything = (await client.get(path, headers=creator.headers)).json()
    assert [item["title"] for item in everything["items"]] == [
        "Café coado",
        "Pão francês",
        "Bolo de cenoura",
        "Pão de queijo",
    ]
    assert everything["total"] == 4

    found = (await client.get(path, params={"q": "PAO FRANCES"}, headers=creator.headers)).json()
    assert [item["title"] for item in found["items"]] == ["Pão francês"]
    found = (await client.get(path, params={"q": "PAO"}, headers=creator.headers)).json()
    assert [item["title"] for item in found["items"]] == ["Pão francês", "Pão de queijo"]

    page = (await client.get(path, params={"page": 2, "per_page": 3}, headers=creator.headers)).json()
    assert [item["title"] for item in page["items"]] == ["Pão de queijo"]
    assert (page["total"], page["page"], page["per_page"]) == (4, 2, 3)


async def test_a_draft_just_changed_comes_first(client: Client, creator: Creator) -> None:
    older = await save(client, creator, written_script(150, title="Antigo"))
    await save(client, creator, written_script(150, title="Novo"))
    await client.put(
        ONE[0].format(id=older["id"]), json={"script": older["script"], "version": 1}, headers=creator.headers
    )

    listed = (await client.get(LIST[0], headers=creator.headers)).json()

    assert [item["title"] for item in listed["items"]] == ["Antigo", "Novo"]


async def test_search_reads_the_script_text_and_treats_wildcards_as_text(client: Client, creator: Creator) -> None:
    script = written_script(150, title="Fermentação")
    script["sections"][0]["text"] = "Use 100% farinha integral."
    await save(client, creator, script)
    await save(client, creator, written_script(150, title="Outro"))

    by_text = (await client.get(LIST[0], params={"q": "farinha integral"}, headers=creator.headers)).json()
    by_percent = (await client.get(LIST[0], params={"q": "100%"}, headers=creator.headers)).json()
    by_wildcard = (await client.get(LIST[0], params={"q": "%"}, headers=creator.headers)).json()

    assert [item["title"] for item in by_text["items"]] == ["Fermentação"]
    assert [item["title"] for item in by_percent["items"]] == ["Fermentação"]
    assert [item["title"] for item in by_wildcard["items"]] == ["Fermentação"]


@pytest.mark.parametrize("params", [{"page": 0}, {"per_page": 0}, {"per_page": 101}])
async def test_bad_pages_are_422(client: Client, creator: Creator, params: dict[str, int]) -> None:
    response = await client.get(LIST[0], params=params, headers=creator.headers)

    assert response.status_code == 422


async def test_other_creators_drafts_are_not_listed(client: Client, creator: Creator, other_creator: Creator) -> None:
    await save(client, creator, written_script(150))

    listed = (await client.get(LIST[0], headers=other_creator.headers)).json()

    assert listed["items"] == [] and listed["total"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ONE[0]),
        ("GET", ONE[1]),
        ("PUT", ONE[0]),
        ("PUT", ONE[1]),
        ("DELETE", ONE[0]),
        ("DELETE", ONE[1]),
        ("GET", "/api/scriptai/drafts/{id}/versions"),
        ("GET", "/api/scriptai/drafts/{id}/versions/1"),
        ("POST", "/api/scriptai/drafts/{id}/versions/1/restore"),
        ("GET", "/scriptai/drafts/{id}"),
    ],
)
async def test_another_creators_draft_is_404_on_every_route(
    client: Client, creator: Creator, other_creator: Creator, method: str, path: str
) -> None:
    draft = await save(client, creator, written_script(150))
    body = {"script": draft["script"], "version": 1} if method == "PUT" else None

    response = await client.request(method, path.format(id=draft["id"]), json=body, headers=other_creator.headers)

    assert response.status_code == 404
    assert (await client.get(ONE[0].format(id=draft["id"]), headers=creator.headers)).json()["version"] == 1


async def test_an_unknown_draft_is_404(client: Client, creator: Creator) -> None:
    response = await client.get(ONE[0].format(id=uuid.uuid4()), headers=creator.headers)

    assert response.status_code == 404


# -- versions ------------------------------------------------------------------------------------


async def test_every_save_keeps_a_version_and_an_earlier_one_can_be_restored(client: Client, creator: Creator) -> None:
    draft = await save(client, creator, written_script(150))
    url = ONE[0].format(id=draft["id"])
    original_hook = draft["script"]["hook"]
    await client.put(
        url, json={"script": draft["script"] | {"hook": "Segundo gancho."}, "version": 1}, headers=creator.headers
    )
    await client.put(
        url, json={"script": draft["script"] | {"hook": "Terceiro gancho."}, "version": 2}, headers=creator.headers
    )

    versions = (await client.get(f"{url}/versions", headers=creator.headers)).json()
    assert versions["current"] == 3
    assert [(v["number"], v["reason"]) for v in versions["items"]] == [(3, "saved"), (2, "saved"), (1, "created")]
    first = (await client.get(f"{url}/versions/1", headers=creator.headers)).json()
    assert first["script"]["hook"] == original_hook

    restored = await client.post(f"{url}/versions/1/restore", json={"version": 3}, headers=creator.headers)

    assert restored.status_code == 200
    assert restored.json()["version"] == 4 and restored.json()["script"]["hook"] == original_hook
    versions = (await client.get(f"{url}/versions", headers=creator.headers)).json()
    assert [(v["number"], v["reason"]) for v in versions["items"]][:2] == [(4, "restored"), (3, "saved")]


async def test_restoring_over_newer_work_is_409(client: Client, creator: Creator) -> None:
    draft = await save(client, creator, written_script(150))
    url = ONE[0].format(id=draft["id"])
    await client.put(url, json={"script": draft["script"], "version": 1}, headers=creator.headers)

    response = await client.post(f"{url}/versions/1/restore", json={"version": 1}, headers=creator.headers)

    assert response.status_code == 409


async def test_restoring_without_a_version_just_restores(client: Client, creator: Creator) -> None:
    draft = await save(client, creator, written_script(150))
    url = ONE[0].format(id=draft["id"])
    await client.put(url, json={"script": draft["script"] | {"hook": "Outro."}, "version": 1}, headers=creator.headers)

    response = await client.post(f"{url}/versions/1/restore", headers=creator.headers)

    assert response.status_code == 200 and response.json()["version"] == 3


async def test_an_unknown_version_is_404(client: Client, creator: Creator) -> None:
    draft = await save(client, creator, written_script(150))

    response = await client.get(f"/api/scriptai/drafts/{draft['id']}/versions/9", headers=creator.headers)

    assert response.status_code == 404


# -- pages ---------------------------------------------------------------------------------------


async def test_the_pages_show_the_form_the_drafts_and_a_draft_with_its_versions(
    client: Client, creator: Creator
) -> None:
    draft = await save(client, creator, written_script(150, title="Pão <b>quente</b>"))
    html = creator.headers | {"Accept": "text/html"}

    form = await client.get("/scriptai", headers=html)
    listing = await client.get("/scriptai/drafts", headers=html)
    editor = await client.get(f"/scriptai/drafts/{draft['id']}", headers=html)
    versions = await client.get(f"/api/scriptai/drafts/{draft['id']}/versions", headers=creator.headers | HTMX)
    searched = await client.get("/api/scriptai/drafts", params={"q": "quente"}, headers=creator.headers | HTMX)
    missed = await client.get("/api/scriptai/drafts", params={"q": "bolo"}, headers=creator.headers | HTMX)

    assert form.status_code == 200 and 'data-testid="brief-form"' in form.text and "ai-missing" not in form.text
    assert listing.status_code == 200 and f"/scriptai/drafts/{draft['id']}" in listing.text
    assert "Pão &lt;b&gt;quente&lt;/b&gt;" in listing.text
    assert editor.status_code == 200 and f'data-draft-id="{draft["id"]}"' in editor.text
    assert 'data-testid="version"' in versions.text
    assert searched.text.count('data-testid="draft-row"') == 1
    assert 'data-testid="draft-row"' not in missed.text


async def test_the_pages_need_a_signed_in_creator(client: Client) -> None:
    response = await client.get("/scriptai", headers={"Accept": "text/html"})

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_an_anonymous_caller_is_asked_to_sign_in_before_anything_about_the_ai(client: httpx.AsyncClient) -> None:
    for path in ("/api/scriptai/generate", "/api/modules/1/generate-script", "/api/assistant/chat"):
        response = await client.post(path, json={})
        assert response.status_code == 401, path

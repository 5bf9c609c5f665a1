"""PostRápido's captions over HTTP: one per platform from the transcript, kept within each platform's limits."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from renum.config import Settings
from renum.models import Caption, Transcript
from renum.services.captions import measure
from tests.conftest import Creator
from tests.controllers.test_postrapido import uploaded
from tests.fakes.captionwriter import CaptionWriter
from tests.fakes.openai_server import FakeOpenAI
from tests.media import clips

Client = httpx.AsyncClient
SAID = "Hoje eu vou mostrar como fazer pão caseiro em três passos, sem batedeira e sem segredo."


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short recording to caption."""
    return clips.speech_clip(tmp_path_factory.mktemp("caption-clips") / "pao.mp4")


@pytest.fixture
def writer(openai_server: tuple[FakeOpenAI, str], settings: Settings) -> CaptionWriter:
    """The fake model writing captions, with the app pointing at it (ask for it before ``client``)."""
    fake, url = openai_server
    fake.reset()
    settings.ai.base_url, settings.ai.api_key, settings.ai.model = url, fake.api_key, fake.models[0]
    writer = CaptionWriter()
    fake.responder = writer
    return writer


@pytest.fixture
def openai(openai_server: tuple[FakeOpenAI, str], writer: CaptionWriter) -> FakeOpenAI:
    """The fake server itself, to read what RENUM sent it."""
    return openai_server[0]


async def transcribed_video(app: Litestar, client: Client, creator: Creator, clip: Path, text: str = SAID) -> str:
    """Upload the clip and give it a transcript (as the transcription task would); answer its id."""
    video = await uploaded(client, creator, clip)
    async with app.state.session_factory() as db:
        db.add(
            Transcript(
                video_id=uuid.UUID(video["id"]),
                owner_id=creator.id,
                language="pt",
                text=text,
                segments=[{"start": 0.5, "end": 4.0, "text": text}],
                words=[],
            )
        )
        await db.commit()
    return str(video["id"])


async def generate(
    client: Client, creator: Creator, video_id: str, platforms: list[str], **extra: Any
) -> httpx.Response:
    body = {"video_id": video_id, "platforms": platforms, **extra}
    return await client.post("/api/postrapido/descriptions/generate", json=body, headers=creator.headers)


async def caption_count(app: Litestar) -> int:
    async with app.state.session_factory() as db:
        return int(await db.scalar(select(func.count()).select_from(Caption)) or 0)


def by_platform(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {caption["platform"]: caption for caption in answer["captions"]}


async def test_captions_are_written_per_platform_from_the_transcript(
    writer: CaptionWriter, openai: FakeOpenAI, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)

    response = await generate(client, creator, video_id, ["instagram", "youtube", "X"])

    assert response.status_code == 200, response.text
    captions = by_platform(response.json())
    assert list(captions) == ["instagram", "youtube", "x"]
    instagram = captions["instagram"]
    assert instagram["text"].endswith("#pao #receita")
    assert instagram["length"] == len(instagram["text"].encode("utf-16-le")) // 2
    assert (instagram["max_length"], instagram["hashtags"], instagram["max_hashtags"]) == (2200, 2, 5)
    assert instagram["title"] is None
    assert captions["youtube"]["title"] == "Pão caseiro em três passos"
    assert captions["youtube"]["counting"] == "bytes"
    assert captions["youtube"]["length"] == len(captions["youtube"]["text"].encode())
    assert all(not caption["fixes"] for caption in captions.values())
    prompt = str(openai.chat_requests[0]["messages"])
    assert SAID in prompt
    assert openai.chat_requests[0]["response_format"]["json_schema"]["name"] == "captions"

    listed = await client.get(f"/api/postrapido/videos/{video_id}/captions", headers=creator.headers)
    assert by_platform(listed.json()) == captions


async def test_the_old_path_generates_captions_and_is_marked_deprecated(
    writer: CaptionWriter, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)

    response = await client.post(
        "/api/modules/2/generate-descriptions",
        json={"video_id": video_id, "platform": "tiktok"},
        headers=creator.headers,
    )

    assert response.status_code == 200, response.text
    assert response.headers["Deprecation"] == "true"
    assert [caption["platform"] for caption in response.json()["captions"]] == ["tiktok"]


async def test_what_the_model_gets_wrong_is_fixed_to_each_platforms_rules(
    writer: CaptionWriter, openai: FakeOpenAI, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)
    tags = [f"#tag{n}" for n in range(9)]
    writer.written = {
        "instagram": {"text": "Receita do dia #pao no forno.", "hashtags": tags},
        "youtube": {"title": "Pão <caseiro> " + "muito " * 40, "text": "Use <b>farinha</b> e água."},
        "x": {"text": "palavra " * 60, "hashtags": []},
    }
    writer.shortened = {"x": {"text": "ainda longo " * 40, "hashtags": []}}

    response = await generate(client, creator, video_id, ["instagram", "youtube", "x"])

    assert response.status_code == 200, response.text
    captions = by_platform(response.json())
    instagram = captions["instagram"]
    assert instagram["hashtags"] == 5
    assert "#pao" in instagram["text"] and "#tag3" in instagram["text"] and "#tag4" not in instagram["text"]
    assert instagram["fixes"] == ["too_many_hashtags"]
    youtube = captions["youtube"]
    assert "<" not in youtube["text"] + youtube["title"] and ">" not in youtube["text"] + youtube["title"]
    assert len(youtube["title"]) <= 100 and youtube["title"].startswith("Pão caseiro muito")
    assert set(youtube["fixes"]) == {"angle_brackets", "title_too_long"}
    x = captions["x"]
    assert x["length"] <= 280 and x["text"].endswith("…")
    assert x["fixes"] == ["too_long"]
    # The too-long caption went back to the model once, asking for X alone.
    assert writer.asked[1] == ["x"] and len(openai.chat_requests) == 2


async def test_a_caption_the_model_shortens_when_asked_is_kept_as_it_wrote_it(
    writer: CaptionWriter, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)
    writer.written = {"x": {"text": "longo " * 80, "hashtags": []}}
    writer.shortened = {"x": {"text": "Pão caseiro, três passos, zero segredo.", "hashtags": ["pao"]}}

    response = await generate(client, creator, video_id, ["x"])

    [x] = response.json()["captions"]
    assert x["text"] == "Pão caseiro, três passos, zero segredo.\n\n#pao"
    assert x["fixes"] == []


async def test_a_creator_rewrites_one_caption_with_an_instruction(
    writer: CaptionWriter, openai: FakeOpenAI, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)
    first = by_platform((await generate(client, creator, video_id, ["instagram", "tiktok"])).json())

    response = await client.post(
        "/api/postrapido/descriptions/regenerate",
        json={"caption_id": first["tiktok"]["id"], "instruction": "mais divertida, com uma pergunta"},
        headers=creator.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["text"] == "Versão nova, mais curta e direta."
    assert response.json()["id"] == first["tiktok"]["id"]
    prompt = "\n".join(message["content"] for message in openai.chat_requests[-1]["messages"])
    assert "mais divertida, com uma pergunta" in prompt and first["tiktok"]["text"] in prompt
    listed = by_platform(
        (await client.get(f"/api/postrapido/videos/{video_id}/captions", headers=creator.headers)).json()
    )
    assert listed["tiktok"]["text"] == "Versão nova, mais curta e direta."
    assert listed["instagram"]["text"] == first["instagram"]["text"]

    old = await client.post(
        "/api/modules/2/regenerate-description",
        json={"video_id": video_id, "platform": "instagram"},
        headers=creator.headers,
    )
    assert old.status_code == 200 and old.headers["Deprecation"] == "true"


async def test_a_creator_edits_a_caption_and_one_over_the_limit_is_refused(
    writer: CaptionWriter, app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)
    [caption] = (await generate(client, creator, video_id, ["instagram"])).json()["captions"]
    url = f"/api/postrapido/captions/{caption['id']}"

    too_many = await client.put(
        url, json={"text": "Oi " + " ".join(f"#t{n}" for n in range(6))}, headers=creator.headers
    )
    too_long = await client.put(url, json={"text": "🍞" * 1101}, headers=creator.headers)
    empty = await client.put(url, json={"text": "   "}, headers=creator.headers)
    kept = await client.put(url, json={"text": "Meu texto 🍞 #pao"}, headers=creator.headers)

    assert too_many.status_code == 422 and "5 hashtags" in too_many.json()["message"]
    # An emoji is two UTF-16 code units: 1,101 of them are 2,202, over Instagram's 2,200.
    assert too_long.status_code == 422 and "Instagram" in too_long.json()["message"]
    assert empty.status_code == 422
    assert kept.status_code == 200, kept.text
    assert kept.json()["text"] == "Meu texto 🍞 #pao" and kept.json()["edited"] is True
    assert kept.json()["length"] == measure("instagram", "Meu texto 🍞 #pao") == 17


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"platforms": ["orkut"]}, 422, None),
        ({"platforms": []}, 422, "platforms"),
        ({"platforms": ["x"], "instruction": "a" * 501}, 422, "instruction"),
        ({"platforms": "instagram"}, 422, "platforms"),
    ],
    ids=["unknown-platform", "no-platform", "instruction-too-long", "platforms-not-a-list"],
)
async def test_a_bad_caption_request_is_refused_and_nothing_is_kept(
    writer: CaptionWriter,
    openai: FakeOpenAI,
    app: Litestar,
    client: Client,
    creator: Creator,
    clip: Path,
    body: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)

    response = await client.post(
        "/api/postrapido/descriptions/generate", json={"video_id": video_id, **body}, headers=creator.headers
    )

    assert response.status_code == status, response.text
    assert response.json()["message"]
    if field:
        assert field in response.json()["fields"]
    assert openai.chat_requests == []
    assert await caption_count(app) == 0


async def test_captions_need_a_transcript(writer: CaptionWriter, client: Client, creator: Creator, clip: Path) -> None:
    video = await uploaded(client, creator, clip)

    response = await generate(client, creator, video["id"], ["instagram"])

    assert response.status_code == 404
    assert response.json()["message"] == "Este vídeo ainda não tem transcrição. Transcreva-o primeiro."


async def test_rewriting_needs_to_know_which_caption(writer: CaptionWriter, client: Client, creator: Creator) -> None:
    response = await client.post(
        "/api/postrapido/descriptions/regenerate", json={"instruction": "curta"}, headers=creator.headers
    )

    assert response.status_code == 422
    assert "caption_id" in response.json()["message"]


async def test_captions_without_ai_settings_say_which_to_set(
    app: Litestar, client: Client, creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)

    response = await generate(client, creator, video_id, ["instagram"])

    assert response.status_code == 503
    assert "RENUM_AI_API_KEY" in response.json()["message"]


async def test_another_creators_captions_are_not_found(
    writer: CaptionWriter, app: Litestar, client: Client, creator: Creator, other_creator: Creator, clip: Path
) -> None:
    video_id = await transcribed_video(app, client, creator, clip)
    [caption] = (await generate(client, creator, video_id, ["instagram"])).json()["captions"]
    theirs = other_creator.headers

    answers = [
        await generate(client, other_creator, video_id, ["instagram"]),
        await client.post(
            "/api/postrapido/descriptions/regenerate", json={"caption_id": caption["id"]}, headers=theirs
        ),
        await client.post(
            "/api/postrapido/descriptions/regenerate",
            json={"video_id": video_id, "platform": "instagram"},
            headers=theirs,
        ),
        await client.get(f"/api/postrapido/videos/{video_id}/captions", headers=theirs),
        await client.put(f"/api/postrapido/captions/{caption['id']}", json={"text": "meu"}, headers=theirs),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    mine = (await client.get(f"/api/postrapido/videos/{video_id}/captions", headers=creator.headers)).json()
    assert mine["captions"][0]["text"] == caption["text"]

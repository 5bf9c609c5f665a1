"""A creator in a real browser takes a recording through PostRápido: upload, transcript, silences, render,
captions and posts scheduled on two networks, against the OpenAI and Metricool fakes on loopback."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from renum.config import Settings, get_settings
from tests.fakes.captionwriter import CaptionWriter
from tests.fakes.heygen import FakeHeyGen
from tests.fakes.integrations import HEYGEN_KEY, METRICOOL_TOKEN, METRICOOL_USER, Fakes, use_fakes
from tests.fakes.metricool import FakeMetricool
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.server import serve
from tests.media import clips

PASSWORD = "senha-forte-2026"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tone bursts standing in for speech, with pauses to cut."""
    return clips.speech_clip(tmp_path_factory.mktemp("browser-clips") / "gravacao.mp4")


@pytest.fixture(scope="module")
def outside() -> Iterator[tuple[tuple[FakeHeyGen, str], tuple[FakeMetricool, str], tuple[FakeOpenAI, str]]]:
    """The HeyGen, Metricool and OpenAI fakes, served for this module."""
    heygen, metricool, openai = FakeHeyGen(api_key=HEYGEN_KEY), FakeMetricool(), FakeOpenAI()
    with serve(heygen.app) as heygen_url, serve(metricool.app) as metricool_url, serve(openai.app) as openai_url:
        yield (heygen, heygen_url), (metricool, metricool_url), (openai, f"{openai_url}/v1")


@pytest.fixture
def fakes(settings: Settings, outside: Any, monkeypatch: pytest.MonkeyPatch) -> Fakes:
    """The fakes, reset, with the served app's settings (and the worker's environment) pointing at them."""
    heygen, metricool, (openai, openai_url) = outside
    openai.reset()
    openai.responder = CaptionWriter()
    openai.transcript = {
        "text": "Olá, hoje eu faço pão.",
        "segments": [{"start": 0.5, "end": 2.5, "text": "Olá, hoje eu faço pão."}],
        "words": [{"start": 0.5, "end": 0.9, "word": "Olá,"}, {"start": 1.0, "end": 2.5, "word": "pão."}],
    }
    settings.ai.base_url, settings.ai.api_key, settings.ai.model = openai_url, openai.api_key, openai.models[0]
    # Jobs read the settings from the environment, as a separate worker process would.
    monkeypatch.setenv("RENUM_AI_BASE_URL", openai_url)
    monkeypatch.setenv("RENUM_AI_API_KEY", openai.api_key)
    monkeypatch.setenv("RENUM_AI_MODEL", openai.models[0])
    get_settings.cache_clear()
    return use_fakes(settings, heygen, metricool)


def sign_up(page: Any) -> None:
    page.goto("/signup")
    page.fill("input[name=name]", "Ana")
    page.fill("input[name=email]", f"ana-{uuid.uuid4().hex[:8]}@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Ana")


def connect_metricool(page: Any, *platforms: str) -> None:
    """What the onboarding walk does through its forms, done here through the API with the page's cookie."""
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    headers = {"X-CSRF-Token": token}
    body = {"user_token": METRICOOL_TOKEN, "user_id": METRICOOL_USER, "blog_id": 101}
    assert page.request.put("/api/integrations/metricool", data=body, headers=headers).ok
    for platform in platforms:
        linked = page.request.post(
            "/api/integrations/social-accounts/connect", data={"platform": platform}, headers=headers
        )
        assert linked.ok, linked.text()


def test_a_creator_takes_a_recording_to_posts_scheduled_on_two_networks(
    fakes: Fakes, page: Any, recording: Path
) -> None:
    sign_up(page)
    connect_metricool(page, "instagram", "tiktok")

    # Upload, with the progress bar, then the page follows the video.
    page.goto("/postrapido")
    page.set_input_files("[data-testid=file]", str(recording))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/postrapido\?video="))
    expect(page.locator("[data-testid=video]")).to_contain_text("gravacao.mp4")

    # Transcript.
    page.click("[data-testid=transcribe]")
    expect(page.locator("#transcribe-task [data-testid=task]")).to_have_attribute("data-status", "succeeded")
    page.reload()
    expect(page.locator("[data-testid=segments] input").first).to_have_value("Olá, hoje eu faço pão.")

    # Silences: the waveform is redrawn as a slider moves.
    silences = page.locator("#postrapido-silences .waveform-silence")
    expect(silences.first).to_be_attached()
    eager = silences.count()
    page.locator("input[name=min_silence]").evaluate(
        "(slider) => { slider.value = '1.5'; slider.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    expect(silences).not_to_have_count(eager)

    # Render, and its preview.
    page.click("[data-testid=render-button]")
    preview = page.locator("[data-testid=preview]")
    expect(preview).to_be_visible(timeout=60_000)
    expect(preview).to_have_attribute("src", re.compile(r"^/api/postrapido/renders/[0-9a-f-]+/file$"))
    expect(page.locator("[data-testid=render]")).to_have_attribute("data-status", "succeeded")

    # Captions for the two linked networks, counted live as the creator types.
    expect(page.locator("[data-testid=caption-platform-instagram]")).to_be_checked()
    expect(page.locator("[data-testid=caption-platform-youtube]")).not_to_be_checked()
    page.click("[data-testid=write-captions]")
    instagram = page.locator("[data-testid=text-instagram]")
    expect(instagram).to_contain_text("Pão caseiro sem segredo")
    expect(page.locator("[data-testid=text-tiktok]")).to_be_visible()
    counter = page.locator("[data-testid=counter-instagram]")
    instagram.fill("Pão 🍞 #a #b #c #d #e #f")
    expect(counter).to_contain_text("24 / 2200")
    expect(counter).to_contain_text("6 / 5 hashtags")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    instagram.fill("Pão de domingo 🍞 #pao #receita")
    expect(counter).not_to_have_class(re.compile(r"\bover\b"))
    page.click("[data-testid=save-instagram]")
    expect(page.locator("[data-testid=caption-instagram] h3")).to_contain_text("editada")

    # Schedule both, each at its own time in the creator's timezone.
    day = datetime.now(ZoneInfo("America/Sao_Paulo")).date() + timedelta(days=3)
    page.fill("[data-testid=when-instagram]", f"{day.isoformat()}T18:30")
    page.fill("[data-testid=when-tiktok]", f"{day.isoformat()}T20:00")
    page.click("[data-testid=schedule-button]")
    expect(page.locator("[data-testid=post-instagram]")).to_have_attribute("data-status", "scheduled")
    expect(page.locator("[data-testid=post-tiktok]")).to_have_attribute("data-status", "scheduled")

    sent = {call.body["providers"][0]["network"]: call.body for call in fakes.metricool.state.calls("POST")}
    assert sent["instagram"]["publicationDate"] == {
        "dateTime": f"{day.isoformat()}T18:30:00",
        "timezone": "America/Sao_Paulo",
    }
    assert sent["instagram"]["text"] == "Pão de domingo 🍞 #pao #receita"
    assert sent["tiktok"]["publicationDate"]["dateTime"] == f"{day.isoformat()}T20:00:00"
    assert all(body["media"] for body in sent.values())

    # Leaving and coming back finds the posts where they were.
    page.goto("/postrapido")
    expect(page.locator("[data-testid=post-tiktok]")).to_have_attribute("data-status", "scheduled")
    expect(page.locator("[data-testid=text-instagram]")).to_have_value("Pão de domingo 🍞 #pao #receita")

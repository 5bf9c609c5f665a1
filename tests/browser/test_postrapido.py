"""A creator in a real browser uploads a recording to PostRápido, tunes the silences and renders the cut."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.media import clips

PASSWORD = "senha-forte-2026"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tone bursts standing in for speech, with pauses to cut."""
    return clips.speech_clip(tmp_path_factory.mktemp("browser-clips") / "gravacao.mp4")


def test_a_creator_uploads_tunes_the_silences_and_renders_the_cut(page: Any, recording: Path) -> None:
    page.goto("/signup")
    page.fill("input[name=name]", "Ana")
    page.fill("input[name=email]", f"ana-{uuid.uuid4().hex[:8]}@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Ana")

    page.goto("/postrapido")
    page.set_input_files("[data-testid=file]", str(recording))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/postrapido\?video="))
    expect(page.locator("[data-testid=video]")).to_contain_text("gravacao.mp4")

    silences = page.locator("#postrapido-silences .waveform-silence")
    expect(silences.first).to_be_attached()
    eager = silences.count()
    page.locator("input[name=min_silence]").evaluate(
        "(slider) => { slider.value = '1.5'; slider.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    expect(silences).not_to_have_count(eager)

    page.click("[data-testid=render-button]")
    preview = page.locator("[data-testid=preview]")
    expect(preview).to_be_visible(timeout=60_000)
    expect(preview).to_have_attribute("src", re.compile(r"^/api/postrapido/renders/[0-9a-f-]+/file$"))
    expect(page.locator("[data-testid=render]")).to_have_attribute("data-status", "succeeded")

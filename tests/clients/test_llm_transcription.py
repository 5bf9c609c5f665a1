"""Transcription through the LLM client, against the OpenAI fake over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from renum.clients.http import RetryPolicy
from renum.clients.llm import AITranscriptionUnsupported, AIUnavailable, LLMClient
from renum.config import AISettings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.server import serve

KEY = "sk-transcription-test"
FAST_RETRIES = RetryPolicy(retries=2, backoff=0.0, max_backoff=0.0, max_retry_after=0.5)


@pytest.fixture(scope="module")
def fake_server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI(api_key=KEY)
    with serve(fake.app) as url:
        yield fake, f"{url}/v1"


@pytest.fixture
def fake(fake_server: tuple[FakeOpenAI, str]) -> FakeOpenAI:
    fake_server[0].reset()
    fake_server[0].api_key = KEY
    return fake_server[0]


@pytest.fixture
async def llm(fake_server: tuple[FakeOpenAI, str]) -> AsyncIterator[LLMClient]:
    settings = AISettings(base_url=fake_server[1], api_key=KEY, timeout=5.0)
    async with LLMClient(settings, retry=FAST_RETRIES) as client:
        yield client


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    path = tmp_path / "speech.mp3"
    path.write_bytes(b"ID3" + b"\0" * 2048)
    return path


async def test_a_transcription_keeps_segments_and_word_timestamps(
    llm: LLMClient, fake: FakeOpenAI, audio: Path
) -> None:
    heard = await llm.transcribe(audio, language="pt")

    assert heard.text == "Olá, tudo bem?"
    assert heard.language == "portuguese"
    assert [(s.start, s.end, s.text) for s in heard.segments] == [(0.5, 1.5, "Olá, tudo bem?")]
    assert [w.text for w in heard.words] == ["Olá,", "tudo", "bem?"]
    [sent] = fake.transcription_requests
    assert sent["model"] == "whisper-1"
    assert sent["response_format"] == "verbose_json"
    assert sorted(sent["timestamp_granularities"]) == ["segment", "word"]
    assert sent["language"] == "pt"
    assert sent["file_size"] == 3 + 2048


async def test_a_model_without_timestamps_is_named_as_the_problem(
    fake_server: tuple[FakeOpenAI, str], fake: FakeOpenAI, audio: Path
) -> None:
    settings = AISettings(base_url=fake_server[1], api_key=KEY, transcription_model="gpt-4o-transcribe")
    async with LLMClient(settings, retry=FAST_RETRIES) as llm:
        with pytest.raises(AITranscriptionUnsupported) as refused:
            await llm.transcribe(audio)

    assert "RENUM_AI_TRANSCRIPTION_MODEL" in refused.value.message


async def test_a_transcription_is_retried_after_a_server_error(llm: LLMClient, fake: FakeOpenAI, audio: Path) -> None:
    fake.fail_transcription(503)

    heard = await llm.transcribe(audio)

    assert heard.words
    assert len(fake.transcription_requests) == 2


async def test_a_server_that_keeps_failing_is_reported_unavailable(
    llm: LLMClient, fake: FakeOpenAI, audio: Path
) -> None:
    fake.fail_transcription(500, times=5)

    with pytest.raises(AIUnavailable):
        await llm.transcribe(audio)

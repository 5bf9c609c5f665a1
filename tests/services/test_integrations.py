"""Integration rules that need no HTTP: sealing secrets and rotating keys, the list cache, voices, platforms."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from renum.clients.heygen import Voice
from renum.config import Settings
from renum.errors import InvalidInput
from renum.security import SecretBox, SecretUnreadable, secret_box
from renum.services.integrations import ListCache, platform_named, sort_voices


def test_a_sealed_secret_opens_only_with_the_key_it_was_sealed_with() -> None:
    box = SecretBox("first-secret-key")

    sealed = box.seal("hg-live-3f9a1c7e5b2d4086")

    assert "hg-live" not in sealed and sealed != box.seal("hg-live-3f9a1c7e5b2d4086")
    assert box.open(sealed).value == "hg-live-3f9a1c7e5b2d4086"
    with pytest.raises(SecretUnreadable):
        SecretBox("another-secret-key").open(sealed)


def test_after_a_rotation_old_secrets_open_through_the_fallback_and_ask_to_be_sealed_again() -> None:
    sealed_before = SecretBox("first-secret-key").seal("mc-token")
    rotated = SecretBox("second-secret-key", fallbacks=["first-secret-key"])

    opened = rotated.open(sealed_before)
    resealed = rotated.seal(opened.value)

    assert opened.value == "mc-token" and opened.stale is True
    assert rotated.open(resealed).stale is False
    assert SecretBox("second-secret-key").open(resealed).value == "mc-token"


def test_fallback_keys_come_comma_separated_from_the_environment(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RENUM_SECRET_KEY_FALLBACKS", " old-key-1, old-key-2 ,")
    rotated = Settings()
    sealed = SecretBox("old-key-2").seal("value")

    assert rotated.security.secret_key_fallbacks == ["old-key-1", "old-key-2"]
    assert secret_box(rotated).open(sealed).stale is True


async def test_the_list_cache_is_per_creator_and_expires(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    cache = ListCache(redis, f"test-{uuid.uuid4().hex[:8]}")
    ana, bia = uuid.uuid4(), uuid.uuid4()
    try:
        await cache.put(ana, "heygen:voices", [{"voice_id": "v1", "name": "Francisca"}], 60)

        assert await cache.get(ana, "heygen:voices", list[Voice]) == [Voice(voice_id="v1", name="Francisca")]
        assert await cache.get(bia, "heygen:voices", list[Voice]) is None
        assert 0 < await redis.ttl(cache._key(ana, "heygen:voices")) <= 60

        await cache.forget(ana, "heygen:voices")
        assert await cache.get(ana, "heygen:voices", list[Voice]) is None
    finally:
        await redis.aclose()


async def test_a_redis_that_is_down_only_means_no_cache() -> None:
    redis = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    cache = ListCache(redis, "down")
    try:
        await cache.put(uuid.uuid4(), "heygen:avatars", [], 60)
        assert await cache.get(uuid.uuid4(), "heygen:avatars", list[Voice]) is None
    finally:
        await redis.aclose()


VOICES = [
    Voice(voice_id="en1", name="Guy", language="English"),
    Voice(voice_id="pt1", name="Francisca", language="Portuguese"),
    Voice(voice_id="es1", name="Elvira", language="Spanish"),
    Voice(voice_id="pt2", name="Antonio", language="Portuguese"),
]


@pytest.mark.parametrize("language", ["pt-BR", "pt_BR", "pt", "Portuguese", "português"])
def test_voices_filter_by_a_language_code_or_name(language: str) -> None:
    chosen = sort_voices(VOICES, language=language, creator_language="en")

    assert [voice.voice_id for voice in chosen] == ["pt1", "pt2"]


def test_the_creators_language_comes_first_keeping_heygens_order() -> None:
    assert [v.voice_id for v in sort_voices(VOICES, language=None, creator_language="pt_BR")] == [
        "pt1",
        "pt2",
        "en1",
        "es1",
    ]
    assert sort_voices(VOICES, language="", creator_language="en")[0].voice_id == "en1"


@pytest.mark.parametrize(("name", "key"), [("instagram", "instagram"), (" TikTok ", "tiktok"), ("twitter", "x")])
def test_platforms_are_named_loosely(name: str, key: str) -> None:
    assert platform_named(name).key == key


def test_an_unknown_platform_names_the_valid_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        platform_named("orkut")

    assert "platform" in caught.value.fields
    assert caught.value.params["valid"] == "instagram, tiktok, youtube, linkedin, facebook, x"

"""Integrations through HTTP, against the HeyGen and Metricool fakes: keys, brands, social accounts, errors.

Every SPA path and old backend path is called as the SPA and old clients call it; every failure the
fakes can produce answers a status and a message the creator can act on, and leaves what was saved
untouched. Another creator never sees or changes these settings.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select

from renum.clients.http import InvalidKey, OutOfCredits, RateLimited, ServiceUnavailable
from renum.config import Settings
from renum.models import HeyGenConnection, MetricoolConnection, SocialAccount
from renum.security import secret_box
from renum.web.errors import describe
from tests.conftest import Creator, sign_up
from tests.fakes.integrations import HEYGEN_KEY, METRICOOL_TOKEN, METRICOOL_USER, Fakes

Client = httpx.AsyncClient

ANA, RECEITAS = 101, 202
PLATFORMS = ["instagram", "tiktok", "youtube", "linkedin", "facebook", "x"]


async def save_heygen(client: Client, who: Creator, key: str = HEYGEN_KEY) -> httpx.Response:
    return await client.put("/api/integrations/heygen", json={"api_key": key}, headers=who.headers)


async def connect_metricool(client: Client, who: Creator, blog_id: int | None = ANA) -> httpx.Response:
    body: dict[str, Any] = {"user_token": METRICOOL_TOKEN, "user_id": METRICOOL_USER}
    if blog_id is not None:
        body["blog_id"] = blog_id
    return await client.put("/api/integrations/metricool", json=body, headers=who.headers)


async def heygen_row(app: Litestar, who: Creator) -> HeyGenConnection | None:
    async with app.state.session_factory() as db:
        row: HeyGenConnection | None = await db.scalar(
            select(HeyGenConnection).where(HeyGenConnection.owner_id == who.id)
        )
        return row


# HeyGen: saving a key


async def test_a_saved_key_is_checked_with_heygen_and_answered_only_as_a_hint(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes, settings: Settings
) -> None:
    saved = await save_heygen(client, creator)

    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["connected"] is True and body["status"] == "connected"
    assert body["key_hint"] == HEYGEN_KEY[-4:]
    assert body["remaining_credits"] == 10
    assert HEYGEN_KEY not in saved.text
    assert fakes.heygen.state.calls("GET", "/v2/user/remaining_quota")[0].headers["x-api-key"] == HEYGEN_KEY

    row = await heygen_row(app, creator)
    assert row is not None and HEYGEN_KEY not in row.api_key_sealed
    assert secret_box(settings).open(row.api_key_sealed).value == HEYGEN_KEY

    shown = await client.get("/api/integrations/heygen", headers=creator.headers)
    assert shown.json()["key_hint"] == HEYGEN_KEY[-4:] and shown.json()["verified_at"]
    assert HEYGEN_KEY not in shown.text


@pytest.mark.parametrize(
    ("method", "path", "deprecated"),
    [
        ("POST", "/api/integrations/heygen/configure", False),
        ("PUT", "/integrations/heygen", True),
    ],
)
async def test_the_spa_configure_path_and_the_old_path_save_the_key_too(
    client: Client, creator: Creator, fakes: Fakes, method: str, path: str, deprecated: bool
) -> None:
    response = await client.request(method, path, json={"api_key": HEYGEN_KEY}, headers=creator.headers)

    assert response.status_code == 200, response.text
    assert response.json()["connected"] is True
    assert ("deprecation" in response.headers) is deprecated
    assert (await client.get("/api/integrations/heygen", headers=creator.headers)).json()["connected"] is True


async def test_nothing_is_saved_before_a_key_is_given(client: Client, creator: Creator, fakes: Fakes) -> None:
    shown = await client.get("/api/integrations/heygen", headers=creator.headers)
    assert shown.status_code == 200
    assert shown.json()["connected"] is False and shown.json()["status"] == "not_connected"

    empty = await client.put("/api/integrations/heygen", json={"api_key": "  "}, headers=creator.headers)
    assert empty.status_code == 422 and "api_key" in empty.json()["fields"]
    assert fakes.heygen.state.requests == []


async def test_an_invalid_key_is_refused_and_the_key_saved_before_stays(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes
) -> None:
    await save_heygen(client, creator)
    before = await heygen_row(app, creator)

    refused = await save_heygen(client, creator, "hg-wrong-key-000000000000")

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_key"
    assert "HeyGen" in refused.json()["message"]
    after = await heygen_row(app, creator)
    assert before is not None and after is not None
    assert after.api_key_sealed == before.api_key_sealed
    assert (await client.get("/api/integrations/heygen", headers=creator.headers)).json()["key_hint"] == "4086"


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [("rate_limited", 429, "rate_limited"), ("server_error", 503, "service_error"), ("timeout", 503, "timeout")],
)
async def test_heygen_failing_is_a_clear_error_and_nothing_is_half_saved(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes, settings: Settings, mode: Any, status: int, code: str
) -> None:
    settings.heygen.timeout = 0.3
    fakes.heygen.state.fail(mode, retry_after=1, delay=0.6)

    response = await save_heygen(client, creator)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert "HeyGen" in response.json()["message"]
    if mode == "rate_limited":
        assert response.headers["retry-after"] == "1"
    assert await heygen_row(app, creator) is None


async def test_a_single_429_is_waited_out_and_the_key_is_saved(client: Client, creator: Creator, fakes: Fakes) -> None:
    fakes.heygen.state.fail("rate_limited", times=1, retry_after=1)

    response = await save_heygen(client, creator)

    assert response.status_code == 200
    assert len(fakes.heygen.state.calls("GET", "/v2/user/remaining_quota")) == 2


def test_every_kind_of_service_failure_has_its_status_and_a_message() -> None:
    answers = [
        describe(InvalidKey("HeyGen")),
        describe(OutOfCredits("HeyGen")),
        describe(RateLimited("HeyGen", retry_after=7.2)),
        describe(ServiceUnavailable("HeyGen")),
    ]

    assert [answer.status for answer in answers] == [400, 402, 429, 503]
    assert all(answer.message for answer in answers)
    assert answers[2].headers == {"Retry-After": "8"}


async def test_only_the_old_heygen_paths_are_deprecated_in_the_schema(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    for name in ("test", "credits", "avatars", "voices"):
        operation = paths[f"/integrations/heygen/{name}"]
        assert next(iter(operation.values())).get("deprecated") is True
        assert not next(iter(paths[f"/api/integrations/heygen/{name}"].values())).get("deprecated")
    assert paths["/integrations/heygen"]["put"]["deprecated"] is True
    assert not paths["/api/integrations/heygen"]["put"].get("deprecated")


# HeyGen: status, test, credits, lists


async def test_status_reports_credits_and_later_the_error_of_a_key_revoked_at_heygen(
    client: Client, creator: Creator, fakes: Fakes, settings: Settings
) -> None:
    assert (await client.get("/api/integrations/heygen/status", headers=creator.headers)).json()["connected"] is False
    await save_heygen(client, creator)
    settings.heygen.cache_seconds = 0
    fakes.heygen.state.remaining_quota = 150

    healthy = (await client.get("/api/integrations/heygen/status", headers=creator.headers)).json()
    assert healthy["status"] == "connected" and healthy["remaining_credits"] == 2.5 and healthy["checked_at"]

    fakes.heygen.state.api_key = "hg-rotated-at-heygen-0000"
    broken = await client.get("/api/integrations/heygen/status", headers=creator.headers)
    assert broken.status_code == 200
    assert broken.json()["status"] == "error"
    assert broken.json()["last_error_code"] == "invalid_key"
    assert "HeyGen" in broken.json()["last_error"]


async def test_status_asks_heygen_at_most_once_per_cache_time(client: Client, creator: Creator, fakes: Fakes) -> None:
    await save_heygen(client, creator)
    for _ in range(3):
        assert (await client.get("/api/integrations/heygen/status", headers=creator.headers)).status_code == 200
    assert len(fakes.heygen.state.calls("GET", "/v2/user/remaining_quota")) == 1


@pytest.mark.parametrize("path", ["/api/integrations/heygen/test", "/integrations/heygen/test"])
async def test_testing_the_saved_key_answers_ok_with_credits(
    client: Client, creator: Creator, fakes: Fakes, path: str
) -> None:
    await save_heygen(client, creator)

    response = await client.post(path, headers=creator.headers)

    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["saved_key"] is True
    assert response.json()["remaining_credits"] == 10


async def test_a_key_in_the_body_is_tested_without_being_saved(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes
) -> None:
    good = await client.post("/api/integrations/heygen/test", json={"api_key": HEYGEN_KEY}, headers=creator.headers)
    bad = await client.post(
        "/api/integrations/heygen/test", json={"api_key": "hg-nope-0000000000000"}, headers=creator.headers
    )

    assert good.status_code == 200 and good.json()["saved_key"] is False
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_key"
    assert await heygen_row(app, creator) is None


async def test_a_failed_test_of_the_saved_key_is_kept_for_the_status(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    await save_heygen(client, creator)
    fakes.heygen.state.fail("server_error")

    failed = await client.post("/api/integrations/heygen/test", headers=creator.headers)

    assert failed.status_code == 503
    shown = (await client.get("/api/integrations/heygen", headers=creator.headers)).json()
    assert shown["status"] == "error" and shown["last_error_code"] == "service_error"
    fakes.heygen.state.mode = None
    assert (await client.post("/api/integrations/heygen/test", headers=creator.headers)).status_code == 200
    assert (await client.get("/api/integrations/heygen", headers=creator.headers)).json()["status"] == "connected"


@pytest.mark.parametrize("path", ["/api/integrations/heygen/credits", "/integrations/heygen/credits"])
async def test_credits_are_asked_from_heygen(client: Client, creator: Creator, fakes: Fakes, path: str) -> None:
    await save_heygen(client, creator)
    fakes.heygen.state.remaining_quota = 0

    response = await client.get(path, headers=creator.headers)

    assert response.status_code == 200
    assert response.json() == {"remaining_credits": 0, "remaining_quota": 0}


@pytest.mark.parametrize("path", ["/api/integrations/heygen/avatars", "/integrations/heygen/avatars"])
async def test_avatars_come_with_previews_and_are_cached(
    client: Client, creator: Creator, fakes: Fakes, path: str
) -> None:
    await save_heygen(client, creator)

    first = await client.get(path, headers=creator.headers)
    second = await client.get(path, headers=creator.headers)

    assert first.status_code == 200 and first.json() == second.json()
    avatars = {avatar["avatar_id"]: avatar for avatar in first.json()["avatars"]}
    assert avatars["Daisy-inskirt-20220818"]["preview_image_url"].endswith("daisy.webp")
    assert avatars["Daisy-inskirt-20220818"]["preview_video_url"].endswith("daisy.mp4")
    assert avatars["tp-ana-7f3c"]["kind"] == "talking_photo"
    assert len(fakes.heygen.state.calls("GET", "/v2/avatars")) == 1


async def test_the_cache_is_per_creator_and_forgotten_when_the_key_changes(
    client: Client, creator: Creator, other_creator: Creator, fakes: Fakes
) -> None:
    await save_heygen(client, creator)
    await save_heygen(client, other_creator)
    await client.get("/api/integrations/heygen/avatars", headers=creator.headers)
    await client.get("/api/integrations/heygen/avatars", headers=other_creator.headers)
    assert len(fakes.heygen.state.calls("GET", "/v2/avatars")) == 2

    await save_heygen(client, creator)
    await client.get("/api/integrations/heygen/avatars", headers=creator.headers)
    assert len(fakes.heygen.state.calls("GET", "/v2/avatars")) == 3


@pytest.mark.parametrize("path", ["/api/integrations/heygen/voices", "/integrations/heygen/voices"])
async def test_voices_put_portuguese_first_for_a_brazilian_creator_and_filter_by_language(
    client: Client, creator: Creator, fakes: Fakes, path: str
) -> None:
    fakes.heygen.state.voices.reverse()  # HeyGen lists English first
    await save_heygen(client, creator)

    every = (await client.get(path, headers=creator.headers)).json()
    portuguese = (await client.get(path, params={"language": "pt-BR"}, headers=creator.headers)).json()

    assert [voice["language"] for voice in every["voices"]] == ["Portuguese", "English"]
    assert every["voices"][0]["preview_audio"].endswith("francisca.mp3")
    assert every["languages"] == ["English", "Portuguese"]
    assert [voice["name"] for voice in portuguese["voices"]] == ["Francisca"]
    assert portuguese["language"] == "pt-BR"


async def test_an_english_speaking_creator_hears_english_voices_first(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    await client.put("/api/account/profile", json={"language": "en"}, headers=creator.headers)
    await save_heygen(client, creator)

    voices = (await client.get("/api/integrations/heygen/voices", headers=creator.headers)).json()["voices"]

    assert [voice["language"] for voice in voices] == ["English", "Portuguese"]


async def test_choosing_the_default_avatar_and_voice(client: Client, creator: Creator, fakes: Fakes) -> None:
    await save_heygen(client, creator)

    avatar = await client.put(
        "/api/integrations/heygen", json={"default_avatar_id": "Daisy-inskirt-20220818"}, headers=creator.headers
    )
    voice = await client.post(
        "/api/integrations/heygen/configure", json={"default_voice_id": "pt-br-francisca-1a2b"}, headers=creator.headers
    )
    unknown = await client.put(
        "/api/integrations/heygen", json={"default_avatar_id": "nobody"}, headers=creator.headers
    )

    assert avatar.status_code == 200 and avatar.json()["default_avatar"]["name"] == "Daisy"
    assert voice.status_code == 200 and voice.json()["default_voice"]["language"] == "Portuguese"
    assert voice.json()["default_avatar"]["avatar_id"] == "Daisy-inskirt-20220818"
    assert unknown.status_code == 422 and "default_avatar_id" in unknown.json()["fields"]
    listed = (await client.get("/api/integrations/heygen/avatars", headers=creator.headers)).json()
    assert listed["default_avatar_id"] == "Daisy-inskirt-20220818"


async def test_a_new_key_with_an_unknown_avatar_saves_neither(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes
) -> None:
    await save_heygen(client, creator)
    before = await heygen_row(app, creator)
    fakes.heygen.state.api_key = "hg-second-account-key-0000"

    refused = await client.put(
        "/api/integrations/heygen",
        json={"api_key": "hg-second-account-key-0000", "default_avatar_id": "nobody"},
        headers=creator.headers,
    )

    assert refused.status_code == 422 and "default_avatar_id" in refused.json()["fields"]
    after = await heygen_row(app, creator)
    assert before is not None and after is not None and after.api_key_sealed == before.api_key_sealed


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/integrations/heygen/credits"),
        ("GET", "/api/integrations/heygen/avatars"),
        ("GET", "/integrations/heygen/voices"),
        ("POST", "/api/integrations/heygen/test"),
    ],
)
async def test_without_a_key_the_heygen_routes_say_where_to_add_one(
    client: Client, creator: Creator, fakes: Fakes, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=creator.headers)

    assert response.status_code == 409
    assert response.json()["code"] == "not_connected"
    assert "HeyGen" in response.json()["message"]
    assert fakes.heygen.state.requests == []


async def test_disconnecting_heygen_forgets_the_key(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes
) -> None:
    await save_heygen(client, creator)

    response = await client.delete("/api/integrations/heygen", headers=creator.headers)

    assert response.status_code == 200 and response.json()["connected"] is False
    assert await heygen_row(app, creator) is None
    assert (await client.get("/api/integrations/heygen/avatars", headers=creator.headers)).status_code == 409


async def test_another_creator_never_sees_nor_changes_a_heygen_key(
    client: Client, app: Litestar, creator: Creator, other_creator: Creator, fakes: Fakes
) -> None:
    await save_heygen(client, creator)

    assert (await client.get("/api/integrations/heygen", headers=other_creator.headers)).json()["connected"] is False
    assert (await client.get("/api/integrations/heygen/status", headers=other_creator.headers)).json()[
        "connected"
    ] is False
    assert (await client.post("/api/integrations/heygen/test", headers=other_creator.headers)).status_code == 409
    assert (await client.get("/integrations/heygen/avatars", headers=other_creator.headers)).status_code == 409
    assert (await client.delete("/api/integrations/heygen", headers=other_creator.headers)).status_code == 200

    assert await heygen_row(app, creator) is not None
    assert (await client.get("/api/integrations/heygen", headers=creator.headers)).json()["connected"] is True


# Metricool


async def test_testing_metricool_credentials_lists_brands_and_saves_nothing(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    response = await client.post(
        "/api/integrations/metricool/test",
        json={"user_token": METRICOOL_TOKEN, "user_id": int(METRICOOL_USER)},
        headers=creator.headers,
    )

    assert response.status_code == 200, response.text
    brands = {brand["blog_id"]: brand for brand in response.json()["brands"]}
    assert brands[ANA]["name"] == "Canal da Ana" and brands[ANA]["timezone"] == "America/Sao_Paulo"
    assert set(brands[ANA]["networks"]) == {"instagram", "tiktok", "youtube"}
    assert brands[RECEITAS]["timezone"] == "Europe/Lisbon"
    status = (await client.get("/api/integrations/metricool/status", headers=creator.headers)).json()
    assert status["connected"] is False and status["status"] == "not_connected"


async def test_connecting_metricool_keeps_the_brand_and_its_timezone(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes, settings: Settings
) -> None:
    response = await connect_metricool(client, creator)

    assert response.status_code == 200, response.text
    state = response.json()
    assert state["connected"] is True and state["user_id"] == METRICOOL_USER
    assert state["brand"] == {
        "blog_id": ANA,
        "name": "Canal da Ana",
        "timezone": "America/Sao_Paulo",
        "networks": ["instagram", "tiktok", "youtube"],
    }
    assert state["token_hint"] == METRICOOL_TOKEN[-4:] and METRICOOL_TOKEN not in response.text
    async with app.state.session_factory() as db:
        row = await db.scalar(select(MetricoolConnection).where(MetricoolConnection.owner_id == creator.id))
    assert row is not None and METRICOOL_TOKEN not in row.user_token_sealed
    assert secret_box(settings).open(row.user_token_sealed).value == METRICOOL_TOKEN


async def test_the_only_brand_is_taken_but_among_several_the_creator_must_choose(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    several = await connect_metricool(client, creator, blog_id=None)
    unknown = await connect_metricool(client, creator, blog_id=999)
    assert several.status_code == 422 and "blog_id" in several.json()["fields"]
    assert unknown.status_code == 422 and "blog_id" in unknown.json()["fields"]

    fakes.metricool.state.brands = fakes.metricool.state.brands[1:]
    only = await connect_metricool(client, creator, blog_id=None)
    assert only.status_code == 200 and only.json()["brand"]["blog_id"] == RECEITAS


async def test_a_refused_metricool_token_is_a_clear_error_and_nothing_is_saved(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    body = {"user_token": "mc-wrong-token-00000000", "user_id": METRICOOL_USER, "blog_id": ANA}
    refused = await client.put("/api/integrations/metricool", json=body, headers=creator.headers)
    tested = await client.post("/api/integrations/metricool/test", json=body, headers=creator.headers)
    no_id = await client.put(
        "/api/integrations/metricool", json={"user_token": METRICOOL_TOKEN, "user_id": "abc"}, headers=creator.headers
    )

    assert refused.status_code == tested.status_code == 400
    assert refused.json()["code"] == "invalid_key" and "Metricool" in refused.json()["message"]
    assert no_id.status_code == 422 and "user_id" in no_id.json()["fields"]
    assert (await client.get("/api/integrations/metricool/status", headers=creator.headers)).json()[
        "connected"
    ] is False


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [("rate_limited", 429, "rate_limited"), ("server_error", 503, "service_error"), ("timeout", 503, "timeout")],
)
async def test_metricool_failing_is_a_clear_error_and_nothing_is_half_saved(
    client: Client, creator: Creator, fakes: Fakes, settings: Settings, mode: Any, status: int, code: str
) -> None:
    settings.metricool.timeout = 0.3
    fakes.metricool.state.fail(mode, retry_after=1, delay=0.6)

    response = await connect_metricool(client, creator)

    assert response.status_code == status
    assert response.json()["code"] == code and "Metricool" in response.json()["message"]
    if mode == "rate_limited":
        assert response.headers["retry-after"] == "1"
    fakes.metricool.state.mode = None
    assert (await client.get("/api/integrations/metricool/status", headers=creator.headers)).json()[
        "connected"
    ] is False


async def test_metricool_status_and_test_follow_the_saved_credentials(
    client: Client, creator: Creator, fakes: Fakes, settings: Settings
) -> None:
    await connect_metricool(client, creator)
    settings.metricool.cache_seconds = 0

    tested = await client.post("/api/integrations/metricool/test", headers=creator.headers)
    assert tested.status_code == 200 and tested.json()["saved_credentials"] is True
    assert len(tested.json()["brands"]) == 2

    fakes.metricool.state.user_token = "mc-regenerated-token-000"
    status = await client.get("/api/integrations/metricool/status", headers=creator.headers)
    assert status.status_code == 200
    assert status.json()["status"] == "error" and status.json()["last_error_code"] == "invalid_key"
    assert "Metricool" in status.json()["last_error"]


async def test_changing_the_brand_keeps_its_timezone_and_drops_links_it_cannot_publish_to(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    await connect_metricool(client, creator)
    await client.post(
        "/api/integrations/social-accounts/connect", json={"platform": "instagram"}, headers=creator.headers
    )

    brands = await client.get("/api/integrations/metricool/brands", headers=creator.headers)
    changed = await client.put("/api/integrations/metricool/brand", json={"blog_id": RECEITAS}, headers=creator.headers)

    assert brands.status_code == 200 and brands.json()["blog_id"] == ANA and len(brands.json()["brands"]) == 2
    assert changed.status_code == 200
    assert changed.json()["brand"]["timezone"] == "Europe/Lisbon"
    accounts = (await client.get("/api/integrations/social-accounts", headers=creator.headers)).json()
    assert not any(account["linked"] for account in accounts)
    assert {account["platform"] for account in accounts if account["brand_connected"]} == {"facebook", "linkedin"}


async def test_disconnecting_metricool_unlinks_the_social_accounts(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes
) -> None:
    await connect_metricool(client, creator)
    await client.post("/api/integrations/social-accounts/connect", json={"platform": "tiktok"}, headers=creator.headers)

    response = await client.delete("/api/integrations/metricool", headers=creator.headers)

    assert response.status_code == 200 and response.json()["connected"] is False
    async with app.state.session_factory() as db:
        assert (await db.scalars(select(SocialAccount).where(SocialAccount.owner_id == creator.id))).all() == []
    assert (await client.get("/api/integrations/metricool/brands", headers=creator.headers)).status_code == 409


async def test_another_creator_never_sees_nor_changes_a_metricool_connection(
    client: Client, creator: Creator, other_creator: Creator, fakes: Fakes
) -> None:
    await connect_metricool(client, creator)

    theirs = await client.get("/api/integrations/metricool/status", headers=other_creator.headers)
    assert theirs.json()["connected"] is False
    assert (await client.post("/api/integrations/metricool/test", headers=other_creator.headers)).status_code == 409
    changed = await client.put(
        "/api/integrations/metricool/brand", json={"blog_id": RECEITAS}, headers=other_creator.headers
    )
    assert changed.status_code == 409
    assert (await client.delete("/api/integrations/metricool", headers=other_creator.headers)).status_code == 200

    mine = (await client.get("/api/integrations/metricool/status", headers=creator.headers)).json()
    assert mine["connected"] is True and mine["brand"]["blog_id"] == ANA


# Social accounts


async def test_every_platform_is_listed_with_the_brand_and_link_state(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    before = (await client.get("/api/integrations/social-accounts", headers=creator.headers)).json()
    assert [account["platform"] for account in before] == PLATFORMS
    assert not any(account["brand_connected"] or account["linked"] for account in before)

    await connect_metricool(client, creator)
    linked = await client.post(
        "/api/integrations/social-accounts/connect",
        json={"platform": "Instagram", "handle": "@ana.cria"},
        headers=creator.headers,
    )

    assert linked.status_code == 200, linked.text
    assert linked.json() | {"linked_at": None} == {
        "platform": "instagram",
        "name": "Instagram",
        "brand_connected": True,
        "linked": True,
        "handle": "ana.cria",
        "linked_at": None,
    }
    after = {
        account["platform"]: account
        for account in (await client.get("/api/integrations/social-accounts", headers=creator.headers)).json()
    }
    assert after["instagram"]["linked"] and after["instagram"]["handle"] == "ana.cria"
    assert after["tiktok"]["brand_connected"] and not after["tiktok"]["linked"]
    assert not after["x"]["brand_connected"] and after["x"]["name"] == "X"


async def test_a_network_missing_from_the_brand_is_refused_with_where_to_connect_it(
    client: Client, creator: Creator, fakes: Fakes
) -> None:
    await connect_metricool(client, creator)

    refused = await client.post(
        "/api/integrations/social-accounts/connect", json={"platform": "facebook"}, headers=creator.headers
    )

    assert refused.status_code == 409
    assert "Facebook" in refused.json()["message"] and "Metricool" in refused.json()["message"]

    fakes.metricool.state.brands[0]["facebook"] = "ana.cria.fb"  # the creator connects it in Metricool
    accepted = await client.post(
        "/api/integrations/social-accounts/connect", json={"platform": "facebook"}, headers=creator.headers
    )
    assert accepted.status_code == 200 and accepted.json()["linked"] is True


async def test_linking_needs_metricool_first(client: Client, creator: Creator, fakes: Fakes) -> None:
    response = await client.post(
        "/api/integrations/social-accounts/connect", json={"platform": "tiktok"}, headers=creator.headers
    )

    assert response.status_code == 409 and "Metricool" in response.json()["message"]


@pytest.mark.parametrize(("method", "path"), [("POST", "connect"), ("DELETE", "orkut")])
async def test_an_unknown_platform_is_refused_listing_the_valid_ones(
    client: Client, creator: Creator, fakes: Fakes, method: str, path: str
) -> None:
    await connect_metricool(client, creator)

    response = await client.request(
        method, f"/api/integrations/social-accounts/{path}", json={"platform": "orkut"}, headers=creator.headers
    )

    assert response.status_code == 422
    assert "platform" in response.json()["fields"]
    assert all(platform in response.json()["message"] for platform in PLATFORMS)


async def test_unlinking_a_platform(client: Client, creator: Creator, fakes: Fakes) -> None:
    await connect_metricool(client, creator)
    await client.post(
        "/api/integrations/social-accounts/connect", json={"platform": "youtube"}, headers=creator.headers
    )

    unlinked = await client.delete("/api/integrations/social-accounts/youtube", headers=creator.headers)
    again = await client.delete("/api/integrations/social-accounts/youtube", headers=creator.headers)

    assert unlinked.status_code == again.status_code == 200
    assert unlinked.json()["linked"] is False and unlinked.json()["brand_connected"] is True


async def test_another_creator_never_sees_nor_unlinks_social_accounts(
    client: Client, creator: Creator, other_creator: Creator, fakes: Fakes
) -> None:
    await connect_metricool(client, creator)
    await client.post("/api/integrations/social-accounts/connect", json={"platform": "tiktok"}, headers=creator.headers)

    theirs = (await client.get("/api/integrations/social-accounts", headers=other_creator.headers)).json()
    assert not any(account["linked"] or account["brand_connected"] for account in theirs)
    assert (
        await client.delete("/api/integrations/social-accounts/tiktok", headers=other_creator.headers)
    ).status_code == 200

    mine = {
        account["platform"]: account
        for account in (await client.get("/api/integrations/social-accounts", headers=creator.headers)).json()
    }
    assert mine["tiktok"]["linked"] is True


# Secrets at rest and in logs


async def test_keys_and_tokens_never_reach_the_database_in_clear_nor_the_logs(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes, settings: Settings
) -> None:
    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    level, settings.heygen.cache_seconds = root.level, 0
    root.setLevel(logging.DEBUG)
    try:
        answers = [
            await save_heygen(client, creator),
            await save_heygen(client, creator, "hg-wrong-key-ffffffffffff"),
            await client.get("/api/integrations/heygen/status", headers=creator.headers),
            await client.post("/api/integrations/heygen/test", json={"api_key": HEYGEN_KEY}, headers=creator.headers),
            await connect_metricool(client, creator),
            await client.post("/api/integrations/metricool/test", headers=creator.headers),
            await client.get("/settings/integrations", headers=creator.headers),
        ]
        fakes.heygen.state.fail("server_error")
        answers.append(await client.post("/api/integrations/heygen/test", headers=creator.headers))
    finally:
        root.removeHandler(handler)
        root.setLevel(level)

    logs = buffer.getvalue()
    assert "integration.heygen_saved" in logs and "integration.metricool_connected" in logs
    for secret in (HEYGEN_KEY, METRICOOL_TOKEN, "hg-wrong-key-ffffffffffff"):
        assert secret not in logs
        assert not any(secret in answer.text for answer in answers)

    async with app.state.session_factory() as db:
        rows = [
            *(await db.scalars(select(HeyGenConnection))).all(),
            *(await db.scalars(select(MetricoolConnection))).all(),
        ]
    stored = " ".join(str(value) for row in rows for value in vars(row).values())
    assert len(rows) == 2
    assert HEYGEN_KEY not in stored and METRICOOL_TOKEN not in stored


async def test_a_key_saved_before_a_secret_key_rotation_keeps_working_and_is_sealed_again(
    client: Client, app: Litestar, creator: Creator, fakes: Fakes, settings: Settings
) -> None:
    await save_heygen(client, creator)
    old_key = settings.secret_key
    settings.security.secret_key, settings.security.secret_key_fallbacks = "a-brand-new-secret-key", [old_key]

    tested = await client.post("/api/integrations/heygen/test", headers=creator.headers)

    assert tested.status_code == 200
    row = await heygen_row(app, creator)
    assert row is not None
    assert secret_box(settings).open(row.api_key_sealed).stale is False

    settings.security.secret_key, settings.security.secret_key_fallbacks = "yet-another-secret-key", []
    settings.heygen.cache_seconds = 0
    lost = await client.post("/api/integrations/heygen/test", headers=creator.headers)
    status = await client.get("/api/integrations/heygen/status", headers=creator.headers)
    assert lost.status_code == 409 and lost.json()["code"] == "secret_unreadable"
    assert status.json()["status"] == "error" and status.json()["last_error_code"] == "secret_unreadable"
    assert (await save_heygen(client, creator)).json()["status"] == "connected"


# The settings page and htmx partials


async def test_the_settings_page_shows_each_integration_at_a_glance(client: Client, fakes: Fakes) -> None:
    csrf = await sign_up(client, "page@example.com")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    saved = await client.put("/api/integrations/heygen", json={"api_key": HEYGEN_KEY}, headers=headers)
    assert saved.status_code == 200 and 'data-testid="heygen-panel"' in saved.text
    assert HEYGEN_KEY not in saved.text and HEYGEN_KEY[-4:] in saved.text

    page = await client.get("/settings/integrations", headers={"Accept": "text/html"})

    assert page.status_code == 200
    assert page.text.count('data-testid="status"') >= 4
    assert 'data-testid="heygen-panel" data-status="connected"' in page.text
    assert 'data-testid="metricool-panel" data-status="not_connected"' in page.text
    assert all(f'data-testid="social-{platform}"' in page.text for platform in PLATFORMS)
    assert HEYGEN_KEY not in page.text


async def test_htmx_gets_the_gallery_and_voice_partials(client: Client, creator: Creator, fakes: Fakes) -> None:
    await save_heygen(client, creator)
    headers = {**creator.headers, "HX-Request": "true"}

    avatars = await client.get("/api/integrations/heygen/avatars", headers=headers)
    voices = await client.get("/api/integrations/heygen/voices", headers=headers)

    assert 'data-testid="avatar-gallery"' in avatars.text and "daisy.mp4" in avatars.text
    assert 'data-testid="voice-list"' in voices.text and "<audio" in voices.text


async def test_errors_reach_htmx_as_a_message(client: Client, creator: Creator, fakes: Fakes) -> None:
    response = await client.put(
        "/api/integrations/heygen",
        json={"api_key": "hg-wrong-key-000000000000"},
        headers={**creator.headers, "HX-Request": "true"},
    )

    assert response.status_code == 400
    assert response.headers["hx-retarget"] == "#messages"
    assert 'data-testid="error"' in response.text

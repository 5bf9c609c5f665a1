"""The onboarding wizard through HTTP: where sign-up lands, the profile step, skipping, resuming, finishing."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Creator, sign_up
from tests.controllers.test_integrations import connect_metricool, save_heygen
from tests.fakes.integrations import Fakes

Client = httpx.AsyncClient
STEPS = ["profile", "heygen", "metricool", "social", "done"]


def statuses(progress: dict[str, object]) -> dict[str, str]:
    return {step["name"]: step["status"] for step in progress["steps"]}  # type: ignore[attr-defined, index]


async def test_a_new_creator_lands_in_the_wizard_at_the_profile_step(client: Client) -> None:
    response = await client.post(
        "/api/auth/signup", json={"email": "nova@example.com", "password": "correct-horse-42", "name": "Nova"}
    )
    assert response.headers["hx-redirect"] == "/onboarding"

    resume = await client.get("/onboarding", headers={"Accept": "text/html"})
    assert resume.status_code in (301, 302, 303, 307) and resume.headers["location"] == "/onboarding/profile"

    page = await client.get("/onboarding/profile", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'data-testid="progress"' in page.text and 'aria-current="step"' in page.text
    assert all(f'data-step="{step}"' in page.text for step in STEPS)


async def test_the_profile_step_keeps_niche_and_audience_and_moves_on(client: Client, creator: Creator) -> None:
    response = await client.put(
        "/api/onboarding/profile",
        json={
            "name": "Ana Lima",
            "timezone": "America/Manaus",
            "niche": "  Receitas rápidas  ",
            "audience": "Quem cozinha depois do trabalho",
        },
        headers=creator.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "name": "Ana Lima",
        "language": "pt_BR",
        "timezone": "America/Manaus",
        "niche": "Receitas rápidas",
        "audience": "Quem cozinha depois do trabalho",
    }
    assert response.headers["hx-redirect"] == "/onboarding/heygen"
    progress = (await client.get("/api/onboarding", headers=creator.headers)).json()
    assert statuses(progress)["profile"] == "done" and progress["resume"] == "heygen"


async def test_profile_fields_are_checked(client: Client, creator: Creator) -> None:
    response = await client.put(
        "/api/onboarding/profile", json={"niche": "x" * 201, "timezone": "Mars/Olympus"}, headers=creator.headers
    )

    assert response.status_code == 422
    assert "niche" in response.json()["fields"]
    assert (await client.get("/api/onboarding", headers=creator.headers)).json()["resume"] == "profile"


async def test_a_step_is_done_only_when_what_it_sets_up_works(client: Client, creator: Creator, fakes: Fakes) -> None:
    refused = await client.put("/api/onboarding/steps/heygen", json={"status": "done"}, headers=creator.headers)
    assert refused.status_code == 409

    await save_heygen(client, creator)
    without_choices = await client.put("/api/onboarding/steps/heygen", json={"status": "done"}, headers=creator.headers)
    assert without_choices.status_code == 409
    assert statuses((await client.get("/api/onboarding", headers=creator.headers)).json())["heygen"] == "ahead"

    await client.put(
        "/api/integrations/heygen",
        json={"default_avatar_id": "Daisy-inskirt-20220818", "default_voice_id": "pt-br-francisca-1a2b"},
        headers=creator.headers,
    )
    done = await client.put("/api/onboarding/steps/heygen", json={"status": "done"}, headers=creator.headers)
    assert done.status_code == 200
    assert statuses(done.json())["heygen"] == "done"
    assert done.headers["hx-redirect"] == "/onboarding/metricool"

    assert (
        await client.put("/api/onboarding/steps/social", json={"status": "done"}, headers=creator.headers)
    ).status_code == 409
    await connect_metricool(client, creator)
    await client.post("/api/integrations/social-accounts/connect", json={"platform": "tiktok"}, headers=creator.headers)
    assert (
        await client.put("/api/onboarding/steps/social", json={"status": "done"}, headers=creator.headers)
    ).status_code == 200


async def test_skipped_steps_are_resumed_later_and_the_wizard_finishes_when_none_is_ahead(
    client: Client, creator: Creator
) -> None:
    for step in ("profile", "metricool"):
        response = await client.put(
            f"/api/onboarding/steps/{step}", json={"status": "skipped"}, headers=creator.headers
        )
        assert response.status_code == 200

    progress = (await client.get("/api/onboarding", headers=creator.headers)).json()
    assert progress["resume"] == "heygen" and progress["finished"] is False
    assert statuses(progress) == {
        "profile": "skipped",
        "heygen": "ahead",
        "metricool": "skipped",
        "social": "ahead",
        "done": "ahead",
    }

    for step in ("heygen", "social"):
        await client.put(f"/api/onboarding/steps/{step}", json={"status": "skipped"}, headers=creator.headers)
    finished = (await client.get("/api/onboarding", headers=creator.headers)).json()
    assert finished["finished"] is True and finished["finished_at"] and finished["resume"] == "done"


@pytest.mark.parametrize(
    ("step", "body", "status"),
    [("nowhere", {"status": "done"}, 404), ("done", {"status": "done"}, 404), ("heygen", {"status": "maybe"}, 422)],
)
async def test_unknown_steps_and_statuses_are_refused(
    client: Client, creator: Creator, step: str, body: dict[str, str], status: int
) -> None:
    response = await client.put(f"/api/onboarding/steps/{step}", json=body, headers=creator.headers)

    assert response.status_code == status


async def test_every_step_page_renders_with_the_progress_indicator(client: Client, fakes: Fakes) -> None:
    await sign_up(client, "pages@example.com")

    for step in STEPS:
        page = await client.get(f"/onboarding/{step}", headers={"Accept": "text/html"})
        assert page.status_code == 200, step
        assert f'data-step="{step}"' in page.text and 'data-testid="progress"' in page.text
    assert (await client.get("/onboarding/elsewhere", headers={"Accept": "text/html"})).status_code == 404


async def test_another_creators_progress_is_their_own(client: Client, creator: Creator, other_creator: Creator) -> None:
    await client.put("/api/onboarding/steps/profile", json={"status": "skipped"}, headers=creator.headers)

    theirs = (await client.get("/api/onboarding", headers=other_creator.headers)).json()

    assert theirs["resume"] == "profile" and statuses(theirs)["profile"] == "ahead"


async def test_the_wizard_needs_a_signed_in_creator(client: Client) -> None:
    page = await client.get("/onboarding/profile", headers={"Accept": "text/html"})
    api = await client.get("/api/onboarding")

    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert api.status_code == 401

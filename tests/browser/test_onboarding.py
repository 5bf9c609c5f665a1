"""A new creator in a real browser walks the onboarding wizard against the HeyGen and Metricool fakes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from renum.config import Settings
from tests.fakes.heygen import FakeHeyGen
from tests.fakes.integrations import (
    HEYGEN_KEY,
    METRICOOL_TOKEN,
    METRICOOL_USER,
    Fakes,
    use_fakes,
)
from tests.fakes.metricool import FakeMetricool
from tests.fakes.server import serve

PASSWORD = "senha-forte-2026"


@pytest.fixture(scope="module")
def heygen_server() -> Iterator[tuple[FakeHeyGen, str]]:
    fake = FakeHeyGen(api_key=HEYGEN_KEY)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="module")
def metricool_server() -> Iterator[tuple[FakeMetricool, str]]:
    fake = FakeMetricool(user_token=METRICOOL_TOKEN, user_id=METRICOOL_USER)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture
def fakes(
    settings: Settings, heygen_server: tuple[FakeHeyGen, str], metricool_server: tuple[FakeMetricool, str]
) -> Fakes:
    """Both fakes, with the served app's settings pointing at them."""
    return use_fakes(settings, heygen_server, metricool_server)


@pytest.fixture
def tab(fakes: Fakes, page: Any) -> Iterator[Any]:
    """The browser tab, kept off the internet: HeyGen's preview files are not fetched."""
    page.route(re.compile(r"^https://"), lambda route: route.abort())
    yield page


def sign_up(page: Any, email: str) -> None:
    page.goto("/signup")
    page.fill("input[name=name]", "Ana")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")


def current_step(page: Any) -> Any:
    return page.locator("[data-testid=progress] li[aria-current=step]")


def test_a_new_creator_connects_everything_picks_an_avatar_and_a_voice_and_links_two_networks(
    tab: Any, fakes: Fakes
) -> None:
    page = tab
    sign_up(page, "ana@example.com")

    expect(page).to_have_url(re.compile(r"/onboarding/profile$"))
    expect(current_step(page)).to_have_attribute("data-step", "profile")
    profile = page.get_by_test_id("profile-form")
    profile.locator("input[name=niche]").fill("Receitas rápidas")
    profile.locator("textarea[name=audience]").fill("Quem cozinha depois do trabalho")
    page.get_by_test_id("profile-save").click()

    expect(page).to_have_url(re.compile(r"/onboarding/heygen$"))
    expect(page.locator("li[data-step=profile]")).to_have_attribute("data-status", "done")
    page.get_by_test_id("heygen-key-form").locator("input[name=api_key]").fill(HEYGEN_KEY)
    page.get_by_test_id("heygen-key-form").locator("button[type=submit]").click()
    panel = page.get_by_test_id("heygen-panel")
    expect(panel).to_have_attribute("data-status", "connected")
    expect(page.get_by_test_id("heygen-key-hint")).to_contain_text(HEYGEN_KEY[-4:])
    assert HEYGEN_KEY not in page.content()

    daisy = page.locator("[data-testid=avatar][data-avatar-id=Daisy-inskirt-20220818]")
    expect(daisy.locator("video")).to_have_attribute("src", re.compile(r"daisy\.mp4$"))
    daisy.get_by_test_id("choose-avatar").click()
    expect(page.get_by_test_id("heygen-default-avatar")).to_have_text("Daisy")
    expect(page.locator("[data-testid=avatar].chosen")).to_have_attribute("data-avatar-id", "Daisy-inskirt-20220818")

    page.get_by_test_id("voice-language").select_option("Portuguese")
    expect(page.get_by_test_id("voice")).to_have_count(1)
    francisca = page.locator("[data-testid=voice][data-voice-id=pt-br-francisca-1a2b]")
    expect(francisca.locator("audio")).to_have_attribute("src", re.compile(r"francisca\.mp3$"))
    francisca.get_by_test_id("choose-voice").click()
    expect(page.get_by_test_id("heygen-default-voice")).to_have_text("Francisca")
    page.get_by_test_id("step-done").click()

    expect(page).to_have_url(re.compile(r"/onboarding/metricool$"))
    expect(page.locator("li[data-step=heygen]")).to_have_attribute("data-status", "done")
    form = page.get_by_test_id("metricool-form")
    form.locator("input[name=user_token]").fill(METRICOOL_TOKEN)
    form.locator("input[name=user_id]").fill(METRICOOL_USER)
    page.get_by_test_id("metricool-find-brands").click()
    page.get_by_test_id("brand-101").check()
    page.get_by_test_id("metricool-connect").click()
    expect(page.get_by_test_id("metricool-panel")).to_have_attribute("data-status", "connected")
    expect(page.get_by_test_id("metricool-brand")).to_have_text("Canal da Ana")
    expect(page.get_by_test_id("metricool-timezone")).to_have_text("America/Sao_Paulo")
    page.get_by_test_id("step-done").click()

    expect(page).to_have_url(re.compile(r"/onboarding/social$"))
    instagram = page.get_by_test_id("social-instagram")
    instagram.locator("input[name=handle]").fill("@ana.cria")
    page.get_by_test_id("link-instagram").click()
    expect(page.get_by_test_id("social-instagram")).to_have_attribute("data-linked", "true")
    page.get_by_test_id("link-tiktok").click()
    expect(page.get_by_test_id("social-tiktok")).to_have_attribute("data-linked", "true")
    page.get_by_test_id("link-facebook").click()
    expect(page.get_by_test_id("error")).to_contain_text("Facebook")
    expect(page.get_by_test_id("social-facebook")).to_have_attribute("data-linked", "false")
    page.get_by_test_id("step-done").click()

    expect(page).to_have_url(re.compile(r"/onboarding/done$"))
    expect(page.get_by_test_id("linked-networks")).to_have_text("Instagram, TikTok")
    for step in ("profile", "heygen", "metricool", "social", "done"):
        expect(page.locator(f"li[data-step={step}]")).to_have_attribute("data-status", "done")

    progress = page.request.get("/api/onboarding").json()
    assert progress["finished"] is True
    heygen = page.request.get("/api/integrations/heygen").json()
    assert heygen["default_avatar"]["avatar_id"] == "Daisy-inskirt-20220818"
    assert heygen["default_voice"]["voice_id"] == "pt-br-francisca-1a2b"
    accounts = page.request.get("/api/integrations/social-accounts").json()
    assert [account["platform"] for account in accounts if account["linked"]] == ["instagram", "tiktok"]

    page.goto("/settings/integrations")
    expect(page.get_by_test_id("heygen-panel")).to_have_attribute("data-status", "connected")
    expect(page.get_by_test_id("metricool-panel")).to_have_attribute("data-status", "connected")
    page.get_by_test_id("heygen-test").click()
    expect(page.get_by_test_id("heygen-check-ok")).to_be_visible()


def test_skipped_steps_can_be_resumed_later(tab: Any) -> None:
    page = tab
    sign_up(page, "bia@example.com")
    expect(page).to_have_url(re.compile(r"/onboarding/profile$"))

    page.get_by_test_id("step-skip").click()
    expect(page).to_have_url(re.compile(r"/onboarding/heygen$"))
    expect(page.locator("li[data-step=profile]")).to_have_attribute("data-status", "skipped")
    page.get_by_test_id("step-done").click()
    expect(page.get_by_test_id("error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/onboarding/heygen$"))

    page.goto("/")
    page.goto("/onboarding")
    expect(page).to_have_url(re.compile(r"/onboarding/heygen$"))
    page.locator("li[data-step=profile] a").click()
    expect(page).to_have_url(re.compile(r"/onboarding/profile$"))
    expect(current_step(page)).to_have_attribute("data-step", "profile")

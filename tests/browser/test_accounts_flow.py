"""A creator in a real browser: landing lead, sign-up, profile and language, tokens, log-out, log-in."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

PASSWORD = "senha-forte-2026"


def test_the_landing_lead_form_raises_the_count(page: Any) -> None:
    page.goto("/")
    count = page.get_by_test_id("lead-count")
    expect(count).to_have_attribute("data-count", "0")

    page.fill("input[name=name]", "Ana")
    page.fill("input[name=email]", "ana@example.com")
    page.fill("input[name=creates]", "Receitas no Instagram")
    page.click("#lead-form button[type=submit]")

    expect(page.get_by_test_id("lead-thanks")).to_be_visible()
    expect(count).to_have_attribute("data-count", "1")
    expect(count).to_contain_text("1")


def test_a_creator_signs_up_edits_the_profile_switches_language_manages_a_token_and_logs_out(page: Any) -> None:
    page.goto("/signup")
    expect(page.locator("h1")).to_have_text("Crie sua conta")
    page.fill("input[name=name]", "Bia")
    page.fill("input[name=email]", "bia@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Olá, Bia")

    page.goto("/account")
    form = page.get_by_test_id("profile-form")
    form.locator("input[name=name]").fill("Bia Souza")
    form.locator("select[name=timezone]").select_option("America/Manaus")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    page.reload()
    expect(form.locator("input[name=name]")).to_have_value("Bia Souza")
    expect(form.locator("select[name=timezone]")).to_have_value("America/Manaus")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Account")

    token_form = page.get_by_test_id("token-form")
    token_form.locator("input[name=name]").fill("my script")
    token_form.locator("button[type=submit]").click()
    secret = page.get_by_test_id("new-token-value").inner_text()
    assert re.fullmatch(r"rnm_[\w-]+", secret)
    rows = page.get_by_test_id("token-row")
    expect(rows).to_have_count(1)
    assert page.request.get("/api/account/profile", headers={"Authorization": f"Bearer {secret}"}).ok

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("revoke-token").click()
    expect(rows).to_have_count(0)
    revoked = page.request.get("/api/account/profile", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status == 401

    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("lead-count")).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=/account"))


def test_a_wrong_password_shows_an_error_and_the_right_one_signs_in(page: Any) -> None:
    page.goto("/signup")
    page.fill("input[name=email]", "cai@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Olá")
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("lead-count")).to_be_visible()

    page.goto("/login")
    page.fill("input[name=email]", "cai@example.com")
    page.fill("input[name=password]", "wrong-password-1")
    page.click("form[data-testid=login-form] button[type=submit]")
    expect(page.get_by_test_id("error")).to_contain_text("Email ou senha incorretos")

    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=login-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Olá")


def test_the_layout_fits_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    expect(page.locator("#lead-form button[type=submit]")).to_be_visible()


def hold_htmx(page: Any) -> list[Any]:
    """From now on, requests for htmx go unanswered (as on a slow phone connection) until the test continues them."""
    held: list[Any] = []
    page.route("**/htmx-*.min.js", lambda route: held.append(route))
    return held


def test_a_form_sent_before_htmx_has_loaded_waits_for_it_and_never_puts_the_password_in_the_address(
    page: Any,
) -> None:
    # htmx is held back as on a slow phone connection: the form is on screen before anything drives it.
    held = hold_htmx(page)
    page.goto("/signup", wait_until="commit")
    page.fill("input[name=name]", "Duda")
    page.fill("input[name=email]", "duda@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")

    expect(page.locator("input[name=password]")).to_have_value(PASSWORD)
    assert page.url.endswith("/signup"), page.url
    assert held, "the page should have asked for htmx"

    held[0].continue_()
    expect(page.locator("h1")).to_contain_text("Olá, Duda")
    assert PASSWORD not in page.url


def test_a_click_on_an_htmx_button_before_htmx_has_loaded_is_done_once_it_has(page: Any) -> None:
    page.goto("/signup")
    page.fill("input[name=email]", "eva@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Olá")

    held = hold_htmx(page)
    page.goto("/onboarding/profile", wait_until="commit")
    page.get_by_test_id("step-skip").click()
    assert held, "the page should have asked for htmx"
    assert page.url.endswith("/onboarding/profile"), page.url

    held[0].continue_()
    expect(page).to_have_url(re.compile(r"/onboarding/heygen$"))
    expect(page.locator("li[data-step=profile]")).to_have_attribute("data-status", "skipped")

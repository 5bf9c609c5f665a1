"""A creator in a real browser writes a script with ScriptAI, revises and keeps it, and chats with the
assistant: RENUM served on loopback, the model a fake OpenAI-compatible server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from renum.config import Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.scriptwriter import ScriptWriter
from tests.fakes.server import serve

PASSWORD = "senha-forte-2026"


@pytest.fixture(scope="module")
def ai_server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI(models=["gpt-fake"])
    with serve(fake.app) as url:
        yield fake, f"{url}/v1"


@pytest.fixture(autouse=True)
def fake(ai_server: tuple[FakeOpenAI, str], settings: Settings) -> FakeOpenAI:
    """The fake model writing 150-word scripts; RENUM (started after this) is pointed at it."""
    server, url = ai_server
    server.reset()
    server.responder = ScriptWriter(words=150)
    settings.ai.base_url = url
    settings.ai.api_key = server.api_key
    settings.ai.model = "gpt-fake"
    return server


def sign_up(page: Any, email: str) -> None:
    page.goto("/signup")
    page.fill("input[name=name]", "Ana")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[data-testid=signup-form] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Ana")


def test_a_script_is_written_edited_regenerated_saved_reopened_and_restored(page: Any, fake: FakeOpenAI) -> None:
    sign_up(page, "roteiro@example.com")
    page.goto("/scriptai")
    page.get_by_test_id("topic").fill("pão de fermentação natural")
    page.get_by_test_id("duration-input").fill("60")
    page.get_by_test_id("generate").click()

    editor = page.get_by_test_id("editor")
    expect(editor).to_be_visible()
    assert "HOOK:" in (page.get_by_test_id("stream-text").text_content() or "")
    expect(page.get_by_test_id("estimate")).to_have_text("60")
    expect(page.get_by_test_id("duration")).to_have_attribute("data-state", "ok")
    sections = page.get_by_test_id("section")
    expect(sections).to_have_count(3)
    original_hook = editor.locator("[data-field=hook]").input_value()

    # Edit a section in place: the estimate follows the edit.
    sections.nth(0).locator("textarea").fill("Meu próprio começo, curto e direto.")
    expect(page.get_by_test_id("estimate")).not_to_have_text("60")

    # Regenerate another section with an instruction; the edit made by hand is kept.
    sections.nth(1).get_by_test_id("instruction").fill("mais curto")
    sections.nth(1).get_by_test_id("regenerate").click()
    expect(sections.nth(1).locator("textarea")).to_have_value(re.compile(r"^novo"))
    expect(sections.nth(0).locator("textarea")).to_have_value("Meu próprio começo, curto e direto.")
    part_request = fake.chat_requests[-1]
    assert part_request["response_format"]["json_schema"]["name"] == "script_part"
    assert "mais curto" in part_request["messages"][-1]["content"]

    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("draft-version")).to_have_text("1")

    # Reopen it from the list of drafts.
    page.goto("/scriptai/drafts")
    rows = page.get_by_test_id("draft-row")
    expect(rows).to_have_count(1)
    rows.first.get_by_test_id("open-draft").click()
    expect(page).to_have_url(re.compile(r"/scriptai/drafts/[0-9a-f-]{36}$"))
    editor = page.get_by_test_id("editor")
    expect(editor.locator("[data-field=hook]")).to_have_value(original_hook)
    expect(page.get_by_test_id("section").nth(0).locator("textarea")).to_have_value(
        "Meu próprio começo, curto e direto."
    )

    # A second save keeps a second version; restoring the first brings its hook back as version 3.
    editor.locator("[data-field=hook]").fill("Um gancho que eu mesma escrevi.")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("draft-version")).to_have_text("2")
    versions = page.get_by_test_id("version")
    expect(versions).to_have_count(2)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=version][data-number='1']").get_by_test_id("restore").click()
    expect(page.get_by_test_id("draft-version")).to_have_text("3")
    expect(page.get_by_test_id("editor").locator("[data-field=hook]")).to_have_value(original_hook)
    expect(versions).to_have_count(3)


def test_a_stale_tab_cannot_overwrite_a_newer_save(page: Any) -> None:
    sign_up(page, "abas@example.com")
    page.goto("/scriptai")
    page.get_by_test_id("topic").fill("bolo de caneca")
    page.get_by_test_id("generate").click()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("draft-version")).to_have_text("1")
    draft_url = "/scriptai/drafts/" + page.get_by_test_id("editor").get_attribute("data-draft-id")

    other_tab = page.context.new_page()
    other_tab.goto(draft_url)
    other_tab.get_by_test_id("save").click()
    expect(other_tab.get_by_test_id("draft-version")).to_have_text("2")

    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("error")).to_be_visible()
    expect(page.get_by_test_id("draft-version")).to_have_text("1")


def test_a_two_message_conversation_with_the_assistant(page: Any, fake: FakeOpenAI) -> None:
    writer = fake.responder
    assert isinstance(writer, ScriptWriter)
    sign_up(page, "conversa@example.com")
    page.goto("/assistant")

    writer.chat_reply = "Que tal mostrar a casca crocante?"
    page.get_by_test_id("chat-input").fill("Uma ideia de vídeo sobre pão?")
    page.get_by_test_id("send").click()
    messages = page.get_by_test_id("message")
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_have_text("Que tal mostrar a casca crocante?")
    expect(page).to_have_url(re.compile(r"/assistant/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("conversation")).to_have_count(1)

    writer.chat_reply = "Comece pelo som da faca no pão."
    page.get_by_test_id("chat-input").fill("E um gancho?")
    page.get_by_test_id("chat-input").press("Enter")
    expect(messages).to_have_count(4)
    expect(messages.nth(3)).to_have_text("Comece pelo som da faca no pão.")
    expect(page.locator(".message.streaming")).to_have_count(0)  # the reply is kept once it has ended
    history = [m["content"] for m in fake.chat_requests[-1]["messages"][1:]]
    assert history == ["Uma ideia de vídeo sobre pão?", "Que tal mostrar a casca crocante?", "E um gancho?"]

    page.reload()
    expect(page.get_by_test_id("message")).to_have_count(4)
    expect(page.get_by_test_id("conversation")).to_have_count(1)

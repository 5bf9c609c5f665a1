"""ScriptAI's rules without HTTP: counting spoken words, timing, the streamed plain form, briefs and hashtags."""

from __future__ import annotations

import msgspec
import pytest

from renum.errors import InvalidInput
from renum.models import User
from renum.services.scriptai import (
    ScriptBrief,
    ScriptText,
    SectionText,
    WrittenScript,
    WrittenSection,
    check_brief,
    check_text,
    measure,
    parse_script_text,
    script_as_text,
    target_words,
    words_in,
)


def creator(language: str = "pt_BR") -> User:
    return User(email="ana@example.com", name="Ana", language=language, timezone="America/Sao_Paulo")


def script(words: int, *, language: str = "pt-BR", seconds: int = 60) -> ScriptText:
    return ScriptText(
        title="Pão",
        hook="",
        sections=[SectionText("Parte 1", " ".join(["palavra"] * words))],
        language=language,
        duration_seconds=seconds,
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Você nunca mais vai comprar pão.", 6),
        ("Don't stop — it's a guarda-chuva!", 5),
        ("Custa R$ 10,50 em 2026.", 5),
        ("  ...  ", 0),
    ],
)
def test_spoken_words_are_counted_as_a_listener_hears_them(text: str, count: int) -> None:
    assert words_in(text) == count


def test_each_language_has_its_own_speaking_rate() -> None:
    assert target_words("pt-BR", 60) == 150
    assert target_words("en", 60) == 155
    assert measure(script(150)).estimated_seconds == 60
    assert measure(script(155, language="en")).estimated_seconds == 60


def test_title_and_hashtags_are_not_spoken_but_hook_and_call_to_action_are() -> None:
    text = msgspec.structs.replace(
        script(100), title="Um título comprido " * 5, hook="Olha isso.", call_to_action="Siga agora.", hashtags=["#a"]
    )

    assert measure(text).word_count == 104


@pytest.mark.parametrize(("words", "within"), [(120, True), (180, True), (119, False), (181, False)])
def test_a_script_is_on_target_within_twenty_percent(words: int, within: bool) -> None:
    # 60 s at 150 words a minute: 48 s to 72 s is within 20%.
    assert measure(script(words)).within_target is within


def test_the_plain_form_round_trips() -> None:
    written = WrittenScript(
        title="Pão caseiro",
        hook="Você nunca mais vai comprar pão.",
        sections=[WrittenSection("Massa", "Farinha, água e sal.\nSó isso."), WrittenSection("Forno", "Bem quente.")],
        call_to_action="Siga para a parte 2.",
        hashtags=["#pao", "#receita"],
    )

    assert parse_script_text(script_as_text(written)) == written


def test_the_plain_form_tolerates_chatter_and_markdown() -> None:
    reply = (
        "Claro! Aqui vai:\n\n**TITLE:** Pão\n**HOOK:** Olha isso.\n\n### Passo 1 ###\nMisture.\n\n"
        "CTA: Siga.\nhashtags: #pao"
    )

    parsed = parse_script_text(reply)

    assert parsed == WrittenScript("Pão", "Olha isso.", [WrittenSection("Passo 1", "Misture.")], "Siga.", ["#pao"])


@pytest.mark.parametrize("reply", ["Era uma vez um pão. Fim.", "TITLE: Pão\nHOOK: Olha.", "## Passo\nMisture."])
def test_a_reply_out_of_the_plain_form_is_not_guessed(reply: str) -> None:
    assert parse_script_text(reply) is None


@pytest.mark.parametrize(
    ("asked", "user_language", "language"),
    [
        ("pt_BR", "en", "pt-BR"),
        ("pt", "en", "pt-BR"),
        ("en-US", "pt_BR", "en"),
        ("", "en", "en"),
        ("", "pt_BR", "pt-BR"),
    ],
)
def test_the_script_language_accepts_common_spellings_and_defaults_to_the_creators(
    asked: str, user_language: str, language: str
) -> None:
    brief = check_brief(ScriptBrief(topic="pão", language=asked), creator(user_language))

    assert brief.language == language


def test_a_brief_is_trimmed_and_its_platform_read_in_any_case() -> None:
    brief = check_brief(ScriptBrief(topic="  pão  ", platform=" TikTok "), creator())

    assert (brief.topic, brief.platform) == ("pão", "tiktok")


def test_every_problem_of_a_brief_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as raised:
        brief = ScriptBrief(topic="", platform="orkut", duration_seconds=0, language="fr", tone="x" * 201)
        check_brief(brief, creator())

    assert set(raised.value.fields) == {"topic", "platform", "duration_seconds", "language", "tone"}


def test_hashtags_are_cleaned_and_capped_for_instagram() -> None:
    tags = ["pao", "#Pao", "receita caseira", "#a", "#b!", "#c", "#d"]

    instagram = check_text(msgspec.structs.replace(script(150), hashtags=tags, platform="instagram"), creator())
    tiktok = check_text(msgspec.structs.replace(script(150), hashtags=tags, platform="tiktok"), creator())

    assert instagram.hashtags == ["#pao", "#receita", "#caseira", "#a", "#b"]
    assert tiktok.hashtags == ["#pao", "#receita", "#caseira", "#a", "#b", "#c", "#d"]


def test_empty_sections_are_dropped_and_a_missing_title_comes_from_the_topic() -> None:
    text = ScriptText(
        title=" ", hook="Olha.", sections=[SectionText("Vazia", "  "), SectionText("Cheia", "Texto.")], topic="Pão"
    )

    checked = check_text(text, creator())

    assert checked.title == "Pão"
    assert checked.sections == [SectionText("Cheia", "Texto.")]

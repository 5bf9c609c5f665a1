"""Caption limits as each platform counts them, and how RENUM fixes what the model gets wrong."""

from __future__ import annotations

import pytest

from renum.errors import InvalidInput
from renum.services.captions import check_caption, fit_caption, hashtags_in, measure, problems_of


def test_length_is_counted_as_each_platform_counts_it() -> None:
    text = "Pão 🍞"

    assert measure("instagram", text) == 6  # an emoji is two UTF-16 code units
    assert measure("youtube", text) == 9  # bytes: ã is two, the emoji four
    assert measure("x", text) == 6  # X weighs the emoji twice
    assert measure("x", "veja https://renum.app/a/very/long/path/indeed") == 5 + 23
    assert measure("x", "日本") == 4


def test_hashtags_are_found_as_the_platforms_see_them() -> None:
    assert hashtags_in("Receita #pão no forno #Receita_1 e C# #") == ["#pão", "#Receita_1"]
    assert hashtags_in("a&#39;b https://x.com/#anchor") == []


def test_a_caption_that_fits_is_left_alone() -> None:
    text, title, fixes = fit_caption("youtube", "Pão caseiro em três passos.", "Pão caseiro")

    assert (text, title, fixes) == ("Pão caseiro em três passos.", "Pão caseiro", [])


def test_extra_hashtags_are_dropped_from_the_tag_line_and_unmarked_in_sentences() -> None:
    text = "Meu #pao favorito com #fermento natural.\n\n#a #b #c #d #e #f"

    fixed, _, fixes = fit_caption("instagram", text)

    assert fixed == "Meu #pao favorito com #fermento natural.\n\n#a #b #c"
    assert fixes == ["too_many_hashtags"]
    assert problems_of("instagram", fixed) == {}


def test_a_long_caption_is_cut_at_a_word_and_keeps_its_hashtags() -> None:
    text = "palavra " * 100 + "\n\n#pao #receita"

    fixed, _, fixes = fit_caption("x", text)

    assert measure("x", fixed) <= 280
    body, tags = fixed.split("\n\n")
    assert body.endswith("palavra…") and tags == "#pao #receita"
    assert fixes == ["too_long"]


def test_youtube_loses_angle_brackets_and_gets_a_title_within_100_characters() -> None:
    fixed, title, fixes = fit_caption("youtube", "Use <b>farinha</b> boa.", "<Pão> " + "caseiro " * 30)

    assert fixed == "Use bfarinha/b boa."
    assert title is not None and len(title) <= 100 and "<" not in title
    assert fixes == ["angle_brackets", "title_too_long"]


def test_youtube_without_a_title_gets_one_from_the_caption() -> None:
    _, title, fixes = fit_caption("youtube", "Pão caseiro em três passos, sem batedeira.", "")

    assert title == "Pão caseiro em três passos, sem batedeira."
    assert fixes == ["title_missing"]


def test_a_youtube_description_is_limited_in_bytes_not_characters() -> None:
    text = "ã" * 2600  # 2,600 characters but 5,200 bytes

    assert problems_of("youtube", text, "Título").keys() == {"too_long"}
    fixed, _, _ = fit_caption("youtube", text, "Título")
    assert len(fixed.encode()) <= 5000


@pytest.mark.parametrize(
    ("platform", "text", "title", "field"),
    [
        ("instagram", "#a #b #c #d #e #f", None, "text"),
        ("x", "a" * 281, None, "text"),
        ("youtube", "ok", "", "title"),
        ("youtube", "a > b", "ok", "text"),
        ("linkedin", " ", None, "text"),
    ],
)
def test_a_caption_the_platform_would_refuse_is_refused_with_the_field(
    platform: str, text: str, title: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_caption(platform, text, title)

    assert field in refused.value.fields

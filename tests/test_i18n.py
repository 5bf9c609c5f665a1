"""Languages: every message the code can show has a pt-BR translation; visitors get the right one."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from renum.i18n import LOCALE_DIR, negotiate_language, translate

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("renum/**.py", "python"), ("renum/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def _message_ids() -> set[str]:
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHODS,
        keywords=KEYWORDS,  # type: ignore[arg-type]
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return {message for message in ids if message}


def test_every_message_has_a_portuguese_translation() -> None:
    with (LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        po = read_po(handle, locale="pt_BR")
    translated = {
        message.id[0] if isinstance(message.id, tuple) else message.id
        for message in po
        if message.id and (all(message.string) if isinstance(message.string, tuple) else message.string)
    }
    missing = sorted(_message_ids() - translated)
    assert not missing, "untranslated in renum/locale/pt_BR (run `make catalogs`, then translate):\n" + "\n".join(
        missing
    )


def test_both_catalogs_exist() -> None:
    assert (LOCALE_DIR / "pt_BR" / "LC_MESSAGES" / "messages.po").exists()
    assert (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").exists()


def test_messages_with_placeholders_keep_them_in_portuguese() -> None:
    for message in _message_ids():
        for placeholder in ("{status}", "{ref}", "{down}"):
            if placeholder in message:
                assert placeholder in translate(message, "pt_BR"), message


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "pt_BR"),
        ("", "pt_BR"),
        ("en-US,en;q=0.9", "en"),
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt_BR"),
        ("en;q=0.5,pt;q=0.9", "pt_BR"),
        ("fr-FR,de;q=0.8", "pt_BR"),
        ("fr-FR,en;q=0.5", "en"),
        ("en;q=abc", "pt_BR"),
    ],
)
def test_visitors_get_portuguese_unless_their_browser_prefers_english(header: str | None, language: str) -> None:
    assert negotiate_language(header) == language

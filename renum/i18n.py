"""Languages: gettext catalogs read with Babel, and the language of the work at hand.

Message ids are English. ``renum/locale/<lang>/LC_MESSAGES/messages.po`` holds each language's
catalog (pt_BR is the default language; en is a catalog like any other). The catalogs are read
from their ``.po`` files once per process, so no compile step stands between an edit and a run.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "current_language",
    "gettext",
    "negotiate_language",
    "ngettext",
    "translate",
    "use_language",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "pt_BR"
LANGUAGES = {"pt_BR": "Português (Brasil)", "en": "English"}

_language: ContextVar[str] = ContextVar("renum_language", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:
    """Mark a constant message for extraction; it is translated where it is shown."""
    return message


@cache
def catalog(language: str) -> stdlib_gettext.NullTranslations:
    """The translations of one language, read once from its ``.po`` file."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return stdlib_gettext.NullTranslations()
    with po_file.open("rb") as handle:
        po = read_po(handle, locale=language)
    buffer = BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    return stdlib_gettext.GNUTranslations(buffer)


def current_language() -> str:
    """The language of the request (or job) being handled."""
    return _language.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block."""
    token = _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _language.reset(token)


def set_language(language: str) -> None:
    """Speak ``language`` for the rest of the current context (one request)."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def translate(message: str, language: str) -> str:
    """``message`` in ``language``."""
    return catalog(language).gettext(message)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return catalog(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the current language."""
    return catalog(current_language()).ngettext(singular, plural, n)


def negotiate_language(accept_language: str | None) -> str:
    """The language an anonymous visitor gets: pt-BR unless their browser puts English first.

    Only English is a choice besides the default, so the browser's most preferred of the two
    languages RENUM speaks wins; with neither listed, pt-BR.
    """
    best: tuple[float, str] | None = None
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        primary = tag.strip().lower().replace("_", "-").split("-")[0]
        if primary not in ("pt", "en"):
            continue
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if best is None or weight > best[0]:
            best = (weight, "en" if primary == "en" else "pt_BR")
    return best[1] if best else DEFAULT_LANGUAGE

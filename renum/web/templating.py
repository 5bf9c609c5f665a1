"""Jinja set-up: autoescape on, translations and a few display helpers as globals and filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from renum import __version__
from renum.i18n import LANGUAGES, current_language, gettext, ngettext

__all__ = ["template_config"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def local_time(value: datetime | None, timezone: str = "America/Sao_Paulo", style: str = "short") -> str:
    """A UTC timestamp as the creator reads it: their timezone, their language's format."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(timezone)), style, locale=current_language())


def _configure(engine: JinjaTemplateEngine) -> None:
    env: Any = engine.engine
    env.globals.update(
        _=gettext,
        gettext=gettext,
        ngettext=ngettext,
        current_language=current_language,
        languages=LANGUAGES,
        version=__version__,
    )
    env.filters["local_time"] = local_time
    env.trim_blocks = True
    env.lstrip_blocks = True


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Templates from ``renum/templates``, with autoescape (Litestar's Jinja default) kept on."""
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=_configure)

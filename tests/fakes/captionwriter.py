"""A responder for :class:`~tests.fakes.openai_server.FakeOpenAI` that plays the model behind PostRápido's captions.

It reads which platforms the prompt asks for (each rule line names ``platform "<key>"``) and answers
the JSON schema RENUM asked for:

- ``captions``: one caption per platform asked, from :attr:`CaptionWriter.written` (or a default);
  when the prompt is the request to shorten, from :attr:`CaptionWriter.shortened`;
- ``caption``: one rewritten caption, :attr:`CaptionWriter.rewritten`.

Like a real model it can miss the limits: give a platform a text that is too long, too many
hashtags or ``<`` ``>`` and RENUM must fix it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_PLATFORM = re.compile(r'(?:platform|plataforma) "(\w+)"')


REWRITTEN = {"title": "Pão em 3 passos", "text": "Versão nova, mais curta e direta.", "hashtags": []}
"""What the fake answers when asked to rewrite one caption."""


def default_caption(platform: str) -> dict[str, Any]:
    """A caption that fits every platform."""
    return {
        "platform": platform,
        "title": "Pão caseiro em três passos" if platform == "youtube" else "",
        "text": f"Pão caseiro sem segredo: farinha, água e paciência. Salve para fazer no domingo! ({platform})",
        "hashtags": ["#pao", "receita"],
    }


@dataclass
class CaptionWriter:
    """Writes captions; set it as ``fake.responder``. ``asked`` keeps the platforms of each request."""

    written: dict[str, dict[str, Any]] = field(default_factory=dict)
    shortened: dict[str, dict[str, Any]] = field(default_factory=dict)
    rewritten: dict[str, Any] = field(default_factory=lambda: dict(REWRITTEN))
    asked: list[list[str]] = field(default_factory=list)

    def __call__(self, body: dict[str, Any]) -> str:
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        messages = body.get("messages", [])
        prompt = "\n".join(str(message.get("content")) for message in messages)
        platforms = list(dict.fromkeys(_PLATFORM.findall(prompt)))
        self.asked.append(platforms)
        if schema == "caption":
            return json.dumps(self.rewritten, ensure_ascii=False)
        shorten = any(word in str(messages[0].get("content")) for word in ("shorten", "encurta"))
        source = self.shortened if shorten else self.written
        captions = [{**default_caption(key), **source.get(key, {}), "platform": key} for key in platforms]
        return json.dumps({"captions": captions}, ensure_ascii=False)

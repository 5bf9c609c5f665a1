"""A responder for :class:`~tests.fakes.openai_server.FakeOpenAI` that plays the model behind ScriptAI
and the assistant: scripts of a chosen number of spoken words, in each form RENUM asks for them.

- a JSON schema named ``script``: a whole script as JSON;
- a JSON schema named ``script_part``: one rewritten part;
- a streamed request whose prompt asks for the plain form (``TITLE:`` ...): the script in that form;
- anything else (the assistant): :attr:`ScriptWriter.chat_reply`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def sentence(count: int, word: str = "palavra") -> str:
    """``count`` spoken words, ending with a full stop."""
    return " ".join([word] * count) + "." if count else ""


def written_script(spoken_words: int, *, title: str = "Pão caseiro sem segredo", sections: int = 3) -> dict[str, Any]:
    """A script as the model writes it, with exactly ``spoken_words`` words in hook, sections and call to action."""
    hook, cta = 8, 6
    body = max(spoken_words - hook - cta, sections)
    sizes = [body // sections + (1 if n < body % sections else 0) for n in range(sections)]
    parts = [{"heading": f"Parte {n + 1}", "text": sentence(size, f"ideia{n + 1}")} for n, size in enumerate(sizes)]
    return {
        "title": title,
        "hook": sentence(hook, "gancho"),
        "sections": parts,
        "call_to_action": sentence(cta, "siga"),
        "hashtags": ["#pao", "#receita", "padaria caseira"],
    }


def plain_form(script: dict[str, Any]) -> str:
    """The script in the plain form ScriptAI streams, with a line of chatter before it as models add."""
    lines = ["Claro! Aqui está:", f"TITLE: {script['title']}", f"**HOOK:** {script['hook']}"]
    for section in script["sections"]:
        lines += [f"## {section['heading']}", section["text"], ""]
    lines += [f"CTA: {script['call_to_action']}", "HASHTAGS: " + " ".join(script["hashtags"])]
    return "\n".join(lines)


@dataclass
class ScriptWriter:
    """Writes scripts of :attr:`words` spoken words; set it as ``fake.responder``."""

    words: int = 150
    chat_reply: str = "Uma boa ideia: mostre o antes e o depois do pão."
    part_text: str = field(default_factory=lambda: sentence(12, "novo"))
    title: str = "Pão caseiro sem segredo"

    def __call__(self, body: dict[str, Any]) -> str | list[str]:
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        if schema == "script":
            return json.dumps(written_script(self.words, title=self.title), ensure_ascii=False)
        if schema == "script_part":
            return json.dumps({"heading": "Trecho novo", "text": self.part_text}, ensure_ascii=False)
        if body.get("stream") and any("TITLE:" in str(m.get("content")) for m in body.get("messages", [])):
            return plain_form(written_script(self.words, title=self.title))
        return self.chat_reply

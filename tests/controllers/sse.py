"""Reading the server-sent events RENUM streams (``event:`` and JSON ``data:`` lines) in tests."""

from __future__ import annotations

import json
from typing import Any


def events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a server-sent event stream, in order."""
    found = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = block.splitlines()
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        if data:
            found.append((name, json.loads(data)))
    return found

"""Old backend paths served by the same handler as the canonical path, marked deprecated.

``paths("/api/scriptai/generate", "/api/modules/1/generate-script")`` gives the list a route
decorator takes and records the old path. :class:`DeprecationHeaders` answers requests that came
in through an old path with ``Deprecation`` and a ``Link`` to the successor, and
:func:`mark_deprecated_in_schema` flags those operations in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DeprecationHeaders", "mark_deprecated_in_schema", "paths"]

_successors: dict[str, str] = {}


def paths(canonical: str, *old: str) -> list[str]:
    """The canonical path followed by its deprecated aliases, for a route decorator."""
    for path in old:
        _successors[path] = canonical
    return [canonical, *old]


class DeprecationHeaders(ASGIMiddleware):
    """Add ``Deprecation`` and ``Link`` headers to answers given at an old path."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        successor = _successors.get(scope.get("path_template", ""))
        if successor is None:
            await next_app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Deprecation"] = "true"
                headers["Link"] = f'<{_schema_path(successor)}>; rel="successor-version"'
            await send(message)

        await next_app(scope, receive, send_with_headers)


def _schema_path(path: str) -> str:
    """``/a/{id:uuid}`` as OpenAPI spells it: ``/a/{id}``."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{") and ":" in part:
            part = part.split(":")[0] + "}"
        parts.append(part)
    return "/".join(parts)


def mark_deprecated_in_schema(app: Litestar) -> None:
    """Flag every operation reached through an old path as deprecated in the OpenAPI document."""
    schema = app.openapi_schema
    for old in _successors:
        item: Any = (schema.paths or {}).get(_schema_path(old))
        if item is None:
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is not None:
                operation.deprecated = True

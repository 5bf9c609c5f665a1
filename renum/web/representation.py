"""One handler, three representations: JSON for API clients, a partial for htmx, pages for browsers.

Handlers return :func:`respond`; it picks JSON or the named partial from the request, so no
handler re-implements the choice.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

__all__ = ["API_PREFIXES", "is_api_path", "is_htmx", "respond", "wants_html"]

# Paths whose answers are data, never pages: the JSON API, the old backend's paths, probes.
API_PREFIXES = ("/api/", "/integrations/", "/webhooks/", "/health", "/schema")


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """Whether htmx sent this request (and will swap a fragment of HTML)."""
    return request.headers.get("hx-request") == "true"


def is_api_path(path: str) -> bool:
    """Whether a path belongs to the JSON API rather than the pages."""
    return path.startswith(API_PREFIXES) or path == "/health"


def wants_html(request: Request[Any, Any, Any]) -> bool:
    """Whether a browser navigated here and expects a full page."""
    if is_htmx(request) or is_api_path(request.url.path):
        return False
    return "text/html" in request.headers.get("accept", "")


def respond(
    request: Request[Any, Any, Any],
    data: Any,
    *,
    partial: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    """Answer ``data`` as JSON, or, to htmx, as the ``partial`` template rendered with it.

    The partial sees ``data`` plus ``context`` (extra values only the HTML needs).
    """
    if is_htmx(request):
        return Template(
            template_name=partial,
            context={"data": data, **(context or {})},
            status_code=status_code,
            headers=headers,
        )
    return Response(content=data, status_code=status_code, headers=headers)

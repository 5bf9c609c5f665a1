"""Every error, answered in the form the caller can use.

API clients get ``{"status", "code", "message", "fields"}``; htmx gets the ``_error.html``
partial, retargeted to the page's message area; browsers get a page in their language, or the
log-in page when they are not signed in. Unexpected errors are logged with an id and never shown.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template

from renum.errors import RenumError
from renum.i18n import N_, gettext, negotiate_language, set_language
from renum.web.representation import is_htmx, wants_html

__all__ = ["ErrorAnswer", "describe", "handle_error"]

log = structlog.get_logger(__name__)

_BY_STATUS = {
    400: N_("The request could not be read. Check what you sent and try again."),
    401: N_("Sign in, or send a valid API token as 'Authorization: Bearer <token>'."),
    403: N_("This request is not allowed."),
    404: N_("Nothing was found at this address. Check the link or the id."),
    405: N_("This address does not accept this method. Check the API documentation at /schema."),
    413: N_("The request is too large. Send less data, or upload files through the upload page."),
    415: N_("This content type is not accepted here. Send JSON."),
    429: N_("Too many attempts. Wait a minute and try again."),
}
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_MISSING = re.compile(r"missing required field `([^`]+)`")
_FIELD_PROBLEM = N_("This field is missing or not valid.")
_UNEXPECTED = N_("Something went wrong on our side. Try again; if it keeps happening, tell us the code {ref}.")


@dataclass(slots=True)
class ErrorAnswer:
    """What the caller is told: all already in their language."""

    status: int
    code: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def _field_name(key: str, message: str) -> str:
    """The field a validation error is about; a missing field is reported on its parent otherwise."""
    missing = _MISSING.search(message)
    if missing is None:
        return key
    return missing.group(1) if key == "data" else f"{key}.{missing.group(1)}"


def _filled(message: str, params: dict[str, Any]) -> str:
    """A translated message with its ``{placeholders}`` filled (field messages share the error's params)."""
    if not params:
        return message
    try:
        return message.format(**params)
    except (KeyError, IndexError, ValueError):
        return message


def describe(exc: Exception) -> ErrorAnswer:
    """Turn any exception into what may be shown; unexpected ones say only a reference code."""
    if isinstance(exc, RenumError):
        return ErrorAnswer(
            status=exc.status_code,
            code=exc.code,
            message=_filled(gettext(exc.message), exc.params),
            fields={name: _filled(gettext(problem), exc.params) for name, problem in exc.fields.items()},
            headers=exc.headers,
        )
    if isinstance(exc, ValidationException):
        fields = {}
        for item in exc.extra if isinstance(exc.extra, list) else []:
            if isinstance(item, dict) and item.get("key"):
                fields[_field_name(str(item["key"]), str(item.get("message", "")))] = gettext(_FIELD_PROBLEM)
        return ErrorAnswer(
            status=422,
            code="invalid_input",
            message=gettext(N_("Some fields are not valid. Correct them and send again.")),
            fields=fields,
        )
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        status = exc.status_code
        return ErrorAnswer(
            status=status,
            code=_CODES.get(status, "client_error"),
            message=gettext(_BY_STATUS.get(status, _BY_STATUS[400])),
            headers=dict(exc.headers or {}),
        )

    ref = secrets.token_hex(4)
    log.exception("request.failed", ref=ref, error=type(exc).__name__)
    return ErrorAnswer(status=500, code="server_error", message=gettext(_UNEXPECTED).format(ref=ref))


def handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The exception handler for the whole app."""
    if "auth" not in request.scope:
        # The router failed before authentication ran: answer in the browser's language.
        set_language(negotiate_language(request.headers.get("accept-language")))
    answer = describe(exc)
    to_login = answer.status == 401 and getattr(exc, "send_to_login", True)

    if is_htmx(request):
        headers = {**answer.headers, "HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        if to_login:
            headers["HX-Redirect"] = "/login?next=" + quote(request.headers.get("hx-current-url", "/"))
        return Template("_error.html", context={"error": answer}, status_code=answer.status, headers=headers)

    if wants_html(request):
        if to_login:
            return Redirect(path="/login?next=" + quote(request.url.path), status_code=303)
        return Template("error.html", context={"error": answer}, status_code=answer.status, headers=answer.headers)

    body: dict[str, Any] = {"status": answer.status, "code": answer.code, "message": answer.message}
    if answer.fields:
        body["fields"] = answer.fields
    return Response(body, status_code=answer.status, headers=answer.headers)

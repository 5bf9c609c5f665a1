"""CSRF protection for requests that a browser's session cookie authenticates.

A bearer token cannot be sent by another site, so only cookie-authenticated unsafe requests
must carry the session's token: htmx and scripts send it in ``X-CSRF-Token`` (set once on ``<body>``),
plain url-encoded forms in a hidden ``_csrf`` field.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request

from renum.errors import Forbidden
from renum.i18n import N_

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "check_csrf"]

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "_csrf"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM = "application/x-www-form-urlencoded"


async def check_csrf(request: Request[Any, Any, Any]) -> None:
    """Refuse a cookie-authenticated unsafe request that does not carry its session's token."""
    if request.method not in _UNSAFE:
        return
    caller = request.scope.get("auth")
    if caller is None or caller.method != "session":
        return

    sent = request.headers.get(CSRF_HEADER)
    # Only small url-encoded forms are read for the field: a multipart body may be a 2 GiB upload,
    # and pages send those with the header.
    if sent is None and request.headers.get("content-type", "").startswith(_FORM):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, caller.csrf_token or ""):
        raise Forbidden(N_("This form has expired or came from elsewhere. Reload the page and try again."))

"""Errors the product raises on purpose, each with a status and a message that says what to do.

Messages are constant English sentences marked with ``N_`` and translated where they are shown;
``params`` fill their ``{placeholders}`` after translation.
"""

from __future__ import annotations

from typing import Any

from renum.i18n import N_

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidCredentials",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "RenumError",
    "Unauthorized",
]


class RenumError(Exception):
    """Base of the errors a creator or a client is meant to read."""

    status_code = 400
    code = "bad_request"
    default_message = N_("The request could not be completed. Check what you sent and try again.")

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        self.headers = headers or {}
        self.params = params
        super().__init__(self.message.format(**params) if params else self.message)


class InvalidInput(RenumError):
    """Something the client sent is malformed; ``fields`` names each field and what is wrong."""

    status_code = 422
    code = "invalid_input"
    default_message = N_("Some fields are not valid. Correct them and send again.")


class Unauthorized(RenumError):
    """No valid credentials came with the request."""

    status_code = 401
    code = "unauthorized"
    default_message = N_("Sign in, or send a valid API token as 'Authorization: Bearer <token>'.")
    #: Whether a page should take the creator to the log-in form (not when the log-in itself failed).
    send_to_login = True


class InvalidCredentials(Unauthorized):
    """The email and password given do not match an account."""

    code = "invalid_credentials"
    default_message = N_("Email or password is incorrect.")
    send_to_login = False


class Forbidden(RenumError):
    """The credentials are fine but the request is refused (a missing CSRF token, say)."""

    status_code = 403
    code = "forbidden"
    default_message = N_("This request is not allowed.")


class NotFound(RenumError):
    """Nothing of that id exists for this creator (another creator's object included)."""

    status_code = 404
    code = "not_found"
    default_message = N_("Nothing was found at this address. Check the link or the id.")


class Conflict(RenumError):
    """The request clashes with the current state of the object."""

    status_code = 409
    code = "conflict"
    default_message = N_("This conflicts with the current state. Reload and try again.")


class RateLimited(RenumError):
    """Too many attempts from the same place in a short time."""

    status_code = 429
    code = "rate_limited"
    default_message = N_("Too many attempts. Wait a minute and try again.")

"""The shared part of every outside-service client: timeouts, retries and typed errors.

A client subclasses :class:`ServiceClient`: it names its service, gives the sentences a creator reads
for each kind of failure (:class:`ErrorMessages`) and, where the service spells its errors its own
way, overrides :meth:`ServiceClient._read_error`, :meth:`ServiceClient._kind_for` or
:meth:`ServiceClient._error_in_body`. Sending, retrying (429, 5xx and timeouts, with exponential
backoff, honouring ``Retry-After``) and keeping keys out of messages and logs happen here, once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

import httpx
import msgspec
import structlog

from renum.errors import RenumError
from renum.i18n import N_

__all__ = [
    "BadRequest",
    "ErrorMessages",
    "InvalidKey",
    "OutOfCredits",
    "RateLimited",
    "RetryPolicy",
    "ServiceClient",
    "ServiceError",
    "ServiceUnavailable",
]

log = structlog.get_logger(__name__)

ErrorT = TypeVar("ErrorT", bound="ServiceError")
T = TypeVar("T")

_DETAIL_LIMIT = 500


class ServiceError(RenumError):
    """An outside service failed; the message tells the creator what to do about it.

    A :class:`~renum.errors.RenumError`, so the app answers it with ``status_code`` and the translated
    ``message`` wherever it escapes a handler.

    Attributes:
        service: the service that failed, as the creator knows it ("HeyGen", "Metricool").
        code: a short stable string for programs and logs, e.g. ``invalid_key``.
        message: a constant English sentence marked with ``N_()``; translate it where it is shown.
            It never contains a key.
        status_code: the HTTP status RENUM answers with (400, 402, 422, 429, 502 or 503).
        detail: the service's own explanation, with keys redacted. Show it, if at all, only below
            ``message``.
        service_code: the service's own error code, when it sent one.
    """

    code: str = "service_error"
    status_code: int = 502
    message: str = N_("An outside service failed. Try again in a few minutes.")

    def __init__(
        self,
        service: str,
        *,
        message: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
        detail: str | None = None,
        service_code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message, headers=headers)
        self.service = service
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.detail = detail
        self.service_code = service_code
        self.args = (f"{service} {self.code}: {self.message}",)


class InvalidKey(ServiceError):
    """The service refused the creator's key or token (or none was saved)."""

    code = "invalid_key"
    # Not 401: the creator is signed in to RENUM; it is their saved key that is wrong.
    status_code = 400
    message = N_("The service refused your key. Paste a new key in Integrations and save it.")


class OutOfCredits(ServiceError):
    """The creator's account at the service has no credits left for this."""

    code = "out_of_credits"
    status_code = 402
    message = N_("Your account at the service is out of credits. Add credits there, then try again.")


class RateLimited(ServiceError):
    """The service asked us to slow down, and waiting a little did not help."""

    code = "rate_limited"
    status_code = 429
    message = N_("The service is receiving too many requests. Wait a minute and try again.")

    def __init__(self, service: str, *, retry_after: float | None = None, **fields: Any) -> None:
        if retry_after is not None and retry_after > 0:
            fields.setdefault("headers", {"Retry-After": str(math.ceil(retry_after))})
        super().__init__(service, **fields)
        self.retry_after = retry_after


class ServiceUnavailable(ServiceError):
    """The service could not be reached, did not answer in time, or kept failing (5xx)."""

    code = "unavailable"
    status_code = 503
    message = N_("The service is not answering right now. Try again in a few minutes.")


class BadRequest(ServiceError):
    """The service (or our own check before calling it) rejected what was asked."""

    code = "bad_request"
    status_code = 422
    message = N_("The service did not accept this request. Check what you entered and try again.")


@dataclass(frozen=True, slots=True)
class ErrorMessages:
    """The sentence a creator reads for each kind of failure of one service; each wrapped in ``N_()``."""

    missing_key: str
    invalid_key: str
    out_of_credits: str
    rate_limited: str
    unavailable: str
    bad_request: str

    def for_kind(self, kind: type[ServiceError]) -> str:
        """The message for an error class (a subclass gets its parent's message)."""
        if issubclass(kind, InvalidKey):
            return self.invalid_key
        if issubclass(kind, OutOfCredits):
            return self.out_of_credits
        if issubclass(kind, RateLimited):
            return self.rate_limited
        if issubclass(kind, BadRequest):
            return self.bad_request
        return self.unavailable


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to send a request again, and how long to wait in between.

    Attributes:
        retries: extra attempts after the first one.
        backoff: seconds before the first retry; doubled for each further one.
        max_backoff: the longest computed wait.
        max_retry_after: the longest ``Retry-After`` we sit through; a service asking for more gets
            a :class:`RateLimited` at once, carrying its ``retry_after``, rather than a creator left
            waiting on a page.
    """

    retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``; ``None`` means do not retry."""
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return min(self.backoff * 2**attempt, self.max_backoff)


class ServiceClient:
    """Base of every outside-service client: one ``httpx.AsyncClient``, retries and error mapping.

    Use a client as an async context manager, or call :meth:`aclose` when done.
    """

    service: ClassVar[str] = "service"
    messages: ClassVar[ErrorMessages] = ErrorMessages(
        missing_key=N_("No key is saved for this service. Add it in Integrations."),
        invalid_key=InvalidKey.message,
        out_of_credits=OutOfCredits.message,
        rate_limited=RateLimited.message,
        unavailable=ServiceUnavailable.message,
        bad_request=BadRequest.message,
    )

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float,
        headers: Mapping[str, str],
        secrets: Sequence[str],
        retry: RetryPolicy,
    ) -> None:
        for secret in secrets:
            self._check_secret(secret)
        self._secrets = tuple(secrets)
        self._retry = retry
        self._http = httpx.AsyncClient(
            base_url=base_url,
            # Connecting is quick or not happening at all; the rest of the budget is for the answer.
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"Accept": "application/json", "User-Agent": "RENUM", **headers},
            follow_redirects=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections this client holds."""
        await self._http.aclose()

    def error(self, kind: type[ErrorT], **fields: Any) -> ErrorT:
        """Build a ``kind`` error for this service, carrying the message this service gives for it."""
        fields.setdefault("message", self.messages.for_kind(kind))
        return kind(self.service, **fields)

    async def _request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool = True,
    ) -> Any:
        """Send a request (see :meth:`_request`) and decode its JSON answer (``None`` when empty)."""
        response = await self._request(method, path, params=params, json=json, idempotent=idempotent)
        body = self._decode(response, path)
        failure = self._error_in_body(body)
        if failure is not None:
            self._log_failure(method, path, response.status_code, failure)
            raise failure
        return body

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """Send a request, retrying what is safe to retry; return a 2xx answer or raise ServiceError.

        429 is always retried (the service did nothing). 5xx and read timeouts are retried only when
        ``idempotent``: a request that creates something (a render that costs credits, a post) may
        have been carried out although the answer failed, and sending it twice would do it twice.
        """
        attempt = 0
        while True:
            started = time.monotonic()
            status: int | None = None
            retry_after: float | None = None
            cause: httpx.TransportError | None = None
            failure: ServiceError
            try:
                response = await self._http.request(method, path, params=params, json=json)
            except httpx.TimeoutException as exc:
                cause, failure = exc, self.error(ServiceUnavailable, code="timeout")
                retryable = idempotent or isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
            except httpx.TransportError as exc:
                cause, failure = exc, self.error(ServiceUnavailable, code="unreachable")
                retryable = idempotent or isinstance(exc, httpx.ConnectError)
            else:
                status = response.status_code
                log.debug(
                    "service_request",
                    service=self.service,
                    method=method,
                    path=path,
                    status=status,
                    elapsed_ms=round((time.monotonic() - started) * 1000),
                )
                if response.is_success:
                    return response
                failure = self._error_for(response)
                retry_after = _retry_after(response)
                retryable = status == 429 or (status >= 500 and idempotent)

            delay = self._retry.delay(attempt, retry_after) if retryable else None
            if attempt >= self._retry.retries or delay is None:
                self._log_failure(method, path, status, failure)
                # The transport error names the URL (never a header), which helps whoever reads the trace.
                raise failure from cause

            attempt += 1
            log.info(
                "service_request_retrying",
                service=self.service,
                method=method,
                path=path,
                status=status,
                code=failure.code,
                attempt=attempt,
                delay=delay,
            )
            await asyncio.sleep(delay)

    def _error_for(self, response: httpx.Response) -> ServiceError:
        """Turn a non-2xx answer into the error the creator should see."""
        body = _json_or_none(response)
        service_code, service_message = self._read_error(body)
        status = response.status_code
        kind = self._kind_for(status, service_code)

        fields: dict[str, Any] = {"detail": self._redact(service_message), "service_code": service_code}
        if kind is RateLimited:
            fields["retry_after"] = _retry_after(response)
        elif kind is ServiceUnavailable:
            fields["code"] = "service_error"
        elif kind is BadRequest and status == 404:
            fields["code"] = "not_found"
        return self.error(kind, **fields)

    def _read_error(self, body: Any) -> tuple[str | None, str | None]:
        """The service's own (code, message) from an error body; override for the service's shape."""
        if not isinstance(body, dict):
            return None, None
        nested = body.get("error")
        source = nested if isinstance(nested, dict) else body
        code = source.get("code")
        message = next(
            (source[key] for key in ("message", "detail", "error", "msg") if isinstance(source.get(key), str)),
            None,
        )
        return (None if code is None else str(code)), message

    def _kind_for(self, status: int, service_code: str | None) -> type[ServiceError]:
        """Which error a status (and the service's own code) means; override to read the code."""
        if status in (401, 403):
            return InvalidKey
        if status == 402:
            return OutOfCredits
        if status == 429:
            return RateLimited
        if status >= 500:
            return ServiceUnavailable
        return BadRequest

    def _error_in_body(self, body: Any) -> ServiceError | None:
        """An error some services report inside a 2xx answer; none by default."""
        return None

    def _convert(self, body: Any, into: type[T], path: str) -> T:
        """Check an answer against the shape we expect; a different shape is the service's fault."""
        try:
            return msgspec.convert(body, type=into, strict=False)
        except msgspec.ValidationError as exc:
            raise self._unexpected(path, str(exc)) from exc

    def _decode(self, response: httpx.Response, path: str) -> Any:
        if not response.content:
            return None
        try:
            return msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            raise self._unexpected(path, "the answer is not JSON") from exc

    def _unexpected(self, path: str, detail: str) -> ServiceUnavailable:
        failure = self.error(
            ServiceUnavailable, code="unexpected_response", status_code=502, detail=self._redact(detail)
        )
        log.warning("service_answer_unexpected", service=self.service, path=path, detail=failure.detail)
        return failure

    def _redact(self, text: str | None) -> str | None:
        """The text with every key replaced, cut to a length fit for a log line."""
        if text is None:
            return None
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text[:_DETAIL_LIMIT]

    def _check_secret(self, secret: str) -> None:
        if not secret.strip():
            raise self.error(InvalidKey, code="missing_key", message=self.messages.missing_key)
        # httpx echoes an illegal header value in its exception text; refuse such a key before
        # it can reach a header, and say nothing about its content.
        if not (secret.isascii() and secret.isprintable()) or secret != secret.strip():
            raise self.error(InvalidKey, code="malformed_key")

    def _log_failure(self, method: str, path: str, status: int | None, failure: ServiceError) -> None:
        log.warning(
            "service_request_failed",
            service=self.service,
            method=method,
            path=path,
            status=status,
            code=failure.code,
            service_code=failure.service_code,
            detail=failure.detail,
        )


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header; the HTTP-date form is left to normal backoff."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0)


def _json_or_none(response: httpx.Response) -> Any:
    """The decoded body of an error answer, or ``None`` when it is not JSON (a proxy's HTML page)."""
    try:
        return msgspec.json.decode(response.content) if response.content else None
    except msgspec.DecodeError:
        return None

"""The shared client machinery against a scripted service over HTTP: retries, waits and typed errors.

The scripted service answers each request with the next reply a test queued (then ``200 {}``), so
each test states exactly how the outside service misbehaves.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar import Litestar, Request, route
from litestar.response import Response
from structlog.testing import capture_logs

from renum.clients.http import (
    BadRequest,
    InvalidKey,
    OutOfCredits,
    RateLimited,
    RetryPolicy,
    ServiceClient,
    ServiceError,
    ServiceUnavailable,
)
from tests.fakes.server import free_port, serve

KEY = "probe-key-71c4e9a0d35b"


@dataclass
class Script:
    """Replies to give, in order, and the requests received."""

    replies: deque[tuple[int, dict[str, str], bytes]] = field(default_factory=deque)
    received: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def then(self, status: int, body: bytes = b"{}", **headers: str) -> Script:
        self.replies.append((status, {key.replace("_", "-"): value for key, value in headers.items()}, body))
        return self


def build_scripted_app(script: Script) -> Litestar:
    @route("/{rest:path}", http_method=["GET", "POST", "DELETE"], status_code=200)
    async def answer(request: Request) -> Response[bytes]:
        script.received.append((request.method, dict(request.headers)))
        status, headers, body = script.replies.popleft() if script.replies else (200, {}, b"{}")
        media_type = "text/html" if body.startswith(b"<") else "application/json"
        return Response(body, status_code=status, headers=headers, media_type=media_type)

    return Litestar([answer])


class ProbeClient(ServiceClient):
    """The smallest client: one GET and one creating POST."""

    service = "Probe"

    def __init__(self, key: str, base_url: str, *, timeout: float = 2.0, **retry: Any) -> None:
        policy = {"retries": 2, "backoff": 0.001, "max_retry_after": 1.0, **retry}
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {key}"},
            secrets=(key,),
            retry=RetryPolicy(**policy),
        )

    async def fetch(self) -> Any:
        return await self._request_json("GET", "/things")

    async def create(self) -> Any:
        return await self._request_json("POST", "/things", json={"name": "x"}, idempotent=False)


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[tuple[Script, str]]:
    script = Script()
    with serve(build_scripted_app(script)) as base_url:
        yield script, base_url


@pytest.fixture
def script(scripted_server: tuple[Script, str]) -> Script:
    script, _ = scripted_server
    script.replies.clear()
    script.received.clear()
    return script


@pytest.fixture
async def probe(scripted_server: tuple[Script, str]) -> AsyncIterator[ProbeClient]:
    async with ProbeClient(KEY, scripted_server[1]) as client:
        yield client


async def test_service_hiccups_are_retried_until_it_answers(probe: ProbeClient, script: Script) -> None:
    script.then(503).then(502).then(200, b'{"ok": true}')

    assert await probe.fetch() == {"ok": True}
    assert len(script.received) == 3


async def test_retry_after_seconds_are_waited_before_trying_again(probe: ProbeClient, script: Script) -> None:
    script.then(503, Retry_After="0.3").then(200)

    started = time.monotonic()
    await probe.fetch()

    assert time.monotonic() - started >= 0.3


async def test_retry_after_given_as_a_date_falls_back_to_normal_backoff(probe: ProbeClient, script: Script) -> None:
    script.then(429, Retry_After="Wed, 21 Oct 2015 07:28:00 GMT").then(200, b'{"ok": 1}')

    started = time.monotonic()
    assert await probe.fetch() == {"ok": 1}
    assert time.monotonic() - started < 0.5


async def test_rate_limit_longer_than_we_wait_is_reported_at_once(probe: ProbeClient, script: Script) -> None:
    script.then(429, Retry_After="120")

    with pytest.raises(RateLimited) as caught:
        await probe.fetch()

    assert caught.value.retry_after == 120
    assert len(script.received) == 1


async def test_creating_request_is_not_repeated_after_a_server_error(probe: ProbeClient, script: Script) -> None:
    script.then(500)

    with pytest.raises(ServiceUnavailable):
        await probe.create()

    assert len(script.received) == 1


async def test_creating_request_is_repeated_after_a_rate_limit(probe: ProbeClient, script: Script) -> None:
    script.then(429, Retry_After="0").then(200, b'{"id": 7}')

    assert await probe.create() == {"id": 7}
    assert len(script.received) == 2


async def test_proxy_error_page_is_reported_as_unavailable(probe: ProbeClient, script: Script) -> None:
    for _ in range(3):
        script.then(502, b"<html><h1>502 Bad Gateway</h1></html>")

    with pytest.raises(ServiceUnavailable) as caught:
        await probe.fetch()

    assert (caught.value.code, caught.value.status_code, caught.value.detail) == ("service_error", 503, None)


async def test_answer_that_is_not_json_is_reported_as_a_service_fault(probe: ProbeClient, script: Script) -> None:
    script.then(200, b"<html>Maintenance</html>")

    with pytest.raises(ServiceUnavailable) as caught:
        await probe.fetch()

    assert (caught.value.code, caught.value.status_code) == ("unexpected_response", 502)
    assert len(script.received) == 1


@pytest.mark.parametrize(
    ("status", "kind", "code", "answer_status"),
    [
        (400, BadRequest, "bad_request", 422),
        (401, InvalidKey, "invalid_key", 400),
        (402, OutOfCredits, "out_of_credits", 402),
        (403, InvalidKey, "invalid_key", 400),
        (404, BadRequest, "not_found", 422),
        (422, BadRequest, "bad_request", 422),
    ],
)
async def test_each_refusal_becomes_the_error_renum_answers_with(
    probe: ProbeClient,
    script: Script,
    status: int,
    kind: type[ServiceError],
    code: str,
    answer_status: int,
) -> None:
    script.then(status, b'{"error": {"code": "some_code", "message": "Some reason"}}')

    with pytest.raises(kind) as caught:
        await probe.fetch()

    error = caught.value
    assert (error.code, error.status_code, error.service_code, error.detail) == (
        code,
        answer_status,
        "some_code",
        "Some reason",
    )
    assert error.service == "Probe"
    assert len(script.received) == 1


async def test_every_call_carries_the_key_header(probe: ProbeClient, script: Script) -> None:
    await probe.fetch()

    assert script.received[0][1]["authorization"] == f"Bearer {KEY}"


async def test_service_echoing_the_key_has_it_redacted_from_the_detail_and_logs(
    probe: ProbeClient, script: Script, caplog: pytest.LogCaptureFixture
) -> None:
    script.then(400, f'{{"message": "key {KEY} is not valid for this route"}}'.encode())

    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs, pytest.raises(BadRequest) as caught:
        await probe.fetch()

    assert caught.value.detail == "key [redacted] is not valid for this route"
    assert KEY not in repr(logs)
    assert KEY not in caplog.text


async def test_nothing_listening_is_reported_as_unreachable() -> None:
    async with ProbeClient(KEY, f"http://127.0.0.1:{free_port()}", retries=1) as probe:
        with pytest.raises(ServiceUnavailable) as caught:
            await probe.fetch()

    assert (caught.value.code, caught.value.status_code) == ("unreachable", 503)
    assert KEY not in str(caught.value)


@pytest.mark.parametrize("key", ["", "   "], ids=["empty", "blank"])
def test_missing_key_is_reported_before_any_call(key: str) -> None:
    with pytest.raises(InvalidKey) as caught:
        ProbeClient(key, "http://127.0.0.1:9")

    assert caught.value.code == "missing_key"


@pytest.mark.parametrize("key", ["abc\r\nX-Evil: 1", "chave-ção", " padded "], ids=["newline", "accent", "spaces"])
def test_malformed_key_is_refused_without_repeating_it(key: str) -> None:
    with pytest.raises(InvalidKey) as caught:
        ProbeClient(key, "http://127.0.0.1:9")

    assert caught.value.code == "malformed_key"
    assert key.strip() not in f"{caught.value} {caught.value!r}"


def test_waits_double_between_attempts_up_to_a_ceiling() -> None:
    policy = RetryPolicy(retries=5, backoff=0.5, max_backoff=3.0, max_retry_after=10.0)

    assert [policy.delay(attempt, None) for attempt in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.delay(0, 4.0) == 4.0
    assert policy.delay(0, 11.0) is None


def test_each_kind_of_failure_has_its_own_answer_status_and_code() -> None:
    errors = [
        InvalidKey("HeyGen"),
        OutOfCredits("HeyGen"),
        RateLimited("HeyGen", retry_after=3),
        ServiceUnavailable("HeyGen"),
        BadRequest("HeyGen", detail="x"),
    ]

    assert [(error.code, error.status_code) for error in errors] == [
        ("invalid_key", 400),
        ("out_of_credits", 402),
        ("rate_limited", 429),
        ("unavailable", 503),
        ("bad_request", 422),
    ]
    assert all(isinstance(error, ServiceError) and error.message for error in errors)
    assert str(errors[0]).startswith("HeyGen invalid_key: ")

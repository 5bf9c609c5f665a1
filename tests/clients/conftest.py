"""Fakes of HeyGen and Metricool served over loopback once per session, reset before every test.

Clients built here retry quickly (a millisecond of backoff) so the whole directory stays fast; a test
that needs a different timeout or retry count builds its own client from ``heygen_url`` or
``metricool_url``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from renum.clients.heygen import HeyGenClient
from renum.clients.metricool import MetricoolClient
from tests.fakes.heygen import FakeHeyGen
from tests.fakes.metricool import FakeMetricool
from tests.fakes.server import serve

HEYGEN_KEY = "hg-live-3f9a1c7e5b2d4086"
METRICOOL_TOKEN = "mc-token-8e2b6d0f4a1c9375"
METRICOOL_USER_ID = "4242"

FAST: dict[str, Any] = {"timeout": 2.0, "retries": 2, "backoff": 0.001, "max_retry_after": 2.0}
"""Client options for tests: quick retries, a Retry-After of up to 2 s honoured."""


@pytest.fixture(scope="session")
def heygen_server() -> Iterator[tuple[FakeHeyGen, str]]:
    fake = FakeHeyGen(api_key=HEYGEN_KEY)
    with serve(fake.app) as base_url:
        yield fake, base_url


@pytest.fixture(scope="session")
def metricool_server() -> Iterator[tuple[FakeMetricool, str]]:
    fake = FakeMetricool(user_token=METRICOOL_TOKEN, user_id=METRICOOL_USER_ID)
    with serve(fake.app) as base_url:
        yield fake, base_url


@pytest.fixture
def heygen_fake(heygen_server: tuple[FakeHeyGen, str]) -> FakeHeyGen:
    """The HeyGen fake, with no renders, webhooks, recorded requests or failures."""
    fake, _ = heygen_server
    fake.reset()
    return fake


@pytest.fixture
def heygen_url(heygen_server: tuple[FakeHeyGen, str]) -> str:
    return heygen_server[1]


@pytest.fixture
async def heygen(heygen_fake: FakeHeyGen, heygen_url: str) -> AsyncIterator[HeyGenClient]:
    """A client holding the key the fake accepts."""
    async with HeyGenClient(HEYGEN_KEY, base_url=heygen_url, **FAST) as client:
        yield client


@pytest.fixture
def metricool_fake(metricool_server: tuple[FakeMetricool, str]) -> FakeMetricool:
    """The Metricool fake, with its two brands, no posts, no recorded requests, no failures."""
    fake, _ = metricool_server
    fake.reset()
    return fake


@pytest.fixture
def metricool_url(metricool_server: tuple[FakeMetricool, str]) -> str:
    return metricool_server[1]


@pytest.fixture
async def metricool(metricool_fake: FakeMetricool, metricool_url: str) -> AsyncIterator[MetricoolClient]:
    """A client holding the token and user id the fake accepts."""
    async with MetricoolClient(METRICOOL_TOKEN, METRICOOL_USER_ID, base_url=metricool_url, **FAST) as client:
        yield client

"""Fixtures for controller tests that reach outside services: the HeyGen and Metricool fakes on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar

from renum.config import Settings
from tests.fakes.heygen import FakeHeyGen
from tests.fakes.integrations import (
    HEYGEN_KEY,
    METRICOOL_TOKEN,
    METRICOOL_USER,
    Fakes,
    use_fakes,
)
from tests.fakes.metricool import FakeMetricool
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.server import serve

OPENAI_KEY = "sk-postrapido-test"
"""The key the OpenAI fake of :func:`openai_server` accepts."""


@pytest.fixture(scope="session")
def heygen_server() -> Iterator[tuple[FakeHeyGen, str]]:
    """The HeyGen fake, served once for the session."""
    fake = FakeHeyGen(api_key=HEYGEN_KEY)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="session")
def metricool_server() -> Iterator[tuple[FakeMetricool, str]]:
    """The Metricool fake, served once for the session."""
    fake = FakeMetricool(user_token=METRICOOL_TOKEN, user_id=METRICOOL_USER)
    with serve(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="module")
def openai_server() -> Iterator[tuple[FakeOpenAI, str]]:
    """The OpenAI fake (accepting :data:`OPENAI_KEY`), served once per module; answers it and its ``/v1`` URL."""
    fake = FakeOpenAI(api_key=OPENAI_KEY)
    with serve(fake.app) as url:
        yield fake, f"{url}/v1"


@pytest.fixture
def fakes(
    app: Litestar,
    settings: Settings,
    heygen_server: tuple[FakeHeyGen, str],
    metricool_server: tuple[FakeMetricool, str],
) -> Iterator[Fakes]:
    """Both fakes, reset, with the app's settings pointing at them."""
    yield use_fakes(settings, heygen_server, metricool_server)

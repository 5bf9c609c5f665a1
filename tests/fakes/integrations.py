"""What RENUM's own integration tests share about the fakes: the credentials they accept, and both fakes as one.

:func:`use_fakes` resets both fakes and points RENUM's settings at them, so the app (in-process or served
for the browser) talks to them exactly as it would talk to HeyGen and Metricool.
"""

from __future__ import annotations

from dataclasses import dataclass

from renum.config import Settings
from tests.fakes.heygen import FakeHeyGen
from tests.fakes.metricool import FakeMetricool

HEYGEN_KEY = "hg-live-3f9a1c7e5b2d4086"
METRICOOL_TOKEN = "mc-token-8e2b6d0f4a1c9375"
METRICOOL_USER = "4242"


@dataclass
class Fakes:
    """Both fakes, as a test drives them."""

    heygen: FakeHeyGen
    metricool: FakeMetricool


def use_fakes(settings: Settings, heygen: tuple[FakeHeyGen, str], metricool: tuple[FakeMetricool, str]) -> Fakes:
    """Reset both fakes (accepting the credentials above) and point ``settings`` at them, with short timeouts."""
    (heygen_fake, heygen_url), (metricool_fake, metricool_url) = heygen, metricool
    heygen_fake.reset()
    metricool_fake.reset()
    heygen_fake.state.api_key = HEYGEN_KEY
    metricool_fake.state.user_token, metricool_fake.state.user_id = METRICOOL_TOKEN, METRICOOL_USER
    settings.heygen.base_url, settings.heygen.timeout = heygen_url, 1.0
    settings.metricool.base_url, settings.metricool.timeout = metricool_url, 1.0
    return Fakes(heygen=heygen_fake, metricool=metricool_fake)

"""Browser tests: the system Chromium, driven by Playwright, against RENUM served on loopback.

Skipped with a message where no Chromium is installed; CI installs Debian's ``chromium``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from renum.app import create_app
from renum.config import Settings
from tests.conftest import PG_URL, _empty_tables, _in_thread
from tests.fakes.server import serve

CHROMIUM = os.environ.get("RENUM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser

# CI runs two test workers, each with a server and a Chromium, on two cores: a page can take a few
# seconds to answer there. Waits are for an outcome, so a longer limit only slows a failing test.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per module.

    Playwright's sync API holds an event loop in the main thread while it lives; closing it with
    the module lets the async tests that follow (the next database backend) run their own loops.
    """
    if not CHROMIUM:
        if os.environ.get("RENUM_REQUIRE_BROWSER"):
            pytest.fail("RENUM_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium)")
        pytest.skip("no Chromium installed: `apt-get install chromium` (CI does) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(settings: Settings, database_url: str) -> Iterator[str]:
    """RENUM with an in-process worker, served over real HTTP; answers its base URL.

    Where PostgreSQL is configured (CI), the browser walks run on it alone: the flows below the
    pages run on both databases already, and a browser walk is the slowest test there is.
    """
    if PG_URL and database_url.startswith("sqlite"):
        pytest.skip("browser flows run on PostgreSQL when it is configured")
    settings.server.worker_in_process = True
    with serve(create_app(settings)) as url:
        yield url
    # Playwright's sync API keeps an event loop running in this thread: clean up from another.
    _in_thread(asyncio.run, _empty_tables(database_url))


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, locale="pt-BR", timezone_id="America/Sao_Paulo")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()

"""CORS for the legacy SPA: only the origins in RENUM_CORS_ORIGINS get CORS headers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from renum.app import create_app
from renum.config import Settings

SPA = "https://app.renum.example"


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    settings.security.cors_origins = [SPA]
    app: Litestar = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as c:
        yield c


def _preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_a_preflight_from_the_allowed_origin_is_answered(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/api/leads", headers=_preflight(SPA))
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == SPA
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


async def test_a_preflight_from_another_origin_gets_no_cors_headers(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options("/api/leads", headers=_preflight("https://evil.example"))
    assert "access-control-allow-origin" not in response.headers


async def test_without_the_setting_no_origin_gets_cors_headers(client: httpx.AsyncClient) -> None:
    response = await client.options("/api/leads", headers=_preflight(SPA))
    assert "access-control-allow-origin" not in response.headers
    simple = await client.get("/api/leads/count", headers={"Origin": SPA})
    assert "access-control-allow-origin" not in simple.headers

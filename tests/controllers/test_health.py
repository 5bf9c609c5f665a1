"""Health probes."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar

Client = httpx.AsyncClient


async def test_liveness_answers_at_both_paths(client: Client) -> None:
    for path in ("/health", "/health/"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"


async def test_readiness_needs_a_live_worker(client: Client) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["worker"]
    assert body["checks"] == {"database": True, "redis": True, "worker": False}
    assert "worker" in body["message"]


async def test_readiness_is_ok_with_database_redis_and_a_worker(client: Client, worker: Any) -> None:
    response = await client.get("/health/ready")
    for _ in range(30):
        if response.status_code == 200:
            break
        response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["workers"] >= 1


async def test_readiness_names_redis_when_it_is_down(client: Client, app: Litestar) -> None:
    await app.state.redis.aclose()
    app.state.redis = type(app.state.redis).from_url("redis://127.0.0.1:1")
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert "redis" in response.json()["down"]

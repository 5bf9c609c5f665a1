"""Fixed-window rate limits kept in Redis, so every process counts the same attempts."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request
from redis.asyncio import Redis

from renum.errors import RateLimited

__all__ = ["client_address", "enforce_rate_limit"]


def client_address(request: Request[Any, Any, Any]) -> str:
    """The caller's address as the server sees it."""
    return request.client.host if request.client else "unknown"


async def enforce_rate_limit(redis: Redis, *, namespace: str, bucket: str, who: str, per_minute: int) -> None:
    """Count one attempt by ``who`` at ``bucket``; past ``per_minute`` in this minute, refuse it."""
    now = time.time()
    window = int(now // 60)
    key = f"{namespace}:ratelimit:{bucket}:{who}:{window}"
    count = await redis.incr(key)
    if count == 1:
        await redis.expire(key, 120)
    if count > per_minute:
        retry_after = max(1, int(60 - now % 60))
        raise RateLimited(headers={"Retry-After": str(retry_after)})

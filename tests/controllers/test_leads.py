"""The waiting list: JSON, form and htmx submissions, duplicates, the honeypot and the limit."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from renum.models import Lead

Client = httpx.AsyncClient


async def _count(app: Litestar) -> int:
    async with app.state.session_factory() as db:
        return int(await db.scalar(select(func.count()).select_from(Lead)) or 0)


async def test_a_json_lead_is_kept_and_counted(client: Client) -> None:
    response = await client.post("/api/leads", json={"name": "Ana", "email": "ana@example.com", "creates": "Receitas"})
    assert response.status_code == 201
    assert response.json() == {"ok": True, "count": 1}
    assert (await client.get("/api/leads/count")).json() == {"count": 1}


async def test_a_form_lead_is_kept(client: Client, app: Litestar) -> None:
    response = await client.post("/api/leads", data={"name": "Bia", "email": "bia@example.com", "creates": "Tech"})
    assert response.status_code == 201
    assert await _count(app) == 1


async def test_an_htmx_lead_gets_a_thank_you_partial_with_the_new_count(client: Client) -> None:
    response = await client.post(
        "/api/leads", json={"email": "cai@example.com"}, headers={"HX-Request": "true", "Accept-Language": "en"}
    )
    assert response.status_code == 201
    assert 'data-testid="lead-thanks"' in response.text
    assert 'data-count="1"' in response.text


async def test_the_same_email_twice_keeps_one_lead_and_still_answers_success(client: Client, app: Litestar) -> None:
    first = await client.post("/api/leads", json={"email": "Dup@Example.com"})
    second = await client.post("/api/leads", json={"email": "dup@example.COM"})
    assert first.status_code == second.status_code == 201
    assert second.json() == {"ok": True, "count": 1}
    assert await _count(app) == 1


async def test_a_filled_honeypot_answers_success_but_keeps_nothing(client: Client, app: Litestar) -> None:
    response = await client.post("/api/leads", json={"email": "bot@example.com", "website": "http://spam"})
    assert response.status_code == 201
    assert await _count(app) == 0


@pytest.mark.parametrize("body", [{"email": "nope"}, {"email": ""}, {}])
async def test_an_invalid_email_is_422_and_keeps_nothing(client: Client, app: Litestar, body: dict[str, str]) -> None:
    response = await client.post("/api/leads", json=body)
    assert response.status_code == 422
    assert "email" in response.json()["fields"]
    assert await _count(app) == 0


async def test_a_body_that_is_not_an_object_is_422(client: Client) -> None:
    response = await client.post("/api/leads", content=b"[1, 2", headers={"Content-Type": "application/json"})
    assert response.status_code == 422


async def test_overlong_fields_are_refused(client: Client, app: Litestar) -> None:
    response = await client.post("/api/leads", json={"email": "long@example.com", "name": "x" * 500})
    assert response.status_code == 422
    assert await _count(app) == 0


async def test_leads_are_rate_limited_per_address(client: Client, app: Litestar) -> None:
    app.state.settings.security.lead_rate_limit = 2
    codes = [(await client.post("/api/leads", json={"email": f"l{i}@example.com"})).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    limited = await client.post("/api/leads", json={"email": "late@example.com"})
    assert int(limited.headers["retry-after"]) >= 1

"""Accounts through HTTP: sign-up, log-in, sessions, CSRF, tokens, Supabase tokens, limits."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from litestar import Litestar
from sqlalchemy import select

from renum.models import ApiToken, User
from tests.conftest import STRONG_PASSWORD, Creator, csrf_token, sign_up

Client = httpx.AsyncClient


async def test_sign_up_signs_the_browser_in_and_keeps_only_a_password_hash(client: Client, app: Litestar) -> None:
    csrf = await sign_up(client, "Ana@Example.com")

    profile = await client.get("/api/account/profile")
    assert profile.status_code == 200
    assert profile.json()["email"] == "ana@example.com"
    assert profile.json()["language"] == "pt_BR"
    assert profile.json()["timezone"] == "America/Sao_Paulo"
    assert csrf
    async with app.state.session_factory() as db:
        user = await db.scalar(select(User))
    assert user is not None and user.password_hash and STRONG_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2")


async def test_session_cookie_is_http_only_and_same_site_lax(client: Client) -> None:
    response = await client.post("/api/auth/signup", json={"email": "bia@example.com", "password": STRONG_PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_duplicate_sign_up_is_refused_whatever_the_case(client: Client) -> None:
    await sign_up(client, "dup@example.com")
    client.cookies.clear()
    again = await client.post("/api/auth/signup", json={"email": "DUP@example.com", "password": STRONG_PASSWORD})
    assert again.status_code == 409
    assert "Log in" in again.json()["message"] or "Entre" in again.json()["message"]


@pytest.mark.parametrize("password", ["short1", "onlyletterslong", "1234567890123"])
async def test_weak_password_is_refused_with_a_field_error(client: Client, password: str) -> None:
    response = await client.post("/api/auth/signup", json={"email": "weak@example.com", "password": password})
    assert response.status_code == 422
    assert "password" in response.json()["fields"]
    assert (
        await client.post("/api/auth/login", json={"email": "weak@example.com", "password": password})
    ).status_code == 401


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", ""])
async def test_malformed_email_is_refused_with_a_field_error(client: Client, email: str) -> None:
    response = await client.post("/api/auth/signup", json={"email": email, "password": STRONG_PASSWORD})
    assert response.status_code == 422
    assert "email" in response.json()["fields"]


async def test_missing_fields_answer_422_naming_them(client: Client) -> None:
    response = await client.post("/api/auth/signup", json={"email": "x@example.com"})
    assert response.status_code == 422
    assert "password" in response.json()["fields"]


async def test_wrong_password_and_unknown_email_get_the_same_answer(client: Client, creator: Creator) -> None:
    wrong = await client.post("/api/auth/login", json={"email": creator.email, "password": "wrong-password-1"})
    unknown = await client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "wrong-password-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_log_in_then_log_out_ends_the_session(client: Client, creator: Creator) -> None:
    response = await client.post("/api/auth/login", json={"email": creator.email, "password": STRONG_PASSWORD})
    assert response.status_code == 200
    csrf = await csrf_token(client)
    assert (await client.get("/api/account/profile")).status_code == 200

    out = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 200
    assert (await client.get("/api/account/profile")).status_code == 401


async def test_log_in_is_rate_limited_per_address(client: Client, app: Litestar, creator: Creator) -> None:
    app.state.settings.security.login_rate_limit = 3
    answers = [
        (await client.post("/api/auth/login", json={"email": creator.email, "password": "nope-nope-1"})).status_code
        for _ in range(4)
    ]
    assert answers[:3] == [401, 401, 401]
    assert answers[3] == 429


async def test_sign_up_is_rate_limited(client: Client, app: Litestar) -> None:
    app.state.settings.security.login_rate_limit = 2
    codes = [
        (await client.post("/api/auth/signup", json={"email": f"r{i}@example.com", "password": "x"})).status_code
        for i in range(3)
    ]
    assert codes == [422, 422, 429]


async def test_unsafe_cookie_request_without_csrf_token_is_forbidden(client: Client) -> None:
    csrf = await sign_up(client, "csrf@example.com")
    refused = await client.put("/api/account/profile", json={"name": "Mallory"})
    assert refused.status_code == 403
    assert (await client.get("/api/account/profile")).json()["name"] == "Ana"

    wrong = await client.put("/api/account/profile", json={"name": "Mallory"}, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403

    accepted = await client.put("/api/account/profile", json={"name": "Ana Lima"}, headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200
    assert accepted.json()["name"] == "Ana Lima"


async def test_bearer_token_requests_need_no_csrf_token(client: Client, creator: Creator) -> None:
    response = await client.put("/api/account/profile", json={"name": "Via token"}, headers=creator.headers)
    assert response.status_code == 200
    assert response.json()["name"] == "Via token"


async def test_profile_refuses_unknown_language_and_timezone(client: Client, creator: Creator) -> None:
    response = await client.put(
        "/api/account/profile",
        json={"language": "klingon", "timezone": "Mars/Olympus"},
        headers=creator.headers,
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"language", "timezone"}


async def test_change_password_needs_the_current_one(client: Client, creator: Creator) -> None:
    wrong = await client.put(
        "/api/account/password",
        json={"current_password": "not-it-123", "new_password": "another-good-1"},
        headers=creator.headers,
    )
    assert wrong.status_code == 422 and "current_password" in wrong.json()["fields"]

    ok = await client.put(
        "/api/account/password",
        json={"current_password": STRONG_PASSWORD, "new_password": "another-good-1"},
        headers=creator.headers,
    )
    assert ok.status_code == 200
    login = await client.post("/api/auth/login", json={"email": creator.email, "password": "another-good-1"})
    assert login.status_code == 200


async def test_api_token_is_shown_once_listed_without_secret_and_revocable(
    client: Client, app: Litestar, creator: Creator
) -> None:
    made = await client.post("/api/account/tokens", json={"name": "my script"}, headers=creator.headers)
    assert made.status_code == 201
    secret = made.json()["token"]
    assert secret.startswith("rnm_")

    listed = await client.get("/api/account/tokens", headers=creator.headers)
    assert secret not in listed.text
    assert "my script" in listed.text
    async with app.state.session_factory() as db:
        hashes = list(await db.scalars(select(ApiToken.token_hash)))
    assert secret not in hashes

    assert (await client.get("/api/account/profile", headers={"Authorization": f"Bearer {secret}"})).status_code == 200
    token_id = made.json()["info"]["id"]
    assert (await client.delete(f"/api/account/tokens/{token_id}", headers=creator.headers)).status_code == 200
    revoked = await client.get("/api/account/profile", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401
    assert "revoked" in revoked.json()["message"] or "revogado" in revoked.json()["message"]


async def test_missing_or_garbage_token_is_401(client: Client) -> None:
    assert (await client.get("/api/account/profile")).status_code == 401
    assert (await client.get("/api/account/profile", headers={"Authorization": "Bearer rnm_nope"})).status_code == 401
    assert (await client.get("/api/account/profile", headers={"Authorization": "Basic abc"})).status_code == 401


async def test_another_creators_token_cannot_be_revoked(
    client: Client, creator: Creator, other_creator: Creator
) -> None:
    made = await client.post("/api/account/tokens", json={"name": "mine"}, headers=creator.headers)
    token_id = made.json()["info"]["id"]
    response = await client.delete(f"/api/account/tokens/{token_id}", headers=other_creator.headers)
    assert response.status_code == 404
    assert (
        await client.get("/api/account/profile", headers={"Authorization": f"Bearer {made.json()['token']}"})
    ).status_code == 200


async def test_json_client_gets_a_token_with_email_and_password(client: Client, creator: Creator) -> None:
    response = await client.post("/api/auth/token", json={"email": creator.email, "password": STRONG_PASSWORD})
    assert response.status_code == 201
    token = response.json()["token"]
    assert (await client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})).json()[
        "email"
    ] == creator.email
    bad = await client.post("/api/auth/token", json={"email": creator.email, "password": "wrong-one-1"})
    assert bad.status_code == 401


async def test_oversized_json_body_is_413(client: Client, creator: Creator) -> None:
    response = await client.put(
        "/api/account/profile",
        content=b'{"name": "' + b"a" * 2_000_000 + b'"}',
        headers={**creator.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def _supabase_token(secret: str, *, email: str, exp_in: int = 3600, aud: str = "authenticated") -> str:
    now = int(time.time())
    claims = {
        "sub": "5f0c",
        "email": email,
        "aud": aud,
        "exp": now + exp_in,
        "iat": now,
        "role": "authenticated",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.fixture
def supabase_secret(app: Litestar) -> str:
    secret = "supabase-project-secret-at-least-32-bytes"
    app.state.settings.security.supabase_jwt_secret = secret
    return secret


async def test_supabase_token_maps_to_the_account_with_that_email_created_on_first_use(
    client: Client, supabase_secret: str
) -> None:
    token = _supabase_token(supabase_secret, email="Legacy@Example.com")
    first = await client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})
    assert first.status_code == 200
    assert first.json()["email"] == "legacy@example.com"
    second = await client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})
    assert second.json()["id"] == first.json()["id"]


async def test_supabase_token_maps_to_an_existing_account(
    client: Client, creator: Creator, supabase_secret: str
) -> None:
    token = _supabase_token(supabase_secret, email=creator.email)
    response = await client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})
    assert response.json()["email"] == creator.email


@pytest.mark.parametrize(
    "make",
    [
        lambda secret: _supabase_token(secret, email="a@example.com", exp_in=-60),
        lambda secret: _supabase_token("another-project-secret-of-32-bytes!", email="a@example.com"),
        lambda secret: _supabase_token(secret, email="a@example.com", aud="somebody-else"),
        lambda secret: "not.a.jwt",
    ],
    ids=["expired", "other-secret", "wrong-audience", "garbage"],
)
async def test_bad_supabase_tokens_are_401(client: Client, supabase_secret: str, make: object) -> None:
    token = make(supabase_secret)  # type: ignore[operator]
    response = await client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_supabase_tokens_are_refused_when_not_configured(client: Client) -> None:
    token = _supabase_token("whatever-secret-value-of-32-bytes!", email="a@example.com")
    assert (await client.get("/api/account/profile", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_browser_pages_redirect_anonymous_visitors_to_log_in(client: Client) -> None:
    response = await client.get("/account", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"

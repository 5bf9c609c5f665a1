"""Accounts: sign-up, log-in, log-out, the profile, the password and personal API tokens.

Pages (``/signup``, ``/login``, ``/account``) render forms whose actions are the JSON routes
below, sent by htmx; the same routes serve the legacy SPA and scripts.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from msgspec import Struct

from renum.i18n import current_language
from renum.models import ApiToken, User
from renum.services import accounts
from renum.web.auth import LANGUAGE_COOKIE, SESSION_COOKIE
from renum.web.deps import DB, AppSettings, CurrentCreator
from renum.web.ratelimit import client_address, enforce_rate_limit
from renum.web.representation import respond

__all__ = ["AccountController"]


class SignUp(Struct, forbid_unknown_fields=False):
    """A new account."""

    email: str
    password: str
    name: str = ""
    language: str | None = None
    timezone: str | None = None


class LogIn(Struct, forbid_unknown_fields=False):
    """Credentials, and where to go afterwards."""

    email: str
    password: str
    next: str = "/"


class TokenRequest(Struct):
    """Credentials exchanged for a personal API token (for scripts and JSON clients)."""

    email: str
    password: str
    name: str = "API"


class ProfileUpdate(Struct, forbid_unknown_fields=False):
    """Profile fields to change; those left out stay."""

    name: str | None = None
    language: str | None = None
    timezone: str | None = None


class PasswordChange(Struct, forbid_unknown_fields=False):
    """The current password and the new one."""

    current_password: str
    new_password: str


class TokenCreate(Struct, forbid_unknown_fields=False):
    """A name for a new token."""

    name: str


class LanguageChoice(Struct, forbid_unknown_fields=False):
    """The language to speak."""

    language: str


class Profile(Struct):
    """A creator as the API shows them."""

    id: uuid.UUID
    email: str
    name: str
    language: str
    timezone: str

    @classmethod
    def of(cls, user: User) -> Profile:
        return cls(id=user.id, email=user.email, name=user.name, language=user.language, timezone=user.timezone)


class TokenInfo(Struct):
    """A token as listed: never its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenInfo:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )


class NewToken(Struct):
    """A token just made: its secret appears here once."""

    token: str
    info: TokenInfo


def _safe_next(target: str) -> str:
    """Only paths on this site, so a log-in link cannot send the creator elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _session_cookie(token: str, settings: AppSettings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=not settings.app.is_development,
        max_age=settings.security.session_days * 86400,
        path="/",
    )


async def _limit(request: Request[Any, Any, State], settings: AppSettings, bucket: str) -> None:
    await enforce_rate_limit(
        request.app.state.redis,
        namespace=settings.redis.queue_name,
        bucket=bucket,
        who=client_address(request),
        per_minute=settings.security.login_rate_limit,
    )


class AccountController(Controller):
    """Sign-up, log-in and everything on the account page."""

    tags = ["accounts"]

    @get("/signup", include_in_schema=False)
    async def signup_page(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """The sign-up form."""
        if request.scope.get("user"):
            return Redirect("/")
        return Template("accounts/signup.html", context={"timezones": sorted(available_timezones())})

    @get("/login", include_in_schema=False)
    async def login_page(self, request: Request[Any, Any, Any], next: FromQuery[str] = "/") -> Template | Redirect:
        """The log-in form."""
        if request.scope.get("user"):
            return Redirect(_safe_next(next))
        return Template("accounts/login.html", context={"next": _safe_next(next)})

    @get("/account", include_in_schema=False)
    async def account_page(self, db: DB, creator: CurrentCreator) -> Template:
        """The profile, the password and the API tokens."""
        tokens = await accounts.list_api_tokens(db, creator)
        return Template(
            "accounts/account.html",
            context={"profile": creator, "tokens": tokens, "timezones": sorted(available_timezones())},
        )

    @post("/api/auth/signup", status_code=201, summary="Open an account and sign in")
    async def sign_up(
        self, request: Request[Any, Any, State], data: JSONBody[SignUp], db: DB, settings: AppSettings
    ) -> Response[Profile]:
        """Open an account; the browser is signed in straight away."""
        await _limit(request, settings, "signup")
        user = await accounts.create_user(
            db,
            email=data.email,
            password=data.password,
            name=data.name,
            language=data.language or current_language(),
            timezone=data.timezone or settings.app.default_timezone,
        )
        session = await accounts.start_session(db, user, days=settings.security.session_days)
        response = respond(
            request, Profile.of(user), partial="_empty.html", status_code=201, headers={"HX-Redirect": "/onboarding"}
        )
        response.set_cookie(_session_cookie(session.secret, settings))
        return response

    @post("/api/auth/login", status_code=200, summary="Sign in with email and password")
    async def log_in(
        self, request: Request[Any, Any, State], data: JSONBody[LogIn], db: DB, settings: AppSettings
    ) -> Response[Profile]:
        """Sign a browser in (a session cookie)."""
        await _limit(request, settings, "login")
        user = await accounts.authenticate(db, email=data.email, password=data.password)
        session = await accounts.start_session(db, user, days=settings.security.session_days)
        response = respond(
            request, Profile.of(user), partial="_empty.html", headers={"HX-Redirect": _safe_next(data.next)}
        )
        response.set_cookie(_session_cookie(session.secret, settings))
        return response

    @post("/api/auth/logout", status_code=200, summary="Sign out this browser")
    async def log_out(self, request: Request[Any, Any, Any], db: DB) -> Response[dict[str, bool]]:
        """End the browser's session."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await accounts.end_session(db, token)
        response = respond(request, {"signed_out": True}, partial="_empty.html", headers={"HX-Redirect": "/"})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @post("/api/auth/token", status_code=201, summary="Exchange email and password for an API token")
    async def issue_token(
        self, request: Request[Any, Any, State], data: JSONBody[TokenRequest], db: DB, settings: AppSettings
    ) -> NewToken:
        """For JSON clients that cannot keep cookies: a personal API token, shown once."""
        await _limit(request, settings, "login")
        user = await accounts.authenticate(db, email=data.email, password=data.password)
        new = await accounts.create_api_token(db, user, name=data.name)
        return NewToken(token=new.secret, info=TokenInfo.of(new.row))

    @get("/api/account/profile", summary="The signed-in creator")
    async def get_profile(self, creator: CurrentCreator) -> Profile:
        """Who is signed in."""
        return Profile.of(creator)

    @put("/api/account/profile", summary="Change name, language or timezone")
    async def update_profile(
        self, request: Request[Any, Any, Any], data: JSONBody[ProfileUpdate], db: DB, creator: CurrentCreator
    ) -> Response[Profile]:
        """Change the profile; a new language reloads the page in it."""
        changed_language = data.language is not None and data.language != creator.language
        user = await accounts.update_profile(
            db, creator, name=data.name, language=data.language, timezone=data.timezone
        )
        headers = {"HX-Refresh": "true"} if changed_language else None
        return respond(request, Profile.of(user), partial="accounts/_saved.html", headers=headers)

    @put("/api/account/password", summary="Change the password")
    async def change_password(
        self, request: Request[Any, Any, Any], data: JSONBody[PasswordChange], db: DB, creator: CurrentCreator
    ) -> Response[dict[str, bool]]:
        """Replace the password after checking the current one."""
        await accounts.change_password(db, creator, current=data.current_password, new=data.new_password)
        return respond(request, {"changed": True}, partial="accounts/_saved.html")

    @get("/api/account/tokens", summary="Personal API tokens")
    async def list_tokens(self, db: DB, creator: CurrentCreator) -> list[TokenInfo]:
        """The creator's working tokens, newest first."""
        return [TokenInfo.of(row) for row in await accounts.list_api_tokens(db, creator)]

    @post("/api/account/tokens", status_code=201, summary="Create a personal API token")
    async def create_token(
        self, request: Request[Any, Any, Any], data: JSONBody[TokenCreate], db: DB, creator: CurrentCreator
    ) -> Response[NewToken]:
        """A new token; its secret is in this answer and never again."""
        new = await accounts.create_api_token(db, creator, name=data.name)
        return respond(
            request,
            NewToken(token=new.secret, info=TokenInfo.of(new.row)),
            partial="accounts/_token_created.html",
            status_code=201,
        )

    @delete("/api/account/tokens/{token_id:uuid}", status_code=200, summary="Revoke a personal API token")
    async def revoke_token(
        self, request: Request[Any, Any, Any], token_id: FromPath[uuid.UUID], db: DB, creator: CurrentCreator
    ) -> Response[TokenInfo]:
        """Stop a token working at once."""
        row = await accounts.revoke_api_token(db, creator, token_id)
        return respond(request, TokenInfo.of(row), partial="_empty.html")

    @post("/language", status_code=200, summary="Choose the interface language")
    async def choose_language(
        self, request: Request[Any, Any, Any], data: JSONBody[LanguageChoice], db: DB
    ) -> Response[dict[str, str]]:
        """Remember the language in a cookie (and in the profile when signed in)."""
        accounts.check_profile(language=data.language)
        user: User | None = request.scope.get("user")
        if user is not None:
            loaded = await db.get(User, user.id)
            if loaded is not None:
                await accounts.update_profile(db, loaded, name=None, language=data.language, timezone=None)
        response = respond(request, {"language": data.language}, partial="_empty.html", headers={"HX-Refresh": "true"})
        response.set_cookie(
            Cookie(key=LANGUAGE_COOKIE, value=data.language, max_age=365 * 86400, samesite="lax", path="/")
        )
        return response

"""Who is calling: a browser session cookie, a personal API token, or a legacy Supabase token.

:class:`Authentication` resolves the caller once per request and leaves it in the scope
(``request.user`` is the ``User`` or ``None``; ``request.auth`` says how they came). It also sets
the language the answer speaks. Handlers that need a creator ask for the ``creator`` dependency,
which loads the account into the request's own database session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from litestar import Request
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from renum.config import Settings
from renum.errors import Unauthorized
from renum.i18n import LANGUAGES, N_, negotiate_language, set_language
from renum.models import User
from renum.services import accounts
from renum.web.deps import DB

__all__ = ["LANGUAGE_COOKIE", "SESSION_COOKIE", "Authentication", "Caller", "provide_creator"]

SESSION_COOKIE = "renum_session"
LANGUAGE_COOKIE = "renum_lang"

AuthMethod = Literal["session", "token", "supabase"]


@dataclass(slots=True)
class Caller:
    """How the request authenticated, and what went wrong if it tried and failed."""

    method: AuthMethod | None = None
    csrf_token: str | None = None
    error: Unauthorized | None = None


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return ""
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope["headers"]:
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == name:
                    return val
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope["headers"]:
        if header == name:
            return value.decode("latin-1")
    return None


class Authentication(ASGIMiddleware):
    """Resolve the caller and the language once, before any handler runs."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """Static files need no caller: skip the database for them (Litestar 3 matches patterns on handlers)."""
        return str(scope["path"]).startswith("/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        factory: async_sessionmaker[AsyncSession] = scope["litestar_app"].state.session_factory
        caller = Caller()
        user: User | None = None

        async with factory() as db:
            bearer = _bearer(scope)
            if bearer is not None:
                user, caller = await self._from_bearer(db, bearer, scope["litestar_app"].state.settings)
            elif (token := _cookie(scope, SESSION_COOKIE)) is not None:
                session = await accounts.session_by_token(db, token)
                if session is not None:
                    user = session.user
                    caller = Caller(method="session", csrf_token=session.csrf_token)
            await db.commit()

        scope["user"] = user
        scope["auth"] = caller

        chosen = _cookie(scope, LANGUAGE_COOKIE)
        if user is not None:
            set_language(user.language)
        elif chosen in LANGUAGES:
            set_language(chosen)
        else:
            set_language(negotiate_language(_header(scope, b"accept-language")))

        await next_app(scope, receive, send)

    @staticmethod
    async def _from_bearer(db: AsyncSession, token: str, settings: Settings) -> tuple[User | None, Caller]:
        user: User | None = None
        if token.startswith(accounts.TOKEN_PREFIX):
            user = await accounts.user_by_api_token(db, token)
            if user is not None:
                return user, Caller(method="token")
            return None, Caller(error=Unauthorized(N_("This API token is not valid or was revoked.")))

        security = settings.security
        if security.supabase_jwt_secret:
            try:
                user = await accounts.user_by_supabase_token(
                    db, token, secret=security.supabase_jwt_secret, audience=security.supabase_jwt_audience
                )
            except Unauthorized as error:
                return None, Caller(error=error)
            return user, Caller(method="supabase")
        return None, Caller(error=Unauthorized())


async def provide_creator(request: Request[Any, Any, State], db: DB) -> User:
    """The signed-in creator, loaded into this request's session; 401 when nobody is signed in."""
    caller: Caller = request.scope["auth"]
    if caller.error is not None:
        raise caller.error
    user: User | None = request.scope.get("user")
    if user is None:
        raise Unauthorized()
    loaded = await db.get(User, user.id)
    if loaded is None:
        raise Unauthorized()
    return loaded

"""Creators' accounts: sign-up, log-in, sessions, profiles and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar
from zoneinfo import available_timezones

import jwt
import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renum.db import utcnow
from renum.errors import Conflict, InvalidCredentials, InvalidInput, NotFound, Unauthorized
from renum.i18n import LANGUAGES, N_
from renum.models import ApiToken, User, WebSession

log = structlog.get_logger(__name__)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

TOKEN_PREFIX = "rnm_"
MIN_PASSWORD_LENGTH = 10


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NewSecret(Generic[T]):
    """A freshly made secret, in clear text only this once, and the row that keeps its hash."""

    secret: str
    row: T


def hash_secret(value: str) -> str:
    """SHA-256 of a random token; random tokens need no slow hash, passwords do."""
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_email(email: str, *, field: str = "email") -> str:
    """The email in the one form RENUM stores: validated, trimmed and lower-cased."""
    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidInput(fields={field: N_("Enter a valid email address, like ana@example.com.")}) from None
    return valid.normalized.lower()


def check_password_strength(password: str, *, email: str = "", field: str = "password") -> None:
    """Refuse passwords that are short, single-class or the email itself."""
    problem = None
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = N_("Use at least 10 characters.")
    elif not any(c.isalpha() for c in password) or not any(not c.isalpha() for c in password):
        problem = N_("Mix letters with digits or symbols.")
    elif email and password.lower() == email.lower():
        problem = N_("Do not use your email as the password.")
    if problem:
        raise InvalidInput(fields={field: problem})


def check_profile(*, language: str | None = None, timezone: str | None = None) -> None:
    """Refuse a language RENUM does not speak or a timezone that does not exist."""
    fields: dict[str, str] = {}
    if language is not None and language not in LANGUAGES:
        fields["language"] = N_("Choose pt_BR or en.")
    if timezone is not None and timezone not in available_timezones():
        fields["timezone"] = N_("Choose a timezone from the list, like America/Sao_Paulo.")
    if fields:
        raise InvalidInput(fields=fields)


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    """The account with that email, whatever its case."""
    return await db.scalar(select(User).where(User.email == email.strip().lower()))


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    name: str = "",
    language: str = "pt_BR",
    timezone: str = "America/Sao_Paulo",
) -> User:
    """Open an account. The email must be new and the password strong."""
    email = normalize_email(email)
    check_password_strength(password, email=email)
    check_profile(language=language, timezone=timezone)
    if await user_by_email(db, email):
        raise Conflict(N_("An account with this email already exists. Log in instead."))

    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        name=name.strip()[:120],
        language=language,
        timezone=timezone,
        password_changed_at=utcnow(),
    )
    db.add(user)
    await db.flush()
    log.info("account.created", user_id=str(user.id))
    return user


async def authenticate(db: AsyncSession, *, email: str, password: str) -> User:
    """The account whose password this is; one answer for an unknown email and a wrong password."""
    user = await user_by_email(db, email)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or user.password_hash is None:
        log.info("account.login_failed")
        raise InvalidCredentials()

    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


async def change_password(db: AsyncSession, user: User, *, current: str, new: str) -> None:
    """Replace the password after checking the current one; other sessions are signed out."""
    try:
        _hasher.verify(user.password_hash or _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError):
        raise InvalidInput(fields={"current_password": N_("The current password is not right.")}) from None
    check_password_strength(new, email=user.email, field="new_password")

    user.password_hash = _hasher.hash(new)
    user.password_changed_at = utcnow()
    log.info("account.password_changed", user_id=str(user.id))


async def update_profile(
    db: AsyncSession, user: User, *, name: str | None, language: str | None, timezone: str | None
) -> User:
    """Change the creator's name, language or timezone (what is ``None`` stays)."""
    check_profile(language=language, timezone=timezone)
    if name is not None:
        user.name = name.strip()[:120]
    if language is not None:
        user.language = language
    if timezone is not None:
        user.timezone = timezone
    await db.flush()
    return user


async def start_session(db: AsyncSession, user: User, *, days: int) -> NewSecret[WebSession]:
    """Sign a browser in; the clear token goes into its cookie and nowhere else."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user.id,
        token_hash=hash_secret(token),
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.add(row)
    await db.flush()
    log.info("session.started", user_id=str(user.id), session_id=str(row.id))
    return NewSecret(token, row)


async def session_by_token(db: AsyncSession, token: str) -> WebSession | None:
    """The live session behind a cookie, or ``None``."""
    row = await db.scalar(select(WebSession).where(WebSession.token_hash == hash_secret(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    return row


async def end_session(db: AsyncSession, token: str) -> None:
    """Sign a browser out."""
    row = await db.scalar(select(WebSession).where(WebSession.token_hash == hash_secret(token)))
    if row is not None:
        await db.delete(row)
        log.info("session.ended", user_id=str(row.user_id), session_id=str(row.id))


async def create_api_token(db: AsyncSession, user: User, *, name: str) -> NewSecret[ApiToken]:
    """Make a personal API token; its clear text is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(fields={"name": N_("Give the token a name of 1 to 80 characters.")})

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(token), prefix=token[:10])
    db.add(row)
    await db.flush()
    log.info("api_token.created", user_id=str(user.id), token_id=str(row.id))
    return NewSecret(token, row)


async def list_api_tokens(db: AsyncSession, user: User) -> list[ApiToken]:
    """The creator's tokens that still work, newest first."""
    rows = await db.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    )
    return list(rows)


async def revoke_api_token(db: AsyncSession, user: User, token_id: uuid.UUID) -> ApiToken:
    """Stop a token working at once. Another creator's token is not found."""
    row = await db.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if row is None:
        raise NotFound()
    row.revoked_at = utcnow()
    log.info("api_token.revoked", user_id=str(user.id), token_id=str(row.id))
    return row


async def user_by_api_token(db: AsyncSession, token: str) -> User | None:
    """The owner of a live API token, noting when it was last used."""
    row = await db.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    row.last_used_at = utcnow()
    return row.user


async def user_by_supabase_token(db: AsyncSession, token: str, *, secret: str, audience: str) -> User:
    """The account behind a token of the legacy Supabase project, created on first use.

    The signature, the expiry and the audience are checked; the email claim names the account.
    """
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=audience, options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized(N_("Your session has expired. Sign in again.")) from None
    except jwt.PyJWTError:
        raise Unauthorized() from None

    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise Unauthorized(N_("This token carries no email; sign in again."))
    email = normalize_email(email)

    user = await user_by_email(db, email)
    if user is None:
        meta = claims.get("user_metadata") or {}
        user = User(email=email, password_hash=None, name=str(meta.get("full_name") or meta.get("name") or ""))
        db.add(user)
        await db.flush()
        log.info("account.created_from_supabase", user_id=str(user.id))
    return user

"""Settings, one group per concern, read from ``RENUM_`` environment variables.

Every group is a pydantic-settings model; :func:`get_settings` builds them once and caches the
result, so tests that change the environment call ``get_settings.cache_clear()``.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = [
    "AISettings",
    "AppSettings",
    "DatabaseSettings",
    "HeyGenSettings",
    "JobsSettings",
    "MetricoolSettings",
    "RedisSettings",
    "SecuritySettings",
    "ServerSettings",
    "Settings",
    "get_settings",
]


class AppSettings(BaseSettings):
    """Where RENUM keeps its files and how it presents itself."""

    model_config = SettingsConfigDict(env_prefix="RENUM_", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Folder for the SQLite file, uploads, Redis.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of this server, used in links RENUM hands out (e.g. to Metricool).",
    )
    env: str = Field(default="development", description="`development` or `production`.")
    default_timezone: str = Field(default="America/Sao_Paulo", description="Timezone for new creators.")
    log_json: bool | None = Field(default=None, description="JSON logs; by default when not on a terminal.")

    @property
    def is_development(self) -> bool:
        return self.env == "development"


class ServerSettings(BaseSettings):
    """The HTTP server and the worker that runs beside it."""

    model_config = SettingsConfigDict(env_prefix="RENUM_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Interface the web server listens on.")
    port: int = Field(default=8000, description="Port the web server listens on.")
    worker_in_process: bool = Field(
        default=False,
        description="Run a job worker inside the web process (what `make run` does).",
    )
    max_json_body: int = Field(default=1_000_000, description="Largest accepted JSON or form body, in bytes.")
    max_upload_bytes: int = Field(
        default=2 * 1024**3,
        description="Largest video a creator may upload, in bytes (`RENUM_MAX_UPLOAD_BYTES`; 2 GiB by default).",
    )


class DatabaseSettings(BaseSettings):
    """The relational database."""

    model_config = SettingsConfigDict(env_prefix="RENUM_DATABASE_", extra="ignore")

    url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; SQLite in the data directory when unset.",
    )
    echo: bool = Field(default=False, description="Log every SQL statement.")
    migrate_on_start: bool = Field(default=True, description="Apply Alembic migrations when the app starts.")


class RedisSettings(BaseSettings):
    """Redis, which carries the job queue."""

    model_config = SettingsConfigDict(env_prefix="RENUM_REDIS_", extra="ignore")

    url: str | None = Field(
        default=None,
        description="redis:// URL; an embedded Redis under the data directory when unset.",
    )
    queue_name: str = Field(default="renum", description="Name of the SAQ queue.")


class JobsSettings(BaseSettings):
    """How job workers show they are alive, and how soon the jobs of a dead one are retried."""

    model_config = SettingsConfigDict(env_prefix="RENUM_JOBS_", extra="ignore")

    heartbeat_seconds: int | None = Field(
        default=None,
        ge=6,
        description=(
            "Seconds a running job may go unheard before `renum workers run` takes its worker for dead and "
            "retries it, for every kind (each kind's own when unset: 60 s for renders). Workers then touch "
            "their jobs every sixth of it and look for dead ones every quarter. Tests shorten it."
        ),
    )


class SecuritySettings(BaseSettings):
    """Secrets, sessions, CORS and the legacy SPA's Supabase tokens."""

    model_config = SettingsConfigDict(env_prefix="RENUM_", extra="ignore")

    secret_key: str | None = Field(
        default=None,
        description="Key for signing and encrypting; generated once into the data directory when unset.",
    )
    secret_key_fallbacks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "Earlier secret keys, comma-separated, still accepted to read secrets saved before a key rotation; "
            "each is replaced by the current key when next used."
        ),
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API.")
    supabase_jwt_secret: str | None = Field(
        default=None,
        description="The legacy Supabase project's JWT secret; bearer tokens it signed are accepted.",
    )
    supabase_jwt_audience: str = Field(default="authenticated", description="Audience of Supabase tokens.")
    session_days: int = Field(default=30, description="How long a browser session lasts.")
    login_rate_limit: int = Field(default=10, description="Log-in and sign-up attempts per address per minute.")
    lead_rate_limit: int = Field(default=5, description="Lead submissions per address per minute.")

    @field_validator("secret_key_fallbacks", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """A comma-separated string from the environment becomes a list of keys."""
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value


class HeyGenSettings(BaseSettings):
    """HeyGen, which renders avatar videos."""

    model_config = SettingsConfigDict(env_prefix="RENUM_HEYGEN_", extra="ignore")

    base_url: str = Field(default="https://api.heygen.com", description="HeyGen API address.")
    timeout: float = Field(default=20.0, description="Seconds before a HeyGen call gives up.")
    cache_seconds: int = Field(
        default=120,
        description="Seconds a creator's avatars and voices are reused, and between two status checks with HeyGen.",
    )


class MetricoolSettings(BaseSettings):
    """Metricool, which schedules posts and reports results."""

    model_config = SettingsConfigDict(env_prefix="RENUM_METRICOOL_", extra="ignore")

    base_url: str = Field(default="https://app.metricool.com/api", description="Metricool API address.")
    timeout: float = Field(default=20.0, description="Seconds before a Metricool call gives up.")
    cache_seconds: int = Field(
        default=120,
        description="Seconds a creator's brands (and their networks) are reused, and between two status checks.",
    )


class AISettings(BaseSettings):
    """The OpenAI-compatible server behind scripts, captions, the assistant and transcription."""

    model_config = SettingsConfigDict(env_prefix="RENUM_AI_", extra="ignore")

    base_url: str | None = Field(default=None, description="OpenAI-compatible API address (OpenAI, Ollama...).")
    api_key: str | None = Field(default=None, description="API key for that server.")
    model: str = Field(default="gpt-4o-mini", description="Chat model.")
    transcription_model: str = Field(default="whisper-1", description="Speech-to-text model.")
    timeout: float = Field(default=60.0, description="Seconds before a model call gives up.")
    rate_limit: int = Field(
        default=20,
        description="AI requests (scripts, revisions, assistant messages) each creator may make per minute.",
    )


class Settings:
    """All the groups together."""

    __slots__ = ("ai", "app", "database", "heygen", "jobs", "metricool", "redis", "security", "server")

    def __init__(self) -> None:
        self.app = AppSettings()
        self.server = ServerSettings()
        self.database = DatabaseSettings()
        self.redis = RedisSettings()
        self.jobs = JobsSettings()
        self.security = SecuritySettings()
        self.heygen = HeyGenSettings()
        self.metricool = MetricoolSettings()
        self.ai = AISettings()

    @property
    def database_url(self) -> str:
        """The database URL in force: the setting, or SQLite in the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.app.data_dir / 'renum.sqlite3').resolve()}"

    @property
    def secret_key(self) -> str:
        """The secret key in force: the setting, or one generated once into the data directory."""
        if self.security.secret_key:
            return self.security.secret_key
        key_file = self.app.data_dir / "secret.key"
        if not key_file.exists():
            self.app.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build the settings once per process."""
    return Settings()

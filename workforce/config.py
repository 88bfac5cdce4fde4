"""Settings: one place, read from the environment (prefix ``WORKFORCE_``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105 (refused outside development)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def normalise_database_url(url: str) -> str:
    """Return ``url`` with PostgreSQL URLs pointed at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every setting of the service; each maps to ``WORKFORCE_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="WORKFORCE_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Root of the service's own files.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means an SQLite file at <data_dir>/workforce.db.",
    )
    inbox_dir: Path | None = None
    archive_dir: Path | None = None
    reports_dir: Path | None = None
    secret_key: str = DEFAULT_SECRET_KEY
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    timezone: str = "Europe/London"
    static_dir: Path = PROJECT_ROOT / "api" / "static"
    max_upload_mb: float = Field(
        default=20, gt=0, le=500, description="Largest return file accepted, in megabytes."
    )
    inbox_settle_seconds: int = Field(
        default=60,
        ge=0,
        description="The inbox job leaves a file alone until it has not changed for this long.",
    )
    plausibility_sd: float = Field(
        default=3.0,
        gt=0,
        description="Warn when a return's measure is this many standard deviations from "
        "the council's own history or its neighbours.",
    )
    warning_agency_rate: float = Field(
        default=25.0, ge=0, le=100, description="Early warning: forecast agency rate above this."
    )
    warning_vacancy_gap: float = Field(
        default=10.0,
        ge=0,
        description="Early warning: vacancy rate this many points above the neighbours' mean.",
    )
    warning_recent_years: float = Field(
        default=2.0, gt=0, description="Early warning: an inadequate judgement this recent."
    )
    warning_small_workforce_fte: float = Field(
        default=30.0,
        ge=0,
        description="Early warning: below this many FTE social workers in post, a warning "
        "says that a few people move the council's rates a long way.",
    )
    threads: int = Field(
        default=32,
        ge=4,
        le=256,
        description="Worker threads per API process for blocking work (database, parsing); "
        "the connection pool is sized to match.",
    )
    db_pool_size: int | None = Field(
        default=None,
        ge=1,
        le=500,
        description="Database connections per process (default: threads + 4, so a thread "
        "never waits for a connection another thread is not using).",
    )
    db_pool_timeout: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="Seconds a request waits for a free database connection before it is "
        "answered 503 with Retry-After.",
    )
    write_wait_seconds: float = Field(
        default=15.0,
        gt=0,
        le=300,
        description="Seconds an upload waits for another upload of the same council and "
        "period (or, on SQLite, for the database's one writer) before it is answered "
        "409/503 with Retry-After.",
    )
    session_hours: int = Field(
        default=8, ge=1, le=24 * 7, description="How long a web sign-in lasts."
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Send the session cookie over HTTPS only (default: on in production).",
    )
    password_checks_at_once: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Password hashes or checks run at once per process (each takes 19 MiB).",
    )
    password_check_wait_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="A sign-in waits this long for a free password check, then is answered "
        "503 with Retry-After.",
    )
    sign_in_window_seconds: int = Field(
        default=300,
        ge=1,
        le=24 * 3600,
        description="The sliding window the sign-in rate limits count attempts in.",
    )
    sign_in_attempts_per_address: int = Field(
        default=50,
        ge=1,
        description="Sign-in attempts from one client address per window, per process; "
        "more are answered 429 with Retry-After.",
    )
    sign_in_attempts_per_account: int = Field(
        default=10,
        ge=1,
        description="Sign-in attempts for one email address per window, per process; "
        "more are answered 429 with Retry-After.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalise_database_url(value.strip())

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/London"
            ) from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _derive_and_check(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'workforce.db').as_posix()}"
        self.inbox_dir = self.inbox_dir or self.data_dir / "inbox"
        self.archive_dir = self.archive_dir or self.data_dir / "archive"
        self.reports_dir = self.reports_dir or self.data_dir / "reports"
        if self.secure_cookies is None:
            self.secure_cookies = self.environment == "production"
        if self.environment != "development" and (
            self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32
        ):
            raise ValueError(
                "WORKFORCE_SECRET_KEY must be set to a random value of at least 32 characters "
                f"when WORKFORCE_ENVIRONMENT={self.environment} "
                "(the built-in key is accepted only in development)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def folders(self) -> dict[str, Path]:
        """Return the service's data folders by purpose."""
        assert self.inbox_dir and self.archive_dir and self.reports_dir
        return {
            "data": self.data_dir,
            "inbox": self.inbox_dir,
            "archive": self.archive_dir,
            "reports": self.reports_dir,
        }

    def ensure_folders(self) -> None:
        """Create the data folders if they do not exist."""
        for folder in self.folders().values():
            folder.mkdir(parents=True, exist_ok=True)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests clear the cache)."""
    return Settings()

"""Running Alembic migrations from code (the CLI, tests and the health check use this)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from workforce.config import PROJECT_ROOT, get_settings


def _alembic_ini() -> Path:
    candidates = [
        Path(os.environ["WORKFORCE_ALEMBIC_INI"])
        if "WORKFORCE_ALEMBIC_INI" in os.environ
        else None,
        PROJECT_ROOT / "alembic.ini",
        Path.cwd() / "alembic.ini",
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "alembic.ini not found beside the workforce package or in the current folder; "
        "set WORKFORCE_ALEMBIC_INI to its path"
    )


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic config aimed at ``url`` (default: the configured database)."""
    config = Config(str(_alembic_ini()))
    config.attributes["url"] = url or get_settings().database_url
    config.attributes["configure_logging"] = False
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Revert migrations down to ``revision``."""
    command.downgrade(alembic_config(url), revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """Return the newest migration's revision id (read once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None if it was never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

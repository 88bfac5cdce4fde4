"""Logging set-up shared by the CLI, the API server and the scheduler."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Send the service's logs to standard error at ``level``."""
    logging.basicConfig(level=level, format=FORMAT, force=True)
    # SQLAlchemy's engine log would echo every statement (and its parameters) at INFO.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    # Alembic announces its context on every revision check (the health check makes one);
    # `workforce db upgrade` turns its migration log back on.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(max(logging.getLevelName(level), logging.INFO))

"""``workforce pool`` commands: offers."""

from __future__ import annotations

from workforce.cli.pool import pool_app  # noqa: F401

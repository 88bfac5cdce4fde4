"""``workforce pool`` commands: workers."""

from __future__ import annotations

from workforce.cli.pool import pool_app  # noqa: F401

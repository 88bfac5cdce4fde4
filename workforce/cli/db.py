"""``workforce db``: apply, revert and show the database's migrations."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from workforce.config import get_settings

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to the configured database (up to the newest by default)."""
    from workforce import migrations
    from workforce.db import get_engine

    settings = get_settings()
    settings.ensure_folders()
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    migrations.upgrade(settings.database_url, revision)
    typer.echo(f"Database at revision {migrations.current_revision(get_engine())}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or 'base' for empty.")],
) -> None:
    """Revert migrations down to REVISION."""
    from workforce import migrations
    from workforce.db import get_engine

    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    migrations.downgrade(get_settings().database_url, revision)
    typer.echo(f"Database at revision {migrations.current_revision(get_engine()) or 'base'}.")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision and the newest one."""
    from workforce import migrations
    from workforce.db import backend_name, get_engine

    engine = get_engine()
    current = migrations.current_revision(engine) or "base"
    typer.echo(
        f"backend {backend_name(engine)}; database at {current}; "
        f"newest {migrations.head_revision()}"
    )

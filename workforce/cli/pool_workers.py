"""``workforce pool`` commands: workers (``import-workers FILE``, ``workers list``).

A thin layer over :mod:`workforce.pool.workers_import` and :mod:`workforce.pool.workers`:
an import is one transaction, as the command line's actor (audited); a refused file lists
every problem and stores nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workforce.cli.base import refused, require_current_schema
from workforce.cli.pool import pool_app

workers_app = typer.Typer(help="The pool's workers.", no_args_is_help=True)
pool_app.add_typer(workers_app, name="workers")


@pool_app.command("import-workers")
def import_workers(
    path: Annotated[
        Path,
        typer.Argument(
            help="A CSV or XLSX file of workers, one per row (columns: README, pool section).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
) -> None:
    """Add or update the pool's workers from a file, by Social Work England number; a file
    with any error stores nothing and every problem is listed."""
    from workforce.auth.audit import Actor
    from workforce.config import get_settings
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.pool.workers_import import import_workers as run_import

    require_current_schema()
    limit = int(get_settings().max_upload_mb * 1024 * 1024)
    if path.stat().st_size > limit:
        raise refused(ValueError(f"{path.name} is larger than the {limit // 1048576} MB limit"))
    try:
        with session_scope() as session:
            report = run_import(
                session=session, data=path.read_bytes(), file_name=path.name, actor=Actor.cli()
            )
    except InputDataError as exc:
        raise refused(exc) from None
    typer.echo(
        f"Imported {report.rows} worker(s) from {path.name}: {report.created} added, "
        f"{report.updated} updated, {report.unchanged} unchanged."
    )


@workers_app.command("list")
def list_workers(
    role: Annotated[str | None, typer.Option(help="Only workers of this role.")] = None,
    inactive: Annotated[bool, typer.Option(help="Include inactive workers.")] = False,
) -> None:
    """List the pool's workers: id, role, Social Work England number, name, home region."""
    from workforce.db import session_scope
    from workforce.pool import workers as pool_workers
    from workforce.pool.terms import PoolRole

    require_current_schema()
    try:
        wanted = PoolRole(role) if role else None
    except ValueError:
        raise refused(
            ValueError("unknown role; choose one of " + ", ".join(r.value for r in PoolRole))
        ) from None
    with session_scope() as session:
        workers = pool_workers.list_workers(
            session=session, role=wanted, active=None if inactive else True
        )
        for w in workers:
            flag = "" if w.active else " (inactive)"
            typer.echo(f"{w.id}\t{w.role}\t{w.swe_number}\t{w.name}\t{w.home_region}{flag}")
        typer.echo(f"{len(workers)} worker(s).")

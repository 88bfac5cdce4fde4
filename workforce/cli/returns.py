"""``workforce returns``: ingest a council's return, list returns, show one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from workforce.cli.base import refused, require_current_schema

returns_app = typer.Typer(
    help="Councils' returns: ingest a file, list them, show one with its report.",
    no_args_is_help=True,
)


def _print_return(row: Any, issues: bool = True) -> None:
    period = row.period_end.isoformat() if row.period_end else "unknown period"
    typer.echo(
        f"Return {row.id}: council {row.council_code}, {row.kind} {period}, version "
        f"{row.version}, {row.status} ({row.error_count} error(s), {row.warning_count} "
        f"warning(s)); {row.file_name}, sha256 {row.sha256[:12]}..., {row.uploaded_by_name}, "
        f"{row.uploaded_at:%Y-%m-%d %H:%M}"
    )
    for measure, value in (row.measures or {}).items():
        typer.echo(f"    {measure:<30} {'-' if value is None else value}")
    if issues:
        from workforce.ingest.problems import Problem

        for item in row.issues:
            typer.echo(f"  - {Problem.from_dict(item)}")


@returns_app.command("ingest")
def returns_ingest(
    path: Annotated[Path, typer.Argument(help="The return: XLSX, CSV or census XML.")],
    council: Annotated[str, typer.Option(help="The council it is for (DfE code).")],
    assignments: Annotated[
        Path | None, typer.Option(help="The agency assignments CSV, with a workforce CSV.")
    ] = None,
) -> None:
    """Validate and store a return; print its report. Exit 1 if it was rejected."""
    from workforce.auth.audit import Actor
    from workforce.councils.service import find_council
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.returns.flows import ingest
    from workforce.returns.reading import Upload

    require_current_schema()
    for file in (path, assignments):
        if file is not None and not file.is_file():
            typer.echo(f"{file}: no such file", err=True)
            raise typer.Exit(2)
    try:
        with session_scope() as session:
            code = find_council(session=session, code=council).code
            result = ingest(
                session=session,
                upload=Upload(path.read_bytes(), path.name),
                assignments=Upload(assignments.read_bytes(), assignments.name)
                if assignments
                else None,
                council_code=code,
                actor=Actor.cli(),
                source="cli",
            )
            row = result.council_return
    except NotFoundError as exc:
        raise refused(exc) from None
    if not result.created:
        typer.echo("This content was received before; nothing new was stored.")
    _print_return(row)
    if row.status == "rejected":
        raise typer.Exit(1)


@returns_app.command("list")
def returns_list(
    council: Annotated[str | None, typer.Option(help="Only this council (DfE code).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
) -> None:
    """List returns, newest first."""
    from workforce.councils.service import find_council
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.returns.service import list_returns

    with session_scope() as session:
        try:
            codes = [find_council(session=session, code=council).code] if council else None
        except NotFoundError as exc:
            raise refused(exc) from None
        for row in list_returns(session=session, council_codes=codes, limit=limit):
            _print_return(row, issues=False)


@returns_app.command("show")
def returns_show(return_id: Annotated[int, typer.Argument(help="The return's id.")]) -> None:
    """Show one return with its measures and every issue."""
    from workforce.db import session_scope
    from workforce.errors import NotFoundError
    from workforce.returns.service import get_return

    with session_scope() as session:
        try:
            _print_return(get_return(session=session, return_id=return_id))
        except NotFoundError as exc:
            raise refused(exc) from None

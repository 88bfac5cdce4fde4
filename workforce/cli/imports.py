"""``workforce import``: published data files, each imported in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from workforce.cli.base import require_current_schema
from workforce.cli.progress import on_terminal

import_app = typer.Typer(
    help="Import published data files: DfE workforce releases, Ofsted judgements, neighbours.",
    no_args_is_help=True,
)


def _run_import(path: Path, what: str, importer: Callable[..., Any], entity: str) -> None:
    """Run one file import in a transaction, with a progress bar and every problem listed."""
    from rich.progress import BarColumn, Progress, TextColumn

    from workforce.auth import audit
    from workforce.db import session_scope
    from workforce.errors import InputDataError

    require_current_schema()
    if not path.is_file():
        typer.echo(f"{path}: no such file", err=True)
        raise typer.Exit(2)
    total = max(1, sum(1 for _ in path.open("rb")))
    if not on_terminal():  # no bar off a terminal: say what is being done, once
        typer.echo(f"Importing {what} from {path.name} ({total} lines)…", err=True)
    try:
        with (
            Progress(
                TextColumn(f"Importing {what} {{task.description}}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} rows"),
                transient=True,
                disable=not on_terminal(),
            ) as bar,
            session_scope() as session,
        ):
            task = bar.add_task(path.name, total=total)
            report = importer(session=session, path=path, progress=lambda n: bar.advance(task, n))
            audit.record_import(
                session=session,
                actor=audit.Actor.cli(),
                entity=entity,
                report=report,
                entity_id=getattr(report, "publication_id", None) or path.name,
            )
    except InputDataError as exc:
        typer.echo(
            f"{path.name}: refused, nothing was imported. {len(exc.problems)} problem(s):", err=True
        )
        for problem in exc.problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(report.summary())
    for warning in getattr(report, "warnings", []):
        typer.echo(f"  warning: {warning}")
    for row, reason in getattr(report, "skipped", []):
        typer.echo(f"  skipped row {row}: {reason}")


@import_app.command("csww")
def import_csww(path: Annotated[Path, typer.Argument(help="A DfE release CSV file.")]) -> None:
    """Import a DfE "Children's social work workforce" release (either column layout)."""
    from workforce.statistics.flows import import_release_file

    _run_import(path, "workforce statistics", import_release_file, "publication")


@import_app.command("judgements")
def import_judgements_command(
    path: Annotated[Path, typer.Argument(help="Ofsted judgements: CSV or XLSX.")],
) -> None:
    """Import Ofsted judgements (history CSV, ILACS overview XLSX or inspection outcomes)."""
    from workforce.inspections.importers import import_judgements

    _run_import(path, "judgements", import_judgements, "judgements")


@import_app.command("neighbours")
def import_neighbours(
    path: Annotated[Path, typer.Argument(help="A DfE statistical-neighbours CSV.")],
    source: Annotated[str, typer.Option(help="How to cite this grouping.")] = (
        "DfE statistical neighbours"
    ),
) -> None:
    """Import DfE statistical neighbours; each council's list replaces its previous one."""
    from workforce.councils.reference import LoadReport, load_statistical_neighbours

    def importer(*, session: Any, path: Path, progress: Any) -> LoadReport:
        report = LoadReport()
        load_statistical_neighbours(session=session, path=path, report=report, source=source)
        return report

    _run_import(path, "statistical neighbours", importer, "statistical_neighbours")

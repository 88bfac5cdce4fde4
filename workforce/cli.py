"""The ``workforce`` command."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from workforce.config import get_settings

app = typer.Typer(
    help="Workforce stability and agency-market monitor for English children's social care.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
jobs_app = typer.Typer(
    help="Scheduled jobs: list them, run one now, read the run log.", no_args_is_help=True
)
import_app = typer.Typer(
    help="Import published data files: DfE workforce releases, Ofsted judgements, neighbours.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(jobs_app, name="jobs")
app.add_typer(import_app, name="import")

log = logging.getLogger("workforce.cli")


@app.callback()
def main() -> None:
    """Set up logging from the settings before any command runs."""
    from workforce.logging import configure_logging

    try:
        settings = get_settings()
    except ValueError as exc:
        typer.echo(f"Configuration error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level)


def _require_current_schema() -> None:
    from workforce import migrations
    from workforce.db import get_engine

    current, head = migrations.current_revision(get_engine()), migrations.head_revision()
    if current != head:
        typer.echo(
            f"The database is at migration {current or 'none'}, this code needs {head}: "
            "run `workforce db upgrade` first.",
            err=True,
        )
        raise typer.Exit(1)


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


@app.command()
def demo() -> None:
    """Load all bundled public data into the configured database (safe to repeat)."""
    from workforce.db import session_scope
    from workforce.statistics.bundled import load_public_data

    _require_current_schema()
    with session_scope() as session:
        for line in load_public_data(session=session):
            typer.echo(line)


def _run_import(path: Path, what: str, importer: Callable[..., Any]) -> None:
    """Run one file import in a transaction, with a progress bar and every problem listed."""
    from rich.progress import BarColumn, Progress, TextColumn

    from workforce.db import session_scope
    from workforce.errors import InputDataError

    _require_current_schema()
    if not path.is_file():
        typer.echo(f"{path}: no such file", err=True)
        raise typer.Exit(2)
    total = max(1, sum(1 for _ in path.open("rb")))
    try:
        with (
            Progress(
                TextColumn(f"Importing {what} {{task.description}}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} rows"),
                transient=True,
                disable=not sys.stderr.isatty(),
            ) as bar,
            session_scope() as session,
        ):
            task = bar.add_task(path.name, total=total)
            report = importer(session=session, path=path, progress=lambda n: bar.advance(task, n))
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
    from workforce.statistics.importer import import_release_file

    _run_import(path, "workforce statistics", import_release_file)


@import_app.command("judgements")
def import_judgements_command(
    path: Annotated[Path, typer.Argument(help="Ofsted judgements: CSV or XLSX.")],
) -> None:
    """Import Ofsted judgements (history CSV, ILACS overview XLSX or inspection outcomes)."""
    from workforce.inspections.importers import import_judgements

    _run_import(path, "judgements", import_judgements)


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

    _run_import(path, "statistical neighbours", importer)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind [WORKFORCE_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [WORKFORCE_PORT].")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes [WORKFORCE_WORKERS].")
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API and pages with uvicorn (the scheduler runs separately)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


@app.command()
def scheduler() -> None:
    """Run the job scheduler in this process until stopped (run exactly one)."""
    from jobs.scheduler import run_scheduler

    _require_current_schema()
    run_scheduler(get_settings())


@jobs_app.command("list")
def jobs_list() -> None:
    """List every job with its schedule and its last run."""
    from jobs.registry import all_jobs
    from workforce.db import session_scope
    from workforce.runs.service import last_run

    with session_scope() as session:
        for spec in all_jobs():
            last = last_run(session=session, job=spec.name)
            last_text = (
                f"last run {last.started_at:%Y-%m-%d %H:%M} {last.status}" if last else "never run"
            )
            typer.echo(f"{spec.name:<28} {spec.schedule_text():<24} {last_text}")
            typer.echo(f"    {spec.description}")


@jobs_app.command("run")
def jobs_run(
    name: Annotated[str, typer.Argument(help="Job name (see `workforce jobs list`).")],
) -> None:
    """Run job NAME once now, locked and logged as the scheduler would run it."""
    from jobs.runner import run_job

    _require_current_schema()
    try:
        run = run_job(name, trigger="cli")
    except KeyError as exc:
        typer.echo(str(exc.args[0]), err=True)
        raise typer.Exit(2) from None
    message = f"{run.job} run {run.id}: {run.status}"
    if run.rows is not None:
        message += f", {run.rows} rows"
    if run.summary:
        message += f" - {run.summary}"
    if run.error:
        message += f" - {run.error}"
    typer.echo(message, err=run.status == "failed")
    if run.status == "failed":
        raise typer.Exit(1)


@jobs_app.command("runs")
def jobs_runs(
    job: Annotated[str | None, typer.Option(help="Only this job.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs.")] = 20,
) -> None:
    """Show the run log, newest first."""
    from workforce.db import session_scope
    from workforce.runs.service import recent_runs

    with session_scope() as session:
        for run in recent_runs(session=session, job=job, limit=limit):
            finished = f"{run.finished_at:%H:%M:%S}" if run.finished_at else "-"
            typer.echo(
                f"{run.id:>6} {run.job:<24} {run.trigger:<9} {run.started_at:%Y-%m-%d %H:%M:%S} "
                f"{finished:>8} {run.status:<9} rows={run.rows if run.rows is not None else '-'} "
                f"{run.error or run.summary or ''}"
            )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())

"""``workforce jobs``: list the scheduled jobs, run one now, read the run log."""

from __future__ import annotations

from typing import Annotated

import typer

from workforce.cli.base import require_current_schema
from workforce.cli.progress import step

jobs_app = typer.Typer(
    help="Scheduled jobs: list them, run one now, read the run log.", no_args_is_help=True
)


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

    require_current_schema()
    try:
        with step(f"Running the {name} job"):
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

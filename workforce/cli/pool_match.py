"""``workforce pool match``: run the matcher over every open post, or try it (``--dry-run``)
without storing anything."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from workforce.cli.base import refused, require_current_schema
from workforce.cli.pool import pool_app


@pool_app.command("match")
def match_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what a run would propose; store nothing.")
    ] = False,
    on: Annotated[
        str | None, typer.Option(help="Judge tiers as on this day (YYYY-MM-DD; default today).")
    ] = None,
) -> None:
    """Propose workers for every open post, the worst placed councils first; list each
    proposal with its score and each unfilled post with its reason and nearest miss."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.pool import flows

    require_current_schema()
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise refused(ValueError(f"--on {on!r} is not a date (use YYYY-MM-DD)")) from None
    with session_scope() as session:
        outcome = flows.run_match(session=session, actor=Actor.cli(), on=day, dry_run=dry_run)
        head = (
            "Dry run (nothing stored)"
            if dry_run
            else f"Match run {outcome.run.id if outcome.run else ''}"
        )
        typer.echo(f"{head}: {outcome.summary()}.")
        for p in outcome.result.proposals:
            typer.echo(
                f"  request {p.request_id} post {p.slot} (tier {int(p.tier)}): "
                f"worker {p.worker_id}, fit {p.score:.2f}"
            )
        for u in outcome.result.unfilled:
            typer.echo(
                f"  request {u.request_id} post {u.slot} (tier {int(u.tier)}): unfilled: {u.reason}"
            )

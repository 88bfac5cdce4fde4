"""``workforce audit``: read the audit log, and follow it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

audit_app = typer.Typer(help="The audit log of every write that matters.", no_args_is_help=True)


@audit_app.command("tail")
def audit_tail(
    limit: Annotated[int, typer.Option(min=1, max=10000, help="How many entries.")] = 20,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    entity: Annotated[str | None, typer.Option(help="Only this kind of entity.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    council: Annotated[str | None, typer.Option(help="Only this council's entries.")] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new entries.")
    ] = False,
) -> None:
    """Print the newest audit entries, oldest first (and follow new ones with -f)."""
    import time

    from workforce.auth import audit
    from workforce.db import session_scope

    def fetch(after: int | None, count: int) -> list[Any]:
        with session_scope() as session:
            rows = audit.query(
                session=session,
                action=action,
                entity=entity,
                actor=actor,
                council_code=council,
                limit=count,
            )
            return [r for r in reversed(rows) if after is None or (r.id or 0) > after]

    last_id = None
    for entry in fetch(None, limit):
        typer.echo(_audit_line(entry))
        last_id = entry.id
    while follow:
        time.sleep(2)
        for entry in fetch(last_id or 0, 1000):
            typer.echo(_audit_line(entry))
            last_id = entry.id


def _audit_line(entry: Any) -> str:
    where = f" council {entry.council_code}" if entry.council_code else ""
    target = f"{entry.entity}:{entry.entity_id}" if entry.entity_id else entry.entity
    return (
        f"{entry.id:>7} {entry.at:%Y-%m-%d %H:%M:%S} {entry.actor} ({entry.source}) "
        f"{entry.action} {target}{where}: {entry.summary}"
    )

"""``workforce pool`` commands: interventions (add, list, end) and requests (add, list,
withdraw, raise-tier).

A thin layer over :mod:`workforce.pool.interventions` and :mod:`workforce.pool.service`:
inputs are validated through the pool's ``...Create`` shapes, each write is one transaction
as the command line's actor (audited), and a refusal lists every problem and changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from workforce.cli.base import refused, require_current_schema
from workforce.cli.pool import pool_app

interventions_app = typer.Typer(
    help="Councils' statutory directions and commissioners.", no_args_is_help=True
)
requests_app = typer.Typer(help="Councils' requests for pool staff.", no_args_is_help=True)
pool_app.add_typer(interventions_app, name="interventions")
pool_app.add_typer(requests_app, name="requests")


def _write(work: Any) -> Any:
    """Run ``work(session, actor)`` in one transaction; refusals are listed, exit 1."""
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    try:
        with session_scope() as session:
            return work(session, Actor.cli())
    except (InputDataError, NotFoundError) as exc:
        raise refused(exc) from None


def _checked(model: Any, **fields: Any) -> Any:
    from workforce.errors import InputDataError

    try:
        return model.checked(**fields)
    except InputDataError as exc:
        raise refused(exc) from None


@interventions_app.command("add")
def add_intervention(
    council: Annotated[str, typer.Argument(help="The council's DfE or ONS code.")],
    kind: Annotated[str, typer.Option(help="statutory_direction or commissioner.")],
    start: Annotated[str, typer.Option(help="The first day (YYYY-MM-DD).")],
    end: Annotated[str | None, typer.Option(help="The last day, if known.")] = None,
    note: Annotated[str, typer.Option(help="A note, such as the direction's title.")] = "",
) -> None:
    """Record a council's statutory direction or commissioner."""
    from workforce.pool import interventions
    from workforce.pool.models import InterventionCreate

    new = _checked(
        InterventionCreate, council=council, kind=kind, start_date=start, end_date=end, note=note
    )
    row = _write(lambda s, a: interventions.record_intervention(session=s, new=new, actor=a))
    typer.echo(f"Intervention {row.id}: {row.kind} for council {row.council_code}.")


@interventions_app.command("list")
def list_interventions(
    council: Annotated[str | None, typer.Option(help="Only this council's.")] = None,
) -> None:
    """List interventions, latest start first."""
    from workforce.pool import interventions

    def work(session: Any, _actor: Any) -> None:
        from workforce.councils.service import find_council

        code = find_council(session=session, code=council).code if council else None
        rows = interventions.list_interventions(session=session, council_code=code)
        for r in rows:
            typer.echo(f"{r.id}\t{r.council_code}\t{r.kind}\t{r.start_date}..{r.end_date or ''}")
        typer.echo(f"{len(rows)} intervention(s).")

    _write(work)


@interventions_app.command("end")
def end_intervention(
    intervention_id: Annotated[int, typer.Argument(help="The intervention's id.")],
    on: Annotated[str, typer.Option(help="Its last day (YYYY-MM-DD).")],
) -> None:
    """End an intervention."""
    from workforce.pool import interventions

    try:
        end_date = date.fromisoformat(on)
    except ValueError:
        raise refused(ValueError("not a date (use YYYY-MM-DD)")) from None
    row = _write(
        lambda s, a: interventions.end_intervention(
            session=s, intervention_id=intervention_id, end_date=end_date, actor=a
        )
    )
    typer.echo(f"Intervention {row.id} ends on {row.end_date}.")


@requests_app.command("add")
def add_request(
    council: Annotated[str, typer.Argument(help="The council's DfE or ONS code.")],
    role: Annotated[str, typer.Option(help="The posts' role.")],
    start: Annotated[str, typer.Option(help="The first day (YYYY-MM-DD).")],
    weeks: Annotated[int, typer.Option(help="How many weeks.")],
    max_day_rate: Annotated[float, typer.Option(help="The most a day, in pounds.")],
    reason: Annotated[str, typer.Option(help="Why the council needs the posts.")],
    posts: Annotated[int, typer.Option(help="How many posts.")] = 1,
    onsite_days: Annotated[int, typer.Option(help="Days a week on site (0: remote).")] = 3,
    required: Annotated[list[str] | None, typer.Option(help="A required specialism.")] = None,
    preferred: Annotated[list[str] | None, typer.Option(help="A preferred specialism.")] = None,
    grade_flex: Annotated[bool, typer.Option(help="A grade up or down allowed.")] = False,
) -> None:
    """Record a council's request for pool staff."""
    from workforce.pool import service
    from workforce.pool.models import RequestCreate

    new = _checked(
        RequestCreate,
        role=role,
        grade_flex=grade_flex,
        posts=posts,
        required=required or [],
        preferred=preferred or [],
        start_date=start,
        weeks=weeks,
        onsite_days=onsite_days,
        max_day_rate=max_day_rate,
        reason=reason,
    )
    row = _write(
        lambda s, a: service.create_request(session=s, council_code=council, new=new, actor=a)
    )
    typer.echo(f"Request {row.id}: {row.posts} post(s), {row.start_date}..{row.end_date}.")


@requests_app.command("list")
def list_requests(
    council: Annotated[str | None, typer.Option(help="Only this council's.")] = None,
    status: Annotated[str | None, typer.Option(help="open, filled or withdrawn.")] = None,
) -> None:
    """List requests, newest first, with their tier today."""
    from workforce.pool import service
    from workforce.pool.models import RequestStatus

    try:
        wanted = RequestStatus(status) if status else None
    except ValueError:
        raise refused(ValueError("the status is open, filled or withdrawn")) from None

    def work(session: Any, _actor: Any) -> None:
        from workforce.councils.service import find_council

        code = find_council(session=session, code=council).code if council else None
        rows = service.list_requests(session=session, council_code=code, status=wanted)
        for r in service.requests_public(session=session, requests=rows):
            typer.echo(
                f"{r.id}\t{r.council_code}\ttier {int(r.tier)}\t{r.status}\t{r.posts} x "
                f"{r.role}\t{r.start_date}..{r.end_date}"
            )
        typer.echo(f"{len(rows)} request(s).")

    _write(work)


@requests_app.command("withdraw")
def withdraw_request(request_id: Annotated[int, typer.Argument(help="The request's id.")]) -> None:
    """Withdraw an open request."""
    from workforce.pool import service

    _write(lambda s, a: service.withdraw_request(session=s, request_id=request_id, actor=a))
    typer.echo(f"Request {request_id} withdrawn.")


@requests_app.command("raise-tier")
def raise_tier(
    request_id: Annotated[int, typer.Argument(help="The request's id.")],
    tier: Annotated[int, typer.Option(help="The tier to raise it to (1 first).")],
    reason: Annotated[str, typer.Option(help="Why.")],
) -> None:
    """Raise a request's priority tier, with the reason."""
    from workforce.pool import service
    from workforce.pool.models import TierRaise

    change = _checked(TierRaise, tier=tier, reason=reason)
    row = _write(
        lambda s, a: service.raise_tier(session=s, request_id=request_id, change=change, actor=a)
    )
    typer.echo(f"Request {row.id} raised to tier {row.tier_raised_to}.")

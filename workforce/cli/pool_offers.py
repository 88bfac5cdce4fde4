"""``workforce pool`` commands: offers (list, make, answer, withdraw, expire), placements
(list, extend, end) and the pool's report.

A thin layer over :mod:`workforce.pool.offers`, :mod:`workforce.pool.answers`,
:mod:`workforce.pool.placements` and :mod:`workforce.pool.reporting`: each
write is one transaction as the command line's actor (audited), and a refusal lists every
problem and changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from workforce.cli.base import refused, require_current_schema
from workforce.cli.pool import pool_app

offers_app = typer.Typer(help="Offers of pool workers to councils.", no_args_is_help=True)
placements_app = typer.Typer(help="Pool workers placed with councils.", no_args_is_help=True)
pool_app.add_typer(offers_app, name="offers")
pool_app.add_typer(placements_app, name="placements")


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


def _offer_line(o: Any) -> str:
    answers = f"worker {o.worker_answer or '-'}, council {o.council_answer or '-'}"
    return (
        f"Offer {o.id}: worker {o.worker_id} for request {o.request_id}, "
        f"{o.start_date}..{o.end_date} at {o.day_rate:g} a day; {o.status} ({answers}); "
        f"answer by {o.expires_at:%Y-%m-%d %H:%M}"
    )


def _placement_line(p: Any) -> str:
    extra = f"; planned to end {p.planned_end}" if p.planned_end != p.end_date else ""
    early = f"; ended early: {p.ended_early_reason}" if p.ended_early_reason else ""
    return (
        f"Placement {p.id}: worker {p.worker_id} with council {p.council_code}, "
        f"{p.start_date}..{p.end_date} at {p.day_rate:g} a day{extra}{early}"
    )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise refused(ValueError(f"not a date: {value!r} (use YYYY-MM-DD)")) from None


# --- offers ----------------------------------------------------------------------------------


@offers_app.command("list")
def list_offers(
    status: Annotated[
        str | None, typer.Option(help="Only offers open, accepted, declined, expired, withdrawn.")
    ] = None,
    request: Annotated[int | None, typer.Option(help="Only this request's offers.")] = None,
) -> None:
    """List offers, newest first."""
    from workforce.db import session_scope
    from workforce.pool import offers
    from workforce.pool.models import OfferStatus

    try:
        chosen = OfferStatus(status) if status else None
    except ValueError:
        raise refused(
            ValueError("the status is one of " + ", ".join(s.value for s in OfferStatus))
        ) from None
    require_current_schema()
    with session_scope() as session:
        rows = offers.list_offers(session=session, status=chosen, request_id=request)
    for row in rows:
        typer.echo(_offer_line(row))
    if not rows:
        typer.echo("No offers.")


@offers_app.command("make")
def make_offer(
    request_id: Annotated[int, typer.Argument(help="The request.")],
    worker_id: Annotated[int, typer.Argument(help="The pool worker.")],
    proposal: Annotated[
        int | None, typer.Option(help="The match run's proposal this offer comes from.")
    ] = None,
    days: Annotated[int, typer.Option(help="Days to answer before the offer expires.")] = 5,
) -> None:
    """Offer a worker for a request (the request's dates, the worker's day rate)."""
    from workforce.pool import offers
    from workforce.pool.models import OfferCreate

    new = _checked(
        OfferCreate,
        request_id=request_id,
        worker_id=worker_id,
        proposal_id=proposal,
        days_to_answer=days,
    )
    row = _write(lambda s, a: offers.make_offer(session=s, new=new, actor=a))
    typer.echo(_offer_line(row))


@offers_app.command("answer")
def answer(
    offer_id: Annotated[int, typer.Argument(help="The offer.")],
    reply: Annotated[str, typer.Argument(help="accepted or declined.")],
    party: Annotated[
        str, typer.Option("--as", help="Whose answer: worker (through you) or council.")
    ],
) -> None:
    """Record the worker's or the council's answer; both accepting makes the placement."""
    from workforce.pool import answers

    given = _checked(answers.OfferAnswer, party=party, answer=reply)
    record = (
        answers.answer_for_worker
        if given.party is answers.Party.worker
        else answers.answer_for_council
    )
    row = _write(lambda s, a: record(session=s, offer_id=offer_id, answer=given.answer, actor=a))
    typer.echo(_offer_line(row))


@offers_app.command("withdraw")
def withdraw(
    offer_id: Annotated[int, typer.Argument(help="The open offer.")],
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")] = "",
) -> None:
    """Withdraw an open offer, releasing the worker."""
    from workforce.pool import answers

    row = _write(
        lambda s, a: answers.withdraw_offer(session=s, offer_id=offer_id, actor=a, reason=reason)
    )
    typer.echo(_offer_line(row))


@offers_app.command("expire")
def expire() -> None:
    """Expire every open offer past its time to answer now (as job pool_housekeeping does)."""
    from workforce.pool import answers
    from workforce.timeutils import utcnow

    rows = _write(lambda s, a: answers.expire_offers(session=s, on=utcnow(), actor=a))
    for row in rows:
        typer.echo(_offer_line(row))
    typer.echo(f"{len(rows)} offer(s) expired.")


# --- placements ------------------------------------------------------------------------------


@placements_app.command("list")
def list_placements(
    current: Annotated[bool, typer.Option(help="Only placements not yet ended.")] = False,
) -> None:
    """List placements by start."""
    from workforce.db import session_scope
    from workforce.pool import placements
    from workforce.timeutils import utcnow

    require_current_schema()
    with session_scope() as session:
        rows = placements.list_placements(
            session=session, current_on=utcnow().date() if current else None
        )
    for row in rows:
        typer.echo(_placement_line(row))
    if not rows:
        typer.echo("No placements.")


@placements_app.command("extend")
def extend(
    placement_id: Annotated[int, typer.Argument(help="The placement.")],
    to: Annotated[str, typer.Option("--to", help="The new last day (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option(help="Why it is extended.")],
) -> None:
    """Extend a placement to a later last day."""
    from workforce.pool import placements

    given = _checked(placements.PlacementExtension, new_end=to, reason=reason)
    row = _write(
        lambda s, a: placements.extend_placement(
            session=s,
            placement_id=placement_id,
            new_end=given.new_end,
            reason=given.reason,
            actor=a,
        )
    )
    typer.echo(_placement_line(row))


@placements_app.command("end")
def end(
    placement_id: Annotated[int, typer.Argument(help="The placement.")],
    on: Annotated[str, typer.Option(help="Its last day (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option(help="Why it ends early.")],
) -> None:
    """End a placement early, with the reason."""
    from workforce.pool import placements

    given = _checked(placements.PlacementEnd, on=on, reason=reason)
    row = _write(
        lambda s, a: placements.end_placement_early(
            session=s, placement_id=placement_id, on=given.on, reason=given.reason, actor=a
        )
    )
    typer.echo(_placement_line(row))


# --- the report -------------------------------------------------------------------------------


@pool_app.command("report")
def report(
    section: Annotated[
        str | None,
        typer.Option(
            help="Only this part: fill_rate, time_to_placement, unfilled, capacity, ending_soon."
        ),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Write the part(s) as CSV.")] = False,
    on: Annotated[str | None, typer.Option(help="As on this day (default: today).")] = None,
) -> None:
    """The pool's report: fill rate by tier and region, days to placement, unfilled posts and
    why, capacity by role and specialism, placements ending within 28 days."""
    from workforce.db import session_scope
    from workforce.errors import InputDataError
    from workforce.pool import reporting
    from workforce.timeutils import utcnow

    day = _day(on) if on else utcnow().date()
    names = [section] if section else list(reporting.SECTIONS)
    require_current_schema()
    try:
        with session_scope() as session:
            for name in names:
                if csv:
                    if len(names) > 1:
                        typer.echo(f"# {name}")
                    typer.echo(
                        reporting.section_csv(session=session, section=name, on=day), nl=False
                    )
                    continue
                rows = reporting.report_section(session=session, section=name, on=day)
                typer.echo(f"{name.replace('_', ' ').capitalize()}:")
                for row in rows:
                    typer.echo("  " + ", ".join(f"{k} {v}" for k, v in row.items()))
                if not rows:
                    typer.echo("  (none)")
    except InputDataError as exc:
        raise refused(exc) from None

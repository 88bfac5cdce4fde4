"""``workforce kitemark``: apply, assess, sample, check-file, decide, review and status.

A thin layer over :mod:`workforce.agencies.flows` and :mod:`workforce.agencies.sampling`:
each command reads or writes through them, as the command line's actor (audited); a
refusal lists every problem and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated

import typer

from workforce.cli.base import refused, require_current_schema

if TYPE_CHECKING:
    from sqlmodel import Session

kitemark_app = typer.Typer(
    help="The agency kite-mark: applications, assessments, file audits, decisions, review.",
    no_args_is_help=True,
)

_CHECKS = "identity, right_to_work, registration, qualifications, employment_history, " + (
    "references, criminal_record_check"
)


def _print_results(session: Session, assessment_id: int) -> None:
    from workforce.agencies import flows

    for r in flows.results_of(session=session, assessment_id=assessment_id):
        typer.echo(f"  {r.criterion_key}: {r.result} - {r.detail}")


@kitemark_app.command("apply")
def apply(
    agency_id: Annotated[int, typer.Argument(help="The agency's id (`workforce agencies list`).")],
    period_from: Annotated[str, typer.Option("--from", help="First day of the period.")],
    period_to: Annotated[str, typer.Option("--to", help="Last day of the period.")],
) -> None:
    """Record an agency's application for the kite-mark over a period."""
    from workforce.agencies import flows
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    try:
        start, end = date.fromisoformat(period_from), date.fromisoformat(period_to)
    except ValueError:
        raise refused(ValueError("not a date (use YYYY-MM-DD)")) from None
    try:
        with session_scope() as session:
            row = flows.apply(
                session=session,
                agency_id=agency_id,
                period_start=start,
                period_end=end,
                actor=Actor.cli(),
            )
            typer.echo(f"Application {row.id}: agency {agency_id}, {start}..{end}.")
    except (InputDataError, NotFoundError) as exc:
        raise refused(exc) from None


@kitemark_app.command("assess")
def assess(
    application_id: Annotated[
        int | None,
        typer.Argument(
            help="Start a new assessment of this application (refused while one is undecided)."
        ),
    ] = None,
    assessment: Annotated[
        int | None,
        typer.Option(help="Work out an undecided assessment's results again (after checks)."),
    ] = None,
) -> None:
    """Assess against the current criteria and show each criterion's result and figures."""
    from workforce.agencies import flows
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    if (application_id is None) == (assessment is None):
        raise refused(ValueError("give an APPLICATION_ID or --assessment, not both or neither"))
    actor = Actor.cli()
    try:
        with session_scope() as session:
            if assessment is None:
                assert application_id is not None
                row = flows.start_assessment(
                    session=session, application_id=application_id, actor=actor
                )
                assert row.id is not None
                assessment = row.id
            flows.assess(session=session, assessment_id=assessment, actor=actor)
            typer.echo(f"Assessment {assessment}:")
            _print_results(session, assessment)
    except (InputDataError, NotFoundError) as exc:
        raise refused(exc) from None


@kitemark_app.command("sample")
def sample(
    assessment_id: Annotated[int, typer.Argument(help="The assessment to draw the sample for.")],
    seed: Annotated[
        int | None, typer.Option(help="Draw with this seed (default: a new random one).")
    ] = None,
    redraw: Annotated[
        bool, typer.Option(help="Draw the stored sample again from its seed and compare.")
    ] = False,
) -> None:
    """Draw the audit sample of placed workers (size rule and seed recorded), or redraw it."""
    from workforce.agencies import sampling
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    try:
        with session_scope() as session:
            held = sampling.sample_of(session=session, assessment_id=assessment_id)
            if redraw:
                if held is None or held.id is None:
                    raise NotFoundError(f"assessment {assessment_id} has no sample yet")
                again = sampling.redraw(session=session, sample_id=held.id)
                typer.echo(
                    f"Sample {held.id} redrawn with seed {held.seed}: population "
                    f"{'unchanged' if again.same_population else 'changed'}, sample "
                    f"{'the same' if again.same_sample else 'different'}."
                )
                return
            row = sampling.draw_sample(
                session=session, assessment_id=assessment_id, actor=Actor.cli(), seed=seed
            )
            assert row.id is not None
            typer.echo(
                f"Sample {row.id}: {row.size} of {row.population} workers, seed {row.seed}, "
                f"population digest {row.population_digest}. Rule: {row.rule}."
            )
            for f in sampling.files_of(session=session, sample_id=row.id):
                typer.echo(f"  {f.position}. {f.swe_number}")
    except (InputDataError, NotFoundError) as exc:
        raise refused(exc) from None


@kitemark_app.command("check-file")
def check_file(
    sample_id: Annotated[int, typer.Argument(help="The audit sample.")],
    swe_number: Annotated[str, typer.Argument(help="The sampled worker's SWE number.")],
    passed: Annotated[
        list[str] | None, typer.Option("--pass", help=f"A check passed ({_CHECKS}); repeat.")
    ] = None,
    failed: Annotated[
        list[str] | None, typer.Option("--fail", help="A check not passed; repeat.")
    ] = None,
    notes: Annotated[str, typer.Option(help="What the assessor noted.")] = "",
) -> None:
    """Record an assessor's checks of one sampled worker's file."""
    from workforce.agencies import sampling
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    checks = {**dict.fromkeys(passed or [], True), **dict.fromkeys(failed or [], False)}
    try:
        with session_scope() as session:
            row = sampling.record_checks(
                session=session,
                sample_id=sample_id,
                swe_number=swe_number,
                checks=checks,
                actor=Actor.cli(),
                notes=notes,
            )
            state = (
                "passed"
                if sampling.file_passes(row)
                else "not passed"
                if sampling.file_checked(row)
                else "checks still to record"
            )
            typer.echo(f"File {row.position} of sample {sample_id}: {state}.")
    except (InputDataError, NotFoundError) as exc:
        raise refused(exc) from None


@kitemark_app.command("decide")
def decide(
    assessment_id: Annotated[int, typer.Argument(help="The assessed assessment.")],
    outcome: Annotated[
        str | None,
        typer.Option(help="pass, pass_requires_improvement or fail (default: as proposed)."),
    ] = None,
    reason: Annotated[str, typer.Option(help="The assessor's reasons.")] = "",
    action: Annotated[
        list[str] | None, typer.Option(help="An action required (requires improvement).")
    ] = None,
    deadline: Annotated[
        str | None, typer.Option(help="The actions' deadline (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Decide an assessment; a pass awards the kite-mark for 12 months."""
    from workforce.agencies import flows
    from workforce.agencies import status as kitemark_status
    from workforce.agencies.models import Outcome
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.errors import InputDataError, NotFoundError

    require_current_schema()
    try:
        chosen = Outcome(outcome) if outcome else None
        due = date.fromisoformat(deadline) if deadline else None
    except ValueError:
        raise refused(
            ValueError(
                "outcome is pass, pass_requires_improvement or fail; a deadline is YYYY-MM-DD"
            )
        ) from None
    try:
        with session_scope() as session:
            row = flows.decide(
                session=session,
                assessment_id=assessment_id,
                actor=Actor.cli(),
                outcome=chosen,
                reasons=reason,
                actions="; ".join(action or []),
                deadline=due,
            )
            held = kitemark_status.current_status(session=session, agency_id=row.agency_id)
            typer.echo(f"Assessment {assessment_id}: {row.outcome}. {row.reasons}")
            if row.actions:
                typer.echo(f"Actions by {row.action_deadline}: {row.actions}")
            typer.echo(
                f"Agency {row.agency_id}: "
                + (
                    f"{held.status}" + (f" until {held.valid_until}" if held.valid_until else "")
                    if held
                    else "no kite-mark"
                )
            )
    except (InputDataError, NotFoundError) as exc:
        raise refused(exc) from None


@kitemark_app.command("review")
def review(
    agency: Annotated[
        int | None, typer.Option(help="Review only this agency (default: every holder).")
    ] = None,
) -> None:
    """Review holders now, as the daily job does: recompute the measured criteria over the
    last 12 months; put under review, suspend or expire."""
    from workforce.agencies import review as kitemark_review
    from workforce.auth.audit import Actor
    from workforce.db import session_scope
    from workforce.timeutils import utcnow

    require_current_schema()
    now, actor = utcnow(), Actor.cli()
    report = kitemark_review.ReviewReport()
    with session_scope() as session:
        ids = [agency] if agency is not None else kitemark_review.holders(session=session, on=now)
        for agency_id in ids:
            kitemark_review.review_agency(
                session=session, agency_id=agency_id, actor=actor, on=now, report=report
            )
        for change in report.changes:
            typer.echo(f"Agency {change.agency_id}: {change.status}. {change.reason}")
    typer.echo(report.summary())


@kitemark_app.command("status")
def status(
    agency_id: Annotated[int, typer.Argument(help="The agency's id.")],
    on: Annotated[str | None, typer.Option(help="As it was on this day (YYYY-MM-DD).")] = None,
) -> None:
    """An agency's kite-mark status (now, or at the end of a day) and its history."""
    from workforce.agencies import status as kitemark_status
    from workforce.db import session_scope

    try:
        moment = datetime.combine(date.fromisoformat(on), time.max, tzinfo=UTC) if on else None
    except ValueError:
        raise refused(ValueError("not a date (use YYYY-MM-DD)")) from None
    with session_scope() as session:
        held = kitemark_status.current_status(session=session, agency_id=agency_id, on=moment)
        if held is None:
            typer.echo(f"Agency {agency_id}: no kite-mark status.")
        else:
            until = f" until {held.valid_until}" if held.valid_until else ""
            typer.echo(f"Agency {agency_id}: {held.status}{until} ({held.reason})")
        for change in kitemark_status.history(session=session, agency_id=agency_id):
            typer.echo(
                f"  {change.effective_at:%Y-%m-%d %H:%M} {change.status} by "
                f"{change.decided_by}: {change.reason}"
            )

"""The demonstration's kite-mark registry: three made-up agencies (their legal names say
"(demo)"), assessed through the ordinary flows so that one passes, one passes but requires
improvement and one fails, each for reasons its register page states with the figures.

Called by ``workforce demo`` after the MoU demo (:mod:`workforce.mou.demo`), whose made-up
returns name "Made-up Agency A (demo)" and "Made-up Agency B (demo)"; the agencies here are
registered under those names, so councils' assignments match them as any others do
(:func:`workforce.agencies.matching.match_names`). "Made-up Agency C (demo)" and the
made-up project team stay unregistered: they are the unmatched-names queue's examples.

- **Made-up Agency A (demo) Ltd**: only the MoU demo's assignments, among them a worker
  engaged within London's cooling-off period, one under 3 years qualified and one above the
  West Midlands cap without sign-off; 4 of its 10 sampled files fail. It fails.
- **Made-up Agency B (demo) Ltd**: the MoU demo's assignments (one of them above the cap
  without sign-off) and 9 more, within the cap, in a made-up Islington return; 2 of 10
  sampled files lack the references. It passes but requires improvement, with actions and a
  deadline.
- **Made-up Agency D (demo) Ltd**: 12 assignments in the made-up Islington return, within
  the cap, experienced, stable; every sampled file complete. It passes.

The made-up Islington return (``MADE-UP-demo-quarterly-206-2025-12-31.csv``) is taken in
through the same ingest as any upload and London is assessed again, so its findings cover
it. Safe to repeat: once the three agencies are on the register nothing is changed. Never
in production (no made-up data there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workforce.agencies import criteria as crit
from workforce.agencies import flows, matching, registration, sampling
from workforce.agencies.models import Agency, AgencyName, Assessment, Outcome
from workforce.agencies.names import normalise
from workforce.auth.audit import Actor
from workforce.mou.demo_files import DemoAssignment, demo_file_name, demo_files
from workforce.mou.drafts import add_months
from workforce.returns.models import CouncilReturn, ReturnKind, ReturnStatus
from workforce.timeutils import utcnow

PERIOD_START = date(2025, 10, 1)  # the quarter the made-up returns cover
PERIOD_END = date(2025, 12, 31)
COUNCIL = "206"  # Islington, London: no MoU demo return of its own
LONDON = "London"
ACTION_MONTHS = 3  # requires improvement: the actions' deadline after the decision

AGENCY_A = "Made-up Agency A (demo) Ltd"
AGENCY_B = "Made-up Agency B (demo) Ltd"
AGENCY_D = "Made-up Agency D (demo) Ltd"
TRADING_D = "Made-up Locums D (demo)"


@dataclass(frozen=True)
class DemoAgency:
    legal_name: str
    trading_names: tuple[str, ...]
    seed: int  # the audit sample's recorded seed
    failing_files: int  # how many sampled files (the first drawn) fail checks
    failed_checks: tuple[str, ...]
    note: str
    reason: str


AGENCIES = (
    DemoAgency(
        AGENCY_A,
        (),
        20251231,
        4,
        ("employment_history", "references"),
        "made-up: gaps in employment history unexplained; one reference not practice-based",
        "Made-up demonstration. Fails: a worker placed within a cooling-off period, "
        "assignments above the cap without sign-off and incomplete worker files.",
    ),
    DemoAgency(
        AGENCY_B,
        (),
        20260102,
        2,
        ("references",),
        "made-up: the second reference is not on the standard template",
        "Made-up demonstration. Requires improvement: an assignment above the cap without "
        "sign-off and two incomplete worker files.",
    ),
    DemoAgency(
        AGENCY_D,
        (TRADING_D,),
        20260103,
        0,
        (),
        "",
        "Made-up demonstration. Passes: every criterion met.",
    ),
)


def _islington() -> list[DemoAssignment]:
    """The made-up Islington return: Agency D's 12 assignments (a few under its trading
    name) and 9 more of Agency B's, all within London's cap."""
    rows = [
        DemoAssignment(
            "social_worker",
            f"SW9008{n:02d}",
            f"2025-{10 + n % 3}-{1 + 2 * n:02d}",
            22.50,
            qualified="2014-07-01",
            agency=TRADING_D if n % 4 == 0 else "Made-up Agency D (demo)",
        )
        for n in range(1, 13)
    ]
    rows += [
        DemoAssignment(
            "social_worker",
            f"SW9009{n:02d}",
            f"2025-{10 + n % 3}-{2 + 2 * n:02d}",
            22.00,
            qualified="2016-07-01",
            agency="Made-up Agency B (demo)",
        )
        for n in range(1, 10)
    ]
    return rows


def _agency_named(session: Session, legal_name: str) -> Agency | None:
    held = session.exec(
        select(AgencyName).where(AgencyName.normalised == normalise(legal_name))
    ).first()
    return None if held is None else session.get(Agency, held.agency_id)


def _taken(session: Session) -> bool:
    return (
        session.exec(
            select(CouncilReturn.id).where(
                CouncilReturn.council_code == COUNCIL,
                CouncilReturn.kind == ReturnKind.quarterly,
                CouncilReturn.period_end == PERIOD_END,
                CouncilReturn.status == ReturnStatus.accepted,
            )
        ).first()
        is not None
    )


def _return(session: Session, actor: Actor) -> Iterator[str]:
    """Take in the made-up Islington return as any upload is, and assess London again."""
    from workforce.mou import flows as mou_flows
    from workforce.returns.flows import ingest
    from workforce.returns.reading import Upload

    if _taken(session):
        yield f"Kite-mark demo: council {COUNCIL} already has a return for {PERIOD_END}"
        return
    workforce, sheet = demo_files(COUNCIL, PERIOD_END, 2, _islington())
    name = demo_file_name(COUNCIL, PERIOD_END)
    session.commit()  # ingest begins its own write
    result = ingest(
        session=session,
        upload=Upload(workforce, name),
        assignments=Upload(sheet, name.replace("quarterly", "assignments")),
        council_code=COUNCIL,
        actor=actor,
        source="cli",
    )
    if not result.accepted:
        issues = "; ".join(str(i.get("message")) for i in result.council_return.issues[:3])
        yield f"Made-up return {name} was refused: {issues}"
        return
    session.commit()
    yield f"Made-up return {name} taken in for the kite-mark demo"
    summary = mou_flows.assess(session=session, group_name=LONDON, actor=actor)
    yield f"Assessed {summary.summary()}"


def _assess(session: Session, agency: Agency, spec: DemoAgency, actor: Actor) -> str:
    """Apply, draw the sample, record each file's checks, assess and decide."""
    assert agency.id is not None
    application = flows.apply(
        session=session,
        agency_id=agency.id,
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        actor=actor,
    )
    assert application.id is not None
    assessment = flows.start_assessment(session=session, application_id=application.id, actor=actor)
    assert assessment.id is not None
    sample = sampling.draw_sample(
        session=session, assessment_id=assessment.id, actor=actor, seed=spec.seed
    )
    assert sample.id is not None
    for f in sampling.files_of(session=session, sample_id=sample.id):
        failing = f.position <= spec.failing_files
        checks = {c: not (failing and c in spec.failed_checks) for c in sampling.CHECKS}
        sampling.record_checks(
            session=session,
            sample_id=sample.id,
            swe_number=f.swe_number,
            checks=checks,
            notes=spec.note if failing else "made-up: complete",
            actor=actor,
        )
    flows.assess(session=session, assessment_id=assessment.id, actor=actor)
    criteria = crit.criteria_of(session=session, version_id=assessment.criteria_version_id)
    proposed, _, _ = flows.proposed_outcome(
        criteria, flows.results_of(session=session, assessment_id=assessment.id)
    )
    decided = flows.decide(
        session=session,
        assessment_id=assessment.id,
        actor=actor,
        reasons=spec.reason,
        deadline=add_months(utcnow().date(), ACTION_MONTHS)
        if proposed is Outcome.requires_improvement
        else None,
    )
    return f"{agency.legal_name}: {decided.outcome}"


def seed(*, session: Session, actor: Actor, examples: bool = True) -> Iterator[str]:
    """The three made-up agencies, taken through assessment to their outcomes (only with
    ``examples``). Yields a line per step; safe to repeat."""
    if not examples:
        yield "No made-up kite-mark agencies in production."
        return
    if all(_agency_named(session, spec.legal_name) is not None for spec in AGENCIES):
        yield "Kite-mark demo: the three made-up agencies are on the register (unchanged)"
        return
    yield from _return(session, actor)
    for spec in AGENCIES:
        if _agency_named(session, spec.legal_name) is None:
            registration.register_agency(
                session=session,
                actor=actor,
                legal_name=spec.legal_name,
                trading_names=list(spec.trading_names),
                contact_name="Made-up contact (demo)",
                contact_email="kitemark-demo@example.org",
                pay_routes=["paye", "umbrella", "limited_company"],
                is_example=True,
            )
    run = matching.match_names(session=session, actor=actor)
    yield (
        f"Agency names in returns matched: {len(run.matched)} new, "
        f"{len(run.unknown) + len(run.ambiguous)} left for a kite-mark admin"
    )
    for spec in AGENCIES:
        agency = _agency_named(session, spec.legal_name)
        assert agency is not None and agency.id is not None
        assessed = session.exec(
            select(Assessment.id).where(col(Assessment.agency_id) == agency.id)
        ).first()
        if assessed is None:
            yield _assess(session, agency, spec, actor)
    session.commit()


def run(*, actor: Actor, echo: Callable[[str], object]) -> None:
    """``workforce demo``'s step: seed in its own transaction, only outside production."""
    from workforce.config import get_settings
    from workforce.db import session_scope

    examples = get_settings().environment != "production"
    with session_scope() as session:
        for line in seed(session=session, actor=actor, examples=examples):
            echo(line)

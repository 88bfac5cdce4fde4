"""A group's assessment: every accepted agency assignment of its member councils checked
against the DfE agency rules and the group's MoU, the findings stored.

``assess`` loads the group's assignments, caps, on-cost rates and census leavers in a few
bulk queries, judges each assignment in memory (caps and on-costs matched by bisecting
their sorted effective-from days, never a query per row) and upserts one ``MouFinding``
per (group, assignment, rule): a finding found again keeps its ``first_found_at`` and gets
a new ``last_found_at``; a finding no longer found is deleted.

Which assignments: those in the council's accepted quarterly returns, of a council that
was a member of the group on the assignment's start date. An assignment that started
before the group's ``rules_from`` is transitional: what would be a breach is recorded with
the status ``transitional``, never ``breach``.

The rules and their exact definitions: :mod:`workforce.mou.rules`; the findings in
words: :mod:`workforce.mou.drafts`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.mou import caps as cap_service
from workforce.mou import service
from workforce.mou.drafts import (
    Draft,
    cap_drafts,
    other_drafts,
)
from workforce.mou.models import (
    MouFinding,
    MouGroup,
    MouGroupCouncil,
    OnCostRate,
    PayRoute,
    RateCap,
    RoleCategory,
)
from workforce.mou.rules import (
    AssignmentFacts,
    CapPoint,
    OnCostPoint,
    Schedule,
    build_schedule,
    judge_caps,
    not_judged_on_pay,
)
from workforce.returns.models import (
    AgencyAssignment,
    CensusWorker,
    CouncilReturn,
    ReturnKind,
    ReturnStatus,
)
from workforce.timeutils import utcnow

# --- loading in bulk ---------------------------------------------------------------------------


def _member_on(memberships: dict[str, list[MouGroupCouncil]], code: str, day: date) -> bool:
    return any(service.is_member_on(m, day) for m in memberships.get(code, ()))


def load_assignments(*, session: Session, council_codes: Sequence[str]) -> list[AssignmentFacts]:
    """Every agency assignment in the accepted quarterly returns of ``council_codes``, once.

    A continuing assignment is listed again in each quarter's return; it is judged once,
    as the latest return (by quarter, then version) describes it, since that one knows its
    end date, notice and any sign-off given since.
    """
    if not council_codes:
        return []
    rows = session.exec(
        select(AgencyAssignment, col(CouncilReturn.period_end), col(CouncilReturn.version))
        .join(CouncilReturn, col(CouncilReturn.id) == col(AgencyAssignment.return_id))
        .where(
            CouncilReturn.status == ReturnStatus.accepted,
            CouncilReturn.kind == ReturnKind.quarterly,
            col(CouncilReturn.council_code).in_(list(council_codes)),
        )
        .order_by(col(AgencyAssignment.id))
    ).all()
    latest: dict[tuple[str, str, str, date], tuple[tuple[date, int, int], AssignmentFacts]] = {}
    for row, period_end, version in rows:
        facts = AssignmentFacts.of(row)
        rank = (period_end or date.min, version, facts.id)
        held = latest.get(facts.identity)
        if held is None or rank > held[0]:
            latest[facts.identity] = (rank, facts)
    return sorted((facts for _, facts in latest.values()), key=lambda f: f.id)


def _finding_identities(
    *, session: Session, findings: Sequence[MouFinding]
) -> dict[int, tuple[str, str, str, date]]:
    """The assignment identity behind each stored finding, by assignment id."""
    ids = sorted({f.assignment_id for f in findings})
    identities: dict[int, tuple[str, str, str, date]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for row in session.exec(
            select(AgencyAssignment).where(col(AgencyAssignment.id).in_(chunk))
        ):
            facts = AssignmentFacts.of(row)
            identities[facts.id] = facts.identity
    return identities


def load_leavers(
    *, session: Session, memberships: dict[str, list[MouGroupCouncil]]
) -> dict[str, list[tuple[date, str]]]:
    """Permanent leavers in the accepted census returns of councils that were members of
    the group on the day they left: SWE number -> sorted (day left, council)."""
    if not memberships:
        return {}
    rows = session.exec(
        select(
            col(CensusWorker.swe_number),
            col(CensusWorker.role_end_date),
            col(CouncilReturn.council_code),
        )
        .join(CouncilReturn, col(CouncilReturn.id) == col(CensusWorker.return_id))
        .where(
            CouncilReturn.status == ReturnStatus.accepted,
            CouncilReturn.kind == ReturnKind.census,
            col(CouncilReturn.council_code).in_(list(memberships)),
            col(CensusWorker.agency_worker).is_(False),
            col(CensusWorker.role_end_date).is_not(None),
        )
    ).all()
    found: dict[str, set[tuple[date, str]]] = defaultdict(set)
    for swe, left_on, council in rows:
        if swe and left_on is not None and _member_on(memberships, council, left_on):
            found[swe.strip().upper()].add((left_on, council))
    return {swe: sorted(days) for swe, days in found.items()}


def load_schedule(*, session: Session, group_name: str) -> Schedule:
    caps = cap_service.caps(session=session, group_name=group_name)
    rates = cap_service.on_cost_rates(session=session)
    return build_schedule(
        ((RoleCategory(c.role_category), cap_point(c)) for c in caps),
        ((PayRoute(r.pay_route), on_cost_point(r)) for r in rates),
    )


def cap_point(cap: RateCap) -> CapPoint:
    return CapPoint(cap.effective_from, cap.hourly_cap, cap.is_example)


def on_cost_point(rate: OnCostRate) -> OnCostPoint:
    return OnCostPoint(rate.effective_from, rate.employer_ni, rate.apprenticeship_levy, rate.other)


# --- the assessment ---------------------------------------------------------------------------


@dataclass
class AssessmentSummary:
    """What an assessment of a group found."""

    group_name: str
    assignments: int = 0
    findings: int = 0
    new: int = 0
    found_again: int = 0
    removed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(self.by_rule.items())) or "none"
        return (
            f"{self.group_name}: {self.assignments} assignments assessed, {self.findings} "
            f"findings ({self.new} new, {self.found_again} found again, {self.removed} no longer "
            f"found); by rule: {rules}"
        )


def judge(
    *,
    group: MouGroup,
    assignments: Sequence[AssignmentFacts],
    schedule: Schedule,
    leavers: dict[str, list[tuple[date, str]]],
) -> list[Draft]:
    """Every rule's findings on ``assignments`` (already only the members'), in memory."""
    return cap_drafts(
        judge_caps(assignments, schedule),
        not_judged_on_pay(assignments, schedule),
        group.rules_from,
    ) + other_drafts(assignments, group.rules_from, leavers, group.cooling_off_months)


def assess(*, session: Session, group_name: str, actor: Actor) -> AssessmentSummary:
    """Check every accepted assignment of the group's member councils against the rules
    and store the findings (see the module docstring for the rules)."""
    service.lock_for_writing(session=session, group_name=group_name, what="the assessment")
    group = service.get_group(session=session, group_name=group_name)
    by_council: dict[str, list[MouGroupCouncil]] = defaultdict(list)
    for m in service.memberships(session=session, group_name=group.name):
        by_council[m.council_code].append(m)
    assignments = [
        a
        for a in load_assignments(session=session, council_codes=sorted(by_council))
        if _member_on(by_council, a.council_code, a.start_date)
    ]
    drafts = judge(
        group=group,
        assignments=assignments,
        schedule=load_schedule(session=session, group_name=group.name),
        leavers=load_leavers(session=session, memberships=by_council),
    )

    now = utcnow()
    # A finding is the same finding while its assignment is: found again on the assignment
    # as a later quarter's return lists it, it keeps its first_found_at.
    stored = list(session.exec(select(MouFinding).where(MouFinding.group_name == group.name)))
    identities = _finding_identities(session=session, findings=stored)
    existing = {(identities[f.assignment_id], f.rule): f for f in stored}
    result = AssessmentSummary(group_name=group.name, assignments=len(assignments))
    seen: set[tuple[tuple[str, str, str, date], str]] = set()
    for d in drafts:
        a = d.assignment
        key = (a.identity, d.rule)
        seen.add(key)
        values: dict[str, Any] = {
            "assignment_id": a.id,
            "return_id": a.return_id,
            "council_code": a.council_code,
            "agency_name": a.agency_name[:200],
            "status": d.status,
            "role_category": d.role_category,
            "start_date": a.start_date,
            "comparable_rate": d.comparable_rate,
            "cap": d.cap,
            "cap_effective_from": d.cap_effective_from,
            "excess": d.excess,
            "excess_share": d.excess_share,
            "derivation": d.derivation[:500],
            "message": d.message[:1000],
            "last_found_at": now,
        }
        finding = existing.get(key)
        if finding is None:
            session.add(
                MouFinding(
                    group_name=group.name,
                    rule=d.rule,
                    first_found_at=now,
                    **values,
                )
            )
            result.new += 1
        else:
            for name, value in values.items():
                setattr(finding, name, value)
            session.add(finding)
            result.found_again += 1
    for key, finding in existing.items():
        if key not in seen:
            session.delete(finding)
            result.removed += 1
    result.findings = len(drafts)
    result.by_rule = dict(Counter(d.rule for d in drafts))
    result.by_status = dict(Counter(d.status.value for d in drafts))
    audit.record(
        session=session,
        actor=actor,
        action="assess",
        entity="mou_group",
        entity_id=group.name,
        summary=result.summary(),
        details={
            "assignments": result.assignments,
            "findings": result.findings,
            "new": result.new,
            "removed": result.removed,
            "by_rule": result.by_rule,
            "by_status": result.by_status,
        },
    )
    session.flush()
    return result

"""The kite-mark's measured and recorded figures, one function per criterion: each takes
the agency's assignments in the period (and, where the criterion needs them, the MoU
findings by assignment) and gives a :class:`Figure`, the numerator over the denominator in
words, with the assignments it is over and those it counts. The assembling for an agency
and a period, and the judging against the criteria, is :mod:`workforce.agencies.measures`.

The figures (each a share of its denominator):

- **registration**: distinct workers with a valid Social Work England number (``SW``
  followed by digits, not all zero; spaces and letter case aside, compared without leading
  zeros: ``SW012345`` is ``SW12345``) over distinct workers placed (an invalid or missing
  number is one worker per distinct text, an unnamed row one worker). Higher is better.
- **experience**: workers with an ``under_three_years_qualified`` breach over workers whose
  experience could be judged; workers with only ``not_assessable`` findings (no date
  qualified) are counted separately and left out.
- **rates**: assignments ``above_cap_without_sign_off`` over the covered assignments whose
  rate could be judged (capped roles, no ``above_cap`` not-assessable finding). The detail
  also gives the share above the cap (signed off or not), of those the share without
  sign-off, and project-team rows whose costs are not itemised.
- **cooling_off**: covered assignments with a ``cooling_off`` breach.
- **stability**: assignments that ended early by the worker's or the agency's doing
  (``worker_left``, ``agency_withdrew``), with a ``short_notice`` breach, or whose worker
  (same registration number) started at another agency within 3 months of the end, at a
  higher hourly pay; over every assignment.
- **complaints**: upheld complaints and incidents councils recorded about the agency,
  received in the period, per assignment; the detail gives how many had the agency's
  response.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from workforce.agencies import criteria as crit
from workforce.agencies.matching import matches_of
from workforce.agencies.models import Complaint
from workforce.agencies.names import normalise
from workforce.mou import rules
from workforce.mou.drafts import add_months
from workforce.mou.models import ROLE_GROUP_CATEGORY, FindingStatus
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnKind, ReturnStatus

POACHING_MONTHS = 3
AGENCY_SIDE_ENDINGS = frozenset({"worker_left", "agency_withdrew"})
_SWE = re.compile(r"^SW(\d+)$")


def swe_key(raw: str | None) -> str | None:
    """A valid Social Work England number in one form (``SW`` and the digits without
    leading zeros), or None when ``raw`` is not one."""
    text = "".join((raw or "").split()).upper()
    match = _SWE.match(text)
    if match is None or int(match.group(1)) == 0:
        return None
    return f"SW{int(match.group(1))}"


def worker_key(a: AgencyAssignment) -> str:
    """Who the worker is, for counting distinct workers: the valid number's one form, else
    the text as typed (spaces and case aside), else the row itself."""
    valid = swe_key(a.swe_number)
    if valid is not None:
        return valid
    text = "".join((a.swe_number or "").split()).upper()
    return f"invalid:{text}" if text else f"unnamed:{a.id}"


@dataclass
class Figure:
    """One criterion's figure: numerator over denominator, in words, with the assignments
    it is over and those it counts (the flagged ones)."""

    key: str
    numerator: int
    denominator: int
    detail: str
    assignment_ids: list[int] = field(default_factory=list)
    flagged_ids: list[int] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.denominator else None


def ids_of(rows: Iterable[AgencyAssignment]) -> list[int]:
    return sorted(a.id for a in rows if a.id is not None)


# --- the figures ----------------------------------------------------------------------------


def registration(assignments: Sequence[AgencyAssignment]) -> Figure:
    workers: dict[str, list[AgencyAssignment]] = defaultdict(list)
    for a in assignments:
        workers[worker_key(a)].append(a)
    invalid = {k: rows for k, rows in workers.items() if not k.startswith("SW")}
    unnamed = sum(1 for k in invalid if k.startswith("unnamed:"))
    return Figure(
        crit.REGISTRATION,
        len(workers) - len(invalid),
        len(workers),
        f"{len(workers)} distinct workers placed; {len(invalid)} without a valid Social Work "
        f"England number ({unnamed} with none).",
        ids_of(assignments),
        ids_of(a for rows in invalid.values() for a in rows),
    )


def experience(
    covered: Sequence[AgencyAssignment], findings: dict[int, dict[str, FindingStatus]]
) -> Figure:
    status_of: dict[str, list[FindingStatus | None]] = defaultdict(list)
    rows_of: dict[str, list[AgencyAssignment]] = defaultdict(list)
    for a in covered:
        assert a.id is not None
        key = worker_key(a)
        status_of[key].append(findings.get(a.id, {}).get(rules.UNDER_THREE_YEARS))
        rows_of[key].append(a)
    under = [k for k, s in status_of.items() if FindingStatus.breach in s]
    transitional = [
        k
        for k, s in status_of.items()
        if FindingStatus.transitional in s and FindingStatus.breach not in s
    ]
    unknown = [k for k, s in status_of.items() if all(x is FindingStatus.not_assessable for x in s)]
    judged = len(status_of) - len(unknown)
    return Figure(
        crit.EXPERIENCE,
        len(under),
        judged,
        f"{len(under)} of {judged} workers whose experience could be judged were under 3 "
        f"years post-qualified when placed; {len(unknown)} not assessable (no date "
        f"qualified) left out; {len(transitional)} more under 3 years before the rules "
        "applied (transitional, not counted).",
        ids_of(covered),
        ids_of(a for k in under for a in rows_of[k]),
    )


def rates(
    covered: Sequence[AgencyAssignment], findings: dict[int, dict[str, FindingStatus]]
) -> Figure:
    judged, above, without, transitional, not_itemised = [], [], [], [], []
    for a in covered:
        assert a.id is not None
        found = findings.get(a.id, {})
        if found.get(rules.PROJECT_NOT_ITEMISED) is FindingStatus.breach:
            not_itemised.append(a)
        if ROLE_GROUP_CATEGORY.get(a.role_group) is None:
            continue  # not capped
        if found.get(rules.ABOVE_CAP) is FindingStatus.not_assessable:
            continue
        judged.append(a)
        signed = found.get(rules.ABOVE_CAP_SIGNED_OFF)
        unsigned = found.get(rules.ABOVE_CAP_WITHOUT_SIGN_OFF)
        if FindingStatus.breach in (signed, unsigned):
            above.append(a)
            if unsigned is FindingStatus.breach:
                without.append(a)
        elif FindingStatus.transitional in (signed, unsigned):
            transitional.append(a)
    above_share = f"{len(above) / len(judged):.1%}" if judged else "n/a"
    without_share = f"{len(without) / len(above):.1%}" if above else "n/a"
    return Figure(
        crit.RATES,
        len(without),
        len(judged),
        f"{len(above)} of {len(judged)} assignments judged against a cap were above it "
        f"({above_share}); of those {len(without)} without sign-off ({without_share}); "
        f"{len(transitional)} above before the rules applied (transitional, not counted); "
        f"{len(not_itemised)} project-team rows with costs not itemised"
        + (
            f" (assignments {', '.join(str(i) for i in ids_of(not_itemised)[:20])})"
            if not_itemised
            else ""
        )
        + ".",
        ids_of(judged),
        ids_of(without),
    )


def cooling_off(
    covered: Sequence[AgencyAssignment], findings: dict[int, dict[str, FindingStatus]]
) -> Figure:
    breaches = [
        a
        for a in covered
        if a.id is not None
        and findings.get(a.id, {}).get(rules.COOLING_OFF) is FindingStatus.breach
    ]
    return Figure(
        crit.COOLING_OFF,
        len(breaches),
        len(covered),
        f"{len(breaches)} of {len(covered)} assignments started within a cooling-off period.",
        ids_of(covered),
        ids_of(breaches),
    )


def _moved_for_more_pay(
    *, session: Session, agency_id: int, ended: Sequence[AgencyAssignment]
) -> list[tuple[AgencyAssignment, AgencyAssignment]]:
    """Each ended assignment whose worker started at another agency within 3 months of its
    end at a higher hourly pay, with the later assignment."""
    ended = [a for a in ended if a.end_date is not None and swe_key(a.swe_number)]
    if not ended:
        return []
    own = {m.normalised_name for m in matches_of(session=session, agency_id=agency_id)}
    first = min(a.end_date for a in ended if a.end_date is not None)
    last = max(add_months(a.end_date, POACHING_MONTHS) for a in ended if a.end_date is not None)
    later: dict[str, list[AgencyAssignment]] = defaultdict(list)
    for row in session.exec(
        select(AgencyAssignment)
        .join(CouncilReturn, col(CouncilReturn.id) == col(AgencyAssignment.return_id))
        .where(
            CouncilReturn.status == ReturnStatus.accepted,
            CouncilReturn.kind == ReturnKind.quarterly,
            col(AgencyAssignment.start_date) >= first,
            col(AgencyAssignment.start_date) <= last,
        )
    ):
        key = swe_key(row.swe_number)
        if key and normalise(row.agency_name) not in own:
            later[key].append(row)
    moved = []
    for a in ended:
        assert a.end_date is not None
        until = add_months(a.end_date, POACHING_MONTHS)
        for b in sorted(later.get(swe_key(a.swe_number) or "", []), key=lambda r: r.start_date):
            if a.end_date <= b.start_date <= until and b.hourly_pay_rate > a.hourly_pay_rate:
                moved.append((a, b))
                break
    return moved


def stability(
    *,
    session: Session,
    agency_id: int,
    assignments: Sequence[AgencyAssignment],
    findings: dict[int, dict[str, FindingStatus]],
) -> Figure:
    early = [a for a in assignments if (a.early_end_reason or "") in AGENCY_SIDE_ENDINGS]
    short = [
        a
        for a in assignments
        if a.id is not None
        and findings.get(a.id, {}).get(rules.SHORT_NOTICE) is FindingStatus.breach
    ]
    moved = _moved_for_more_pay(session=session, agency_id=agency_id, ended=assignments)
    flagged = {a.id for a in early} | {a.id for a in short} | {a.id for a, _ in moved}
    return Figure(
        crit.STABILITY,
        len(flagged),
        len(assignments),
        f"{len(flagged)} of {len(assignments)} assignments unstable: {len(early)} ended early "
        f"by the worker or the agency, {len(short)} ended on short notice, {len(moved)} "
        f"followed within {POACHING_MONTHS} months by the same worker at another agency at a "
        "higher hourly pay"
        + (" (" + "; ".join(f"{a.id} then {b.id}" for a, b in moved[:20]) + ")" if moved else "")
        + ".",
        ids_of(assignments),
        sorted(i for i in flagged if i is not None),
    )


def complaints(
    *,
    session: Session,
    agency_id: int,
    start: date,
    end: date,
    assignments: Sequence[AgencyAssignment],
) -> Figure:
    rows = list(
        session.exec(
            select(Complaint)
            .where(
                Complaint.agency_id == agency_id,
                col(Complaint.received_on) >= start,
                col(Complaint.received_on) <= end,
            )
            .order_by(col(Complaint.id))
        ).all()
    )
    upheld = [c for c in rows if c.upheld]
    answered = [c for c in rows if c.responded_on is not None or c.agency_response.strip()]
    undecided = [c for c in rows if c.upheld is None]
    kinds: dict[str, int] = defaultdict(int)
    for c in rows:
        kinds[c.kind] += 1
    return Figure(
        crit.COMPLAINTS,
        len(upheld),
        len(assignments),
        f"{len(rows)} recorded by councils ("
        + (", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none")
        + f"), {len(upheld)} upheld, {len(undecided)} not yet decided, {len(answered)} with "
        f"the agency's response; over {len(assignments)} assignments. Complaints: "
        + (", ".join(str(c.id) for c in rows) or "none")
        + ".",
        ids_of(assignments),
        [],
    )

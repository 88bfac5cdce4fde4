"""Listings over the agency-name matches (:mod:`workforce.agencies.matching`): the
kite-mark admin's queue of names in accepted returns that no match covers yet, and the
assignments of an agency, found by the names matched to it.

The normalised form is computed in Python (it is Unicode folding, not SQL), once per
distinct name: the assignments of an agency are then read in one query by the raw names
whose normalised form its matches hold, never a query per assignment. Reads only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workforce.agencies.matching import accepted_names, candidates_bulk, chunks, matches_of
from workforce.agencies.models import AgencyMatch
from workforce.agencies.names import normalise
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnStatus

# --- the admin's queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedName:
    """A name in accepted returns that no match covers yet: the kite-mark admin's queue."""

    normalised_name: str
    spellings: list[str]
    assignments: int
    councils: list[str]
    first_seen: date | None  # the earliest period end of a return listing it
    last_seen: date | None  # the latest
    candidates: list[int]  # agencies it could be (two or more: ambiguous)


def unmatched_names(*, session: Session) -> list[UnmatchedName]:
    """Every normalised name in accepted returns' assignments with no match, with how many
    assignment rows list it, which councils, and the first and last quarter it was seen;
    most assignments first."""
    held = set(session.exec(select(col(AgencyMatch.normalised_name))).all())
    rows = session.exec(
        select(
            col(AgencyAssignment.agency_name),
            col(AgencyAssignment.council_code),
            col(CouncilReturn.period_end),
        )
        .join(CouncilReturn, col(CouncilReturn.id) == col(AgencyAssignment.return_id))
        .where(CouncilReturn.status == ReturnStatus.accepted)
    ).all()
    spellings: dict[str, set[str]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    councils: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, list[date]] = defaultdict(list)
    cache: dict[str, str] = {}
    for typed, council, period_end in rows:
        key = cache.get(typed)
        if key is None:
            key = cache[typed] = normalise(typed)
        if not key or key in held:
            continue
        spellings[key].add(typed)
        count[key] += 1
        councils[key].add(council)
        if period_end is not None:
            seen[key].append(period_end)
    fits = candidates_bulk(
        session=session, grouped={key: sorted(names) for key, names in spellings.items()}
    )
    queue = []
    for key in count:
        queue.append(
            UnmatchedName(
                normalised_name=key,
                spellings=sorted(spellings[key]),
                assignments=count[key],
                councils=sorted(councils[key]),
                first_seen=min(seen[key]) if seen[key] else None,
                last_seen=max(seen[key]) if seen[key] else None,
                candidates=sorted(fits.get(key, {})),
            )
        )
    return sorted(queue, key=lambda u: (-u.assignments, u.normalised_name))


# --- the assignments of an agency --------------------------------------------------------


def _identity(a: AgencyAssignment) -> tuple[str, str, str, date]:
    """The same assignment as listed again in later quarterly returns: council, worker (an
    unnamed project-team worker is only ever the same row), agency name and start date."""
    worker = (a.swe_number or "").strip().upper() or f"return {a.return_id} row {a.row}"
    return (a.council_code, worker, normalise(a.agency_name), a.start_date)


def assignments_of(
    *, session: Session, agency_id: int, start: date, end: date
) -> list[AgencyAssignment]:
    """The accepted assignments whose agency name is matched to the agency and which were
    active in the period ``start``..``end`` (inclusive): started on or before ``end`` and
    not ended before ``start`` (no end date: still going).

    A continuing assignment is listed again in each quarter's return; it is returned once,
    as the latest return (by quarter, then version) describes it, since that one knows its
    end date. Ordered by council, start date and id. Three queries whatever the number of
    assignments: the distinct names, the agency's matches, and the assignments by name.
    """
    keys = {m.normalised_name for m in matches_of(session=session, agency_id=agency_id)}
    if not keys:
        return []
    typed = [
        name
        for key, names in accepted_names(session=session).items()
        if key in keys
        for name in names
    ]
    latest: dict[tuple[str, str, str, date], tuple[tuple[date, int, int], AgencyAssignment]] = {}
    for chunk in chunks(typed):
        rows = session.exec(
            select(AgencyAssignment, col(CouncilReturn.period_end), col(CouncilReturn.version))
            .join(CouncilReturn, col(CouncilReturn.id) == col(AgencyAssignment.return_id))
            .where(
                CouncilReturn.status == ReturnStatus.accepted,
                col(AgencyAssignment.agency_name).in_(chunk),
                col(AgencyAssignment.start_date) <= end,
            )
        ).all()
        for row, period_end, version in rows:
            assert row.id is not None
            rank = (period_end or date.min, version, row.id)
            identity = _identity(row)
            held = latest.get(identity)
            if held is None or rank > held[0]:
                latest[identity] = (rank, row)
    found = [row for _, row in latest.values() if row.end_date is None or row.end_date >= start]
    return sorted(found, key=lambda a: (a.council_code, a.start_date, a.id or 0))

"""The figures a reader sees beyond their own group: the cross-region comparison and the
public rate index, with the minimum-cell and differencing rules of :mod:`workforce.mou.views`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from workforce.councils.models import Council, Region
from workforce.mou import service
from workforce.mou.models import (
    ComparisonCellPublic,
    MouGroup,
    RateIndexCellPublic,
)
from workforce.mou.views import (
    MIN_ASSIGNMENTS,
    MIN_COUNCILS,
    SUPPRESSED_DIFFERENCE,
    SUPPRESSED_SMALL,
    CellKey,
    K,
    RatedAssignment,
    by_cell,
    cell_stats,
    group_assignments,
    rated_assignments,
)

# --- suppression --------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """The assignments behind one cell, by id with each one's council."""

    key: CellKey
    councils_by_id: Mapping[int, str]

    @classmethod
    def of(cls, key: CellKey, assignments: Iterable[RatedAssignment]) -> Contribution:
        return cls(key, {a.id: a.council_code for a in assignments})


def _too_small(ids: Iterable[int], councils_by_id: Mapping[int, str]) -> bool:
    ids = list(ids)
    return len(ids) < MIN_ASSIGNMENTS or len({councils_by_id[i] for i in ids}) < MIN_COUNCILS


def suppression(
    candidates: Mapping[K, Contribution], known: Iterable[Contribution] = ()
) -> dict[K, str]:
    """Return the reason each suppressed candidate cell is withheld.

    A cell is withheld if it is small, or if it differs from another cell the reader can
    see (a published candidate, or one of ``known``) of the same role and quarter by a small
    set of assignments in either direction. Withholding one cell can make another safe or
    not, so the check repeats until nothing changes.
    """
    reasons: dict[K, str] = {
        name: SUPPRESSED_SMALL
        for name, cell in candidates.items()
        if _too_small(cell.councils_by_id, cell.councils_by_id)
    }
    fixed = list(known)
    while (withheld := _first_exposed(candidates, reasons, fixed)) is not None:
        reasons[withheld] = SUPPRESSED_DIFFERENCE
    return reasons


def _first_exposed(
    candidates: Mapping[K, Contribution],
    reasons: Mapping[K, str],
    fixed: Sequence[Contribution],
) -> K | None:
    """Return the first shown candidate within a small difference of another shown cell."""
    visible = [c for n, c in candidates.items() if n not in reasons] + list(fixed)
    for name, cell in candidates.items():
        if name in reasons:
            continue
        mine = set(cell.councils_by_id)
        for other in visible:
            if other is cell or other.key != cell.key:
                continue
            theirs = set(other.councils_by_id)
            lookup = {**other.councils_by_id, **cell.councils_by_id}
            if any(d and _too_small(d, lookup) for d in (mine - theirs, theirs - mine)):
                return name
    return None


def _region_cells(
    *, session: Session, everything: Sequence[RatedAssignment]
) -> dict[str, dict[CellKey, list[RatedAssignment]]]:
    region_of = dict(session.exec(select(Council.code, Council.region_code)).all())
    regions: dict[str, list[RatedAssignment]] = defaultdict(list)
    for a in everything:
        if a.council_code in region_of:
            regions[region_of[a.council_code]].append(a)
    return {code: by_cell(found) for code, found in regions.items()}


GroupCells = dict[str, dict[CellKey, list[RatedAssignment]]]


def _all_group_cells(*, session: Session, everything: Sequence[RatedAssignment]) -> GroupCells:
    return {
        g.name: by_cell(group_assignments(session=session, group=g, everything=everything))
        for g in service.list_groups(session=session)
    }


def _index_cells(
    *, session: Session, per_group: GroupCells, everything: Sequence[RatedAssignment]
) -> tuple[GroupCells, dict[tuple[str, CellKey], Contribution], dict[tuple[str, CellKey], str]]:
    """Return the index's cells by region, their contributions and the withheld ones.

    Each group's members see their group's figures in full, so a region's cell is also
    withheld when it is within a small difference of any group's cell."""
    regions = _region_cells(session=session, everything=everything)
    candidates = {
        (code, key): Contribution.of(key, found)
        for code, cells in regions.items()
        for key, found in cells.items()
    }
    groups_known = [
        Contribution.of(key, found) for cells in per_group.values() for key, found in cells.items()
    ]
    return regions, candidates, suppression(candidates, groups_known)


def rate_index(*, session: Session) -> list[RateIndexCellPublic]:
    """Return the public rate index: each region's median rate by role and quarter, every
    cell under the minimum-cell rule (see the module docstring)."""
    everything = rated_assignments(session=session)
    per_group = _all_group_cells(session=session, everything=everything)
    regions, candidates, withheld = _index_cells(
        session=session, per_group=per_group, everything=everything
    )
    names = dict(session.exec(select(Region.code, Region.name)).all())
    answer = []
    for (code, key), _ in sorted(
        candidates.items(), key=lambda i: (i[0][1][1], i[0][0], i[0][1][0])
    ):
        role, quarter = key
        reason = withheld.get((code, key), "")
        stats = cell_stats(regions[code][key])
        answer.append(
            RateIndexCellPublic(
                region_code=code,
                region_name=names.get(code, code),
                role_category=role,
                quarter=quarter.label,
                median=None if reason else stats.median,
                assignments=None if reason else len(stats.values),
                basis=None if reason else stats.basis,
                suppressed=bool(reason),
                reason=reason,
            )
        )
    return answer


def cross_region(*, session: Session, own_group: MouGroup | None) -> list[ComparisonCellPublic]:
    """Return every group's median rate by role and quarter: the reader's own group in full,
    every other group under the minimum-cell rule and never within a small difference of a
    figure the reader can see (their own group's, another group's, or the public index)."""
    everything = rated_assignments(session=session)
    per_group = _all_group_cells(session=session, everything=everything)
    _, index_cells, index_withheld = _index_cells(
        session=session, per_group=per_group, everything=everything
    )
    known = [c for name, c in index_cells.items() if name not in index_withheld]
    if own_group is not None:
        known += [Contribution.of(k, f) for k, f in per_group.get(own_group.name, {}).items()]
    candidates = {
        (name, key): Contribution.of(key, found)
        for name, cells in per_group.items()
        if own_group is None or name != own_group.name
        for key, found in cells.items()
    }
    withheld = suppression(candidates, known)
    answer = []
    for name, cells in per_group.items():
        for key, found in cells.items():
            reason = withheld.get((name, key), "")
            stats = cell_stats(found)
            answer.append(
                ComparisonCellPublic(
                    group_name=name,
                    role_category=key[0],
                    quarter=key[1].label,
                    median=None if reason else stats.median,
                    basis=None if reason else stats.basis,
                    assignments=None if reason else len(found),
                    suppressed=bool(reason),
                    reason=reason,
                )
            )
    return answer

"""An agency's measured and recorded kite-mark figures for a period, with the assignments
behind each, so an assessor and the agency can check every number.

The assignments are the agency's (:func:`workforce.agencies.match_listing.assignments_of`:
accepted, matched by agency name, active in the period, each once). The rules' findings are
the MoU assessment's (``MouFinding``, by assignment id; an assignment judged by several
groups counts once per rule, its worst status). Only ``breach`` findings count against the
agency; ``transitional`` ones (started before a group's rules applied) are reported beside
them. An assignment in a council that belongs to no MoU group has no findings to read: it
is left out of the figures made from findings and counted in the detail ("not covered").

Each criterion's figure is worked out in :mod:`workforce.agencies.criterion_figures`; this
module reads what they need once per agency and period (:func:`figures`) and judges each
against its criterion (:func:`measure`).

A figure whose denominator is below the criterion's ``min_cases`` is ``too_few``, never met.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workforce.agencies import criteria as crit
from workforce.agencies.criterion_figures import (
    Figure,
    complaints,
    cooling_off,
    experience,
    ids_of,
    rates,
    registration,
    stability,
)
from workforce.agencies.match_listing import assignments_of
from workforce.agencies.models import Criterion, CriterionResultValue
from workforce.mou.models import FindingStatus, MouFinding, MouGroupCouncil

_STATUS_RANK = {FindingStatus.breach: 3, FindingStatus.transitional: 2}
_SHOWN_IDS = 40  # assignment ids written into a stored detail; the rest are counted


@dataclass
class Measure:
    """A figure judged against its criterion."""

    figure: Figure
    criterion: Criterion
    result: CriterionResultValue

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def review(self) -> bool:
        share = self.figure.share
        return self.result is not CriterionResultValue.too_few and (
            share is not None and crit.past_review(self.criterion, share)
        )

    @property
    def suspend(self) -> bool:
        share = self.figure.share
        return self.result is not CriterionResultValue.too_few and (
            share is not None and crit.past_suspend(self.criterion, share)
        )

    def words(self) -> str:
        """The result with its figures and thresholds, as stored and shown."""
        f = self.figure
        share = "no cases" if f.share is None else f"{f.share:.1%}"
        head = f"{f.key}: {self.result.value}, {f.numerator} of {f.denominator} ({share})"
        if self.result is CriterionResultValue.too_few:
            head += f": too few to judge (fewer than {self.criterion.min_cases})"
        return f"{head}; {crit.threshold_words(self.criterion)}. {f.detail}{ids_words(f)}"


def ids_words(figure: Figure) -> str:
    ids = figure.flagged_ids
    if not ids:
        return ""
    shown = ", ".join(str(i) for i in ids[:_SHOWN_IDS])
    more = f" and {len(ids) - _SHOWN_IDS} more" if len(ids) > _SHOWN_IDS else ""
    return f" Assignments counted: {shown}{more}."


def judge(criterion: Criterion, figure: Figure) -> Measure:
    """``too_few`` below ``min_cases``; else met when the share meets ``pass_at``."""
    if figure.denominator < criterion.min_cases or figure.share is None:
        result = CriterionResultValue.too_few
    elif crit.passes(criterion, figure.share):
        result = CriterionResultValue.met
    else:
        result = CriterionResultValue.not_met
    return Measure(figure, criterion, result)


# --- loading --------------------------------------------------------------------------------


def _findings(*, session: Session, ids: Sequence[int]) -> dict[int, dict[str, FindingStatus]]:
    """assignment id -> rule -> its worst status across groups."""
    out: dict[int, dict[str, FindingStatus]] = defaultdict(dict)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for f in session.exec(select(MouFinding).where(col(MouFinding.assignment_id).in_(chunk))):
            status = FindingStatus(f.status)
            held = out[f.assignment_id].get(f.rule)
            if held is None or _STATUS_RANK.get(status, 1) > _STATUS_RANK.get(held, 1):
                out[f.assignment_id][f.rule] = status
    return out


def _covered_councils(*, session: Session) -> set[str]:
    return set(session.exec(select(col(MouGroupCouncil.council_code)).distinct()).all())


def figures(*, session: Session, agency_id: int, start: date, end: date) -> dict[str, Figure]:
    """Every measured and recorded criterion's figure for the agency and period."""
    assignments = assignments_of(session=session, agency_id=agency_id, start=start, end=end)
    covered_councils = _covered_councils(session=session)
    covered = [a for a in assignments if a.council_code in covered_councils]
    found = _findings(session=session, ids=ids_of(covered))
    not_covered = len(assignments) - len(covered)
    note = (
        f" {not_covered} assignments in councils no MoU group assesses are not covered."
        if not_covered
        else ""
    )
    out = [
        registration(assignments),
        experience(covered, found),
        rates(covered, found),
        cooling_off(covered, found),
        stability(session=session, agency_id=agency_id, assignments=assignments, findings=found),
        complaints(
            session=session, agency_id=agency_id, start=start, end=end, assignments=assignments
        ),
    ]
    for figure in out:
        if figure.key in {crit.EXPERIENCE, crit.RATES, crit.COOLING_OFF}:
            figure.detail += note
    return {figure.key: figure for figure in out}


def measure(
    *,
    session: Session,
    agency_id: int,
    start: date,
    end: date,
    criteria: Sequence[Criterion],
) -> list[Measure]:
    """The measured and recorded criteria among ``criteria``, each judged (in their order)."""
    found = figures(session=session, agency_id=agency_id, start=start, end=end)
    return [judge(c, found[c.key]) for c in criteria if c.key in found]

"""What a council's page says first, in words: its current Ofsted judgement, one sentence
per measure (the latest published figure, what the forecast expects with its 80% range,
against England), and what the event study shows for councils after the same grade.

Pure functions over what the page already reads, so the sentences and the charts can never
disagree. Dates are written the GOV.UK way ("20 January 2025").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session

from workforce.forecasting.models import ForecastRun
from workforce.inspections.models import Grade, JudgementPublic

SUB_JUDGEMENTS = (
    ("impact_of_leaders", "the impact of leaders"),
    ("help_and_protection", "help and protection"),
    ("in_care", "children in care"),
    ("care_leavers", "care leavers"),
)
GRADE_WORDS = {
    Grade.outstanding: "outstanding",
    Grade.good: "good",
    Grade.adequate: "adequate",
    Grade.requires_improvement: "requires improvement to be good",
    Grade.inadequate: "inadequate",
}


def day_words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def number(value: float, unit: str) -> str:
    """A figure with its unit: "12.7%" or "16.2"."""
    return f"{value:.1f}%" if unit == "%" else f"{value:.1f}"


def rounded(value: float, unit: str) -> str:
    """A forecast said "about": to the nearest whole number."""
    return f"{value:.0f}%" if unit == "%" else f"{value:.0f}"


class Point(Protocol):
    year: int
    council: float | None
    england: float | None


class Forecast(Protocol):
    target: int
    point: float
    lo80: float
    hi80: float


@dataclass(frozen=True)
class Opening:
    """The page's opening: the judgement in words, then a sentence per measure, and the
    caveats the service's backtest puts on this council's forecasts."""

    judgement: str | None
    measures: list[str]
    after_grade: list[str]
    caveats: list[str] = field(default_factory=list)


def current_judgement(judgements: Sequence[JudgementPublic]) -> JudgementPublic | None:
    """The latest graded judgement (the timeline is oldest first)."""
    graded = [j for j in judgements if j.graded and j.grade is not None]
    return graded[-1] if graded else None


def judgement_words(judgement: JudgementPublic) -> str:
    """ "Inadequate, published 20 January 2025 (inspected 2 to 13 December 2024). Ofsted
    judged the impact of leaders inadequate, help and protection requires improvement to
    be good, ..." """
    assert judgement.grade is not None
    when = (
        f"published {day_words(judgement.published)}"
        if judgement.published
        else "not yet published"
    )
    inspected = day_words(judgement.inspection_start)
    if judgement.inspection_end and judgement.inspection_end != judgement.inspection_start:
        inspected = f"{inspected} to {day_words(judgement.inspection_end)}"
    grade = GRADE_WORDS[Grade(judgement.grade)]
    text = f"{grade[:1].upper()}{grade[1:]}, {when} (inspected {inspected})."
    parts = [
        f"{label} {GRADE_WORDS[Grade(value)]}"
        for field, label in SUB_JUDGEMENTS
        if (value := getattr(judgement, field, None)) is not None
    ]
    if parts:
        text += " Ofsted judged " + ", ".join(parts) + "."
    return text


def measure_sentence(
    label: str, unit: str, points: Sequence[Point], forecasts: Sequence[Forecast]
) -> str | None:
    """ "Agency rate: 12.7% in 2023; expected about 22% by 2025 (80% range 14% to 30%),
    against 17.9% in England." None if the council has no published figure."""
    observed = [p for p in points if p.council is not None]
    if not observed:
        return None
    last = observed[-1]
    assert last.council is not None
    text = f"{label}: {number(last.council, unit)} in {last.year}"
    if forecasts:
        f = max(forecasts, key=lambda x: x.target)
        text += (
            f"; expected about {rounded(f.point, unit)} by {f.target} "
            f"(80% range {rounded(f.lo80, unit)} to {rounded(f.hi80, unit)})"
        )
    if last.england is not None:
        text += f", against {number(last.england, unit)} in England"
    return text + "."


def event_study_sentence(
    label: str, unit: str, grade: Grade, study: Mapping[str, Any] | None
) -> str | None:
    """What councils' ``label`` did after a judgement like ``grade``, from the event study:
    the estimate two census years on (or the latest year it has) against the year before."""
    if study is None:
        return None
    after = [e for e in study.get("estimates", []) if 1 <= e["k"] <= 2]
    if not after:
        return None
    e = max(after, key=lambda x: x["k"])
    points = "percentage points" if unit == "%" else ""
    direction = "higher" if e["estimate"] > 0 else "lower"
    group = "inadequate" if grade is Grade.inadequate else "requires improvement or better"
    years = "census year" if e["k"] == 1 else "census years"
    size = f"{abs(e['estimate']):.1f}{' ' + points if points else ''}"
    return (
        f"{label}: after a judgement of {group}, councils' figure was on average {size} "
        f"{direction} {e['k']} {years} later than the year before it (95% range "
        f"{e['lower']:+.1f} to {e['upper']:+.1f}; {study.get('events', 0)} judgements)."
    )


def opening(
    *,
    judgements: Sequence[JudgementPublic],
    charts: Sequence[Mapping[str, Any]],
    studies: Mapping[str, Mapping[str, Any]] | None = None,
) -> Opening:
    """The opening of the council page. ``charts``: the page's per-measure data (label,
    unit, points, forecasts); ``studies``: the event study by measure for the current
    grade's group."""
    current = current_judgement(judgements)
    measures = [
        s
        for c in charts
        if (s := measure_sentence(c["label"], c["unit"], c["points"], c["forecasts"]))
    ]
    after: list[str] = []
    if current is not None and studies:
        for c in charts:
            s = event_study_sentence(
                c["label"], c["unit"], Grade(current.grade or ""), studies.get(c["measure"])
            )
            if s:
                after.append(s)
    return Opening(
        judgement=judgement_words(current) if current is not None else None,
        measures=measures,
        after_grade=after,
    )


def council_opening(
    *,
    session: Session,
    run: ForecastRun | None,
    judgements: Sequence[JudgementPublic],
    charts: Sequence[Mapping[str, Any]],
    code: str | None = None,
) -> Opening:
    """:func:`opening` with the event studies of ``run`` for the current grade's group, and
    the caveats on council ``code``'s forecasts (by default the judgements' council)."""
    from workforce.forecasting import service
    from workforce.forecasting.caveats import council_caveats

    current = current_judgement(judgements)
    studies: dict[str, Mapping[str, Any]] = {}
    if run is not None and current is not None:
        group = (
            "inadequate"
            if Grade(current.grade or "") is Grade.inadequate
            else "requires_improvement_or_better"
        )
        for study in service.event_studies(session=session, run=run, group=group):
            studies.setdefault(study["measure"], study)
    said = opening(judgements=judgements, charts=charts, studies=studies)
    code = code or next((j.council_code for j in judgements), None)
    if run is None or code is None:
        return said
    return replace(said, caveats=council_caveats(session=session, run=run, code=code))

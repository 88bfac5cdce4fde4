"""The panel the forecasts learn from: councils by census year, with their judgements.

A census year ``Y`` runs from 1 October ``Y-1`` to 30 September ``Y``. A judgement counts
from the census year its inspection ended in: one ending after 30 September counts from
the next year.

The panel also holds each council's FTE social workers in post (``staff``), so that a
council whose rates swing on a handful of people can be told apart by the one rule the
England table uses (:func:`workforce.statistics.ranking.is_small_workforce` below
``small_workforce_fte``, the setting ``WORKFORCE_WARNING_SMALL_WORKFORCE_FTE``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import cast

import pandas as pd
from sqlmodel import Session, col, select

from workforce.config import get_settings
from workforce.councils.models import Council
from workforce.inspections.models import Grade, Judgement
from workforce.statistics import service as statistics_service
from workforce.statistics.models import FigurePublic
from workforce.statistics.ranking import is_small_workforce

FORECAST_MEASURES = ("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte", "caseload_fte")
RATE_MEASURES = {"turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte"}
FIRST_YEAR = 2017
STAFF_MEASURE = "inpost_fte"
DEFAULT_SMALL_WORKFORCE_FTE = 30.0  # the setting's default, for panels built in memory


def census_year(day: date) -> int:
    """The census year a date falls in (to 30 September)."""
    return day.year if (day.month, day.day) <= (9, 30) else day.year + 1


@dataclass(frozen=True)
class JudgementEvent:
    council_code: str
    day: date
    grade: str
    hypothetical: bool = False

    @property
    def year(self) -> int:
        return census_year(self.day)

    @property
    def inadequate(self) -> bool:
        return self.grade == Grade.inadequate.value


@dataclass
class Panel:
    """Published values by council and year, and each council's graded judgements."""

    values: pd.DataFrame  # index (council_code, year); one column per measure
    judgements: dict[str, list[JudgementEvent]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    # FTE social workers in post, index (council_code, year); empty if not known
    staff: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    small_workforce_fte: float = DEFAULT_SMALL_WORKFORCE_FTE
    _staff_index: dict[str, list[tuple[int, float]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def last_year(self) -> int:
        return int(self.values.index.get_level_values("year").max())

    def up_to(self, year: int) -> Panel:
        """The panel as it was known at the end of census year ``year``: nothing later."""
        values = self.values[self.values.index.get_level_values("year") <= year]
        judgements = {
            code: [j for j in events if j.year <= year] for code, events in self.judgements.items()
        }
        staff = (
            self.staff[self.staff.index.get_level_values("year") <= year]
            if len(self.staff)
            else self.staff
        )
        return replace(self, values=values.copy(), judgements=judgements, staff=staff.copy())

    def with_judgement(self, event: JudgementEvent) -> Panel:
        judgements = {code: list(events) for code, events in self.judgements.items()}
        judgements.setdefault(event.council_code, []).append(event)
        judgements[event.council_code].sort(key=lambda j: j.day)
        return replace(self, judgements=judgements)

    def staff_at(self, code: str, year: int) -> float | None:
        """FTE social workers in post in ``year``, or the latest year before it known."""
        known = [(y, fte) for y, fte in self._staff_by_council().get(code, []) if y <= year]
        return known[-1][1] if known else None

    def _staff_by_council(self) -> dict[str, list[tuple[int, float]]]:
        if self._staff_index is None:
            index: dict[str, list[tuple[int, float]]] = {}
            known = self.staff.dropna()
            for key, fte in zip(known.index.tolist(), known.tolist(), strict=True):
                code, year = key
                index.setdefault(str(code), []).append((int(year), float(fte)))
            for years in index.values():
                years.sort()
            self._staff_index = index
        return self._staff_index

    def small_workforce(self, code: str, year: int) -> bool:
        """Whether the council's rates swing on a few people in ``year`` (the England
        table's rule: fewer than ``small_workforce_fte`` FTE in post)."""
        return is_small_workforce(self.staff_at(code, year), self.small_workforce_fte)

    def series(self, code: str, measure: str) -> pd.Series:
        try:
            found = self.values[measure].xs(code, level="council_code")
        except KeyError:
            return pd.Series(dtype=float)
        return cast(pd.Series, found).dropna()


def load_panel(
    *,
    session: Session,
    measures: Sequence[str] = FORECAST_MEASURES,
    small_workforce_fte: float | None = None,
) -> Panel:
    """Build the panel from the published figures (and staff in post) and the judgement
    timeline; ``small_workforce_fte`` defaults to the setting."""
    councils = session.exec(select(Council).where(col(Council.last_year).is_(None))).all()
    codes = [c.code for c in councils]
    units = {c.code: c.reporting_unit_code for c in councils if c.reporting_unit_code}
    areas = sorted(set(codes) | set(units.values()))
    figures = statistics_service.figures(
        session=session,
        area_codes=areas,
        measures=sorted({*measures, STAFF_MEASURE}),
        year_from=FIRST_YEAR,
    )
    by_area: dict[str, list[FigurePublic]] = {}
    for figure in figures:
        by_area.setdefault(figure.area_code, []).append(figure)
    records = []
    for code in codes:
        best = statistics_service.best_figures(
            by_area.get(code, []) + by_area.get(units.get(code, ""), []), code
        )
        for (year, measure), figure in best.items():
            if figure.value is not None:
                records.append((code, year, measure, figure.value))
    frame = pd.DataFrame(records, columns=["council_code", "year", "measure", "value"])
    values = frame.pivot_table(
        index=["council_code", "year"], columns="measure", values="value", aggfunc="first"
    )
    staff = (
        values[STAFF_MEASURE].dropna().astype(float)
        if STAFF_MEASURE in values
        else pd.Series(dtype=float)
    )
    values = values.reindex(columns=list(measures))
    judgements: dict[str, list[JudgementEvent]] = {}
    rows = session.exec(
        select(Judgement)
        .where(col(Judgement.grade).is_not(None))
        .order_by(col(Judgement.inspection_start))
    ).all()
    for row in rows:
        if row.grade is None or (row.council_code not in units and row.council_code not in codes):
            continue
        day = row.inspection_end or row.inspection_start
        judgements.setdefault(row.council_code, []).append(
            JudgementEvent(row.council_code, day, str(row.grade))
        )
    threshold = (
        get_settings().warning_small_workforce_fte
        if small_workforce_fte is None
        else small_workforce_fte
    )
    return Panel(
        values=values,
        judgements=judgements,
        names={c.code: c.name for c in councils},
        staff=staff,
        small_workforce_fte=threshold,
    )


def events(panel: Panel, codes: Iterable[str] | None = None) -> list[JudgementEvent]:
    wanted = set(codes) if codes is not None else None
    return [
        j
        for code, items in panel.judgements.items()
        if wanted is None or code in wanted
        for j in items
    ]

"""The panel the forecasts learn from: councils by census year, with their judgements.

A census year ``Y`` runs from 1 October ``Y-1`` to 30 September ``Y``. A judgement counts
from the census year its inspection ended in: one ending after 30 September counts from
the next year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import cast

import pandas as pd
from sqlmodel import Session, col, select

from workforce.councils.models import Council
from workforce.inspections.models import Grade, Judgement
from workforce.statistics import service as statistics_service
from workforce.statistics.models import FigurePublic

FORECAST_MEASURES = ("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte", "caseload_fte")
RATE_MEASURES = {"turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte"}
FIRST_YEAR = 2017


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

    @property
    def last_year(self) -> int:
        return int(self.values.index.get_level_values("year").max())

    def up_to(self, year: int) -> Panel:
        """The panel as it was known at the end of census year ``year``: nothing later."""
        values = self.values[self.values.index.get_level_values("year") <= year]
        judgements = {
            code: [j for j in events if j.year <= year] for code, events in self.judgements.items()
        }
        return Panel(values=values.copy(), judgements=judgements, names=self.names)

    def with_judgement(self, event: JudgementEvent) -> Panel:
        judgements = {code: list(events) for code, events in self.judgements.items()}
        judgements.setdefault(event.council_code, []).append(event)
        judgements[event.council_code].sort(key=lambda j: j.day)
        return Panel(values=self.values, judgements=judgements, names=self.names)

    def series(self, code: str, measure: str) -> pd.Series:
        try:
            found = self.values[measure].xs(code, level="council_code")
        except KeyError:
            return pd.Series(dtype=float)
        return cast(pd.Series, found).dropna()


def load_panel(*, session: Session, measures: Sequence[str] = FORECAST_MEASURES) -> Panel:
    """Build the panel from the published figures and the judgement timeline."""
    councils = session.exec(select(Council).where(col(Council.last_year).is_(None))).all()
    codes = [c.code for c in councils]
    units = {c.code: c.reporting_unit_code for c in councils if c.reporting_unit_code}
    areas = sorted(set(codes) | set(units.values()))
    figures = statistics_service.figures(
        session=session, area_codes=areas, measures=list(measures), year_from=FIRST_YEAR
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
    return Panel(values=values, judgements=judgements, names={c.code: c.name for c in councils})


def events(panel: Panel, codes: Iterable[str] | None = None) -> list[JudgementEvent]:
    wanted = set(codes) if codes is not None else None
    return [
        j
        for code, items in panel.judgements.items()
        if wanted is None or code in wanted
        for j in items
    ]

"""The column layouts of DfE's "Children's social work workforce" release files.

A layout says which columns a file must have and which measure each column holds. New
releases in either layout import without code changes; a new layout is one more entry.
"""

from __future__ import annotations

from dataclasses import dataclass

GEOGRAPHY_COLUMNS = (
    "time_period",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)


@dataclass(frozen=True)
class Layout:
    """A release layout: required columns and the measure each measure column holds."""

    name: str
    description: str
    required_measures: tuple[str, ...]
    columns: dict[str, str]  # column in the file -> measure name

    @property
    def required(self) -> tuple[str, ...]:
        return GEOGRAPHY_COLUMNS + self.required_measures

    def missing(self, header: set[str]) -> list[str]:
        return [column for column in self.required if column not in header]


_INDICATOR_MEASURES = (
    "inpost_fte",
    "inpost_headcount",
    "starters_fte",
    "starters_headcount",
    "leavers_fte",
    "leavers_headcount",
    "turnover_rate_fte",
    "turnover_rate_headcount",
    "agency_fte",
    "agency_headcount",
    "agency_rate_fte",
    "agency_rate_headcount",
    "agency_cover_fte",
    "agency_cover_rate_fte",
    "vacancy_fte",
    "vacancy_rate_fte",
    "vacancy_agency_cover_rate_fte",
    "case_holders_fte",
    "cases",
    "caseload_fte",
    "working_days_lost_fte",
    "absence_rate_fte",
)

INDICATORS = Layout(
    name="csww_indicators",
    description="indicators layout (2023 release onwards: inpost_fte, turnover_rate_fte, ...)",
    required_measures=(
        "inpost_fte",
        "leavers_fte",
        "turnover_rate_fte",
        "agency_fte",
        "agency_rate_fte",
        "vacancy_fte",
        "vacancy_rate_fte",
        "case_holders_fte",
        "cases",
        "caseload_fte",
    ),
    columns={name: name for name in _INDICATOR_MEASURES},
)

HEADLINE_MEASURES_LAYOUT = Layout(
    name="csww_headline_measures",
    description="headline-measures layout (to the 2022 release: social_worker_fte, ...)",
    required_measures=(
        "social_worker_fte",
        "leaver_fte",
        "turnover_rate_fte_%",
        "agency_fte",
        "agency_worker_rate_fte_%",
        "vacancy_fte",
        "vacancy_rate_fte_%",
        "case_holders_fte",
        "cases",
        "caseload_fte",
    ),
    columns={
        "social_worker_fte": "inpost_fte",
        "social_worker_headcount": "inpost_headcount",
        "leaver_fte": "leavers_fte",
        "leaver_headcount": "leavers_headcount",
        "turnover_rate_fte_%": "turnover_rate_fte",
        "turnover_rate_headcount_%": "turnover_rate_headcount",
        "agency_fte": "agency_fte",
        "agency_headcount": "agency_headcount",
        "agency_worker_rate_fte_%": "agency_rate_fte",
        "agency_worker_rate_headcount_%": "agency_rate_headcount",
        "agency_cover_fte": "agency_cover_fte",
        "agency_cover_rate_fte_%": "agency_cover_rate_fte",
        "vacancy_fte": "vacancy_fte",
        "vacancy_rate_fte_%": "vacancy_rate_fte",
        "vacancy_agency_cover_rate_fte_%": "vacancy_agency_cover_rate_fte",
        "case_holders_fte": "case_holders_fte",
        "cases": "cases",
        "caseload_fte": "caseload_fte",
        "working_days_lost_fte": "working_days_lost_fte",
        "absence_rate_fte_%": "absence_rate_fte",
    },
)

LAYOUTS = (INDICATORS, HEADLINE_MEASURES_LAYOUT)


def detect_layout(header: list[str]) -> tuple[Layout | None, list[str]]:
    """Return the layout ``header`` matches, or None and the closest layout's missing columns."""
    names = {column.strip() for column in header}
    ranked = sorted(LAYOUTS, key=lambda layout: len(layout.missing(names)))
    best = ranked[0]
    missing = best.missing(names)
    return (best, []) if not missing else (None, missing)

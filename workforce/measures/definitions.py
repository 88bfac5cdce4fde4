"""DfE's definitions of the workforce measures, in one place.

Every rate computed from counts anywhere in the service (published statistics checks,
councils' own returns) comes from here. The formulae were checked against every complete
local-authority row of DfE's 2017-2022 and 2017-2023 releases
(``tests/measures/test_recompute_published.py``).
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# DfE counts absence against 253 working days in the year to 30 September, one more when
# that year holds 29 February (2020's published rates need 254; every other year fits 253).
BASE_WORKING_DAYS = 253


def working_days_in_census_year(year: int) -> int:
    """Return the working days DfE divides by for the year to 30 September ``year``."""
    return BASE_WORKING_DAYS + (1 if calendar.isleap(year) else 0)


def round_half_up(value: float, places: int = 1) -> float:
    """Return ``value`` rounded as DfE publishes (half away from zero, not banker's)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


Counts = Mapping[str, float]


@dataclass(frozen=True)
class Measure:
    """A published measure: its name, what it means, and how it is computed from counts."""

    name: str
    label: str
    unit: str  # "%" or "cases" or "FTE" or "people" or "days"
    inputs: tuple[str, ...] = ()
    formula: Callable[[Counts, int], float] | None = None
    higher_is_better: bool | None = None
    description: str = ""

    @property
    def is_derived(self) -> bool:
        return self.formula is not None

    def compute(self, counts: Counts, year: int) -> float | None:
        """Return the unrounded measure from ``counts``, or None if an input is missing or zero."""
        if self.formula is None:
            raise ValueError(f"{self.name} is a count, not computed from other counts")
        if any(counts.get(name) is None for name in self.inputs):
            return None
        try:
            return self.formula(counts, year)
        except ZeroDivisionError:
            return None


def _rate(numerator: str, *denominator: str) -> Callable[[Counts, int], float]:
    return lambda c, _year: 100 * c[numerator] / sum(c[name] for name in denominator)


def _caseload(c: Counts, _year: int) -> float:
    return c["cases"] / c["case_holders_fte"]


def _absence(c: Counts, year: int) -> float:
    return 100 * c["working_days_lost_fte"] / (c["inpost_fte"] * working_days_in_census_year(year))


def _count(name: str, label: str, unit: str = "FTE") -> Measure:
    return Measure(name=name, label=label, unit=unit)


_ALL = [
    _count("inpost_fte", "Social workers in post (FTE)"),
    _count("inpost_headcount", "Social workers in post (headcount)", "people"),
    _count("starters_fte", "Starters (FTE)"),
    _count("starters_headcount", "Starters (headcount)", "people"),
    _count("leavers_fte", "Leavers (FTE)"),
    _count("leavers_headcount", "Leavers (headcount)", "people"),
    _count("agency_fte", "Agency workers (FTE)"),
    _count("agency_headcount", "Agency workers (headcount)", "people"),
    _count("agency_cover_fte", "Agency workers covering vacancies (FTE)"),
    _count("vacancy_fte", "Vacancies (FTE)"),
    _count("case_holders_fte", "Case holders (FTE)"),
    _count("cases", "Cases held", "cases"),
    _count("working_days_lost_fte", "Working days lost to sickness (FTE)", "days"),
    Measure(
        "turnover_rate_fte",
        "Turnover rate",
        "%",
        ("leavers_fte", "inpost_fte"),
        _rate("leavers_fte", "inpost_fte"),
        False,
        "Leavers in the year to 30 September as a share of social workers in post (FTE).",
    ),
    Measure(
        "turnover_rate_headcount",
        "Turnover rate (headcount)",
        "%",
        ("leavers_headcount", "inpost_headcount"),
        _rate("leavers_headcount", "inpost_headcount"),
        False,
    ),
    Measure(
        "agency_rate_fte",
        "Agency worker rate",
        "%",
        ("agency_fte", "inpost_fte"),
        _rate("agency_fte", "agency_fte", "inpost_fte"),
        False,
        "Agency workers as a share of agency workers plus social workers in post (FTE).",
    ),
    Measure(
        "agency_rate_headcount",
        "Agency worker rate (headcount)",
        "%",
        ("agency_headcount", "inpost_headcount"),
        _rate("agency_headcount", "agency_headcount", "inpost_headcount"),
        False,
    ),
    Measure(
        "vacancy_rate_fte",
        "Vacancy rate",
        "%",
        ("vacancy_fte", "inpost_fte"),
        _rate("vacancy_fte", "vacancy_fte", "inpost_fte"),
        False,
        "Vacancies as a share of vacancies plus social workers in post (FTE).",
    ),
    Measure(
        "caseload_fte",
        "Average caseload",
        "cases",
        ("cases", "case_holders_fte"),
        _caseload,
        False,
        "Cases held per case-holding social worker (FTE).",
    ),
    Measure(
        "agency_cover_rate_fte",
        "Agency cover rate",
        "%",
        ("agency_cover_fte", "agency_fte"),
        _rate("agency_cover_fte", "agency_fte"),
        None,
        "Agency workers covering vacancies as a share of all agency workers (FTE).",
    ),
    Measure(
        "vacancy_agency_cover_rate_fte",
        "Vacancies covered by agency workers",
        "%",
        ("agency_cover_fte", "vacancy_fte"),
        _rate("agency_cover_fte", "vacancy_fte"),
        None,
    ),
    Measure(
        "absence_rate_fte",
        "Sickness absence rate",
        "%",
        ("working_days_lost_fte", "inpost_fte"),
        _absence,
        False,
        "Working days lost to sickness as a share of the working days of social workers in post.",
    ),
]

MEASURES: dict[str, Measure] = {m.name: m for m in _ALL}
# The five measures every page leads with.
HEADLINE_MEASURES = (
    "turnover_rate_fte",
    "agency_rate_fte",
    "vacancy_rate_fte",
    "caseload_fte",
    "absence_rate_fte",
)


def compute(name: str, counts: Counts, year: int, places: int | None = 1) -> float | None:
    """Return measure ``name`` from ``counts``, rounded to ``places`` as DfE publishes."""
    value = MEASURES[name].compute(counts, year)
    if value is None or places is None:
        return value
    return round_half_up(value, places)


def check_published(
    name: str,
    counts: Counts,
    published: float,
    year: int,
    *,
    count_places: Mapping[str, int] | None = None,
    published_places: int = 1,
) -> tuple[bool, float, float] | None:
    """Return (agrees, low, high): can ``published`` come from ``counts`` by the formula?

    Published counts are themselves rounded (FTE to one decimal, headcounts and cases to
    whole numbers), so the true rate lies in an interval: the formula is evaluated at
    every corner of the inputs' rounding intervals (each formula is monotonic in each
    input), and the published value, itself rounded, agrees if its own interval meets it.
    Returns None when an input is missing.
    """
    measure = MEASURES[name]
    if any(counts.get(i) is None for i in measure.inputs):
        return None
    places = count_places or {}
    half_steps = {
        i: 0.5 * 10 ** -places.get(i, 0 if ("headcount" in i or i == "cases") else 1)
        for i in measure.inputs
    }
    corners = []
    for signs in itertools.product((-1, 1), repeat=len(measure.inputs)):
        shifted = dict(counts)
        for input_name, sign in zip(measure.inputs, signs, strict=True):
            shifted[input_name] = max(counts[input_name] + sign * half_steps[input_name], 0.0)
        value = measure.compute(shifted, year)
        if value is not None:
            corners.append(value)
    if not corners:
        return None
    low, high = min(corners), max(corners)
    tolerance = 0.5 * 10**-published_places + 1e-9
    return (low <= published + tolerance and high >= published - tolerance), low, high

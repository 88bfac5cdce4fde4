"""An early warning in words: why a council is flagged, where it ranks, and how its score
adds up, from the figures the warning stores (``agency_rate_forecast``, ``turnover``,
``vacancy_gap``, ``inadequate_judgement``, ``inpost_fte``).

Pure functions: the page reads the warnings, the agency forecasts and the latest published
agency rates, and these put them into sentences such as "Ranked 3rd of 152: the agency
rate is expected to rise 4 pp to 22% by 2025, in the worst tenth in England, and it was
judged inadequate in January 2025."

The score's parts mirror how :func:`workforce.forecasting.flows.early_warnings` scores a
council; a breakdown that does not add up to the stored score is not shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# Each reason's part of the score: a fixed amount, plus a tenth of each point beyond the
# threshold for the two reasons that have one.
BASE_PART = 1.0
PER_POINT = 0.1
INADEQUATE_PART = 1.5


@dataclass(frozen=True)
class Thresholds:
    """The early warnings' settings, as the page states them."""

    agency_rate: float  # a forecast agency rate above this, in %
    vacancy_gap: float  # points above the statistical neighbours' mean
    recent_years: float  # an inadequate judgement this recent
    small_workforce_fte: float  # below this many FTE in post, rates swing

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """The thresholds ``settings`` (the service's ``Settings``) configure."""
        return cls(
            agency_rate=settings.warning_agency_rate,
            vacancy_gap=settings.warning_vacancy_gap,
            recent_years=settings.warning_recent_years,
            small_workforce_fte=settings.warning_small_workforce_fte,
        )


@dataclass(frozen=True)
class Explained:
    """A warning in words: the ranked sentence, the score's parts, and whether the council's
    workforce is small enough that its rates swing on a few people."""

    sentence: str
    score: str
    small_workforce: bool


def ordinal(number: int) -> str:
    """Return 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def join_words(parts: Sequence[str]) -> str:
    """Return "a", "a and b" or "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def worst_share(position: int, count: int) -> str | None:
    """Return where a forecast stands in England, ``position`` 1 the highest (the worst) of
    ``count``: "the highest in England", "in the worst tenth in England", "in the worst
    quarter in England", or None if it is in the better three quarters."""
    if count <= 0 or not 1 <= position <= count:
        return None
    if position == 1:
        return "the highest in England"
    if position <= count / 10:
        return "in the worst tenth in England"
    if position <= count / 4:
        return "in the worst quarter in England"
    return None


def position_of(value: float, others: Sequence[float]) -> int:
    """Return ``value``'s place among ``others`` from the highest: 1 + how many are higher."""
    return 1 + sum(1 for other in others if other > value)


def _agency_words(
    forecast: float,
    *,
    latest: float | None,
    latest_year: int | None,
    target: int | None,
    standing: str | None,
) -> str:
    by = f" by {target}" if target is not None else ""
    if latest is None:
        words = f"the agency rate is expected to reach {forecast:.0f}%{by}"
    else:
        change = round(forecast - latest)
        if change == 0:
            held = f" in {target}" if target is not None else ""
            words = f"the agency rate is expected to stay at about {forecast:.0f}%{held}"
        else:
            verb = "rise" if change > 0 else "fall"
            words = f"the agency rate is expected to {verb} {abs(change)} pp to {forecast:.0f}%{by}"
        if latest_year is not None:
            words += f" (from {latest:.1f}% in {latest_year})"
    return words + (f", {standing}" if standing else "")


def _turnover_words(series: Mapping[str, float | None]) -> str | None:
    known = sorted((int(year), value) for year, value in series.items() if value is not None)
    if len(known) < 2:
        return None
    (first_year, first), (last_year, last) = known[0], known[-1]
    rises = {2: "two", 3: "three", 4: "four"}.get(len(known) - 1, str(len(known) - 1))
    return (
        f"turnover rose {rises} years running, from {first:.1f}% in {first_year} "
        f"to {last:.1f}% in {last_year}"
    )


def reasons_in_words(
    figures: Mapping[str, Any],
    *,
    agency_latest: float | None = None,
    agency_latest_year: int | None = None,
    agency_target: int | None = None,
    agency_position: int | None = None,
    agency_count: int = 0,
    data_year: int | None = None,
) -> list[str]:
    """Return each reason behind a warning as a clause, in the order the score adds them."""
    clauses = []
    forecast = figures.get("agency_rate_forecast")
    if forecast is not None:
        standing = (
            worst_share(agency_position, agency_count) if agency_position is not None else None
        )
        clauses.append(
            _agency_words(
                float(forecast),
                latest=agency_latest,
                latest_year=agency_latest_year,
                target=agency_target,
                standing=standing,
            )
        )
    turnover = figures.get("turnover")
    if isinstance(turnover, Mapping) and (words := _turnover_words(turnover)):
        clauses.append(words)
    gap = figures.get("vacancy_gap")
    if gap is not None:
        when = f" in {data_year}" if data_year is not None else ""
        clauses.append(
            f"its vacancy rate was {float(gap):.1f} pp above its statistical neighbours' mean{when}"
        )
    judged = figures.get("inadequate_judgement")
    if judged is not None:
        day = judged if isinstance(judged, date) else date.fromisoformat(str(judged))
        clauses.append(f"it was judged inadequate in {day:%B %Y}")
    return clauses


def score_parts(figures: Mapping[str, Any], thresholds: Thresholds) -> list[tuple[str, float]]:
    """Return what each reason adds to the score, as (what, amount), in the score's order."""
    parts = []
    forecast = figures.get("agency_rate_forecast")
    if forecast is not None:
        beyond = max(0.0, float(forecast) - thresholds.agency_rate)
        parts.append(("the agency rate forecast", BASE_PART + beyond * PER_POINT))
    if isinstance(figures.get("turnover"), Mapping):
        parts.append(("rising turnover", BASE_PART))
    gap = figures.get("vacancy_gap")
    if gap is not None:
        beyond = max(0.0, float(gap) - thresholds.vacancy_gap)
        parts.append(("the vacancy gap", BASE_PART + beyond * PER_POINT))
    if figures.get("inadequate_judgement") is not None:
        parts.append(("the inadequate judgement", INADEQUATE_PART))
    return parts


def _amount(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def score_words(score: float, parts: Sequence[tuple[str, float]]) -> str:
    """Return the score and, where its parts add up to it, what makes it up:
    "Score 3.7: 1.2 for the agency rate forecast, 1 for rising turnover and 1.5 for the
    inadequate judgement." """
    head = f"Score {_amount(score)}"
    if not parts or abs(sum(amount for _, amount in parts) - score) > 0.011:
        return head + "."
    shares = [f"{_amount(amount)} for {what}" for what, amount in parts]
    return f"{head}: {join_words(shares)}."


def explain(
    warning: Mapping[str, Any],
    *,
    ranked: int,
    thresholds: Thresholds,
    agency_latest: float | None = None,
    agency_latest_year: int | None = None,
    agency_target: int | None = None,
    agency_forecasts: Sequence[float] = (),
    data_year: int | None = None,
) -> Explained:
    """Return a warning (as the service reads it: ``rank_in_england``, ``score``,
    ``figures``) in words, ranked among ``ranked`` councils; ``agency_forecasts`` are every
    council's agency rate forecasts for ``agency_target``, to say where this one stands."""
    figures = warning.get("figures", {})
    forecast = figures.get("agency_rate_forecast")
    small = figures.get("inpost_fte") is not None
    # A small workforce's rates swing on a few people: not placed against England's.
    position = (
        position_of(float(forecast), agency_forecasts)
        if forecast is not None and agency_forecasts and not small
        else None
    )
    clauses = reasons_in_words(
        figures,
        agency_latest=agency_latest,
        agency_latest_year=agency_latest_year,
        agency_target=agency_target,
        agency_position=position,
        agency_count=len(agency_forecasts),
        data_year=data_year,
    )
    rank = int(warning["rank_in_england"])
    head = f"Ranked {ordinal(rank)} of {ranked}" if ranked >= rank else f"Ranked {ordinal(rank)}"
    sentence = head + (": " + join_words(clauses) if clauses else "") + "."
    return Explained(
        sentence=sentence,
        score=score_words(float(warning["score"]), score_parts(figures, thresholds)),
        small_workforce=small,
    )


def how_scored(thresholds: Thresholds) -> list[str]:
    """Return how a council's score is made and ranked, a sentence each, for the page."""
    return [
        "Each reason a council is flagged adds to its score. "
        f"A forecast agency rate above {thresholds.agency_rate:g}% for next year adds 1, "
        f"plus 0.1 for each point above {thresholds.agency_rate:g}%. "
        "Turnover that rose two years running adds 1. "
        f"A vacancy rate {thresholds.vacancy_gap:g} or more points above the statistical "
        "neighbours' mean adds 1, plus 0.1 for each point beyond that. "
        f"An inadequate judgement in the last {thresholds.recent_years:g} years adds 1.5.",
        "Councils are ranked by score, the highest first (on a tie, by name), among every "
        "council the forecasts cover; councils with no reason are not listed.",
        f"Councils with fewer than {thresholds.small_workforce_fte:g} FTE social workers in "
        "post are marked: a few people joining, leaving or covering move their rates a "
        "long way.",
    ]


def explain_all(
    warnings: Sequence[Mapping[str, Any]],
    *,
    thresholds: Thresholds,
    agency_forecasts: Mapping[str, float],
    agency_latest: Mapping[str, float | None],
    data_year: int,
    small_workforces: Collection[str] = (),
) -> dict[str, Explained]:
    """Return every warning in words, by council code: ``agency_forecasts`` holds every
    council's agency rate forecast for the year after ``data_year`` (the councils ranked),
    ``agency_latest`` their published agency rates in ``data_year``. A forecast's standing
    in England is among councils not in ``small_workforces`` (too few in post to compare)."""
    everyone = [value for code, value in agency_forecasts.items() if code not in small_workforces]
    return {
        warning["council_code"]: explain(
            warning,
            ranked=len(agency_forecasts),
            thresholds=thresholds,
            agency_latest=agency_latest.get(warning["council_code"]),
            agency_latest_year=data_year,
            agency_target=data_year + 1,
            agency_forecasts=everyone,
            data_year=data_year,
        )
        for warning in warnings
    }

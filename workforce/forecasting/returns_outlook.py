"""A council's outlook updated with its own accepted quarterly returns (unpublished data).

The public forecasts use only DfE's annual published figures (census years end on
30 September). A council's quarterly returns since the last census year the forecasts saw
(``ForecastRun.data_cutoff``) say something about the next census before DfE publishes it;
this module moves the public forecast toward what they show, for the council's own users,
analysts and admins only (the caller checks who may see it).

The rule, as the council page and the README state it:

* **Which year.** The returns update the forecast of the census year the latest accepted
  quarter falls in (a quarter ending 31 December counts toward the year to the next
  30 September), using that year's quarters only.
* **On the annual scale, as DfE defines the measures.** Turnover is leavers in the year
  over FTE in post: the leavers of the year's quarters so far are summed and, where fewer
  than four quarters are in, scaled to a year (x 4 / quarters), over the latest quarter's
  FTE in post; it needs every quarter of the year up to the latest. The agency rate
  (agency FTE / (agency + employed FTE)) and the vacancy rate (vacancies / (vacancies +
  employed FTE)) are counts on one day, so the latest quarter's rate is already on the
  annual scale.
* **How far it moves.** updated = public point + weight x (returns' rate - public point),
  with weight = quarters / 4, at most 0.75: for turnover the quarters summed, for the two
  point-in-time rates how many of the year's four quarters the latest return closes (a
  June figure is nearer the 30 September census day than a December one). The quarterly
  return is the council's own count, not checked by DfE: the published census keeps at
  least a quarter of the say until it settles the year.
* **Not guessed.** A quarter with no accepted return (none sent, or only rejected
  versions) is named; turnover then stays the public forecast. FTE in post moving by more
  than a quarter (and more than 5 FTE) between consecutive quarters, or from the published
  census to the first quarter, is named as inconsistent and every measure stays the public
  forecast; so does a measure whose figures a return leaves out. Only the current version
  of a quarter counts (a council has at most one accepted return per quarter: a newer
  version supersedes the older).
* **A census return settles its year.** An accepted census return for a census day after
  the last published census gives that year's figures worked out as DfE works out the
  published ones (the service's measures reproduce DfE's), so the outlook for that year
  is its figures (weight 1) until DfE publishes the year; quarterly returns of that year
  are then not needed. Quarters after the census day reach into the next census year and
  update that year's forecast as above, with the census return's figures named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from sqlmodel import Session, col, select

from workforce.forecasting.models import ForecastRun, ForecastValue
from workforce.forecasting.service import council_values
from workforce.measures import MEASURES
from workforce.returns.models import CouncilReturn, ReturnKind, ReturnStatus
from workforce.statistics import service as statistics_service
from workforce.timeutils import utcnow

MEASURES_UPDATED = ("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte")
MAX_WEIGHT = 0.75
# FTE in post changing by more than this share, and by more than JUMP_MIN_FTE, from one
# quarter to the next is too much to take on trust.
JUMP_SHARE = 0.25
JUMP_MIN_FTE = 5.0
RULE = (
    "The returns update the forecast of the census year their latest quarter falls in. "
    "Turnover is that year's leavers so far, scaled to a year (x 4 / quarters), over the "
    "latest FTE in post; the agency and vacancy rates are the latest quarter's, already on "
    "the annual scale. The outlook moves from the public forecast toward the returns by a "
    "weight of quarters / 4, at most 0.75. Missing or inconsistent quarters are named and "
    "leave the measure at the public forecast. An accepted census return for a census day "
    "since the last published census settles its year: the outlook for that year is its "
    "figures, worked out as DfE works out the published ones, until DfE publishes them."
)
SOURCES = ("public", "quarterly", "census")  # what a measure's outlook rests on


@dataclass(frozen=True)
class Quarter:
    """One quarter end of the census year, and what the council sent for it."""

    period_end: date
    status: str  # accepted, rejected (only rejected versions) or missing (nothing sent)
    return_id: int | None = None
    version: int | None = None
    inpost_fte: float | None = None
    agency_fte: float | None = None
    vacancy_fte: float | None = None
    leavers_fte: float | None = None


@dataclass(frozen=True)
class MeasureOutlook:
    """One measure: the public forecast, what the returns show, and the updated outlook."""

    measure: str
    label: str
    target: int
    public: float
    public_lo80: float
    public_hi80: float
    returns_rate: float | None  # on the annual scale; None: not worked out (see sentence)
    quarters: int  # quarters the weight counts
    weight: float  # 0: the outlook is the public forecast
    updated: float
    sentence: str
    source: str = "public"  # one of SOURCES: the public forecast, quarterly returns, census

    @property
    def moved_by(self) -> float:
        return round(self.updated - self.public, 2)


@dataclass
class ReturnsOutlook:
    council_code: str
    census_year: int  # the last census year the public forecasts saw
    target: int | None  # the census year the returns update; None: no returns to use
    accepted: int  # accepted quarterly returns since the census year
    quarters: list[Quarter] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    measures: list[MeasureOutlook] = field(default_factory=list)
    rule: str = RULE
    census_return_id: int | None = None  # the census return that settles ``target``
    census_day: date | None = None


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def census_year_of(day: date) -> int:
    """The census year (to 30 September) a day falls in."""
    return day.year + (1 if day.month > 9 else 0)


def quarter_ends(year: int) -> list[date]:
    """The four quarter ends of the census year to 30 September ``year``."""
    return [date(year - 1, 12, 31), date(year, 3, 31), date(year, 6, 30), date(year, 9, 30)]


def _quarter_ends_between(after: date, before: date) -> list[date]:
    """Quarter ends later than ``after`` and earlier than ``before``."""
    return [
        day
        for year in range(after.year, before.year + 1)
        for day in (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31))
        if after < day < before
    ]


def _listed(days: list[date]) -> str:
    """Dates in words: "31 March 2026", "31 March 2026 and 30 June 2026", "a, b and c"."""
    names = [long_date(d) for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def returns_outlook(
    *, session: Session, run: ForecastRun, code: str, today: date | None = None
) -> ReturnsOutlook | None:
    """The council's public forecast moved toward its accepted quarterly returns since the
    run's last census year, or settled by its accepted census return for a later census
    day; None if the run has no forecast for the council. Quarters
    ended by ``today`` (default: today) with no accepted return after the latest are named.
    """
    today = today or utcnow().date()
    forecasts = [
        v
        for v in council_values(session=session, run=run, code=code)
        if v.kind == "forecast" and v.measure in MEASURES_UPDATED
    ]
    if not forecasts:
        return None
    cutoff = run.data_cutoff
    rows = session.exec(
        select(CouncilReturn).where(
            CouncilReturn.council_code == code,
            CouncilReturn.kind == ReturnKind.quarterly,
            col(CouncilReturn.period_end) > date(cutoff, 9, 30),
        )
    ).all()
    accepted = {r.period_end: r for r in rows if r.status == ReturnStatus.accepted}
    rejected = {r.period_end for r in rows if r.status == ReturnStatus.rejected}
    by_target = {(v.measure, v.target): v for v in forecasts}
    first_target = min(v.target for v in forecasts)
    outlook = ReturnsOutlook(council_code=code, census_year=cutoff, target=None, accepted=0)
    census = _latest_census(session=session, code=code, cutoff=cutoff)
    latest_quarter_day = max((d for d in accepted if d is not None), default=None)
    census_named = False
    if census is not None and census.period_end is not None:
        year = census_year_of(census.period_end)
        if latest_quarter_day is None or census_year_of(latest_quarter_day) <= year:
            return _settled(outlook, census, year, by_target, accepted=len(accepted))
        outlook.notes.append(_census_named(census, year))
        census_named = True
    if not accepted:
        outlook.notes.append(
            f"No accepted quarterly return since the {cutoff} census: the outlook is the "
            "public forecast."
            + (
                " The returns for "
                + _listed(sorted(d for d in rejected if d is not None))
                + " were rejected."
                if rejected
                else ""
            )
        )
        outlook.measures = [
            _unmoved(by_target[m, first_target], "no returns to update it with")
            for m in MEASURES_UPDATED
            if (m, first_target) in by_target
        ]
        return outlook
    latest = latest_quarter_day
    assert latest is not None
    target = census_year_of(latest)
    outlook.target = target
    outlook.accepted = len(accepted)
    if target > cutoff + 1 and not census_named:  # (the census return's note says as much)
        outlook.notes.append(
            f"Your returns reach into the year to 30 September {target}: the outlook for "
            f"{target} uses that year's quarters only."
        )
    ends = [d for d in quarter_ends(target) if d <= latest]
    outlook.quarters = [_quarter(d, accepted.get(d), d in rejected) for d in ends]
    gaps = [q for q in outlook.quarters if q.status != "accepted"]
    for quarter in gaps:
        outlook.notes.append(
            f"The return for the quarter to {long_date(quarter.period_end)} was rejected and "
            "has not been sent again."
            if quarter.status == "rejected"
            else f"No return for the quarter to {long_date(quarter.period_end)} has been accepted."
        )
    since = [d for d in _quarter_ends_between(latest, today) if d not in accepted]
    if since:
        outlook.notes.append(
            "No return has been accepted yet for the "
            + ("quarter" if len(since) == 1 else "quarters")
            + f" to {_listed(since)}, ended since the latest accepted return: the outlook "
            f"uses the returns up to {long_date(latest)}."
        )
    jump = _fte_jump(session=session, code=code, cutoff=cutoff, target=target, outlook=outlook)
    if jump:
        outlook.notes.append(jump)
    latest_quarter = outlook.quarters[-1]
    used = [q for q in outlook.quarters if q.status == "accepted"]
    for measure in MEASURES_UPDATED:
        public = by_target.get((measure, target))
        if public is None:
            outlook.measures.extend(_not_reached(by_target, measure, target))
            continue
        if jump:
            outlook.measures.append(
                _unmoved(public, "FTE in post in the returns is inconsistent (see above)")
            )
            continue
        if measure == "turnover_rate_fte":
            if gaps:
                outlook.measures.append(
                    _unmoved(
                        public,
                        "a year's leavers need every quarter of the year so far, and a "
                        "quarter is missing",
                    )
                )
                continue
            leavers = [q.leavers_fte for q in used]
            if any(v is None for v in leavers) or latest_quarter.inpost_fte is None:
                outlook.measures.append(_unmoved(public, "a return leaves out leavers or FTE"))
                continue
            year_leavers = sum(v for v in leavers if v is not None) * 4 / len(used)
            rate = MEASURES[measure].compute(
                {"leavers_fte": year_leavers, "inpost_fte": latest_quarter.inpost_fte}, target
            )
            quarters = len(used)
        else:
            count = "agency_fte" if measure == "agency_rate_fte" else "vacancy_fte"
            # A figure left out is None, which compute answers with None.
            figures: dict[str, Any] = {
                count: getattr(latest_quarter, count),
                "inpost_fte": latest_quarter.inpost_fte,
            }
            rate = MEASURES[measure].compute(figures, target)
            quarters = len(ends)  # how many of the year's quarters the latest closes
        if rate is None:
            outlook.measures.append(_unmoved(public, "the latest return leaves out a figure"))
            continue
        outlook.measures.append(_moved(public, rate, quarters, latest))
    return outlook


def _latest_census(*, session: Session, code: str, cutoff: int) -> CouncilReturn | None:
    """The council's accepted census return for the latest census day after ``cutoff``'s."""
    return session.exec(
        select(CouncilReturn)
        .where(
            CouncilReturn.council_code == code,
            CouncilReturn.kind == ReturnKind.census,
            CouncilReturn.status == ReturnStatus.accepted,
            col(CouncilReturn.period_end) > date(cutoff, 9, 30),
        )
        .order_by(col(CouncilReturn.period_end).desc())
    ).first()


def _census_named(census: CouncilReturn, year: int) -> str:
    """Words for a census return whose year is behind the quarters the outlook uses."""
    assert census.period_end is not None
    figures = census.measures
    said = [
        f"{_label(m).lower()} {figures[m]:.1f}%"
        for m in MEASURES_UPDATED
        if figures.get(m) is not None
    ]
    return (
        f"Your accepted census return for {long_date(census.period_end)} gives {year}'s "
        "figures before DfE publishes them"
        + (f" ({', '.join(said)})" if said else "")
        + ". Your quarterly returns since reach into the next census year, so the outlook "
        "below is for that year."
    )


def _settled(
    outlook: ReturnsOutlook,
    census: CouncilReturn,
    year: int,
    by_target: dict[tuple[str, int], ForecastValue],
    *,
    accepted: int,
) -> ReturnsOutlook:
    """The outlook for ``year`` settled by the council's accepted census return for it."""
    assert census.period_end is not None
    outlook.target = year
    outlook.accepted = accepted
    outlook.census_return_id = census.id
    outlook.census_day = census.period_end
    outlook.notes.append(
        f"Your census return for {long_date(census.period_end)} was accepted: until DfE "
        f"publishes {year}, the outlook for {year} is its figures, worked out as DfE works out "
        "the published ones."
    )
    figures = census.measures
    for measure in MEASURES_UPDATED:
        public = by_target.get((measure, year))
        if public is None:
            outlook.measures.extend(_not_reached(by_target, measure, year))
            continue
        value = figures.get(measure)
        if value is None:
            outlook.measures.append(
                _unmoved(public, "your census return has no figure to work it out from")
            )
            continue
        moved = _moved_words(value - public.point, same="the same to one decimal place")
        outlook.measures.append(
            _outlook(
                public,
                returns_rate=value,
                quarters=0,
                weight=1.0,
                updated=value,
                source="census",
                sentence=(
                    f"{_label(measure)}: your accepted census return for "
                    f"{long_date(census.period_end)} puts it at {value:.1f}%, against "
                    f"{public.point:.1f}% expected for {year}; until DfE publishes {year}, "
                    f"the outlook for {year} is that figure, {moved}."
                ),
            )
        )
    return outlook


def _not_reached(
    by_target: dict[tuple[str, int], ForecastValue], measure: str, year: int
) -> list[MeasureOutlook]:
    """The measure's first public forecast, unmoved, when the forecasts stop before ``year``
    (none if the run has no forecast of the measure)."""
    first_target = min(target for _, target in by_target)
    fallback = by_target.get((measure, first_target))
    if fallback is None:
        return []
    return [_unmoved(fallback, f"the forecasts do not reach {year}, the year returned")]


def _moved_words(difference: float, *, same: str) -> str:
    """ "up 2.2 points", "down 0.5 points", or ``same`` when it rounds to nothing."""
    change = round(difference, 1)
    if change == 0:
        return same
    return f"{'up' if change > 0 else 'down'} {abs(change):.1f} points"


def _quarter(day: date, row: CouncilReturn | None, was_rejected: bool) -> Quarter:
    if row is None:
        return Quarter(day, "rejected" if was_rejected else "missing")
    counts = row.counts
    return Quarter(
        day,
        "accepted",
        return_id=row.id,
        version=row.version,
        inpost_fte=counts.get("inpost_fte"),
        agency_fte=counts.get("agency_fte"),
        vacancy_fte=counts.get("vacancy_fte"),
        leavers_fte=counts.get("leavers_fte"),
    )


def _fte_jump(
    *, session: Session, code: str, cutoff: int, target: int, outlook: ReturnsOutlook
) -> str | None:
    """Words for the first implausible move in FTE in post, or None."""
    series: list[tuple[str, float]] = []
    if target == cutoff + 1:
        published = statistics_service.council_series(
            session=session, code=code, measures=["inpost_fte"], year_from=cutoff
        )
        best = statistics_service.best_figures(published, code)
        figure = best.get((cutoff, "inpost_fte"))
        if figure is not None and figure.value is not None:
            series.append((f"the published census of 30 September {cutoff}", figure.value))
    for quarter in outlook.quarters:
        if quarter.status == "accepted" and quarter.inpost_fte is not None:
            series.append((f"the return for {long_date(quarter.period_end)}", quarter.inpost_fte))
    for (before_name, before), (after_name, after) in pairwise(series):
        change = abs(after - before)
        if change > JUMP_MIN_FTE and change > JUMP_SHARE * before:
            return (
                f"FTE in post goes from {before:g} in {before_name} to {after:g} in "
                f"{after_name}, a change of more than a quarter: check those figures. Until "
                "then the outlook stays the public forecast."
            )
    return None


def _label(measure: str) -> str:
    return MEASURES[measure].label


def _outlook(
    public: ForecastValue,
    *,
    returns_rate: float | None,
    quarters: int,
    weight: float,
    updated: float,
    sentence: str,
    source: str,
) -> MeasureOutlook:
    """The measure's outlook beside its public forecast (rounded as the forecasts API is)."""
    return MeasureOutlook(
        measure=public.measure,
        label=_label(public.measure),
        target=public.target,
        public=round(public.point, 2),
        public_lo80=round(public.lo80, 2),
        public_hi80=round(public.hi80, 2),
        returns_rate=None if returns_rate is None else round(returns_rate, 2),
        quarters=quarters,
        weight=weight,
        updated=round(updated, 2),
        sentence=sentence,
        source=source,
    )


def _unmoved(public: ForecastValue, why: str) -> MeasureOutlook:
    return _outlook(
        public,
        returns_rate=None,
        quarters=0,
        weight=0.0,
        updated=public.point,
        source="public",
        sentence=(
            f"{_label(public.measure)}: not updated, because {why}; the outlook for "
            f"{public.target} stays the public forecast, about {public.point:.1f}%."
        ),
    )


def _moved(public: ForecastValue, rate: float, quarters: int, latest: date) -> MeasureOutlook:
    weight = min(quarters / 4, MAX_WEIGHT)
    updated = public.point + weight * (rate - public.point)
    label = _label(public.measure)
    if public.measure == "turnover_rate_fte":
        source = (
            f"your accepted return for the quarter to {long_date(latest)}, its leavers "
            "scaled to a year, puts it"
            if quarters == 1
            else f"your {quarters} accepted returns for the year to 30 September "
            f"{public.target}, their leavers scaled to a year, put it"
        )
        why = f"{quarters} of the year's four quarters"
    else:
        source = f"your latest accepted return, for {long_date(latest)}, puts it"
        why = f"it closes {quarters} of the year's four quarters"
    moved = _moved_words(updated - public.point, same="unchanged to one decimal place")
    return _outlook(
        public,
        returns_rate=rate,
        quarters=quarters,
        weight=weight,
        updated=updated,
        source="quarterly",
        sentence=(
            f"{label}: {source} at {rate:.1f}%, against {public.point:.1f}% expected for "
            f"{public.target}; the updated outlook for {public.target} is about "
            f"{updated:.1f}% (was {public.point:.1f}%), {moved}: the returns weigh "
            f"{weight:.0%} ({why}), the public forecast the rest."
        ),
    )

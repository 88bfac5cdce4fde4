"""What the backtest says the forecasts cannot yet be trusted for, in plain words.

The targets a forecast has to meet in the service's own backtest (rolling origin, scored
against what was later published):

- points: MASE below 1 (better than carrying the last figure forward) for every group of
  councils at every horizon, and overall no worse than the figures the model was held to
  before calibration by group (turnover 0.84, agency rate 0.93);
- intervals: 80% intervals covering 76-84% of outcomes, 95% intervals 92-98%, for all
  councils and for councils recently judged inadequate, at each horizon.

:func:`missed_targets` states each miss, and for an interval miss whether it lies within
what chance gives a well-calibrated range over that many forecasts (a group of 23 councils
can hold 76-84% of outcomes only with 18 or 19 inside, which a range that is exactly right
does about two times in five); :func:`coverage_by_chance` gives that span;
:func:`council_caveats` gives the sentences a council's page carries for the misses that
concern it (its group, or a small workforce).
Both read score dicts (``Score`` as a dict, or a stored run's ``backtest["scores"]``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scipy.stats import binom
from sqlmodel import Session, col, select

from workforce.forecasting.models import ForecastRun
from workforce.forecasting.panel import census_year
from workforce.inspections.models import Grade, Judgement
from workforce.measures import MEASURES

OVERALL_MASE = {"turnover_rate_fte": 0.84, "agency_rate_fte": 0.93}
COVERAGE = {80: (0.76, 0.84), 95: (0.92, 0.98)}
CALIBRATED_GROUPS = ("all", "recent_inadequate")
GROUP_WORDS = {
    "all": "councils overall",
    "recent_inadequate": "councils recently judged inadequate",
    "rest": "councils not recently judged inadequate",
    "small_workforce": "councils with a small workforce",
}
SMALL_WORKFORCE = (
    "Small workforce: its rates swing on a few people joining, leaving or covering, so its "
    "forecast ranges are wider, and it is scored apart from other councils in the backtest."
)


def _label(measure: str) -> str:
    definition = MEASURES.get(measure)
    return definition.label if definition is not None else measure.replace("_", " ")


def _ahead(horizon: int) -> str:
    words = {1: "one year", 2: "two years", 3: "three years"}
    return f"{words.get(horizon, f'{horizon} years')} ahead"


def coverage_by_chance(level: int, n: int) -> tuple[float, float]:
    """The span of coverage that ranges holding exactly ``level``% of outcomes give over
    ``n`` independent forecasts 19 times in 20 (binomial 2.5th to 97.5th percentiles)."""
    low, high = binom.ppf([0.025, 0.975], n, level / 100)
    return float(low) / n, float(high) / n


def missed_targets(scores: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each target the panel model missed: measure, horizon, group, kind ("points" or
    "intervals") and a sentence saying so."""
    found: list[dict[str, Any]] = []
    for s in scores:
        if s.get("method") != "panel" or not s.get("n"):
            continue
        measure, horizon, group = s["measure"], int(s["horizon"]), s["group"]
        where = f"{_label(measure)}, {_ahead(horizon)}, {GROUP_WORDS.get(group, group)}"
        mase = s.get("mase")
        if mase is not None and group != "small_workforce":
            if mase >= 1:
                found.append(
                    {
                        **_key(measure, horizon, group, "points"),
                        "sentence": f"{where}: the forecast did not beat carrying the last "
                        f"figure forward (MASE {mase:.2f}, n = {s['n']}).",
                    }
                )
            elif group == "all" and mase > OVERALL_MASE.get(measure, 1.0):
                found.append(
                    {
                        **_key(measure, horizon, group, "points"),
                        "sentence": f"{where}: the forecast beat carrying the last figure "
                        f"forward, but by less than the target (MASE {mase:.2f}, target "
                        f"{OVERALL_MASE[measure]:.2f} or below).",
                    }
                )
        if group not in CALIBRATED_GROUPS:
            continue
        for level, (low, high) in COVERAGE.items():
            cover = s.get(f"coverage_{level}")
            if cover is not None and not low <= cover <= high:
                side = "too wide" if cover > high else "too narrow"
                chance = coverage_by_chance(level, int(s["n"]))
                within = chance[0] <= cover <= chance[1]
                found.append(
                    {
                        **_key(measure, horizon, group, "intervals"),
                        "level": level,
                        "chance": [round(chance[0], 4), round(chance[1], 4)],
                        "within_chance": within,
                        "sentence": f"{where}: the {level}% ranges held {cover:.0%} of the "
                        f"outcomes (target {low:.0%}-{high:.0%}): {side} (n = {s['n']}). "
                        f"Ranges that are exactly right hold {chance[0]:.0%}-{chance[1]:.0%} "
                        f"of {s['n']} outcomes 19 times in 20, so this "
                        + ("is within chance." if within else "is beyond chance."),
                    }
                )
    return found


def _key(measure: str, horizon: int, group: str, kind: str) -> dict[str, Any]:
    return {"measure": measure, "horizon": horizon, "group": group, "kind": kind}


def caveats_for(
    scores: Iterable[Mapping[str, Any]], *, recent_inadequate: bool, small_workforce: bool
) -> list[str]:
    """The sentences a council's forecasts carry: each measure whose point forecasts did not
    beat the naive forecast for the council's group (or for all councils) at some horizon,
    each measure that beat it by less than its overall target, and a small workforce."""
    groups = {"recent_inadequate" if recent_inadequate else "rest", "all"}
    beaten: dict[str, set[int]] = {}
    narrow: dict[str, dict[int, float]] = {}
    for s in scores:
        if s.get("method") != "panel" or s.get("group") not in groups or not s.get("n"):
            continue
        mase, measure, horizon = s.get("mase"), s["measure"], int(s["horizon"])
        if mase is None:
            continue
        if mase >= 1:
            beaten.setdefault(measure, set()).add(horizon)
        elif s["group"] == "all" and mase > OVERALL_MASE.get(measure, 1.0):
            narrow.setdefault(measure, {})[horizon] = mase
    sentences = []
    for measure, horizons in beaten.items():
        who = GROUP_WORDS["recent_inadequate"] if recent_inadequate else "councils"
        ahead = " or ".join(_ahead(h) for h in sorted(horizons))
        sentences.append(
            f"Forecasts of the {_label(measure).lower()} for {who} have not beaten simply "
            f"carrying the last figure forward in the service's backtest ({ahead})."
        )
    for measure, by_horizon in narrow.items():
        if measure in beaten:
            continue
        figures = ", ".join(f"{m:.2f} {_ahead(h)}" for h, m in sorted(by_horizon.items()))
        sentences.append(
            f"Forecasts of the {_label(measure).lower()} have beaten simply carrying the last "
            f"figure forward by less than the service's target in its backtest (MASE "
            f"{figures}; target {OVERALL_MASE[measure]:.2f}): treat them as little better "
            "than the latest figure."
        )
    if small_workforce:
        sentences.append(SMALL_WORKFORCE)
    return sentences


def council_caveats(*, session: Session, run: ForecastRun | None, code: str) -> list[str]:
    """The caveats for council ``code``'s forecasts in ``run``: its group's misses in the
    run's backtest, and a small workforce (as flagged when the run was fitted)."""
    if run is None:
        return []
    judgements = session.exec(
        select(Judgement).where(Judgement.council_code == code, col(Judgement.grade).is_not(None))
    ).all()
    recent = any(
        j.grade == Grade.inadequate
        # judged inadequate in the last two census years, or since (a newer judgement)
        and census_year(j.inspection_end or j.inspection_start) >= run.data_cutoff - 1
        for j in judgements
    )
    small = any(code in model.get("small_workforce", []) for model in run.models)
    return caveats_for(
        run.backtest.get("scores", []), recent_inadequate=recent, small_workforce=small
    )

"""How measures move in the years around a judgement: a stacked event study.

Staggered timing is handled by stacking (Cengiz, Dube, Lindner and Zipperer 2019): each
judgement of the studied grade is its own small experiment, with the judged council and
*clean controls*, councils with no judgement of that grade in the event window (so the
comparison is with councils not (yet) judged so, never with ones already treated). Within
each stack, council and year effects are removed (two-way demeaning by alternating
projections); the effect in each year relative to the judgement (``k = -3 ... +3``, the
year before, ``k = -1``, is the reference) is then estimated by OLS across all stacks, with
standard errors clustered by council (statsmodels). The pre-judgement years are shown so a
reader can see whether a council was already moving before the inspection; their joint
test is reported.

A judgement counts from the census year it ended in (after 30 September: the next year).
Events whose council had another judgement of the same grade inside the window are left
out, as their years cannot be attributed to one judgement.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from workforce.forecasting.panel import Panel

PRE, POST = 3, 3
REFERENCE = -1
GROUPS = {
    "inadequate": lambda grade: grade == "inadequate",
    "requires_improvement_or_better": lambda grade: grade != "inadequate",
}


@dataclass
class EffectEstimate:
    k: int
    estimate: float
    se: float
    lower: float
    upper: float


@dataclass
class EventStudy:
    measure: str
    group: str
    events: int
    controls: int
    observations: int
    estimates: list[EffectEstimate] = field(default_factory=list)
    pre_trend_p: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _demean(frame: pd.DataFrame, columns: list[str], groups: list[str]) -> pd.DataFrame:
    """Remove group means for several groupings at once (alternating projections)."""
    out = frame[columns].astype(float).copy()
    keys = [frame[g] for g in groups]
    for _ in range(200):
        before = out.to_numpy().copy()
        for key in keys:
            out = out - out.groupby(key).transform("mean")
        if np.max(np.abs(out.to_numpy() - before)) < 1e-9:
            break
    return out


def estimate(panel: Panel, measure: str, group: str = "inadequate") -> EventStudy:
    """The stacked event study of ``measure`` around judgements of ``group``."""
    selects = GROUPS[group]
    values = panel.values[measure].dropna()
    years = sorted(set(values.index.get_level_values("year")))
    first, last = years[0], years[-1]
    by_council = {
        str(code): series.droplevel("council_code")
        for code, series in values.groupby(level="council_code")
    }
    studied = {
        code: sorted({j.year for j in events if selects(j.grade)})
        for code, events in panel.judgements.items()
    }
    stacks = []
    event_count = 0
    control_set: set[str] = set()
    for code, event_years in studied.items():
        if code not in by_council:
            continue
        for year in event_years:
            window = range(year - PRE, year + POST + 1)
            if year + REFERENCE < first or year + REFERENCE > last:
                continue  # no reference year in the data
            if any(other != year and other in window for other in event_years):
                continue  # another judgement of this grade inside the window
            controls = [
                other
                for other in by_council
                if other != code and not any(y in window for y in studied.get(other, []))
            ]
            if not controls:
                continue
            event_count += 1
            control_set.update(controls)
            stack = f"{code}:{year}"
            for council in [code, *controls]:
                series = by_council[council]
                for y in window:
                    if y in series.index:
                        stacks.append(
                            (stack, council, y, y - year, council == code, float(series[y]))
                        )
    study = EventStudy(
        measure=measure,
        group=group,
        events=event_count,
        controls=len(control_set),
        observations=len(stacks),
    )
    if event_count < 3:
        study.note = "too few judgements of this grade with data around them to estimate"
        return study
    frame = pd.DataFrame(stacks, columns=["stack", "council", "year", "k", "treated", "y"])
    ks = [k for k in range(-PRE, POST + 1) if k != REFERENCE]
    names = []
    for k in ks:
        name = f"k{k:+d}"
        frame[name] = ((frame["k"] == k) & frame["treated"]).astype(float)
        if frame[name].sum() > 0:
            names.append(name)
    frame["stack_council"] = frame["stack"] + "|" + frame["council"]
    frame["stack_year"] = frame["stack"] + "|" + frame["year"].astype(str)
    demeaned = _demean(frame, ["y", *names], ["stack_council", "stack_year"])
    result = sm.OLS(demeaned["y"], demeaned[names]).fit(
        cov_type="cluster", cov_kwds={"groups": frame["council"].astype("category").cat.codes}
    )
    interval = result.conf_int(alpha=0.05)
    estimates = [EffectEstimate(REFERENCE, 0.0, 0.0, 0.0, 0.0)]
    for name in names:
        estimates.append(
            EffectEstimate(
                k=int(name[1:]),
                estimate=float(result.params[name]),
                se=float(result.bse[name]),
                lower=float(interval.loc[name, 0]),
                upper=float(interval.loc[name, 1]),
            )
        )
    study.estimates = sorted(estimates, key=lambda e: e.k)
    pre = [n for n in names if int(n[1:]) < REFERENCE]
    if pre:
        test = result.wald_test(np.eye(len(names))[[names.index(n) for n in pre]], scalar=True)
        study.pre_trend_p = float(test.pvalue)
    return study

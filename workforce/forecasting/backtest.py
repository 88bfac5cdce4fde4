"""Rolling-origin backtest: refit on years up to each origin, forecast, compare.

For each origin ``T`` the panel is cut with ``Panel.up_to(T)``: no figure after ``T`` and
no judgement counting from after ``T`` reaches the fit or the forecast. Forecasts for
``T + h`` are compared with what was later published.

Reported per measure, horizon and group for the panel model and four baselines. The
groups: ``all`` councils, ``recent_inadequate`` (judged inadequate in the two census years
up to the origin) and the ``rest``, none of them holding a council with a small workforce
at the origin (fewer FTE in post than the England table's threshold): those are scored
only as their own group, ``small_workforce``, since their rates swing on a few people.

- ``last_value``: the naive forecast, the council's figure at the origin;
- ``last_value_plus_national_change``: that plus ``h`` times the national mean's last change;
- ``council_mean``: the council's mean up to the origin;
- ``panel_without_judgements``: the same panel model without its judgement terms.

``mase`` is the mean absolute error divided by the naive forecast's over the same
forecasts (below 1 beats the naive forecast); ``bias`` is the mean of forecast minus
outcome; ``coverage_80``/``coverage_95`` the share of outcomes inside the intervals.

``coverage_by_horizon`` gives the panel model's coverage for each horizon and group over
all the measures together (four times the forecasts of one measure, from the same
councils), with the span exactly-right ranges would give that many forecasts 19 times in
20 (:func:`caveats.coverage_by_chance`): a group of a few dozen councils is too small to
judge a range by one measure alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workforce.forecasting import model as panel_model
from workforce.forecasting.panel import FORECAST_MEASURES, Panel
from workforce.timeutils import utcnow

METHODS = (
    "panel",
    "panel_without_judgements",
    "last_value",
    "last_value_plus_national_change",
    "council_mean",
)
GROUPS = ("all", "recent_inadequate", "rest", "small_workforce")
GROUP_HEADINGS = {
    "all": "all",
    "recent_inadequate": "recent inadequate",
    "rest": "rest",
    "small_workforce": "small workforce",
}


@dataclass
class Score:
    measure: str
    horizon: int
    group: str
    method: str
    n: int
    mae: float | None
    mase: float | None
    bias: float | None
    coverage_80: float | None = None
    coverage_95: float | None = None


@dataclass
class BacktestReport:
    model_version: str
    origins: list[int]
    horizons: list[int]
    measures: list[str]
    scores: list[Score] = field(default_factory=list)
    fits: list[dict[str, Any]] = field(default_factory=list)  # what each fit saw
    coverage_by_horizon: list[dict[str, Any]] = field(default_factory=list)
    generated_at: str = field(default_factory=lambda: utcnow().isoformat())

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, with each missed target in words."""
        from workforce.forecasting.caveats import missed_targets

        data = asdict(self)
        data["missed_targets"] = missed_targets(data["scores"])
        return data

    def score(self, measure: str, horizon: int, method: str, group: str = "all") -> Score:
        return next(
            s
            for s in self.scores
            if (s.measure, s.horizon, s.method, s.group) == (measure, horizon, method, group)
        )

    def table(self) -> str:
        """A plain-text table: one block per measure and horizon, a line per method and
        group, and the targets the panel model missed, in words."""
        from workforce.forecasting.caveats import missed_targets

        lines = [
            f"Backtest of {self.model_version}: origins {', '.join(map(str, self.origins))}; "
            "MASE against the naive last value (below 1 beats it); coverage of the 80% and "
            "95% intervals; groups: all councils / judged inadequate in the two years to "
            "the origin / the rest / small workforces (scored apart from the other three)",
        ]
        for measure in self.measures:
            for horizon in self.horizons:
                rows = [s for s in self.scores if s.measure == measure and s.horizon == horizon]
                if not rows:
                    continue
                lines.append("")
                lines.append(f"{measure}, {horizon} year(s) ahead")
                lines.append(
                    f"  {'method':<34}{'group':<19}{'n':>5}{'MAE':>8}{'MASE':>8}{'bias':>8}"
                    f"{'cov80':>7}{'cov95':>7}"
                )
                for method in METHODS:
                    for group in GROUPS:
                        score = next(
                            (s for s in rows if s.method == method and s.group == group), None
                        )
                        if score is None:
                            continue
                        lines.append(
                            f"  {method if group == 'all' else '':<34}"
                            f"{GROUP_HEADINGS[group]:<19}{score.n:>5}"
                            + _fmt(score.mae, 8)
                            + _fmt(score.mase, 8)
                            + _fmt(score.bias, 8)
                            + _fmt(score.coverage_80, 7, pct=True)
                            + _fmt(score.coverage_95, 7, pct=True)
                        )
        if self.coverage_by_horizon:
            lines.append("")
            lines.append(
                "The panel model's coverage over all measures together (in brackets: what "
                "exactly-right ranges hold of that many forecasts 19 times in 20)"
            )
            for c in self.coverage_by_horizon:
                lines.append(
                    f"  {c['horizon']} year(s) ahead, {GROUP_HEADINGS[c['group']]:<19}"
                    f"{c['n']:>5}  80%: {c['coverage_80']:.0%} "
                    f"({c['chance_80'][0]:.0%}-{c['chance_80'][1]:.0%})  "
                    f"95%: {c['coverage_95']:.0%} "
                    f"({c['chance_95'][0]:.0%}-{c['chance_95'][1]:.0%})"
                )
        missed = missed_targets(asdict(s) for s in self.scores)
        lines.append("")
        if missed:
            lines.append("Targets missed:")
            lines.extend(f"- {m['sentence']}" for m in missed)
        else:
            lines.append("Every target met.")
        return "\n".join(lines)


def _fmt(value: float | None, width: int, pct: bool = False) -> str:
    if value is None:
        return f"{'-':>{width}}"
    return f"{value * 100:>{width - 1}.0f}%" if pct else f"{value:>{width}.3f}"


def recent_inadequate(panel: Panel, code: str, origin: int) -> bool:
    """Judged inadequate in the census year of the origin or the one before."""
    return any(
        j.inadequate and origin - 1 <= j.year <= origin for j in panel.judgements.get(code, [])
    )


def default_origins(panel: Panel, count: int = 4) -> list[int]:
    """Return the ``count`` census years before the panel's last, each after its first.

    The newest origins the published data can score: each has an outcome one year ahead,
    and a year before it to learn from. They follow the data, so a new release moves them.
    """
    if panel.values.empty:
        return []
    years = panel.values.index.get_level_values("year")
    first, last = int(years.min()), int(years.max())
    return [year for year in range(last - count, last) if year > first]


def forecasts_at(
    full: Panel, measure: str, horizon: int, origin: int
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Every method's forecasts from ``origin``, fitted on ``full.up_to(origin)`` only."""
    known = full.up_to(origin)
    fitted = panel_model.fit(known, measure, horizon)
    plain = panel_model.fit(known, measure, horizon, judgement_terms=False)
    rows = panel_model.build_rows(known, measure, horizon, origins=[origin], training=False).frame
    with_j = fitted.predict(panel_model.Rows(rows))
    without = plain.predict(panel_model.Rows(rows))
    frame = pd.DataFrame(
        {
            "council_code": rows["council_code"].to_numpy(),
            "origin": origin,
            "target": origin + horizon,
            "panel": with_j["point"].to_numpy(),
            "panel_without_judgements": without["point"].to_numpy(),
            "last_value": rows["level"].to_numpy(),
            "last_value_plus_national_change": (
                rows["level"] + horizon * rows["national_change"]
            ).to_numpy(),
            "council_mean": rows["mean"].to_numpy(),
        }
    )
    for level in (80, 95):
        for method, preds in (("panel", with_j), ("panel_without_judgements", without)):
            frame[f"{method}_lo{level}"] = preds[f"lo{level}"].to_numpy()
            frame[f"{method}_hi{level}"] = preds[f"hi{level}"].to_numpy()
    for method in ("last_value_plus_national_change", "council_mean"):
        frame[method] = panel_model.bound(
            frame[[method]].rename(columns={method: "point"}), measure
        )["point"].to_numpy()
    actual = full.values[measure]
    frame["actual"] = [
        actual.get((code, origin + horizon), np.nan) for code in frame["council_code"]
    ]
    frame["recent_inadequate"] = [
        recent_inadequate(known, code, origin) for code in frame["council_code"]
    ]
    frame["small_workforce"] = rows["small_workforce"].to_numpy(dtype=bool)
    seen = [
        {
            "measure": measure,
            "horizon": horizon,
            "origin": origin,
            "model": name,
            "cutoff": model.cutoff,
            "last_judgement_year": max(
                (j.year for items in known.judgements.values() for j in items), default=None
            ),
            "n_obs": model.n_obs,
            "terms": list(model.terms),
            "params": {k: round(float(v), 4) for k, v in model.params.items()},
            # interval multiples (of a council's volatility), from this fit's own rows
            "interval_multiples": {str(level): round(q, 4) for level, q in model.quantiles.items()},
        }
        for name, model in (("panel", fitted), ("panel_without_judgements", plain))
    ]
    return frame, seen


def _held(frame: pd.DataFrame, method: str, level: int) -> pd.Series:
    """Whether each outcome fell inside ``method``'s ``level``% interval."""
    return (frame["actual"] >= frame[f"{method}_lo{level}"]) & (
        frame["actual"] <= frame[f"{method}_hi{level}"]
    )


def _scores(frame: pd.DataFrame, measure: str, horizon: int) -> list[Score]:
    scores = []
    for group, part in _groups(frame).items():
        naive_mae = float((part["last_value"] - part["actual"]).abs().mean()) if len(part) else 0
        for method in METHODS:
            errors = part[method] - part["actual"]
            mae = float(errors.abs().mean()) if len(part) else None
            score = Score(
                measure=measure,
                horizon=horizon,
                group=group,
                method=method,
                n=len(part),
                mae=mae,
                mase=(mae / naive_mae) if mae is not None and naive_mae else None,
                bias=float(errors.mean()) if len(part) else None,
            )
            if f"{method}_lo80" in part and len(part):
                for level in (80, 95):
                    inside = _held(part, method, level)
                    setattr(score, f"coverage_{level}", float(inside.mean()))
            scores.append(score)
    return scores


def _groups(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The forecasts of each group, in ``GROUPS`` order: a small workforce is in its own
    group only."""
    small = frame["small_workforce"].astype(bool)
    recent = frame["recent_inadequate"].astype(bool)
    return {
        "all": frame[~small],
        "recent_inadequate": frame[~small & recent],
        "rest": frame[~small & ~recent],
        "small_workforce": frame[small],
    }


def _inside(frame: pd.DataFrame) -> pd.DataFrame:
    """Each panel forecast's group flags and whether its outcome fell inside its 80% and
    95% intervals."""
    out = frame[["small_workforce", "recent_inadequate"]].copy()
    for level in (80, 95):
        out[f"in{level}"] = _held(frame, "panel", level)
    return out


def _coverage_by_horizon(inside: dict[int, list[pd.DataFrame]]) -> list[dict[str, Any]]:
    from workforce.forecasting.caveats import coverage_by_chance

    found = []
    for horizon, frames in sorted(inside.items()):
        parts = _groups(pd.concat(frames, ignore_index=True))
        for group in ("all", "recent_inadequate", "rest"):
            part = parts[group]
            if part.empty:
                continue
            entry: dict[str, Any] = {"horizon": horizon, "group": group, "n": len(part)}
            for level in (80, 95):
                entry[f"coverage_{level}"] = float(part[f"in{level}"].mean())
                entry[f"chance_{level}"] = [
                    round(x, 4) for x in coverage_by_chance(level, len(part))
                ]
            found.append(entry)
    return found


def run_backtest(
    panel: Panel,
    *,
    measures: Sequence[str] = FORECAST_MEASURES,
    origins: Sequence[int] | None = None,
    horizons: Sequence[int] = (1, 2),
    progress: Callable[[str], None] | None = None,
) -> BacktestReport:
    """Score every method from each origin (default: the four years before the data end);
    ``progress`` is told which fit is next, for a caller that shows it."""
    origins = default_origins(panel) if origins is None else origins
    report = BacktestReport(
        model_version=panel_model.MODEL_VERSION,
        origins=list(origins),
        horizons=list(horizons),
        measures=list(measures),
    )
    inside: dict[int, list[pd.DataFrame]] = {}
    for measure in measures:
        for horizon in horizons:
            frames = []
            for origin in origins:
                if origin + horizon > panel.last_year:
                    continue  # nothing published yet to compare with
                if progress is not None:
                    progress(f"{measure}, {horizon} year(s) ahead of {origin}")
                frame, seen = forecasts_at(panel, measure, horizon, origin)
                frames.append(frame)
                report.fits.extend(seen)
            if frames:
                together = pd.concat(frames).dropna(subset=["actual"])
                report.scores.extend(_scores(together, measure, horizon))
                inside.setdefault(horizon, []).append(_inside(together))
    report.coverage_by_horizon = _coverage_by_horizon(inside)
    return report

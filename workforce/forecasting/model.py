"""The panel forecasting model: one model across all councils, per measure and horizon.

For council ``i``, origin year ``t`` and horizon ``h`` the model predicts the change
``y[i, t+h] - y[i, t]`` from:

- ``own_gap``: how far the council is from its own mean up to ``t`` (its recent level,
  and how far it tends to come back);
- ``national_gap``: how far it is from the national mean at ``t`` (the national
  movement: councils move with, and back towards, the country);
- judgement terms: ``recent_inadequate_gap``, the national gap of a council judged
  inadequate in the origin year or the year before (after a failed inspection a council's
  distance from the national level moves differently); ``new_inadequate`` and
  ``new_better``: a judgement between ``t`` and ``t+h``. Live forecasts use the judgements
  published since the last census; a backtest from origin ``T`` sees none after ``T``
  (``Panel.up_to``), so it assumes no new judgement; a scenario adds a hypothetical one.

It is fitted by median (least absolute deviation) regression, statsmodels' ``QuantReg``,
with each row scaled by the council's volatility, so that erratic councils and outliers
do not steer the fit. There is no intercept: a common drift learnt from past years is
not assumed to carry on.

Prediction intervals scale with each council's own volatility (the spread of its yearly
changes, shrunk towards the national typical spread): the fit's residuals divided by that
volatility give the quantiles, so a steady council gets a narrow band and an erratic one a
wide band. The quantiles are estimated for each horizon (one fit per horizon), and weighted
towards recent years: a residual's weight halves for every ``RECENCY_HALF_LIFE`` years its
target year lies before the newest the fit saw (a weighted quantile, as in conformal
prediction for data that drift; Barber, Candes, Ramdas and Tibshirani, "Conformal prediction
beyond exchangeability", Annals of Statistics, 2023). The fit's errors, in multiples of
each council's volatility, were larger in the first years of the series (when that
volatility rested on a year or two of history) than since, so equal weights gave bands
too wide. The calibration uses only the fit's own rows, so the intervals for origin
``T`` see nothing after ``T``.

One multiple serves every council at a horizon. A separate multiple for councils recently
judged inadequate, from the fit's own rows of that group, was tried (``panel-lad-4``):
those rows' residuals are large, because the judgement's shock arrived after their origin,
but the group's later forecast errors were not, and its bands came out too wide (in the
backtest, 95% bands held 99% of the group's one-year outcomes). A council's band still
reflects its own history through its volatility, and the backtest reports coverage for the
group apart.

Small workforces: a council with fewer FTE social workers in post than the England
table's threshold (:meth:`Panel.small_workforce`) has rates that swing on a few people.
Its interval's spread gets a sampling term on top of its volatility (added in quadrature):
binomial noise on its FTE for a rate (``100 * sqrt(p (1 - p) / FTE)``), Poisson noise on
the cases for a caseload (``sqrt(caseload / FTE)``); the fit itself is unchanged, and its
rows carry ``small_workforce`` so pages can say so.

Rates are kept within 0-100 and caseloads at or above 0.

A fit on origin ``T`` only ever sees years up to ``T`` and judgements counting from ``T``
or earlier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

from workforce.forecasting.panel import RATE_MEASURES, JudgementEvent, Panel

MODEL_VERSION = "panel-lad-5"
BASE_TERMS = ("own_gap", "national_gap")
JUDGEMENT_TERMS = ("recent_inadequate_gap", "new_inadequate", "new_better")
LEVELS = (0.80, 0.95)
SHRINK = 3.0  # years of evidence weighed against the national typical volatility
RECENCY_HALF_LIFE = 2.0  # years after which a residual weighs half in the calibration


def _national(values: pd.Series) -> pd.Series:
    """The mean across councils for each year."""
    return values.groupby(level="year").mean()


def _judgement_terms(
    events: Sequence[JudgementEvent], origin: int, target: int, known_until: int, gap: float
) -> dict[str, float]:
    """Judgement features for a forecast from ``origin`` to ``target``.

    Only judgements counting from ``known_until`` or earlier are seen: in training that is
    the target year (the past is known), at forecast time the origin (plus scenarios).
    """
    seen = [e for e in events if e.year <= known_until]
    before = [e for e in seen if e.year <= origin]
    between = [e for e in seen if origin < e.year <= target]
    terms = dict.fromkeys(JUDGEMENT_TERMS, 0.0)
    latest = before[-1] if before else None
    if latest is not None and latest.inadequate and origin - latest.year in (0, 1):
        terms["recent_inadequate_gap"] = gap
    if any(e.inadequate for e in between):
        terms["new_inadequate"] = 1.0
    elif between:
        terms["new_better"] = 1.0
    return terms


@dataclass
class Rows:
    """Design rows: one per council and origin (and, in training, a known outcome)."""

    frame: pd.DataFrame  # council_code, origin, target, level, sigma, terms..., outcome


def recently_inadequate(events: Sequence[JudgementEvent], origin: int) -> bool:
    """Judged inadequate in the census year of ``origin`` or the one before."""
    return any(e.inadequate and origin - 1 <= e.year <= origin for e in events)


def sampling_noise(measure: str, level: float, fte: float | None) -> float:
    """The spread a figure has from a few people alone: binomial on ``fte`` for a rate,
    Poisson on the cases for a caseload (0 if the FTE is not known)."""
    if fte is None:
        return 0.0
    people = max(fte, 1.0)  # below one FTE the rates are all-or-nothing anyway
    if measure in RATE_MEASURES:
        p = min(max(level / 100.0, 0.05), 0.95)
        return float(100.0 * np.sqrt(p * (1 - p) / people))
    return float(np.sqrt(max(level, 1.0) / people))


def _volatility(series: pd.Series, typical: float) -> float:
    changes = series.diff().dropna()
    n = len(changes)
    own = float(np.sqrt((changes**2).mean())) if n else typical
    return float(np.sqrt((n * own**2 + SHRINK * typical**2) / (n + SHRINK)))


def build_rows(
    panel: Panel,
    measure: str,
    horizon: int,
    *,
    origins: Sequence[int],
    training: bool,
    scenario: JudgementEvent | None = None,
) -> Rows:
    """Rows for ``origins``; in training, only rows whose outcome is in the panel."""
    values = panel.values[measure].dropna()
    national = _national(values)
    typical = float(
        np.nanmedian(
            [
                np.sqrt((g.diff().dropna() ** 2).mean())
                for _, g in values.groupby(level="council_code")
                if len(g) > 2
            ]
            or [1.0]
        )
    )
    records = []
    for code, series in values.groupby(level="council_code"):
        series = series.droplevel("council_code")
        events = list(panel.judgements.get(str(code), []))
        if scenario is not None and scenario.council_code == code:
            events = sorted([*events, scenario], key=lambda e: e.day)
        for origin in origins:
            if origin not in series.index or origin not in national.index:
                continue
            target = origin + horizon
            outcome = series.get(target)
            if training and outcome is None:
                continue
            history = series[series.index <= origin]
            level = float(history[origin])
            small = panel.small_workforce(str(code), origin)
            noise = sampling_noise(measure, level, panel.staff_at(str(code), origin))
            national_previous = national.get(origin - 1)
            gap = level - float(national[origin])
            terms = {
                "own_gap": level - float(history.mean()),
                "national_gap": gap,
                # Every judgement the panel holds up to the target counts: in a backtest
                # the panel holds none after the origin; live, those since the last census
                # are real and known.
                **_judgement_terms(events, origin, target, known_until=target, gap=gap),
            }
            recent = recently_inadequate(events, origin)
            national_change = (
                float(national[origin] - national_previous)
                if national_previous is not None
                else 0.0
            )
            records.append(
                {
                    "council_code": code,
                    "origin": origin,
                    "target": target,
                    "level": level,
                    "mean": float(history.mean()),
                    "national_change": national_change,
                    "sigma": _volatility(history, typical),
                    "noise": noise if small else 0.0,
                    **terms,
                    "recent_inadequate": recent,
                    "exposed": recent,
                    "small_workforce": small,
                    "outcome": float(outcome) if outcome is not None else np.nan,
                }
            )
    columns = [
        "council_code",
        "origin",
        "target",
        "level",
        "mean",
        "national_change",
        "sigma",
        "noise",
        *BASE_TERMS,
        *JUDGEMENT_TERMS,
        "recent_inadequate",
        "exposed",
        "small_workforce",
        "outcome",
    ]
    return Rows(pd.DataFrame.from_records(records, columns=columns))


@dataclass
class FittedModel:
    measure: str
    horizon: int
    terms: tuple[str, ...]
    params: pd.Series
    bse: pd.Series
    quantiles: dict[float, float]  # level -> multiple of a council's volatility
    n_obs: int
    cutoff: int  # the last census year the fit saw
    residual_scale: float = 1.0
    extra: dict[str, float] = field(default_factory=dict)
    # group ("exposed" or "rest") -> level -> multiple, as ``panel-lad-4`` runs stored
    # them; empty (every newer fit): ``quantiles`` for every row
    group_quantiles: dict[str, dict[float, float]] = field(default_factory=dict)

    def multiples(self, frame: pd.DataFrame, level: float) -> np.ndarray:
        """Each row's interval half-width in multiples of its volatility."""
        pooled = np.full(len(frame), self.quantiles[level])
        if not self.group_quantiles or "exposed" not in frame:
            return pooled
        exposed = frame["exposed"].to_numpy(dtype=bool)
        return np.where(
            exposed,
            self.group_quantiles.get("exposed", {}).get(level, self.quantiles[level]),
            self.group_quantiles.get("rest", {}).get(level, self.quantiles[level]),
        )

    def predict(self, rows: Rows) -> pd.DataFrame:
        frame = rows.frame
        X = frame[list(self.terms)]
        change = X.to_numpy() @ self.params.reindex(X.columns).to_numpy()
        point = frame["level"].to_numpy() + change
        out = pd.DataFrame(
            {
                "council_code": frame["council_code"],
                "origin": frame["origin"],
                "target": frame["target"],
                "point": point,
            }
        )
        for level in self.quantiles:
            spread = frame["sigma"].to_numpy()
            if "noise" in frame:
                spread = np.hypot(spread, frame["noise"].to_numpy())
            width = self.multiples(frame, level) * spread
            tag = round(level * 100)
            out[f"lo{tag}"] = point - width
            out[f"hi{tag}"] = point + width
        return bound(out, self.measure)


def bound(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Keep rates within 0-100 and counts at or above 0."""
    upper = 100.0 if measure in RATE_MEASURES else None
    for column in frame.columns:
        if column in ("point",) or column.startswith(("lo", "hi")):
            frame[column] = frame[column].clip(lower=0.0, upper=upper)
    return frame


def training_origins(panel: Panel, horizon: int) -> list[int]:
    years = sorted(set(panel.values.index.get_level_values("year")))
    return [y for y in years if y + horizon <= panel.last_year]


def fit(panel: Panel, measure: str, horizon: int, *, judgement_terms: bool = True) -> FittedModel:
    """Fit the model on everything ``panel`` holds (call ``panel.up_to(T)`` to backtest)."""
    rows = build_rows(
        panel, measure, horizon, origins=training_origins(panel, horizon), training=True
    ).frame
    terms = BASE_TERMS + (JUDGEMENT_TERMS if judgement_terms else ())
    if judgement_terms:
        # A term no training row has cannot be estimated: leave it out of this fit.
        terms = tuple(t for t in terms if t in BASE_TERMS or rows[t].abs().sum() > 0)
    if len(rows) < len(terms) + 10:
        raise ValueError(
            f"not enough history to fit {measure} at horizon {horizon}: {len(rows)} rows"
        )
    sigma = rows["sigma"]
    y = (rows["outcome"] - rows["level"]) / sigma
    X = rows[list(terms)].div(sigma, axis=0)
    result = sm.QuantReg(y, X).fit(q=0.5, max_iter=5000)
    residuals = y - result.fittedvalues
    n, p = len(rows), X.shape[1]
    inflate = float(np.sqrt(n / max(n - p, 1)))
    age = panel.last_year - rows["target"].to_numpy(dtype=float)
    quantiles = calibrate(np.abs(residuals.to_numpy()) * inflate, age)
    return FittedModel(
        measure=measure,
        horizon=horizon,
        terms=terms,
        params=result.params,
        bse=result.bse,
        quantiles=quantiles,
        n_obs=n,
        cutoff=panel.last_year,
    )


def calibrate(scaled: np.ndarray, age: np.ndarray | None = None) -> dict[float, float]:
    """Interval multiples from absolute scaled residuals, ``level -> multiple``: each
    residual weighs ``0.5 ** (age / RECENCY_HALF_LIFE)``, ``age`` being how many years its
    target lies before the newest the fit saw (all equal when ``age`` is not given)."""
    age = np.zeros(len(scaled)) if age is None else np.asarray(age, dtype=float)
    weights = 0.5 ** (age / RECENCY_HALF_LIFE)
    return {
        level: float(np.quantile(scaled, level, weights=weights, method="inverted_cdf"))
        for level in LEVELS
    }


def forecast(
    model: FittedModel,
    panel: Panel,
    *,
    origin: int | None = None,
    scenario: JudgementEvent | None = None,
) -> pd.DataFrame:
    """Forecast every council from ``origin`` (default: the last year) ``model.horizon`` on."""
    origin = panel.last_year if origin is None else origin
    rows = build_rows(
        panel, model.measure, model.horizon, origins=[origin], training=False, scenario=scenario
    )
    return model.predict(rows)

"""Stored forecast runs: what was fitted, on which data, and what it predicted.

A run's results are rows: its forecasts (``forecast_value``), its backtest scores
(``backtest_score``), its event studies (``event_study`` with ``event_study_estimate``)
and its early warnings (``early_warning`` with ``early_warning_figure``), each readable
across runs and councils in SQL. The properties of :class:`ForecastRun` give them back in
the shape the API and the pages show.
"""

from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

from workforce.timeutils import UTCDateTime, utcnow

# The backtest's design, in the order its report lists it before and after the scores.
BACKTEST_HEAD = ("model_version", "origins", "horizons", "measures")


class ForecastRun(SQLModel, table=True):
    """One refit: the model version, the data it saw, its backtest and its outputs.

    ``models`` (each fitted model's terms and coefficients) and ``backtest_design`` (the
    backtest's origins, horizons and what each of its fits saw) stay JSON: they document
    the run, are read whole for that one run, and are never filtered or joined across runs
    or councils.
    """

    __tablename__ = "forecast_run"

    id: int | None = Field(default=None, primary_key=True)
    model_version: str = Field(max_length=40)
    data_cutoff: int = Field(description="the last census year the fit saw")
    data_fingerprint: str = Field(max_length=64, index=True)
    fitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    seconds: float = 0.0
    trigger: str = Field(default="", max_length=20)
    models: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    backtest_design: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    warnings_at: datetime | None = Field(default=None, sa_type=UTCDateTime())

    # Each loaded when first read (one query, its own children in one more).
    score_rows: list["BacktestScore"] = Relationship(
        sa_relationship=relationship(
            "BacktestScore", order_by="BacktestScore.position", cascade="all, delete-orphan"
        )
    )
    study_rows: list["EventStudy"] = Relationship(
        sa_relationship=relationship(
            "EventStudy", order_by="EventStudy.position", cascade="all, delete-orphan"
        )
    )
    warning_rows: list["EarlyWarning"] = Relationship(
        sa_relationship=relationship(
            "EarlyWarning",
            order_by="(EarlyWarning.rank, EarlyWarning.position)",
            cascade="all, delete-orphan",
        )
    )

    @property
    def backtest(self) -> dict[str, Any]:
        """The backtest report: its design, with every score in the order it was made."""
        design = self.backtest_design
        if not design and not self.score_rows:
            return {}
        return {
            **{key: design[key] for key in BACKTEST_HEAD if key in design},
            "scores": [score.as_dict() for score in self.score_rows],
            **{key: value for key, value in design.items() if key not in BACKTEST_HEAD},
        }

    @property
    def event_studies(self) -> list[dict[str, Any]]:
        return [study.as_dict() for study in self.study_rows]

    @property
    def early_warnings(self) -> list[dict[str, Any]]:
        """The warnings, best first: one per council, with its reasons, figures and caveats."""
        return [
            warning_dict(list(lines)) for _, lines in groupby(self.warning_rows, lambda w: w.rank)
        ]


class BacktestScore(SQLModel, table=True):
    """How one method forecast one measure, so many years ahead, for one group of councils."""

    __tablename__ = "backtest_score"

    run_id: int = Field(foreign_key="forecast_run.id", primary_key=True)
    measure: str = Field(max_length=40, primary_key=True)
    horizon: int = Field(primary_key=True, description="census years ahead")
    group: str = Field(
        max_length=30, primary_key=True, description="all, recent_inadequate or rest"
    )
    method: str = Field(max_length=40, primary_key=True)
    position: int = Field(description="its place in the report, from 1")
    n: int = Field(description="forecasts scored")
    mae: float | None = None
    mase: float | None = Field(default=None, description="MAE over the naive forecast's")
    bias: float | None = None
    coverage_80: float | None = None
    coverage_95: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "horizon": self.horizon,
            "group": self.group,
            "method": self.method,
            "n": self.n,
            "mae": self.mae,
            "mase": self.mase,
            "bias": self.bias,
            "coverage_80": self.coverage_80,
            "coverage_95": self.coverage_95,
        }


class EventStudy(SQLModel, table=True):
    """The stacked event study of one measure around judgements of one group of grades."""

    __tablename__ = "event_study"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="forecast_run.id", index=True)
    position: int = Field(description="its place in the run, from 1")
    measure: str = Field(max_length=40, index=True)
    group: str = Field(max_length=40, description="inadequate or requires_improvement_or_better")
    events: int
    controls: int
    observations: int
    pre_trend_p: float | None = None
    note: str = ""

    estimate_rows: list["EventEstimate"] = Relationship(
        sa_relationship=relationship(
            "EventEstimate", order_by="EventEstimate.k", lazy="selectin", cascade="all"
        )
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "group": self.group,
            "events": self.events,
            "controls": self.controls,
            "observations": self.observations,
            "estimates": [e.as_dict() for e in self.estimate_rows],
            "pre_trend_p": self.pre_trend_p,
            "note": self.note,
        }


class EventEstimate(SQLModel, table=True):
    """An event study's estimate for one census year from the judgement (``k``)."""

    __tablename__ = "event_study_estimate"

    study_id: int | None = Field(default=None, foreign_key="event_study.id", primary_key=True)
    k: int = Field(
        primary_key=True, description="census years from the judgement; -1 is the reference"
    )
    estimate: float
    se: float
    lower: float
    upper: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "estimate": self.estimate,
            "se": self.se,
            "lower": self.lower,
            "upper": self.upper,
        }


class EarlyWarning(SQLModel, table=True):
    """One line of a council's early warning: a reason it is flagged, or a caveat to read
    the reasons with, about one measure (or ``inadequate_judgement``)."""

    __tablename__ = "early_warning"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="forecast_run.id", index=True)
    rank: int = Field(description="the council's place in England, from 1")
    council_code: str = Field(max_length=3, index=True)
    council_name: str = Field(max_length=200)
    score: float = Field(description="the council's score: more and stronger reasons, higher")
    position: int = Field(description="the line's place in the council's warning, from 1")
    kind: str = Field(max_length=10, description="reason or caveat")
    measure: str = Field(max_length=40, index=True)
    text: str

    figure_rows: list["EarlyWarningFigure"] = Relationship(
        sa_relationship=relationship(
            "EarlyWarningFigure",
            order_by="EarlyWarningFigure.position",
            lazy="selectin",
            cascade="all",
        )
    )


class EarlyWarningFigure(SQLModel, table=True):
    """A figure behind a warning's line: a number (of a census year, for a series) or a day."""

    __tablename__ = "early_warning_figure"

    warning_id: int | None = Field(default=None, foreign_key="early_warning.id", primary_key=True)
    position: int = Field(primary_key=True, description="its place among the council's figures")
    name: str = Field(max_length=40)
    year: int | None = Field(default=None, description="the census year, in a series")
    value: float | None = None
    day: date | None = None


# Which measure a warning's line is about, by the figure behind it.
FIGURE_MEASURES = {
    "agency_rate_forecast": "agency_rate_fte",
    "turnover": "turnover_rate_fte",
    "vacancy_gap": "vacancy_rate_fte",
    "inadequate_judgement": "inadequate_judgement",
    "inpost_fte": "inpost_fte",
}
CAVEAT_FIGURES = ("inpost_fte",)


def warning_dict(lines: list[EarlyWarning]) -> dict[str, Any]:
    """One council's warning, from its lines, as the API shows it."""
    first = lines[0]
    figures: dict[str, Any] = {}
    for figure in sorted((f for line in lines for f in line.figure_rows), key=lambda f: f.position):
        if figure.year is not None:
            figures.setdefault(figure.name, {})[str(figure.year)] = figure.value
        elif figure.day is not None:
            figures[figure.name] = figure.day.isoformat()
        else:
            figures[figure.name] = figure.value
    return {
        "council_code": first.council_code,
        "council_name": first.council_name,
        "score": first.score,
        "reasons": [line.text for line in lines if line.kind == "reason"],
        "figures": figures,
        "caveats": [line.text for line in lines if line.kind == "caveat"],
    }


def warning_lines(run_id: int, rank: int, warning: dict[str, Any]) -> list[EarlyWarning]:
    """One council's warning (``council_code``, ``council_name``, ``score``, ``reasons``,
    ``figures``, ``caveats``) as lines: each figure goes with the reason (or, for the
    workforce's size, the caveat) it stands behind, in order."""
    texts = [("reason", t) for t in warning["reasons"]]
    texts += [("caveat", t) for t in warning.get("caveats", [])]
    lines = [
        EarlyWarning(
            run_id=run_id,
            rank=rank,
            council_code=warning["council_code"],
            council_name=warning["council_name"],
            score=warning["score"],
            position=position,
            kind=kind,
            measure="",
            text=text,
        )
        for position, (kind, text) in enumerate(texts, start=1)
    ]
    reasons = [line for line in lines if line.kind == "reason"]
    caveats = [line for line in lines if line.kind == "caveat"]
    next_reason = 0
    position = 0
    for name, value in warning["figures"].items():
        if name in CAVEAT_FIGURES and caveats:
            line = caveats[0]
        else:
            line = reasons[min(next_reason, len(reasons) - 1)] if reasons else lines[-1]
            next_reason += 1
        if not line.measure:
            line.measure = FIGURE_MEASURES.get(name, name)
        for year, number, day in _figure_values(value):
            position += 1
            line.figure_rows.append(
                EarlyWarningFigure(position=position, name=name, year=year, value=number, day=day)
            )
    return lines


def _figure_values(value: Any) -> list[tuple[int | None, float | None, date | None]]:
    """A figure as (census year, number, day) triples: one, or one per year of a series."""
    if isinstance(value, dict):
        return [(int(year), None if v is None else float(v), None) for year, v in value.items()]
    if isinstance(value, str):
        return [(None, None, date.fromisoformat(value))]
    return [(None, None if value is None else float(value), None)]


class ForecastValue(SQLModel, table=True):
    """A forecast of one measure for one council and year, kept with its run."""

    __tablename__ = "forecast_value"

    run_id: int = Field(foreign_key="forecast_run.id", primary_key=True)
    council_code: str = Field(max_length=3, primary_key=True)
    measure: str = Field(max_length=40, primary_key=True)
    origin: int = Field(primary_key=True)
    target: int = Field(primary_key=True)
    kind: str = Field(default="forecast", max_length=12, description="forecast or backtest")
    point: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    actual: float | None = Field(default=None, description="backtest rows: what was published")

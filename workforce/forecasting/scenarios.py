"""Scenarios: a council's forecast if Ofsted judged it ``grade`` in a given month, beside the
run's own forecast.

Fitting happens once per run (:func:`workforce.forecasting.flows.refit`). What a scenario
needs is kept per run and data version (:class:`ScenarioInputs`): the run's fitted models
and every council's design rows at the run's origin (and, per council, its rows built from
its own figures alone). A scenario finds the columns the judgement changes by building the
council's own row with it, puts them into the whole panel's row and predicts that; the
line without it is the run's stored forecast. Nothing is refitted and no other council is
forecast, so the answer is the same as forecasting the whole panel with the hypothetical
judgement added (a test checks it), only quicker.

What is already known is not offered: judgements published since the last census are
already in the forecast (see :mod:`workforce.forecasting.model`), so the same grade at or
before such a judgement is refused (:class:`ScenarioRefused`), and the months offered start
after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from workforce.cache import VersionedCache
from workforce.errors import NotFoundError
from workforce.forecasting import model as panel_model
from workforce.forecasting.models import ForecastRun
from workforce.forecasting.panel import JudgementEvent, Panel, census_year, load_panel
from workforce.forecasting.service import council_values, model_from_dict
from workforce.forecasting.words import GRADE_WORDS, day_words
from workforce.inspections.models import Grade, Judgement
from workforce.measures import MEASURES

COLUMNS = ("point", "lo80", "hi80", "lo95", "hi95")
SCENARIO_GRADES = (Grade.inadequate, Grade.requires_improvement, Grade.good, Grade.outstanding)


@dataclass
class ScenarioPoint:
    measure: str
    target: int
    without: dict[str, float]
    with_judgement: dict[str, float]


class ScenarioRefused(ValueError):
    """A scenario of what the forecast already includes (a judgement already published)."""


@dataclass(frozen=True)
class ScenarioInputs:
    """What every scenario of one run needs, worked out once per run and data version."""

    run_id: int
    origin: int
    models: tuple[panel_model.FittedModel, ...]
    rows: dict[tuple[str, int], dict[str, dict[str, Any]]]  # (measure, horizon) -> code -> row
    panel: Panel


def scenario_inputs(*, session: Session, run: ForecastRun) -> ScenarioInputs:
    """The run's fitted models and every council's design rows at the run's origin."""
    panel = load_panel(session=session)
    models = tuple(model_from_dict(data) for data in run.models)
    rows = {}
    for model in models:
        frame = panel_model.build_rows(
            panel, model.measure, model.horizon, origins=[run.data_cutoff], training=False
        ).frame
        rows[(model.measure, model.horizon)] = {
            str(record["council_code"]): {str(k): v for k, v in record.items()}
            for record in frame.to_dict("records")
        }
    return ScenarioInputs(
        run_id=run.id or 0,
        origin=run.data_cutoff,
        models=models,
        rows=rows,
        panel=panel,
    )


def kept_inputs(*, session: Session, run: ForecastRun, cache: VersionedCache) -> ScenarioInputs:
    """:func:`scenario_inputs`, kept in ``cache`` until the data changes."""
    return cache.get(
        session,
        ("scenario inputs", run.id),
        lambda: scenario_inputs(session=session, run=run),
    )


# --- what is already known -------------------------------------------------------------------


@dataclass(frozen=True)
class KnownJudgement:
    """A council's latest judgement, published since the last census: in the forecast."""

    grade: Grade
    inspection_end: date
    published: date | None

    @property
    def last_day(self) -> date:
        """The judgement's last known day: published, or (if not yet) the inspection's end."""
        return max(self.inspection_end, self.published or self.inspection_end)

    @property
    def month(self) -> str:
        return f"{self.last_day:%Y-%m}"

    @property
    def sentence(self) -> str:
        """ "This forecast already includes the inadequate judgement published on 20 January
        2025." """
        grade = GRADE_WORDS[self.grade]
        if self.published is not None:
            return (
                f"This forecast already includes the {grade} judgement published on "
                f"{day_words(self.published)}."
            )
        return (
            f"This forecast already includes the {grade} judgement of the inspection that "
            f"ended on {day_words(self.inspection_end)}."
        )


def known_judgement(*, session: Session, run: ForecastRun, code: str) -> KnownJudgement | None:
    """The council's latest graded judgement if it came after the run's last census (so the
    forecast already counts it), else None."""
    latest = session.exec(
        select(Judgement)
        .where(Judgement.council_code == code, col(Judgement.grade).is_not(None))
        .order_by(col(Judgement.inspection_start).desc())
    ).first()
    if latest is None or latest.grade is None:
        return None
    known = KnownJudgement(
        grade=Grade(latest.grade),
        inspection_end=latest.inspection_end or latest.inspection_start,
        published=latest.published,
    )
    census_end = date(run.data_cutoff, 9, 30)
    # The forecast counts it as a judgement between the origin and its targets; one
    # published after the census but counting in it is in the forecast's history.
    horizon = max((int(m["horizon"]) for m in run.models), default=2)
    in_forecast = census_year(known.inspection_end) <= run.data_cutoff + horizon
    return known if known.last_day > census_end and in_forecast else None


def _month_after(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _months_between(first: date, last: date) -> list[date]:
    months = []
    day = date(first.year, first.month, 1)
    while day <= last:
        months.append(day)
        day = _month_after(day)
    return months


def scenario_months(*, run: ForecastRun, known: KnownJudgement | None) -> list[tuple[str, str]]:
    """The months a scenario's inspection can end in, as (``YYYY-MM``, "March 2025"): from
    the first that counts after the last census to the last forecast year's end, and only
    after a judgement the forecast already includes."""
    horizon = max((int(m["horizon"]) for m in run.models), default=2)
    first = date(run.data_cutoff, 10, 1)
    if known is not None:
        first = max(first, _month_after(known.last_day))
    last = date(run.data_cutoff + horizon, 9, 30)
    return [(f"{day:%Y-%m}", f"{day:%B %Y}") for day in _months_between(first, last)]


def grade_choices(known: KnownJudgement | None) -> list[tuple[str, str]]:
    """The grades a scenario can ask about, as (value, words): the grade of a judgement the
    forecast already includes comes last, as a re-inspection."""
    choices = [
        (g.value, GRADE_WORDS[g]) for g in SCENARIO_GRADES if known is None or g is not known.grade
    ]
    if known is not None and known.grade in SCENARIO_GRADES:
        choices.append((known.grade.value, f"{GRADE_WORDS[known.grade]} again (a re-inspection)"))
    return choices


def refusal(known: KnownJudgement | None, grade: Grade, month: str) -> str | None:
    """Why a scenario would repeat what the forecast already includes, or None."""
    if known is None or grade is not known.grade or month > known.month:
        return None
    return (
        f"{known.sentence} Choose another grade, or a month from "
        f"{_month_after(known.last_day):%B %Y} on for a re-inspection."
    )


# --- the scenario ----------------------------------------------------------------------------


def scenario_day(month: str) -> date:
    """``YYYY-MM`` as the last day of that month (the judgement counts from its end)."""
    year, number = (int(part) for part in month.split("-", 1))
    return _month_after(date(year, number, 1)) - timedelta(days=1)


def scenario(
    *,
    session: Session,
    run: ForecastRun,
    code: str,
    grade: Grade,
    day: date,
    cache: VersionedCache,
) -> list[ScenarioPoint]:
    """Forecasts for ``code`` with a hypothetical judgement of ``grade`` on ``day``, beside
    the run's forecasts without it. A ValueError if ``day`` does not count after the last
    census; :class:`ScenarioRefused` if the forecast already includes that judgement."""
    inputs = kept_inputs(session=session, run=run, cache=cache)
    event = JudgementEvent(code, day, grade.value, hypothetical=True)
    if event.year <= inputs.origin:
        raise ValueError(
            f"a scenario judgement must count after the last census year ({inputs.origin}): "
            f"choose a month from October {inputs.origin} on"
        )
    reason = refusal(known_judgement(session=session, run=run, code=code), grade, f"{day:%Y-%m}")
    if reason is not None:
        raise ScenarioRefused(reason)
    stored = {
        (v.measure, v.target): v
        for v in council_values(session=session, run=run, code=code)
        if v.kind == "forecast"
    }
    if not stored:
        raise NotFoundError(f"No forecasts for council {code!r}.")
    own = cache.get(
        session, ("scenario own rows", run.id, code), lambda: _own_rows(inputs.panel, code, inputs)
    )
    points = []
    for model in inputs.models:
        key = (model.measure, model.horizon)
        row = inputs.rows[key].get(code)
        base = stored.get((model.measure, inputs.origin + model.horizon))
        if row is None or base is None or key not in own.rows:
            continue
        without = {k: round(float(getattr(base, k)), 2) for k in COLUMNS}
        changes = _changes(own, model, event)
        if changes:
            changed = model.predict(panel_model.Rows(pd.DataFrame([{**row, **changes}])))
            with_judgement = {k: round(float(changed[k].iloc[0]), 2) for k in COLUMNS}
        else:  # the judgement changes none of the model's inputs for this year
            with_judgement = dict(without)
        points.append(
            ScenarioPoint(
                measure=model.measure,
                target=int(row["target"]),
                without=without,
                with_judgement=with_judgement,
            )
        )
    return points


@dataclass(frozen=True)
class OwnRows:
    """A council's design rows built from its own figures alone (no scenario), per model."""

    panel: Panel  # the whole panel's judgements, but only this council's figures
    origin: int
    rows: dict[tuple[str, int], pd.Series]


def _own_rows(panel: Panel, code: str, inputs: ScenarioInputs) -> OwnRows:
    own = panel.values.index.get_level_values("council_code") == code
    alone = replace(panel, values=panel.values[own])
    rows = {}
    for model in inputs.models:
        frame = panel_model.build_rows(
            alone, model.measure, model.horizon, origins=[inputs.origin], training=False
        ).frame
        if len(frame):
            rows[(model.measure, model.horizon)] = frame.iloc[0]
    return OwnRows(panel=alone, origin=inputs.origin, rows=rows)


def _changes(own: OwnRows, model: panel_model.FittedModel, event: JudgementEvent) -> dict[str, Any]:
    """The columns of a council's row that ``event`` changes, with their new values.

    They are found by building the council's row from its own figures with the event and
    comparing it with the one without; the other columns (national means, the typical
    volatility) stay the whole panel's. The judgement columns depend on the council's
    figures and judgements alone, so the row is the one the whole panel would give, without
    rebuilding every council's rows.
    """
    without = own.rows[(model.measure, model.horizon)]
    with_event = panel_model.build_rows(
        own.panel,
        model.measure,
        model.horizon,
        origins=[own.origin],
        training=False,
        scenario=event,
    ).frame.iloc[0]
    return {
        column: with_event[column]
        for column in with_event.index
        if column != "outcome" and not _same(without[column], with_event[column])
    }


def _same(a: Any, b: Any) -> bool:
    return bool(a == b) or (pd.isna(a) and pd.isna(b))


# --- in words --------------------------------------------------------------------------------


def _about(value: float, unit: str) -> str:
    return f"{value:.0f}%" if unit == "%" else f"{value:.0f} {unit}"


def scenario_sentences(points: Sequence[ScenarioPoint], grade: Grade, month: str) -> list[str]:
    """One sentence per measure, for the first forecast year the judgement counts in: "If
    judged inadequate in March 2025, the agency worker rate would be expected to be about
    24% in 2025 (80% range 15% to 33%), 2.1 pp higher than the forecast without it (22%)."
    """
    day = scenario_day(month)
    counts_from = census_year(day)
    when = f"If judged {GRADE_WORDS[grade]} in {day:%B %Y}"
    by_measure: dict[str, list[ScenarioPoint]] = {}
    for point in points:
        by_measure.setdefault(point.measure, []).append(point)
    sentences = []
    for measure, found in by_measure.items():
        counted = [p for p in found if p.target >= counts_from]
        point = min(counted, key=lambda p: p.target) if counted else max(found, key=_target)
        definition = MEASURES[measure]
        unit = definition.unit
        label = definition.label[:1].lower() + definition.label[1:]
        now, before = point.with_judgement, point.without
        difference = now["point"] - before["point"]
        size = f"{abs(difference):.1f} {'pp' if unit == '%' else unit}"
        if round(abs(difference), 1) == 0:
            compared = "the same as the forecast without it"
        else:
            compared = (
                f"{size} {'higher' if difference > 0 else 'lower'} than the forecast without it"
            )
        sentences.append(
            f"{when}, the {label} would be expected to be about {_about(now['point'], unit)} "
            f"in {point.target} (80% range {_about(now['lo80'], unit)} to "
            f"{_about(now['hi80'], unit)}), {compared} ({_about(before['point'], unit)})."
        )
    return sentences


def _target(point: ScenarioPoint) -> int:
    return point.target

"""Synthetic panels with known structure, to check the estimators recover it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from workforce.forecasting.panel import JudgementEvent, Panel


def panel(
    *,
    councils: int = 120,
    years: range = range(2014, 2024),
    effect: float = 5.0,
    treated_every: int = 4,
    seed: int = 1,
    measure: str = "agency_rate_fte",
) -> tuple[Panel, list[JudgementEvent]]:
    """Council and year effects, noise, and +``effect`` from an inadequate judgement on."""
    rng = np.random.default_rng(seed)
    council_effect = rng.normal(15, 4, councils)
    year_effect = {y: 0.4 * (y - years.start) for y in years}
    judgements: dict[str, list[JudgementEvent]] = {}
    events = []
    for i in range(councils):
        code = f"{100 + i}"
        if i % treated_every == 0:
            year = years.start + 3 + (i // treated_every) % (len(years) - 5)
            event = JudgementEvent(code, date(year, 3, 31), "inadequate")
            judgements[code] = [event]
            events.append(event)
    records = []
    for i in range(councils):
        code = f"{100 + i}"
        event_year = judgements[code][0].year if code in judgements else None
        for year in years:
            value = council_effect[i] + year_effect[year] + rng.normal(0, 1.0)
            if event_year is not None and year >= event_year:
                value += effect
            records.append((code, year, min(max(value, 0.0), 100.0)))
    frame = pd.DataFrame(records, columns=["council_code", "year", measure]).set_index(
        ["council_code", "year"]
    )
    for other in ("turnover_rate_fte", "vacancy_rate_fte", "caseload_fte"):
        if other != measure:
            frame[other] = frame[measure]
    return Panel(
        values=frame,
        judgements=judgements,
        names={f"{100 + i}": f"Council {i}" for i in range(councils)},
    ), events

"""Fitting everything and forecasting every council, against a naive forecast, same run.

- ours: ``forecasting.flows.refit`` on the bundled data: the panel model for four
  measures at one and two years ahead, forecasts with intervals for every council, the
  rolling-origin backtest (four origins, both horizons, five methods), eight event
  studies, early warnings, and storing it all.
- baseline: the naive forecast of the same councils (each council's last published value
  for each measure), read from the same database.

Target: under a minute on the development machine.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from workforce import migrations
from workforce.config import Settings
from workforce.db import make_engine, session_scope
from workforce.forecasting import flows
from workforce.forecasting.panel import FORECAST_MEASURES, load_panel
from workforce.statistics.bundled import load_public_data

RUNS = 3


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="workforce-bench-forecast-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    settings = Settings(data_dir=folder, database_url=url)
    with session_scope(engine) as session:
        load_public_data(session=session)
    ours, baseline, councils = [], [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        with session_scope(engine) as session:
            run = flows.refit(session=session, trigger="bench", settings=settings)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        with session_scope(engine) as session:
            panel = load_panel(session=session)
            naive = {
                measure: panel.values[measure].dropna().groupby(level="council_code").last()
                for measure in FORECAST_MEASURES
            }
        baseline.append(time.perf_counter() - start)
        councils = len(naive["turnover_rate_fte"])
    mine, theirs = statistics.median(ours), statistics.median(baseline)
    print(
        f"refit and forecast {councils} councils (4 measures x 2 horizons, backtest, event "
        f"studies, warnings; model {run.model_version}): {mine:.1f} s, {mine / theirs:.0f}x the "
        f"baseline [baseline: naive last-value forecast of the same councils from the same "
        f"database, {theirs * 1000:.0f} ms; median of {RUNS}; target < 60 s]"
    )
    engine.dispose()
    return 0 if mine < 60 else 1


if __name__ == "__main__":
    sys.exit(main())

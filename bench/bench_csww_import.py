"""Importing a DfE release against a plain pandas load of the same file, in the same run.

- ours: ``import_release`` of the 2017-2023 indicators file into a database that already
  holds the 2017-2022 release: header detection, every cell validated, suppression codes
  kept, 2,502 revisions recorded, one transaction.
- baseline: ``pandas.read_csv`` of the same file and ``DataFrame.to_sql`` into the same
  database (no validation, no history).

Each is the median of several runs on a fresh copy of the same prepared SQLite file.
Target: at most 2x the baseline.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from workforce import migrations
from workforce.councils.reference import load_reference_data
from workforce.data import BUNDLED_DATA
from workforce.db import make_engine, session_scope
from workforce.statistics.flows import import_release, import_release_file

NEW = BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2023.csv"
OLD = BUNDLED_DATA / "csww" / "csww_headline_measures_2017_to_2022.csv"
RUNS = 5


def _prepared(folder: Path) -> Path:
    template = folder / "template.db"
    url = f"sqlite:///{template}"
    migrations.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference_data(session=session)
        import_release_file(session=session, path=OLD)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return template


def _fresh(template: Path, folder: Path, run: int) -> Engine:
    target = folder / f"run{run}.db"
    shutil.copyfile(template, target)
    return make_engine(f"sqlite:///{target}")


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="workforce-bench-import-"))
    template = _prepared(folder)
    data = NEW.read_bytes()
    ours, baseline = [], []
    for run in range(RUNS):
        engine = _fresh(template, folder, 2 * run)
        start = time.perf_counter()
        with session_scope(engine) as session:
            report = import_release(session=session, data=data, source_name=NEW.name)
        ours.append(time.perf_counter() - start)
        assert report.revised == 2502, report.summary()
        engine.dispose()

        engine = _fresh(template, folder, 2 * run + 1)
        start = time.perf_counter()
        frame = pd.read_csv(NEW, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        with engine.begin() as connection:
            frame.to_sql("csww_plain", connection, if_exists="replace", index=False)
        baseline.append(time.perf_counter() - start)
        engine.dispose()
    mine, theirs = statistics.median(ours), statistics.median(baseline)
    print(
        f"import csww 2017-2023 (validated, 2502 revisions): {mine / theirs:.2f}x the baseline "
        f"[baseline: pandas.read_csv + DataFrame.to_sql, {theirs * 1000:.0f} ms; "
        f"import {mine * 1000:.0f} ms; median of {RUNS}; target <= 2x]"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

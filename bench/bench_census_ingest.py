"""Ingesting a national-scale CSWW census against a plain pandas load, in the same run.

150 councils' census returns (35,100 worker records in all, as CSV) are each taken in
through the whole path a council's upload takes: archived byte for byte, read, every field
checked against the schema's rules and the rules beyond it, measures computed, checked for
plausibility against published history and neighbours, and stored with every worker
record, a version and an audit entry, one transaction per return.

The baseline reads the same 150 CSV files with ``pandas.read_csv`` and writes them with
``DataFrame.to_sql`` into the same kind of database (no checks, no measures, no history).
Target: at most 3x the baseline.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import func
from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.builders.returns import CensusDesign, census_csv
from workforce import migrations
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.councils.models import Council
from workforce.db import make_engine, session_scope
from workforce.returns.flows import ingest
from workforce.returns.models import CensusWorker, CouncilReturn
from workforce.returns.reading import Upload
from workforce.statistics.bundled import load_public_data

COUNCILS = 150
RUNS = 3
# 234 records a council: 180 staying, 20 starters, 15 leavers, 4 starter-leavers,
# 5 earlier leavers and 10 agency workers.
DESIGN = CensusDesign(
    stayers=180,
    starters=20,
    leavers=15,
    starter_leavers=4,
    old_leavers=5,
    agency=10,
    agency_headcount=10,
    agency_fte=9.4,
)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="workforce-bench-census-"))
    template = folder / "template.db"
    migrations.upgrade(f"sqlite:///{template}")
    engine = make_engine(f"sqlite:///{template}")
    with session_scope(engine) as session:
        load_public_data(session=session)
        codes = sorted(
            session.exec(select(Council.code).where(col(Council.last_year).is_(None))).all()
        )[:COUNCILS]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    files = [
        (code, census_csv(replace(DESIGN, council_code=code, seed=i)))
        for i, code in enumerate(codes)
    ]
    records = sum(data.count(b"\n") - 1 for _, data in files)
    paths = []
    for code, data in files:
        path = folder / f"census-{code}.csv"
        path.write_bytes(data)
        paths.append(path)

    ours, baseline = [], []
    for run in range(RUNS):
        target = folder / f"ours{run}.db"
        shutil.copyfile(template, target)
        engine = make_engine(f"sqlite:///{target}")
        settings = Settings(data_dir=folder / f"var{run}", database_url=f"sqlite:///{target}")
        actor = Actor(name="bench", source="bench")
        start = time.perf_counter()
        for code, data in files:
            with session_scope(engine) as session:
                result = ingest(
                    session=session,
                    upload=Upload(data, f"census-{code}.csv"),
                    council_code=code,
                    actor=actor,
                    source="cli",
                    settings=settings,
                    today=date(2026, 11, 24),
                )
                assert result.accepted, result.council_return.issues[:3]
        ours.append(time.perf_counter() - start)
        with session_scope(engine) as session:
            stored = session.exec(select(func.count()).select_from(CensusWorker)).one()
            returns = session.exec(select(func.count()).select_from(CouncilReturn)).one()
        assert (stored, returns) == (records, COUNCILS), (stored, returns)
        engine.dispose()

        target = folder / f"baseline{run}.db"
        shutil.copyfile(template, target)
        engine = make_engine(f"sqlite:///{target}")
        start = time.perf_counter()
        with engine.begin() as connection:
            for path in paths:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
                frame.to_sql("census_plain", connection, if_exists="append", index=False)
        baseline.append(time.perf_counter() - start)
        engine.dispose()
    mine, theirs = statistics.median(ours), statistics.median(baseline)
    print(
        f"ingest census, {COUNCILS} councils, {records:,} worker records (validated, measures, "
        f"plausibility, versions, audit): {mine / theirs:.2f}x the baseline [baseline: "
        f"pandas.read_csv + DataFrame.to_sql of the same files, {theirs * 1000:.0f} ms; ingest "
        f"{mine * 1000:.0f} ms; median of {RUNS}; target <= 3x]"
    )
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks of the foundation, each printed as a ratio against a baseline from the same run.

- reference reload: loading the bundled reference data again (nothing changes) against
  the first load into an empty database. The reload must stay well under the first load,
  since the nightly ``reference_refresh`` job does exactly this.
- council list: ``GET /api/councils`` (153 councils) against ``GET /api/health`` (one
  ``SELECT 1`` and a revision read) through the same in-process client.

Runs on a throwaway SQLite database, or on ``WORKFORCE_BENCH_DATABASE_URL`` if set (it
must point at an empty database that may be written to).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from workforce import migrations
from workforce.config import Settings
from workforce.councils.reference import load_reference_data
from workforce.db import make_engine, session_scope


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="workforce-bench-"))
    url = os.environ.get("WORKFORCE_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)

    def load() -> None:
        with session_scope(engine) as session:
            load_reference_data(session=session)

    first = _median_seconds(load, 1)
    reload = _median_seconds(load, 5)
    print(
        f"reference reload (no change): {reload / first:.2f}x the baseline "
        f"[baseline: first load into an empty database, {first * 1000:.0f} ms; "
        f"reload {reload * 1000:.0f} ms; backend {engine.dialect.name}]"
    )

    settings = Settings(database_url=url, data_dir=folder, environment="development")
    client = TestClient(create_app(settings=settings, engine=engine))
    for _ in range(5):
        client.get("/api/health")
        client.get("/api/councils")
    health = _median_seconds(lambda: client.get("/api/health"), 50)
    councils = _median_seconds(lambda: client.get("/api/councils"), 50)
    print(
        f"GET /api/councils (153 councils): {councils / health:.2f}x the baseline "
        f"[baseline: GET /api/health, {health * 1000:.2f} ms; list {councils * 1000:.2f} ms]"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

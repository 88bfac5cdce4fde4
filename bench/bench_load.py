"""Public reads under load: a `workforce serve` process asked by many keep-alive clients.

- ours: the 99th-percentile latency of ``/api/councils``, one council's benchmarks
  (``/api/councils/{code}/benchmarks``) and that council's page (``/councils/{code}``,
  with its charts, benchmarks, judgements and forecasts), each asked by 16 and then 64
  concurrent keep-alive connections, and how many answers were errors.
- baseline: ``/api/health`` (one ``SELECT 1``) asked the same way in the same run.

The database is SQLite with the bundled public data and one forecast run, as
`make run` leaves it. Target: no errors at 64 connections, and a warm council page
within a few times ``/api/health``.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import server_process
from workforce import migrations
from workforce.config import Settings
from workforce.db import make_engine, session_scope
from workforce.forecasting import flows as forecasting
from workforce.statistics.bundled import load_public_data

COUNCIL = "202"  # Camden
TARGETS = {
    "/api/health": "/api/health",
    "/api/councils": "/api/councils",
    "benchmarks": f"/api/councils/{COUNCIL}/benchmarks",
    "council page": f"/councils/{COUNCIL}",
}
CONNECTIONS = (16, 64)
REQUESTS_PER_CONNECTION = 12
TIMEOUT_S = 60


async def _load(base: str, path: str, connections: int) -> tuple[list[float], int]:
    """Latencies (s) of connections x REQUESTS_PER_CONNECTION asks, and the error count."""
    latencies: list[float] = []
    errors = 0
    limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT_S) as client:

        async def worker() -> None:
            nonlocal errors
            for _ in range(REQUESTS_PER_CONNECTION):
                began = time.perf_counter()
                try:
                    answer = await client.get(path)
                    if answer.status_code != 200:
                        errors += 1
                except httpx2.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - began)

        await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, errors


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _prepare(folder: Path) -> Settings:
    url = f"sqlite:///{folder / 'bench.db'}"
    migrations.upgrade(url)
    engine = make_engine(url)
    settings = Settings(data_dir=folder, database_url=url)
    with session_scope(engine) as session:
        load_public_data(session=session)
    with session_scope(engine) as session:
        forecasting.refit(session=session, trigger="bench", settings=settings)
    engine.dispose()
    return settings


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="workforce-bench-load-"))
    settings = _prepare(folder)
    failed = False
    with server_process(settings, folder) as server:
        # Warm each path once, as a reader who opened the page a moment ago would.
        for path in TARGETS.values():
            httpx2.get(server.url + path, timeout=TIMEOUT_S)
        for connections in CONNECTIONS:
            results = {
                name: asyncio.run(_load(server.url, path, connections))
                for name, path in TARGETS.items()
            }
            baseline = p99(results["/api/health"][0])
            for name, (latencies, errors) in results.items():
                if name == "/api/health":
                    continue
                ours = p99(latencies)
                print(
                    f"{name} at {connections} connections: p99 {ours * 1000:.0f} ms, "
                    f"{ours / baseline:.1f}x the baseline, {errors} errors of "
                    f"{len(latencies)} [baseline: /api/health p99 {baseline * 1000:.0f} ms, "
                    f"{results['/api/health'][1]} errors, same connections, same run]"
                )
                failed = failed or (connections == 64 and errors > 0)
    if failed:
        print("FAILED: errors at 64 connections", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Uploads under concurrency, through HTTP to a `workforce serve` process, on both backends.

What a council's busy quarter-end looks like: many returns for the same council and
quarter at once, a large file among them, while others read. Every upload is answered
within a bounded time, exactly one current version remains, and the service keeps
answering /api/health throughout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from api.main import create_app
from tests.builders.people import COUNCIL_A, Person, make_people
from tests.builders.returns import quarterly_rows, to_csv
from tests.live import server_process
from workforce.config import Settings
from workforce.returns.models import CouncilReturn, ReturnStatus

PERIOD = "2026-06-30"
UPLOADS = 20
ANSWER_WITHIN_S = 90  # every upload is answered, one way or another, well within this
HEALTH_WITHIN_S = 2.0


def _distinct_returns(count: int) -> list[bytes]:
    """``count`` valid quarterly returns for council A and PERIOD, each with other figures."""
    files = []
    for i in range(count):
        rows = quarterly_rows(COUNCIL_A, PERIOD)
        rows[1][-2] = int(rows[1][-2]) + i  # the first role group's caseload
        files.append(to_csv(rows))
    return files


class HealthWatch:
    """Asks /api/health every 100 ms in a thread; keeps the slowest answer and any failure."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx2.Client(base_url=self.base, timeout=30) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    status = client.get("/api/health").status_code
                    if status != 200:
                        self.failures.append(f"status {status}")
                except httpx2.HTTPError as exc:
                    self.failures.append(repr(exc))
                self.latencies.append(time.monotonic() - started)
                self._stop.wait(0.1)

    @contextmanager
    def watching(self) -> Iterator[HealthWatch]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(60)

    def check(self) -> None:
        assert self.latencies, "health was never asked"
        assert not self.failures, self.failures
        assert max(self.latencies) < HEALTH_WITHIN_S, (
            f"/api/health took {max(self.latencies):.1f} s at worst over {len(self.latencies)} asks"
        )


def _post_at_once(base: str, person: Person, files: list[tuple[str, bytes]]) -> list[tuple]:
    """POST every file to /api/returns at the same moment; (answer, seconds) for each."""
    start = threading.Barrier(len(files))

    def upload(named: tuple[str, bytes]) -> tuple[httpx2.Response, float]:
        with httpx2.Client(base_url=base, timeout=ANSWER_WITHIN_S + 30) as client:
            start.wait()
            began = time.monotonic()
            answer = client.post(
                "/api/returns",
                headers=person.headers,
                files={"file": (named[0], named[1], "text/csv")},
            )
            return answer, time.monotonic() - began

    with ThreadPoolExecutor(len(files)) as pool:
        return list(pool.map(upload, files))


def _returns_for_period(engine: Engine) -> list[CouncilReturn]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(CouncilReturn).where(
                    CouncilReturn.council_code == COUNCIL_A,
                    CouncilReturn.period_end == date.fromisoformat(PERIOD),
                )
            ).all()
        )


def _check_refusals(answers: list[tuple[httpx2.Response, float]]) -> None:
    for answer, _ in answers:
        assert answer.status_code in {201, 409, 503}, (answer.status_code, answer.text[:500])
        if answer.status_code in {409, 503}:
            assert int(answer.headers["Retry-After"]) >= 1
            assert "nothing was stored" in answer.json()["detail"]


def test_twenty_returns_for_one_council_and_quarter_at_once(
    reference_settings: Settings, reference_engine: Engine, tmp_path: Path
) -> None:
    hr_lead = make_people(reference_engine)["hr_lead_a"]
    files = [(f"return-{i}.csv", data) for i, data in enumerate(_distinct_returns(UPLOADS))]
    with server_process(reference_settings, tmp_path) as server:
        with HealthWatch(server.url).watching() as health:
            answers = _post_at_once(server.url, hr_lead, files)
        health.check()
        # The service still answers, and stops when asked (checked on leaving the block).
        assert httpx2.get(f"{server.url}/api/health", timeout=5).status_code == 200

    _check_refusals(answers)
    slowest = max(seconds for _, seconds in answers)
    assert slowest < ANSWER_WITHIN_S, f"an upload took {slowest:.1f} s"
    accepted = [a for a, _ in answers if a.status_code == 201]
    assert accepted, [a.text[:300] for a, _ in answers]

    stored = _returns_for_period(reference_engine)
    # Every answer reported something committed, and nothing else was stored.
    assert sorted(r.id for r in stored) == sorted(a.json()["id"] for a in accepted)
    assert sorted(r.version for r in stored) == list(range(1, len(stored) + 1))
    current = [r for r in stored if r.status == ReturnStatus.accepted]
    assert len(current) == 1
    assert current[0].version == len(stored)
    assert all(r.status == ReturnStatus.superseded for r in stored if r is not current[0])


def test_a_large_upload_does_not_stall_other_requests(
    reference_settings: Settings, reference_engine: Engine, tmp_path: Path
) -> None:
    hr_lead = make_people(reference_engine)["hr_lead_a"]
    rows = quarterly_rows(COUNCIL_A, PERIOD)
    body = to_csv(rows[:1] + rows[1:] * 35_000)  # about 19 MB, within the 20 MB limit
    assert 15 * 1048576 < len(body) < 20 * 1048576
    with server_process(reference_settings, tmp_path) as server:
        with HealthWatch(server.url).watching() as health:
            answers = _post_at_once(server.url, hr_lead, [("large.csv", body)])
        health.check()
    answer, seconds = answers[0]
    assert answer.status_code in {201, 422}, answer.text[:500]
    assert seconds < ANSWER_WITHIN_S


def _chunks(size: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    boundary = b"--wfboundary\r\n"
    yield boundary + (
        b'Content-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    sent = 0
    while sent < size:
        yield b"x" * chunk
        sent += chunk
    yield b"\r\n--wfboundary--\r\n"


def test_the_size_limit_holds_for_chunked_bodies_and_only_after_sign_in(
    reference_settings: Settings, reference_engine: Engine, tmp_path: Path
) -> None:
    hr_lead = make_people(reference_engine)["hr_lead_a"]
    content_type = {"Content-Type": "multipart/form-data; boundary=wfboundary"}
    with (
        server_process(
            reference_settings, tmp_path, extra_env={"WORKFORCE_MAX_UPLOAD_MB": "1"}
        ) as server,
        httpx2.Client(base_url=server.url, timeout=60) as client,
    ):
        # Chunked (no Content-Length), far past the limit: refused while reading.
        chunked = client.post(
            "/api/returns",
            headers={**hr_lead.headers, **content_type},
            content=_chunks(8 * 1048576),
        )
        assert chunked.status_code == 413, chunked.text[:300]
        assert chunked.json()["problems"][0]["rule"] == "file.too_large"
        # One file over the limit inside a body that is not: refused too.
        over = client.post(
            "/api/returns",
            headers=hr_lead.headers,
            files={"file": ("big.csv", b"x" * (1048576 + 10), "text/csv")},
        )
        assert over.status_code == 413, over.text[:300]
        # Without signing in, the body is never read: the answer is 401, not 413.
        anonymous = client.post("/api/returns", headers=content_type, content=_chunks(8 * 1048576))
        assert anonymous.status_code == 401, anonymous.text[:300]
        assert client.get("/api/health").status_code == 200
    assert _returns_for_period(reference_engine) == []


@pytest.fixture
def hr_lead(reference_engine: Engine) -> Person:
    return make_people(reference_engine)["hr_lead_a"]


def test_an_answer_is_sent_only_after_the_commit(
    reference_settings: Settings,
    hr_lead: Person,
    reference_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import api.routes.returns as returns_routes

    real_scope = returns_routes.session_scope

    @contextmanager
    def failing_commit(engine: Engine) -> Iterator[Session]:
        with real_scope(engine) as session:
            yield session
            session.flush()
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(returns_routes, "session_scope", failing_commit)
    app = create_app(settings=reference_settings, engine=reference_engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post(
            "/api/returns",
            headers=hr_lead.headers,
            files={"file": ("return.csv", _distinct_returns(1)[0], "text/csv")},
        )
    assert answer.status_code == 500
    assert "nothing was changed" in answer.json()["detail"]
    assert _returns_for_period(reference_engine) == []

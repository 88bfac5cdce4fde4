"""Job returns_inbox: files councils drop in <inbox>/<code>/ are taken once complete,
ingested, and moved with their report to archive/ or rejected/; nothing is deleted."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

import jobs.returns_inbox as returns_inbox
from jobs.returns_inbox import ready_files
from jobs.runner import run_job
from tests.builders.returns import (
    ASSIGNMENTS,
    CensusDesign,
    census_csv,
    census_xml,
    quarterly_rows,
    records,
    to_csv,
)
from workforce.auth.models import AuditEvent
from workforce.config import Settings, get_settings
from workforce.returns.models import AgencyAssignment, CensusWorker, CouncilReturn
from workforce.runs.models import JobRun

SETTLE = 120
OLD = 3600  # seconds ago: long settled
DESIGN = CensusDesign()


@dataclass
class Inbox:
    root: Path
    engine: Engine
    settings: Settings

    @property
    def council(self) -> Path:
        return self.root / "202"

    def drop(self, name: str, data: bytes, *, age: float = OLD, folder: str = "202") -> Path:
        path = self.root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
        return path

    def run(self) -> JobRun:
        return run_job("returns_inbox", engine=self.engine, settings=get_settings())

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    def names(self, folder: str) -> list[str]:
        path = self.council / folder
        return sorted(p.name for p in path.iterdir()) if path.is_dir() else []

    def report(self, folder: str, original: str) -> dict[str, Any]:
        [path] = [
            p
            for p in (self.council / folder).iterdir()
            if p.name.endswith("_" + original + ".report.json")
        ]
        return dict(json.loads(path.read_text(encoding="utf-8")))

    def returns(self) -> list[CouncilReturn]:
        with Session(self.engine) as session:
            statement = select(CouncilReturn).order_by(col(CouncilReturn.id))
            return list(session.exec(statement).all())

    def count(self, model: type) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def inbox(
    reference_settings: Settings,
    reference_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Inbox]:
    monkeypatch.setenv("WORKFORCE_INBOX_SETTLE_SECONDS", str(SETTLE))
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.inbox_settle_seconds == SETTLE
    assert settings.database_url == reference_settings.database_url
    assert settings.inbox_dir is not None
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    yield Inbox(settings.inbox_dir, reference_engine, settings)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def quarterly_pair() -> tuple[bytes, bytes]:
    return to_csv(quarterly_rows(period_end="2025-06-30")), to_csv(ASSIGNMENTS)


def broken_census() -> bytes:
    workers = records(DESIGN)
    first_staff = next(i for i, w in enumerate(workers) if w["AgencyWorker"] == "0")
    workers[first_staff]["FTE"] = "1.200000"
    return census_xml(DESIGN, workers)


# --- which files are ready ---------------------------------------------------------------------


def test_ready_files_are_complete_settled_and_not_a_partner(tmp_path: Path) -> None:
    now = 1_800_000_000.0
    ages = {
        "b_census.xml": 600,
        "a_return.csv": 600,
        "a_return.assignments.csv": 600,  # travels with a_return.csv
        "lonely.assignments.csv": 600,  # no partner: taken on its own
        "upload.xml.part": 600,
        "download.csv.crdownload": 600,
        "copy.tmp": 600,
        ".hidden.xml": 600,
        "~$return.xlsx": 600,
        "old.xml.report.json": 600,
        "fresh.xml": 30,  # written half a minute ago
        "just_settled.xml": 60,
    }
    for name, age in ages.items():
        (tmp_path / name).write_bytes(b"<Message/>")
        os.utime(tmp_path / name, (now - age, now - age))
    (tmp_path / "archive").mkdir()
    assert [p.name for p in ready_files(tmp_path, 60, now=now)] == [
        "a_return.csv",
        "b_census.xml",
        "just_settled.xml",
        "lonely.assignments.csv",
    ]
    assert "fresh.xml" in [p.name for p in ready_files(tmp_path, 0, now=now)]
    assert ready_files(tmp_path, 3600, now=now) == []


# --- the job -----------------------------------------------------------------------------------


def test_a_valid_census_is_ingested_and_archived_with_its_report(inbox: Inbox) -> None:
    data = census_xml(DESIGN)
    inbox.drop("census.xml", data)
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert (run.rows, run.summary) == (1, "202/census.xml: accepted")

    assert [p.name for p in inbox.council.iterdir() if p.is_file()] == []
    archived = inbox.names("archive")
    assert len(archived) == 2
    [moved] = [n for n in archived if not n.endswith(".report.json")]
    assert moved.endswith("Z_census.xml") and moved + ".report.json" in archived
    assert (inbox.council / "archive" / moved).read_bytes() == data
    assert inbox.names("rejected") == []

    [row] = inbox.returns()
    assert (row.council_code, row.kind, row.status, row.source) == (
        "202",
        "census",
        "accepted",
        "inbox",
    )
    assert row.file_name == "census.xml" and row.sha256 == sha(data)
    assert row.uploaded_by is None and row.uploaded_by_name == "scheduler"
    assert inbox.count(CensusWorker) == 310
    report = inbox.report("archive", "census.xml")
    assert report["return_id"] == row.id
    assert report["status"] == "accepted"
    assert report["already_received"] is False
    assert (report["council_code"], report["file"], report["kind"]) == (
        "202",
        "census.xml",
        "census",
    )
    assert (report["period_end"], report["version"], report["sha256"]) == (
        "2025-09-30",
        1,
        sha(data),
    )
    assert report["measures"] == row.measures
    assert report["measures"]["turnover_rate_fte"] == 14.7
    assert [i for i in report["issues"] if i["severity"] == "error"] == []
    # The service's own byte-for-byte archive copy, named by the content's hash.
    assert inbox.settings.archive_dir is not None
    copy = inbox.settings.archive_dir / "returns" / "202" / sha(data)[:2] / f"{sha(data)}.xml"
    assert copy.read_bytes() == data


def test_broken_files_are_rejected_with_a_report_of_the_rules(inbox: Inbox) -> None:
    inbox.drop("census.xml", broken_census())
    truncated = census_xml(DESIGN)
    inbox.drop("half.xml", truncated[: len(truncated) // 2])
    inbox.drop("staff.csv", b"name,team\r\nAlex,North\r\n")
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert run.rows == 3
    assert run.summary == (
        "202/census.xml: rejected; 202/half.xml: rejected; 202/staff.csv: rejected"
    )
    assert inbox.names("archive") == []
    rejected = inbox.names("rejected")
    assert len(rejected) == 6
    for original in ("census.xml", "half.xml", "staff.csv"):
        assert any(n.endswith("_" + original) for n in rejected), original

    census = inbox.report("rejected", "census.xml")
    assert census["status"] == "rejected" and census["already_received"] is False
    fte = [i for i in census["issues"] if i["rule"] == "census.fte_above_one"]
    assert fte and fte[0]["severity"] == "error" and fte[0]["column"] == "FTE"
    assert set(fte[0]) == {"severity", "rule", "sheet", "row", "column", "value", "message"}
    assert census["measures"] == {}
    half = inbox.report("rejected", "half.xml")
    assert [i["rule"] for i in half["issues"] if i["severity"] == "error"][:1] == ["xml.malformed"]
    staff = inbox.report("rejected", "staff.csv")
    assert [(i["rule"], i["value"]) for i in staff["issues"]] == [
        ("structure.unknown_layout", "name, team")
    ]
    assert [r.status for r in inbox.returns()] == ["rejected"] * 3
    assert inbox.count(CensusWorker) == 0


def test_incomplete_and_fresh_files_are_left_in_place(inbox: Inbox) -> None:
    data = census_xml(DESIGN)
    inbox.drop("census.xml.part", data)  # still being copied
    inbox.drop(".census.xml.swp", data)
    inbox.drop("~$return.xlsx", b"lock")
    inbox.drop("fresh.xml", data, age=0)  # modified just now
    before = inbox.files()
    run = inbox.run()
    assert (run.status, run.rows, run.summary) == ("succeeded", 0, "no new files")
    assert inbox.files() == before
    assert inbox.returns() == []

    # Once the copy is finished and has settled, it is taken; the others still wait.
    (inbox.council / "census.xml.part").rename(inbox.council / "census.xml")
    stale = time.time() - SETTLE - 5
    os.utime(inbox.council / "fresh.xml", (stale, stale))
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert run.rows == 2
    assert "202/census.xml: accepted" in (run.summary or "")
    # The same content twice: the second is recognised.
    assert "202/fresh.xml: accepted (already received)" in (run.summary or "")
    assert sorted(p.name for p in inbox.council.iterdir() if p.is_file()) == [
        ".census.xml.swp",
        "~$return.xlsx",
    ]
    assert len(inbox.returns()) == 1


def test_a_csv_and_its_assignments_partner_are_ingested_together(inbox: Inbox) -> None:
    workforce, assignments = quarterly_pair()
    inbox.drop("q2.csv", workforce)
    inbox.drop("q2.assignments.csv", assignments)
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert (run.rows, run.summary) == (1, "202/q2.csv: accepted")
    [row] = inbox.returns()
    assert (row.kind, row.status, str(row.period_end)) == ("quarterly", "accepted", "2025-06-30")
    assert row.sha256 == sha(workforce + b"\0" + assignments)
    assert row.size_bytes == len(workforce) + len(assignments)
    assert inbox.count(AgencyAssignment) == 2
    archived = inbox.names("archive")
    moved = [n for n in archived if not n.endswith(".report.json")]
    assert len(moved) == 2
    stamps = {n.split("_", 1)[0] for n in moved}
    assert len(stamps) == 1  # moved together
    [stamp] = stamps
    assert sorted(moved) == [f"{stamp}_q2.assignments.csv", f"{stamp}_q2.csv"]
    assert [n for n in archived if n.endswith(".report.json")] == [f"{stamp}_q2.csv.report.json"]
    assert (inbox.council / "archive" / f"{stamp}_q2.assignments.csv").read_bytes() == assignments
    report = inbox.report("archive", "q2.csv")
    assert (report["kind"], report["status"]) == ("quarterly", "accepted")
    assert report["measures"] == row.measures
    assert report["measures"]["agency_rate_fte"] == 11.2  # 100 x 21 / 187.5


def test_an_assignments_file_on_its_own_is_rejected(inbox: Inbox) -> None:
    _, assignments = quarterly_pair()
    inbox.drop("q2.assignments.csv", assignments)
    run = inbox.run()
    assert (run.status, run.summary) == ("succeeded", "202/q2.assignments.csv: rejected")
    report = inbox.report("rejected", "q2.assignments.csv")
    assert [i["rule"] for i in report["issues"]] == ["structure.assignments_alone"]


def test_the_same_file_dropped_again_is_already_received(inbox: Inbox) -> None:
    data = census_csv(DESIGN)
    inbox.drop("census.csv", data)
    first = inbox.run()
    assert first.status == "succeeded", first.error
    [row] = inbox.returns()
    audits = inbox.count(AuditEvent)

    inbox.drop("census.csv", data)  # sent again, under the same name
    again = inbox.run()
    assert again.status == "succeeded", again.error
    assert (again.rows, again.summary) == (1, "202/census.csv: accepted (already received)")
    assert [r.id for r in inbox.returns()] == [row.id]
    assert inbox.count(AuditEvent) == audits
    assert inbox.count(CensusWorker) == 310
    # Both copies are kept, each with its own report.
    archived = inbox.names("archive")
    copies = [n for n in archived if n.endswith("census.csv")]
    reports = [n for n in archived if n.endswith("census.csv.report.json")]
    assert len(copies) == 2 and len(reports) == 2
    assert all((inbox.council / "archive" / n).read_bytes() == data for n in copies)
    latest = [
        json.loads((inbox.council / "archive" / n).read_text(encoding="utf-8")) for n in reports
    ]
    assert sorted(r["already_received"] for r in latest) == [False, True]
    assert {r["return_id"] for r in latest} == {row.id}


def test_a_rejected_file_dropped_again_goes_to_rejected_again(inbox: Inbox) -> None:
    data = broken_census()
    inbox.drop("census.xml", data)
    inbox.run()
    inbox.drop("census.xml", data)
    run = inbox.run()
    assert run.summary == "202/census.xml: rejected (already received)"
    assert len(inbox.returns()) == 1
    assert len([n for n in inbox.names("rejected") if n.endswith("_census.xml")]) == 2


def test_folders_that_are_not_council_codes_are_left_alone(inbox: Inbox) -> None:
    data = census_xml(DESIGN)
    inbox.drop("census.xml", data, folder="999")  # three digits, but no such council
    inbox.drop("census.xml", data, folder="camden")
    inbox.drop("release.csv", b"time_period\r\n2023\r\n", folder="published")
    (inbox.root / "loose.xml").write_bytes(data)  # not in any council's folder
    before = inbox.files()
    run = inbox.run()
    assert (run.status, run.rows, run.summary) == ("succeeded", 0, "no new files")
    assert inbox.files() == before
    assert inbox.returns() == []


def test_nothing_is_ever_deleted(inbox: Inbox) -> None:
    workforce, assignments = quarterly_pair()
    contents = {
        "census.xml": census_xml(DESIGN),
        "broken.xml": broken_census(),
        "q2.csv": workforce,
        "q2.assignments.csv": assignments,
        "again.xml": census_xml(DESIGN),  # the same content as census.xml
        "waiting.xml.part": b"<Mess",
    }
    for name, data in contents.items():
        inbox.drop(name, data)
    inbox.drop("fresh.xml", census_xml(DESIGN), age=0)
    inbox.drop("census.xml", census_xml(DESIGN), folder="999")
    before = inbox.files()
    digests_before = sorted(sha(p.read_bytes()) for p in before)
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert run.rows == 4  # again.xml, broken.xml, census.xml, q2.csv (with its partner)
    after = inbox.files()
    reports = [p for p in after if p.name.endswith(".report.json")]
    assert len(reports) == 4
    assert len(after) == len(before) + len(reports)
    assert sorted(sha(p.read_bytes()) for p in after if p not in reports) == digests_before
    # again.xml first; census.xml, the same content, is recognised and adds no return.
    assert [(r.file_name, r.status) for r in inbox.returns()] == [
        ("again.xml", "accepted"),
        ("broken.xml", "rejected"),
        ("q2.csv", "accepted"),
    ]


@pytest.mark.parametrize("when", ["before", "after"], ids=["on-entry", "after-the-work"])
def test_a_crash_mid_ingest_leaves_the_file_and_writes_nothing(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    data = census_xml(DESIGN)
    inbox.drop("census.xml", data)
    real_ingest = returns_inbox.ingest

    def crashing(session: Session, **kwargs: Any) -> Any:
        if when == "after":
            real_ingest(session=session, **kwargs)
            session.flush()  # the rows are written in the transaction, then it fails
            assert session.exec(select(CouncilReturn)).first() is not None
        raise OSError("disk went away")

    monkeypatch.setattr(returns_inbox, "ingest", crashing)
    before = inbox.files()
    audits = inbox.count(AuditEvent)
    run = inbox.run()
    assert run.status == "failed"
    assert run.error is not None
    assert run.error.startswith("RuntimeError: 1 file(s) could not be ingested")
    assert "0 taken" in run.error
    assert inbox.files() == before
    assert (inbox.council / "census.xml").read_bytes() == data
    assert inbox.names("archive") == [] and inbox.names("rejected") == []
    assert inbox.returns() == []
    assert inbox.count(CensusWorker) == 0
    assert inbox.count(AuditEvent) == audits
    with Session(inbox.engine) as session:
        [logged] = session.exec(select(JobRun).where(JobRun.job == "returns_inbox")).all()
    assert (logged.status, logged.error) == ("failed", run.error)

    # The next run, without the fault, takes the file.
    monkeypatch.setattr(returns_inbox, "ingest", real_ingest)
    retry = inbox.run()
    assert (retry.status, retry.summary) == ("succeeded", "202/census.xml: accepted")
    assert [r.status for r in inbox.returns()] == ["accepted"]


def test_one_file_crashing_does_not_stop_the_others(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox.drop("a_crash.xml", broken_census())
    inbox.drop("b_good.xml", census_xml(DESIGN))
    real_ingest = returns_inbox.ingest

    def crashing(session: Session, **kwargs: Any) -> Any:
        if kwargs["upload"].file_name == "a_crash.xml":
            raise RuntimeError("boom")
        return real_ingest(session=session, **kwargs)

    monkeypatch.setattr(returns_inbox, "ingest", crashing)
    run = inbox.run()
    assert run.status == "failed"
    assert run.error == (
        "RuntimeError: 1 file(s) could not be ingested and stay in the inbox; 1 taken: "
        "202/b_good.xml: accepted"
    )
    assert (inbox.council / "a_crash.xml").exists()
    assert not (inbox.council / "b_good.xml").exists()
    assert [(r.file_name, r.status) for r in inbox.returns()] == [("b_good.xml", "accepted")]


# --- faults in the code under test -------------------------------------------------------------


def test_a_pair_waits_while_its_assignments_file_is_still_changing(inbox: Inbox) -> None:
    workforce, assignments = quarterly_pair()
    inbox.drop("q2.csv", workforce)
    inbox.drop("q2.assignments.csv", assignments, age=0)  # being written now
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert inbox.returns() == []
    assert (inbox.council / "q2.csv").exists()
    assert (inbox.council / "q2.assignments.csv").exists()


def test_a_pair_with_upper_case_names_is_ingested_together(inbox: Inbox) -> None:
    workforce, assignments = quarterly_pair()
    inbox.drop("RETURN.CSV", workforce)
    inbox.drop("RETURN.ASSIGNMENTS.CSV", assignments)
    run = inbox.run()
    assert run.status == "succeeded", run.error
    assert [(r.file_name, r.status) for r in inbox.returns()] == [("RETURN.CSV", "accepted")]
    assert inbox.count(AgencyAssignment) == 2

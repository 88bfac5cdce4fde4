"""The MoU digest: both files in the reports folder and a row per digest; only new
findings count as new the next time."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from jobs.runner import run_job
from tests.builders.mou_views import add_finding, add_return, councils_of_region, make_group
from workforce.config import Settings
from workforce.mou import digest
from workforce.mou.models import MouDigest


def test_the_digest_writes_html_and_csv_and_a_row(
    reference_session: Session, tmp_path: Path
) -> None:
    session = reference_session
    council = councils_of_region(session, 1)[0]
    group = make_group(session, "Digest MoU", [council])
    _, made = add_return(session, council, [{"agency_name": "Busy Agency"}, {}])
    add_finding(session, group.name, made[0])
    add_finding(session, group.name, made[1], rule="short_notice")
    row = digest.write_digest(session=session, group=group, reports_dir=tmp_path)
    html, csv = Path(row.html_path), Path(row.csv_path)
    assert html.parent == csv.parent == tmp_path / "mou"
    assert "Busy Agency" in html.read_text() and "2025-Q4" in html.read_text()
    assert "New findings since the last digest" in csv.read_text()
    assert (row.findings, row.new_findings) == (2, 2)
    again = digest.write_digest(session=session, group=group, reports_dir=tmp_path)
    assert (again.findings, again.new_findings) == (2, 0)
    assert [d.id for d in digest.list_digests(session=session, group_name=group.name)] == [
        again.id,
        row.id,
    ]


def test_the_job_writes_a_digest_per_group(
    reference_session: Session, reference_settings: Settings
) -> None:
    session = reference_session
    make_group(session, "Job MoU", councils_of_region(session, 1))
    session.commit()
    run = run_job("mou_digest", settings=reference_settings)
    assert run.status == "succeeded", run.error if hasattr(run, "error") else run
    session.expire_all()
    rows = session.exec(select(MouDigest).where(MouDigest.group_name == "Job MoU")).all()
    assert len(rows) == 1
    assert Path(rows[0].html_path).is_file() and Path(rows[0].csv_path).is_file()
    assert Path(rows[0].html_path).is_relative_to(reference_settings.reports_dir)

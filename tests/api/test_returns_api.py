"""Uploading returns through the API: reports at once, versions, scope, and a corpus of
broken and hostile files, none of which may raise a 500 or leave partial rows."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.builders.people import Person, make_people
from tests.builders.returns import (
    ASSIGNMENTS,
    CensusDesign,
    census_csv,
    census_xml,
    quarterly_rows,
    quarterly_xlsx,
    rezip,
    to_csv,
    truncated_sheet_xlsx,
)
from workforce.auth.audit import Actor
from workforce.auth.models import AuditEvent
from workforce.returns.flows import ingest
from workforce.returns.models import (
    AgencyAssignment,
    CensusWorker,
    CouncilReturn,
    ReturnRoleGroup,
)
from workforce.returns.reading import Upload

DESIGN = CensusDesign(council_code="202", reference_date=date(2025, 9, 30))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def _upload(
    client: TestClient,
    person: Person,
    data: bytes,
    name: str,
    council: str = "202",
    assignments: bytes | None = None,
):
    files = {"file": (name, data, "application/octet-stream")}
    if assignments is not None:
        files["assignments"] = ("assignments.csv", assignments, "text/csv")
    return client.post(
        "/api/returns", headers=person.headers, files=files, data={"council": council}
    )


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _rows_written(engine: Engine) -> tuple[int, int, int]:
    return (
        _count(engine, ReturnRoleGroup),
        _count(engine, AgencyAssignment),
        _count(engine, CensusWorker),
    )


def test_an_hr_lead_uploads_a_census_and_gets_measures_at_once(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead = people["hr_lead_a"]
    data = census_xml(DESIGN)
    response = _upload(client, lead, data, "census-2025.xml")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "accepted" and body["kind"] == "census"
    assert body["period_end"] == "2025-09-30" and body["version"] == 1
    assert body["measures"]["turnover_rate_fte"] == 14.7
    assert body["measures"]["agency_rate_fte"] == 11.9
    assert response.headers["location"] == f"/api/returns/{body['id']}"
    return_id = body["id"]

    # The original, byte for byte; the report; the list; the series beside published figures.
    original = client.get(f"/api/returns/{return_id}/file", headers=lead.headers)
    assert original.status_code == 200 and original.content == data
    assert (
        client.get(f"/api/returns/{return_id}", headers=lead.headers).json()["sha256"]
        == (body["sha256"])
    )
    listed = client.get("/api/returns?council=202", headers=lead.headers).json()
    assert listed[0]["id"] == return_id  # newest first
    series = client.get("/api/councils/202/own-series", headers=lead.headers).json()
    own = [p for p in series if p["source"] == "return" and p["measure"] == "turnover_rate_fte"]
    assert own == [
        {
            "measure": "turnover_rate_fte",
            "period_end": "2025-09-30",
            "year": 2025,
            "value": 14.7,
            "source": "return",
            "detail": f"census return {return_id} v1",
        }
    ]
    assert _count(reference_engine, CensusWorker) == 310
    with Session(reference_engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "upload")).one()
    assert (event.actor, event.entity_id, event.council_code) == (lead.email, str(return_id), "202")

    # Others: council B's lead cannot see it (404), an analyst can read, not upload.
    assert (
        client.get(f"/api/returns/{return_id}", headers=people["hr_lead_b"].headers).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/returns/{return_id}/file", headers=people["hr_lead_b"].headers
        ).status_code
        == 404
    )
    assert (
        client.get(f"/api/returns/{return_id}", headers=people["analyst"].headers).status_code
        == 200
    )
    assert _upload(client, people["analyst"], data, "x.xml").status_code == 403
    assert _upload(client, people["hr_lead_b"], data, "x.xml", council="202").status_code == 404
    theirs = client.get("/api/returns", headers=people["hr_lead_b"].headers).json()
    assert {r["council_code"] for r in theirs} == {"203"}


def test_versions_duplicates_and_supersession(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    lead = people["hr_lead_a"]
    workbook = quarterly_xlsx()  # once: a workbook records the second it was made
    first = _upload(client, lead, workbook, "q2.xlsx").json()
    again = _upload(client, lead, workbook, "q2-again.xlsx")
    assert first["status"] == "accepted"
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert again.json()["created"] is False
    assert _count(reference_engine, CouncilReturn) == 3  # two seeded by make_people, one here

    changed = quarterly_rows()
    changed[1][4] = 95.5  # more social workers in post
    second = _upload(client, lead, to_csv(changed), "q2-corrected.csv").json()
    assert (second["status"], second["version"]) == ("accepted", 2)
    old = client.get(f"/api/returns/{first['id']}", headers=lead.headers).json()
    assert old["status"] == "superseded"  # kept, readable
    assert client.get(f"/api/returns/{first['id']}/file", headers=lead.headers).status_code == 200

    broken = quarterly_rows()
    broken[2][4] = "lots"
    rejected = _upload(client, lead, to_csv(broken), "q2-broken.csv")
    assert rejected.status_code == 422
    assert rejected.json()["status"] == "rejected" and rejected.json()["version"] == 3
    assert rejected.json()["measures"] == {}
    current = [
        r
        for r in client.get("/api/returns?council=202", headers=lead.headers).json()
        if r["period_end"] == "2026-06-30" and r["status"] == "accepted"
    ]
    assert [r["id"] for r in current] == [second["id"]]
    # The rejected version wrote no figures: only the current version's rows exist.
    with Session(reference_engine) as session:
        groups = session.exec(select(ReturnRoleGroup.return_id)).all()
    assert set(groups) == {first["id"], second["id"]}


def test_the_issue_report_as_csv_is_formula_safe(
    client: TestClient, people: dict[str, Person]
) -> None:
    lead = people["hr_lead_a"]
    assignments = [row[:] for row in ASSIGNMENTS]
    assignments[1][0] = '=HYPERLINK("http://evil.example","click")'
    response = _upload(
        client, lead, to_csv(quarterly_rows()), "q.csv", assignments=to_csv(assignments)
    )
    assert response.status_code == 422
    issue = next(i for i in response.json()["issues"] if i["rule"] == "cell.formula")
    assert (issue["sheet"], issue["row"], issue["column"]) == ("assignments.csv", 2, "agency_name")
    report = client.get(
        f"/api/returns/{response.json()['id']}/issues?format=csv", headers=lead.headers
    )
    assert report.headers["content-type"].startswith("text/csv")
    assert report.text.splitlines()[0] == "severity,rule,sheet,row,column,value,message,cell"
    assert "'=HYPERLINK" in report.text and ",=HYPERLINK" not in report.text


CORPUS = {
    "truncated.xml": (lambda: census_xml(DESIGN)[:5000], "xml.malformed", None),
    "external-entity.xml": (
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Message>&x;</Message>"
        ),
        "xml.unsafe",
        None,
    ),
    "billion-laughs.xml": (
        lambda: (
            b'<?xml version="1.0"?><!DOCTYPE l ['
            b'<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
            b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><Message>&d;</Message>'
        ),
        "xml.unsafe",
        None,
    ),
    "formula.csv": (
        lambda: to_csv(
            [*quarterly_rows()[:1], ["=1+2", *quarterly_rows()[1][1:]], *quarterly_rows()[2:]]
        ),
        "cell.formula",
        (2, "council_code"),
    ),
    "missing-sheet.xlsx": (
        lambda: quarterly_xlsx(sheets=("Workforce",)),
        "structure.missing_sheet",
        None,
    ),
    "empty.csv": (lambda: b"", "file.empty", None),
    "another-council.xml": (
        lambda: census_xml(replace(DESIGN, council_code="203")),
        "scope.council",
        (None, "LEA"),
    ),
    "not-really.xlsx": (lambda: b"PK\x03\x04 not a zip at all", "file.xlsx", None),
    "picture.csv": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00", "file.type", None),
    "truncated-sheet.xlsx": (truncated_sheet_xlsx, "file.xlsx", None),
    "macros.xlsm": (
        lambda: rezip(quarterly_xlsx(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        "file.xlsx_macros",
        None,
    ),
    "external-links.xlsx": (
        lambda: rezip(quarterly_xlsx(), {"xl/externalLinks/externalLink1.xml": b"<x/>"}),
        "file.xlsx_external_links",
        None,
    ),
    "too-many-rows.csv": (
        lambda: (
            census_csv(DESIGN)  # and 20,000 agency workers more
            + "".join(f",,,,,1,SW{3_000_000_000 + i},,,,,X\r\n" for i in range(20_000)).encode()
        ),
        "file.too_many_rows",
        (20_002, None),
    ),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_broken_and_hostile_files(
    name: str, client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    make, rule, where = CORPUS[name]
    before = _rows_written(reference_engine)
    data = make()  # once: a workbook records when it was made
    response = _upload(client, people["hr_lead_a"], data, name)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] == "rejected"
    found = [i for i in body["issues"] if i["rule"] == rule]
    assert found, [i["rule"] for i in body["issues"]]
    if where is not None:
        assert (found[0].get("row"), found[0].get("column")) == where
    assert _rows_written(reference_engine) == before  # no partial rows
    # The file is kept, byte for byte, with its report.
    kept = client.get(f"/api/returns/{body['id']}/file", headers=people["hr_lead_a"].headers)
    assert kept.status_code == 200 and kept.content == data


def test_a_windows_1252_csv_is_read_as_such(client: TestClient, people: dict[str, Person]) -> None:
    response = _upload(
        client,
        people["hr_lead_a"],
        to_csv(quarterly_rows(), "cp1252"),
        "q.csv",
        assignments=to_csv(ASSIGNMENTS, "cp1252"),
    )
    assert response.status_code == 201, response.json()["issues"]


def test_a_utf16_csv_without_a_byte_order_mark_is_read(
    client: TestClient, people: dict[str, Person]
) -> None:
    response = _upload(
        client,
        people["hr_lead_a"],
        to_csv(quarterly_rows(), "utf-16-le"),
        "q.csv",
        assignments=to_csv(ASSIGNMENTS, "utf-16-le"),
    )
    assert response.status_code == 201, response.json()["issues"]


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    before = _count(reference_engine, CouncilReturn)
    big = b"a,b\r\n" + b"1,2\r\n" * (21 * 1024 * 1024 // 5)
    assert len(big) > 21 * 1000 * 1000
    response = _upload(client, people["hr_lead_a"], big, "big.csv")
    assert response.status_code == 413
    assert response.json()["problems"][0]["rule"] == "file.too_large"
    assert _count(reference_engine, CouncilReturn) == before


def test_the_blank_template_is_served(client: TestClient) -> None:
    xlsx = client.get("/api/returns/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
    assert xlsx.content.startswith(b"PK")
    csv = client.get("/api/returns/template.csv")
    assert csv.text.startswith("council_code,period_end,role_group,")
    assert client.get("/api/returns/template.csv?part=assignments").text.startswith("agency_name,")


def test_an_upload_without_a_council_goes_to_the_user_s_only_council(
    client: TestClient, people: dict[str, Person]
) -> None:
    response = client.post(
        "/api/returns",
        headers=people["hr_lead_a"].headers,
        files={"file": ("c.xml", census_xml(DESIGN), "application/xml")},
    )
    assert response.status_code == 201 and response.json()["council_code"] == "202"
    admin = client.post(
        "/api/returns",
        headers=people["admin"].headers,
        files={"file": ("c.xml", census_xml(DESIGN), "application/xml")},
    )
    assert admin.status_code == 400 and "council" in admin.json()["detail"]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_uploads_at_the_same_moment_leave_one_current_version(
    reference_engine: Engine, reference_settings
) -> None:
    """Different content for the same council and period, ingested concurrently."""
    designs = [replace(DESIGN, vacancies=v) for v in (10.0, 20.0)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def send(design: CensusDesign) -> None:
        try:
            with Session(reference_engine, expire_on_commit=False) as session:
                barrier.wait()
                ingest(
                    session=session,
                    upload=Upload(census_xml(design), "c.xml"),
                    council_code="202",
                    actor=Actor("t", "tests"),
                    source="upload",
                    settings=reference_settings,
                )
                session.commit()
        except BaseException as exc:
            errors.append(exc)

    for _ in range(3):  # a few rounds, each period fresh
        threads = [threading.Thread(target=send, args=(d,)) for d in designs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        designs = [
            replace(d, reference_date=date(d.reference_date.year - 1, 9, 30)) for d in designs
        ]
    assert errors == []
    with Session(reference_engine) as session:
        rows = session.exec(select(CouncilReturn)).all()
    by_period: dict = {}
    for row in rows:
        by_period.setdefault(row.period_end, []).append(row)
    assert len(by_period) == 3
    for period_rows in by_period.values():
        assert sorted(r.version for r in period_rows) == [1, 2]
        assert [r.status for r in period_rows].count("accepted") == 1
        assert [r.status for r in period_rows].count("superseded") == 1

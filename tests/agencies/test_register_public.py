"""The public kite-mark register (``/api/kitemarks``, its CSV and pages) and an agency's
assessments and measures: no worker's data in public, status on a past date, and an agency
user kept to their own agency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from tests.builders import kitemark as build
from tests.builders.agencies import register
from tests.builders.people import TEST_ACTOR, Person, make_people
from workforce.agencies import status as kitemark_status
from workforce.agencies.register import public_text
from workforce.config import Settings

# Distinctive numbers planted in the awarded agency's assignments; one of them also in a
# suspension's free-text reason.
PLANTED = [f"SW77700{n:02d}" for n in range(1, 13)]
AWARDED_ON = datetime(2026, 1, 15, 10, tzinfo=UTC)
SUSPENDED_ON = datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def agencies(reference_engine: Engine, people: dict[str, Person]) -> dict[str, int]:
    """The agency user's own agency (never assessed) and another, awarded on 15 January
    2026 on twelve assignments of planted workers and suspended on 1 March 2026."""
    with Session(reference_engine, expire_on_commit=False) as s:
        own = register(s, "ACME SOCIAL WORK LIMITED")
        other = build.make_agency(s, "Planted Staffing Ltd")
        build.group(s)
        ret = build.quarter(s, build.CAMDEN, date(2025, 12, 31))
        for number in PLANTED:
            build.place(s, ret, other, swe_number=number)
        build.awarded(s, other, date(2025, 10, 1), date(2025, 12, 31), on=AWARDED_ON)
        assert other.id is not None
        kitemark_status.suspend(
            session=s,
            agency_id=other.id,
            reason=f"the file of worker {PLANTED[2]} was forged",
            figures="stability: not_met, 3 of 12. Assignments counted: 4, 5, 6.",
            actor=TEST_ACTOR,
            on=SUSPENDED_ON,
        )
        s.commit()
        assert own.id is not None
        return {"own": own.id, "other": other.id}


def _holds_no_worker(text: str) -> None:
    for number in PLANTED:
        digits = number[2:].lstrip("0")
        assert digits not in text, number
    assert not re.search(r"SW\s*\d", text, re.IGNORECASE)


def test_register_and_its_csv_hold_no_workers_number(
    client: TestClient, agencies: dict[str, int]
) -> None:
    answer = client.get("/api/kitemarks")
    assert answer.status_code == 200
    _holds_no_worker(answer.text)
    by_id = {e["agency_id"]: e for e in answer.json()}
    other = by_id[agencies["other"]]
    assert other["status"] == "suspended"
    assert other["awarded_on"] == "2026-01-15"
    assert other["valid_until"] == "2027-01-15"
    assert other["criteria_version"] == 1
    assert other["outcome"] == "pass"
    assert {f["key"]: (f["numerator"], f["denominator"]) for f in other["figures"]}[
        "registration"
    ] == (12, 12)
    assert [h["status"] for h in other["history"]] == ["awarded", "suspended"]
    assert "[registration number withheld]" in other["history"][1]["reason"]
    assert "Assignments counted" not in answer.text
    assert by_id[agencies["own"]]["status"] is None

    csv = client.get("/api/kitemarks?format=csv")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    _holds_no_worker(csv.text)
    header, *rows = csv.text.strip().splitlines()
    assert "registration_share" in header and "status" in header
    assert len(rows) == 2

    for path in ("/kitemarks", f"/kitemarks/{agencies['other']}"):
        page = client.get(path)
        assert page.status_code == 200, path
        _holds_no_worker(page.text)
    assert "Suspended" in client.get(f"/kitemarks/{agencies['other']}").text


def test_status_as_it_was_on_a_past_date(client: TestClient, agencies: dict[str, int]) -> None:
    def status_on(day: str) -> dict[str, object]:
        answer = client.get(f"/api/kitemarks?on={day}")
        assert answer.status_code == 200
        return {e["agency_id"]: e for e in answer.json()}[agencies["other"]]

    before = status_on("2026-01-14")
    assert before["status"] is None and before["history"] == [] and before["outcome"] is None
    awarded = status_on("2026-01-15")  # the end of the day of the award
    assert awarded["status"] == "awarded" and len(awarded["history"]) == 1  # type: ignore[arg-type]
    assert status_on("2026-02-28")["status"] == "awarded"
    assert status_on("2026-03-01")["status"] == "suspended"
    page = client.get(f"/kitemarks/{agencies['other']}?on=2026-02-01")
    assert page.status_code == 200 and "Awarded" in page.text and "Suspended" not in page.text
    csv = client.get("/api/kitemarks?format=csv&on=2026-02-01").text
    assert ",awarded," in csv
    listed = client.get("/kitemarks?on=2026-02-01")
    assert listed.status_code == 200 and "as it stood at the end of 1 February 2026" in listed.text
    wrong = client.get("/kitemarks?on=2026-02-30")
    assert wrong.status_code == 400 and "Enter a real date" in wrong.text
    assert client.get("/api/kitemarks?on=2026-02-30").status_code == 422


def test_an_agency_user_gets_404_for_another_agencys_assessments_and_measures(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int]
) -> None:
    agency_user = people["agency_user"].headers
    other, own = agencies["other"], agencies["own"]
    for what in ("assessments", "measures"):
        assert client.get(f"/api/agencies/{other}/{what}", headers=agency_user).status_code == 404
        assert client.get(f"/api/agencies/{own}/{what}", headers=agency_user).status_code == 200
        assert client.get(f"/api/agencies/{other}/{what}").status_code == 401
        for key in ("hr_lead_a", "mou_member"):
            answer = client.get(f"/api/agencies/{other}/{what}", headers=people[key].headers)
            assert answer.status_code == 404, key
    admin = people["kitemark_admin"].headers
    assessments = client.get(f"/api/agencies/{other}/assessments", headers=admin).json()
    assert [a["outcome"] for a in assessments] == ["pass"]
    assert len(assessments[0]["sample"]["files"]) == 10  # the assessor sees the sample
    measured = client.get(
        f"/api/agencies/{other}/measures?from=2025-10-01&to=2025-12-31",
        headers=people["analyst"].headers,
    ).json()
    figures = {m["key"]: m for m in measured["measures"]}
    assert figures["registration"]["denominator"] == 12
    assert len(figures["registration"]["assignment_ids"]) == 12
    backwards = client.get(
        f"/api/agencies/{other}/measures?from=2025-12-31&to=2025-10-01", headers=admin
    )
    assert backwards.status_code == 422


def test_assessment_and_unmatched_pages_are_the_kitemark_admins(
    client: TestClient, people: dict[str, Person], agencies: dict[str, int]
) -> None:
    admin = people["kitemark_admin"].headers
    listed = client.get(f"/api/agencies/{agencies['other']}/assessments", headers=admin).json()
    page = client.get(f"/kitemark/assessments/{listed[0]['id']}", headers=admin)
    assert page.status_code == 200
    assert "Each sampled file" in page.text and "seed 20261130" in page.text
    assert client.get("/kitemark/unmatched", headers=admin).status_code == 200
    for path in (f"/kitemark/assessments/{listed[0]['id']}", "/kitemark/unmatched"):
        refused = client.get(path, headers=people["agency_user"].headers)
        assert refused.status_code == 403, path


def test_public_text_drops_ids_and_withholds_numbers() -> None:
    text = (
        "rates: not_met, 2 of 10; pass <= 2.0%. 1 project-team rows (assignments 7, 8). "
        "Assignments counted: 3, 4. stability (3 then 9; 4 then 10). Complaints: 1, 2. "
        "worker sw 0012345 and SW12"
    )
    shown = public_text(text)
    assert "Assignments counted" not in shown and "(assignments" not in shown
    assert "then" not in shown and "Complaints:" not in shown
    assert "12345" not in shown and "SW12" not in shown
    assert "2 of 10" in shown

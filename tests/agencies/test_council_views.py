"""What a council sees of the kite-mark: each assignment's agency status on its return's
report, and its agency spend by kite-mark status per quarter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from tests.builders.agencies import (
    council_a_with_kitemarked_agencies,
    listed,
    quarter,
    register,
    status_change,
)
from tests.builders.people import COUNCIL_A, Person, make_people
from workforce.agencies import councils
from workforce.agencies.models import KitemarkStatus
from workforce.config import Settings
from workforce.mou.dfe_return import HOURS_PER_WEEK
from workforce.returns.quarterly_template import ROLE_GROUPS


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def council_a(reference_engine: Engine, people: dict[str, Person]) -> dict[str, int]:
    with Session(reference_engine, expire_on_commit=False) as s:
        return council_a_with_kitemarked_agencies(s)


def _cost(rate: float, days: int) -> float:
    return rate * HOURS_PER_WEEK * days / 7


def test_the_return_report_shows_each_assignments_agency_kitemark_status(
    client: TestClient, people: dict[str, Person], council_a: dict[str, int]
) -> None:
    hr = people["hr_lead_a"].headers
    page = client.get(f"/returns/{council_a['q1']}", headers=hr)
    assert page.status_code == 200
    table = page.text[page.text.index('id="assignments"') :]
    rows = {
        re.sub(r"<[^>]+>", "", cells[1]).strip(): re.sub(
            r"\s+", " ", re.sub(r"<[^>]+>", "", cells[6])
        ).strip()
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)
        )
        if len(cells) == 7
    }
    # Today (after May 2026) the kite-marked agency is suspended.
    assert rows["GOOD LOCUMS LIMITED"].startswith("Suspended (Good Locums Ltd")
    assert rows["Unheard Of Agency"] == "Not matched"
    assert rows["Plain Staffing"] == "Not awarded (Plain Staffing Ltd)"
    assert rows["Freelance Direct"] == "Not registered"
    assert f'href="/kitemarks/{council_a["good"]}"' in table
    assert f'href="/councils/{COUNCIL_A}/agency-spend"' in page.text
    # Roles in words, as the template's dropdown offers them, not their machine names.
    roles = {
        re.sub(r"<[^>]+>", "", cells[2]).strip()
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S)
        )
        if len(cells) == 7
    }
    assert roles and roles <= set(ROLE_GROUPS.values()), roles

    answer = client.get(f"/api/returns/{council_a['q1']}/agency-kitemarks", headers=hr)
    assert answer.status_code == 200
    by_name = {a["agency_name"]: a for a in answer.json()}
    assert by_name["GOOD LOCUMS LIMITED"]["kitemark_status"] == "suspended"
    assert by_name["GOOD LOCUMS LIMITED"]["agency_id"] == council_a["good"]
    assert by_name["Unheard Of Agency"]["kitemark_status"] == "not_matched"
    assert by_name["Unheard Of Agency"]["agency_id"] is None
    assert by_name["Plain Staffing"]["kitemark_status"] == "not_awarded"
    assert by_name["Freelance Direct"]["kitemark_status"] == "not_registered"
    as_csv = client.get(f"/api/returns/{council_a['q1']}/agency-kitemarks?format=csv", headers=hr)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "not_matched" in as_csv.text

    # Another council's users: as if the return did not exist; signed out: 401.
    other = people["hr_lead_b"].headers
    assert client.get(f"/returns/{council_a['q1']}", headers=other).status_code == 404
    path = f"/api/returns/{council_a['q1']}/agency-kitemarks"
    assert client.get(path, headers=other).status_code == 404
    assert client.get(path).status_code == 401


def test_the_status_shown_for_an_awarded_agency(
    reference_session: Session, people: dict[str, Person]
) -> None:
    """Before the suspension, on a day the award held, the status is the award's."""
    s = reference_session
    agency = register(s, "Steady Care Ltd")
    status_change(s, agency, KitemarkStatus.awarded, date(2026, 1, 5), date(2027, 1, 5))
    ret = quarter(s, COUNCIL_A, date(2026, 3, 31))
    listed(s, ret, "Steady Care")
    assert ret.id is not None
    on = datetime(2026, 3, 1, tzinfo=UTC)
    [shown] = councils.return_assignments(session=s, return_id=ret.id, on=on)
    assert (shown.kitemark_status, shown.kitemark_label) == ("awarded", "Awarded")
    assert shown.valid_until == date(2027, 1, 5)
    before = datetime(2026, 1, 1, tzinfo=UTC)
    [early] = councils.return_assignments(session=s, return_id=ret.id, on=before)
    assert early.kitemark_status == "not_awarded"


def test_the_spend_page_sums_by_kitemark_status_per_quarter(
    client: TestClient, people: dict[str, Person], council_a: dict[str, int]
) -> None:
    hr = people["hr_lead_a"].headers
    answer = client.get(f"/api/councils/{COUNCIL_A}/agency-spend", headers=hr)
    assert answer.status_code == 200, answer.text
    spend = answer.json()
    assert f"{HOURS_PER_WEEK:g} hours a week" in spend["assumption"]
    quarters = {q["quarter"]: q for q in spend["quarters"]}
    assert list(quarters) == ["2026-Q3", "2026-Q2", "2026-Q1"]  # the seeded Q3 return is empty
    q1 = {b["status"]: b for b in quarters["2026-Q1"]["by_status"]}
    assert q1["awarded"]["spend"] == pytest.approx(_cost(50, 90), abs=0.01)  # awarded on 31 March
    assert q1["not_matched"]["spend"] == pytest.approx(_cost(40, 28), abs=0.01)
    assert q1["not_matched"]["spend"] == pytest.approx(5920.0)
    assert q1["not_awarded"]["spend"] == pytest.approx(_cost(35, 90), abs=0.01)
    assert q1["not_registered"]["spend"] == pytest.approx(_cost(30, 90), abs=0.01)
    assert quarters["2026-Q1"]["total"] == pytest.approx(
        _cost(50, 90) + _cost(40, 28) + _cost(35, 90) + _cost(30, 90), abs=0.05
    )
    q2 = quarters["2026-Q2"]["by_status"]
    assert [(b["status"], b["assignments"]) for b in q2] == [("suspended", 1)]  # by 30 June
    assert q2[0]["spend"] == pytest.approx(_cost(50, 91), abs=0.01)
    assert quarters["2026-Q3"]["by_status"] == []

    page = client.get(f"/councils/{COUNCIL_A}/agency-spend", headers=hr)
    assert page.status_code == 200
    html = page.text
    assert "<caption" in html and "Agency spend (£, estimated) by quarter" in html
    assert f"{HOURS_PER_WEEK:g} hours a week" in html
    row = html[html.index('id="quarter-2026-Q1"') :]
    row = row[: row.index("</tr>")]
    assert f"{_cost(40, 28):,.2f}" in row
    assert f"{round(_cost(50, 90), 2):,.2f}" in row
    assert f"{quarters['2026-Q1']['total']:,.2f}" in row
    for label in ("Awarded", "Suspended", "Not awarded", "Not registered", "Not matched"):
        assert f">{label}</th>" in html


def test_the_spend_page_is_the_councils_own(
    client: TestClient, people: dict[str, Person], council_a: dict[str, int]
) -> None:
    for key in ("hr_lead_a", "analyst", "admin"):
        headers = people[key].headers
        assert client.get(f"/councils/{COUNCIL_A}/agency-spend", headers=headers).status_code == 200
    other = people["hr_lead_b"].headers
    assert client.get(f"/councils/{COUNCIL_A}/agency-spend", headers=other).status_code == 404
    assert client.get(f"/api/councils/{COUNCIL_A}/agency-spend", headers=other).status_code == 404
    assert client.get(f"/api/councils/{COUNCIL_A}/agency-spend").status_code == 401
    for key in ("agency_user", "kitemark_admin"):
        headers = people[key].headers
        assert (
            client.get(f"/api/councils/{COUNCIL_A}/agency-spend", headers=headers).status_code
            == 403
        )
    signed_out = client.get(f"/councils/{COUNCIL_A}/agency-spend", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/sign-in")

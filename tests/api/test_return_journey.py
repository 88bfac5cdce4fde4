"""An HR lead's quarterly return, from the council's own template to the report: the
template's council, quarter, drop-downs, headings and guidance; a filled-in download
accepted as it is; problems at their cells, one message per cause; the report page's
corrected-file form, and the accepted page's units and published comparisons."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from tests.builders.people import Person, make_people
from tests.builders.quarterly import fill_in, machine_names
from workforce.auth.models import AuditEvent
from workforce.data import BUNDLED_DATA
from workforce.returns import quarterly
from workforce.returns.models import CouncilReturn
from workforce.returns.quarterly_template import last_quarter_end
from workforce.statistics.flows import import_release_file

TEMPLATE = "/councils/202/returns/template.xlsx?period_end=2026-06-30"


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def _template(client: TestClient, person: Person) -> bytes:
    response = client.get(TEMPLATE, headers=person.headers)
    assert response.status_code == 200, response.text
    assert "quarterly-return-202-2026-06-30.xlsx" in response.headers["content-disposition"]
    return response.content


def _upload(client: TestClient, person: Person, data: bytes, name: str = "q.xlsx"):
    return client.post(
        "/api/returns",
        headers=person.headers,
        files={"file": (name, data, "application/octet-stream")},
        data={"council": "202"},
    )


def test_the_council_s_template_has_its_council_quarter_drop_downs_and_guidance(
    client: TestClient, people: dict[str, Person]
) -> None:
    workbook = load_workbook(io.BytesIO(_template(client, people["hr_lead_a"])))
    sheet = workbook["Workforce"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(quarterly.ROLE_GROUPS)
    assert {r[0] for r in rows} == {"202"}
    assert {r[1].date() for r in rows} == {date(2026, 6, 30)}
    # Human headings with units; the machine names are what the reader maps them to.
    assert [c.value for c in sheet[1]][3:5] == [
        "Funded posts (FTE)",
        "Permanent staff in post (FTE)",
    ]
    assert machine_names(sheet[1]) == list(quarterly.WORKFORCE_COLUMNS)
    checks = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert checks["C2:C7"] == ("list", '"' + ",".join(quarterly.ROLE_GROUPS) + '"')
    assert checks["D2:D7"] == ("decimal", "0")  # funded posts: FTE of 0 or more
    assert checks["F2:F7"] == ("whole", "0")  # people: whole numbers
    agency = workbook["Agency assignments"]
    listed = {v.formula1 for v in agency.data_validations.dataValidation if v.type == "list"}
    assert '"paye,umbrella,limited_company"' in listed and '"Y,N"' in listed
    guidance = list(workbook["Guidance"].iter_rows(values_only=True))
    assert ("Council", "Camden (202)") in [r[:2] for r in guidance]
    assert ("Quarter end", "30 June 2026") in [r[:2] for r in guidance]
    # Each column's machine name beside its heading and unit.
    assert (
        "vacancy_fte",
        "vacant posts at the quarter end (FTE)",
        "Vacant posts (FTE)",
        "FTE",
    ) in [r[:4] for r in guidance]
    charge = next(r for r in guidance if r[0] == "hourly_charge_rate")
    assert charge[2:4] == ("Charge rate (£ per hour)", "£ per hour")


def test_the_council_s_csv_template_has_its_council_and_the_last_quarter_end(
    client: TestClient, people: dict[str, Person]
) -> None:
    response = client.get("/councils/202/returns/template.csv", headers=people["hr_lead_a"].headers)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows[0] == list(quarterly.WORKFORCE_COLUMNS)
    quarter = last_quarter_end(date.today()).isoformat()
    assert {tuple(r[:2]) for r in rows[1:]} == {("202", quarter)}


def test_another_council_s_template_is_not_found(
    client: TestClient, people: dict[str, Person]
) -> None:
    headers = people["hr_lead_a"].headers
    response = client.get("/councils/203/returns/template.xlsx", headers=headers)
    assert response.status_code == 404


def test_the_last_quarter_end_is_the_last_that_has_ended() -> None:
    assert last_quarter_end(date(2026, 11, 30)) == date(2026, 9, 30)
    assert last_quarter_end(date(2026, 9, 30)) == date(2026, 9, 30)
    assert last_quarter_end(date(2026, 2, 1)) == date(2025, 12, 31)


def test_a_filled_in_download_is_accepted_as_it_is(
    client: TestClient, people: dict[str, Person]
) -> None:
    person = people["hr_lead_a"]
    response = _upload(client, person, fill_in(_template(client, person)))
    assert response.status_code == 201, response.json()["issues"]
    body = response.json()
    assert body["status"] == "accepted" and body["period_end"] == "2026-06-30"
    assert body["measures"]["vacancy_rate_fte"] is not None


def test_a_formula_is_one_problem_named_at_its_cell_and_the_period_is_kept(
    client: TestClient, people: dict[str, Person]
) -> None:
    person = people["hr_lead_a"]
    data = fill_in(_template(client, person), formula=("E3", "=20+5"))
    response = _upload(client, person, data)
    assert response.status_code == 422
    body = response.json()
    errors = [i for i in body["issues"] if i["severity"] == "error"]
    assert [(i["rule"], i["cell"], i["column"]) for i in errors] == [
        ("xlsx.formula", "Workforce!E3", "inpost_fte")
    ]
    assert body["period_end"] == "2026-06-30"  # a rejected return keeps its rows' period

    page = client.get(f"/returns/{body['id']}", headers=person.headers)
    assert page.status_code == 200
    html = page.text
    assert "Workforce!E3, Permanent staff in post (FTE): this cell holds a formula" in html
    assert html.count("this cell holds a formula") == 2  # the summary and the table
    assert "a figure is needed" not in html
    assert "quarter ending 30 June 2026" in html
    assert "Camden" in html
    # The corrected-file form posts the file to the return's own corrected-file route.
    assert f'action="/returns/{body["id"]}/corrected-file"' in html
    assert "Send a corrected file" in html and 'name="file"' in html


def _rejected(client: TestClient, person: Person) -> int:
    data = fill_in(_template(client, person), formula=("E3", "=20+5"))
    response = _upload(client, person, data)
    assert response.status_code == 422
    return response.json()["id"]


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        returns = session.exec(select(func.count()).select_from(CouncilReturn)).one()
        audited = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return returns, audited


def test_a_corrected_file_form_sent_without_a_file_shows_its_error_on_the_report_page(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    person = people["hr_lead_a"]
    return_id = _rejected(client, person)
    before = _counts(reference_engine)
    response = client.post(
        f"/returns/{return_id}/corrected-file",
        headers=person.headers,
        files={"file": ("", b"", "application/octet-stream")},  # a form sent with no file chosen
    )
    assert response.status_code == 400
    html = response.text
    # The report page again, not the returns list: its heading, its issues, its form.
    assert f"<title>Error: Quarterly return {return_id} for Camden" in html
    assert "Workforce returns</h1>" not in html and 'id="issues"' in html
    # The error summary links the error to the file field, which is in its error state.
    assert '<a href="#file">Choose the corrected file to send</a>' in html
    assert "This return was rejected: 1 problem to fix" in html
    assert '<a href="#issue-' in html  # the return's own problems are still listed
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert re.search(r'<p id="file-error" class="govuk-error-message">\s*<span', html)
    assert re.search(r'class="govuk-file-upload govuk-file-upload--error" id="file"', html)
    assert 'aria-describedby="file-hint file-error"' in html
    # Nothing stored, nothing audited.
    assert _counts(reference_engine) == before


def test_a_corrected_file_is_stored_as_the_council_s_next_version(
    client: TestClient, people: dict[str, Person]
) -> None:
    person = people["hr_lead_a"]
    return_id = _rejected(client, person)
    response = client.post(
        f"/returns/{return_id}/corrected-file",
        headers=person.headers,
        files={"file": ("q.xlsx", fill_in(_template(client, person)), "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location != f"/returns/{return_id}"
    html = client.get(location, headers=person.headers).text
    assert "Accepted" in html and "Version 2 for 30 June 2026" in html


def test_another_council_s_lead_cannot_send_a_corrected_file_for_a_return(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    return_id = _rejected(client, people["hr_lead_a"])
    before = _counts(reference_engine)
    response = client.post(
        f"/returns/{return_id}/corrected-file",
        headers=people["hr_lead_b"].headers,
        files={"file": ("q.csv", b"council_code\n202\n", "text/csv")},
    )
    assert response.status_code == 404
    assert _counts(reference_engine) == before


def test_the_accepted_page_shows_each_measure_with_its_unit_and_no_corrected_file_form(
    client: TestClient, people: dict[str, Person], reference_engine: Engine
) -> None:
    with Session(reference_engine) as session:
        import_release_file(
            session=session, path=BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2023.csv"
        )
        session.commit()
    person = people["hr_lead_a"]
    body = _upload(client, person, fill_in(_template(client, person))).json()
    html = client.get(f"/returns/{body['id']}", headers=person.headers).text
    assert "Accepted" in html and "Version 1 for 30 June 2026" in html
    vacancy = body["measures"]["vacancy_rate_fte"]
    assert f"{vacancy:.1f}%" in html
    assert "caseload_fte" in html and " cases</td>" in html
    assert "Published" in html
    # Camden's published agency rate at 30 September 2023, beside the return's.
    assert re.search(r"\d\.\d%<br><span class=\"govuk-body-s\">30 September 2023</span>", html)
    assert "Send a corrected file" not in html


def test_a_cell_is_named_in_a_csv_by_column_letter_and_row(
    client: TestClient, people: dict[str, Person]
) -> None:
    person = people["hr_lead_a"]
    text = client.get(
        "/councils/202/returns/template.csv?period_end=2026-06-30", headers=person.headers
    ).text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[1][3:] = ["1"] * (len(rows[0]) - 3)
    rows[1][4] = "ten"  # E2: in-post FTE
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    body = _upload(client, person, out.getvalue().encode(), "q.csv").json()
    number = [i for i in body["issues"] if i["rule"] == "type.number"]
    assert [(i["cell"], i["column"]) for i in number] == [("E2", "inpost_fte")]

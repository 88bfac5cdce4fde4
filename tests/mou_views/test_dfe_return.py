"""The DfE quarterly agency return drafted for a council: every assignment, the rules,
sign-offs, agencies, monthly cost and what is missing; CSV and XLSX safe to open."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlmodel import Session

from tests.builders.mou_views import add_finding, add_return, councils_of_region, make_group
from workforce.mou import dfe_return, rules
from workforce.mou.models import FindingStatus
from workforce.mou.views import Quarter

Q4 = Quarter(2025, 4)


def _council_with_return(session: Session) -> tuple[str, list]:
    council = councils_of_region(session, 1, region_index=0)[0]
    make_group(session, "DfE MoU", [council])
    _, made = add_return(
        session,
        council,
        [
            {"agency_name": "Careful Care Ltd", "start_date": date(2025, 10, 1)},
            {
                "agency_name": '=HYPERLINK("http://x")',
                "hourly_pay_rate": 50.0,
                "hourly_charge_rate": 70.0,
                "above_cap_signoff_ref": "DCS-2025-7",
                "start_date": date(2025, 11, 1),
                "end_date": date(2025, 11, 30),
            },
            {"agency_name": "Quick Staff Ltd", "swe_number": None, "project_team": True},
        ],
    )
    add_finding(
        session,
        "DfE MoU",
        made[1],
        rule=rules.ABOVE_CAP_SIGNED_OFF,
        comparable_rate=57.5,
        cap=40.0,
        excess=17.5,
        message="17.50 above the cap of 40.00",
    )
    add_finding(
        session, "DfE MoU", made[2], rule=rules.PROJECT_NOT_NAMED, message="worker not named"
    )
    add_finding(
        session,
        "DfE MoU",
        made[0],
        rule=rules.SHORT_NOTICE,
        status=FindingStatus.not_assessable,
        message="no notice date in a version 1 sheet",
    )
    return council, made


def test_the_return_lists_each_assignment_and_what_is_missing(reference_session: Session) -> None:
    council, made = _council_with_return(reference_session)
    drafted = dfe_return.draft_return(session=reference_session, council_code=council, quarter=Q4)
    assert [a["assignment_id"] for a in drafted.assignments] == [a.id for a in made]
    first = drafted.assignments[0]
    assert first["role_category"] == "social_worker" and first["hourly_pay_rate"] == 30.0
    assert first["start_date"] == "2025-10-01" and first["end_date"] is None
    assert drafted.assignments[2]["swe_number"] is None and drafted.assignments[2]["project_team"]
    by_rule = {r["rule"]: r for r in drafted.rules}
    assert by_rule[rules.ABOVE_CAP_SIGNED_OFF]["status"] == "not compliant"
    assert "17.50 above the cap" in by_rule[rules.ABOVE_CAP_SIGNED_OFF]["reasons"]
    assert by_rule[rules.ABOVE_CAP_WITHOUT_SIGN_OFF]["status"] == "compliant"
    assert by_rule[rules.PROJECT_NOT_NAMED]["status"] == "not compliant"
    assert by_rule[rules.SHORT_NOTICE]["status"] == "not assessable"
    assert by_rule["cooling_off"]["status"] == "compliant"
    assert [s["signoff_ref"] for s in drafted.signoffs] == ["DCS-2025-7"]
    assert {a["agency_name"] for a in drafted.agencies} == {
        made[1].agency_name,
        "Quick Staff Ltd",
    }
    # October: assignment 1 all month, 3 from the 6th; November adds 2 for its 30 days.
    costs = {m["month"]: m["cost"] for m in drafted.monthly_cost}
    week = dfe_return.HOURS_PER_WEEK / 7
    assert costs["2025-10"] == round(45.0 * week * (31 + 26), 2)
    assert costs["2025-11"] == round((45.0 * 2 + 70.0) * week * 30, 2)
    missing = "\n".join(drafted.missing)
    assert f"assignment {made[2].id}" in missing and "Social Work England number" in missing
    assert f"rule {rules.SHORT_NOTICE}" in missing
    assert "whether the project team's costs are itemised" in missing


def test_a_quarter_without_an_accepted_return_says_so(reference_session: Session) -> None:
    council, _ = _council_with_return(reference_session)
    drafted = dfe_return.draft_return(
        session=reference_session, council_code=council, quarter=Quarter(2026, 1)
    )
    assert drafted.assignments == []
    assert "no accepted quarterly return for 2026-Q1" in drafted.missing[0]


def test_csv_and_xlsx_hold_every_section_and_never_a_formula(reference_session: Session) -> None:
    council, made = _council_with_return(reference_session)
    drafted = dfe_return.draft_return(session=reference_session, council_code=council, quarter=Q4)
    text = dfe_return.to_csv(drafted)
    for title in ("Assignments", "Compliance by rule", "Above-cap sign-offs", "Missing"):
        assert f"\r\n{title}\r\n" in text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    workbook = load_workbook(io.BytesIO(dfe_return.to_xlsx(drafted)))
    assert "Monthly agency cost" in workbook.sheetnames
    sheet = workbook["Assignments"]
    assert sheet.max_row == 1 + len(made)
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

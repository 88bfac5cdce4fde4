"""The kite-mark register, an agency's entry, an assessment and the unmatched-names queue in
a browser at 1280 and 390 pixels wide, with axe's accessibility checks, on the demo's three
made-up agencies."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.builders.people import TEST_ACTOR, Person
from workforce.agencies import demo
from workforce.agencies.models import Agency, Assessment
from workforce.mou import demo as mou_demo

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]


@pytest.fixture
def seeded(reference_session: Session) -> dict[str, int]:
    """The demo's agencies by legal name, and their assessments as ``assessment:<name>``."""
    s = reference_session
    list(mou_demo.seed(session=s, actor=TEST_ACTOR))
    list(demo.seed(session=s, actor=TEST_ACTOR))
    s.commit()
    ids: dict[str, int] = {}
    for spec in demo.AGENCIES:
        agency = s.exec(select(Agency).where(Agency.legal_name == spec.legal_name)).one()
        assert agency.id is not None
        ids[spec.legal_name] = agency.id
        assessment = s.exec(select(Assessment).where(Assessment.agency_id == agency.id)).one()
        assert assessment.id is not None
        ids[f"assessment:{spec.legal_name}"] = assessment.id
    return ids


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_public_register_and_an_agencys_entry(
    seeded: dict[str, int], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.goto(live_server + "/kitemarks")
    expect(page.locator("h1")).to_contain_text("kite-mark register")
    expect(page.locator("#register-table tbody tr")).to_have_count(3)
    expect(page.locator("#register-table")).to_contain_text("Awarded: requires improvement")
    assert_fits(page)
    assert_accessible(page)

    page.get_by_role("link", name=demo.AGENCY_A).click()
    expect(page.locator("h1")).to_contain_text(demo.AGENCY_A)
    expect(page.locator("#outcome")).to_contain_text("Fail")
    expect(page.locator("#reasons")).to_contain_text("cooling_off: not_met (1 of 12, 8.3%)")
    expect(page.locator('#figures-table tr[data-criterion="cooling_off"]')).to_contain_text(
        "Not met"
    )
    assert_fits(page)
    assert_accessible(page)

    page.goto(live_server + f"/kitemarks/{seeded[demo.AGENCY_D]}")
    expect(page.locator("#status-label")).to_contain_text("Awarded")
    expect(page.locator("#history-table tbody tr")).to_have_count(1)
    assert_fits(page)
    assert_accessible(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_assessment_and_unmatched_queue_for_the_kitemark_admin(
    seeded: dict[str, int], people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.set_extra_http_headers(people["kitemark_admin"].headers)
    page.goto(live_server + f"/kitemark/assessments/{seeded[f'assessment:{demo.AGENCY_B}']}")
    expect(page.locator("h1")).to_contain_text("Assessment")
    expect(page.locator("#outcome")).to_contain_text("Pass - requires improvement")
    expect(page.locator("#results-table tbody tr")).to_have_count(7)
    expect(page.locator("#files-table tbody tr")).to_have_count(10)
    expect(page.locator("#files-table")).to_contain_text("Failed")
    assert_fits(page)
    assert_accessible(page)

    page.goto(live_server + "/kitemark/unmatched")
    expect(page.locator("h1")).to_contain_text("Unmatched agency names")
    expect(page.locator("#unmatched-table")).to_contain_text("made up agency c demo")
    assert_fits(page)
    assert_accessible(page)

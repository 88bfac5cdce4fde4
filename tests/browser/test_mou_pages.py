"""A group's page and the public rate index in a browser at 1280 and 390 pixels wide,
with axe's accessibility checks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.builders.mou_views import (
    Reader,
    add_cap,
    add_finding,
    add_return,
    councils_of_region,
    make_group,
    make_reader,
)
from workforce.auth.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]


@pytest.fixture
def member(reference_session: Session) -> Reader:
    session = reference_session
    councils = councils_of_region(session, 3, region_index=0)
    make_group(session, "Browser MoU", councils, is_example=True)
    add_cap(session, "Browser MoU", 38.0)
    for number, code in enumerate(councils):
        _, made = add_return(
            session, code, [{"hourly_pay_rate": 30.0 + number}, {"hourly_pay_rate": 41.0}]
        )
        add_finding(session, "Browser MoU", made[1], comparable_rate=41.0, cap=38.0, excess=3.0)
    reader = make_reader(session, "browser.member", Role.mou_member, group="Browser MoU")
    session.commit()
    return reader


def _check_accessibility(page: Page) -> None:
    assert_accessible(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_group_page_shows_caps_rates_and_findings(
    member: Reader, live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.set_extra_http_headers(member.headers)
    page.goto(live_server + "/mou/groups/Browser MoU")
    expect(page.locator("h1")).to_contain_text("Browser MoU")
    expect(page.locator("#caps-table")).to_contain_text("example figure")
    expect(page.locator("svg.app-chart[role=img]")).to_have_count(1)
    page.get_by_text("Social worker as a table").click()
    expect(page.locator('table[data-chart="social_worker"] tbody tr')).to_have_count(1)
    expect(page.locator("#spend-rule")).to_contain_text("charge rate x the calendar days")
    expect(page.locator("#findings-by-council tbody tr")).to_have_count(3)
    # Councils by name, never only by their DfE code.
    members = page.locator("#members a")
    expect(members).to_have_count(3)
    for name in (
        members.all_inner_texts()
        + page.locator("#findings-by-council tbody tr td:first-child").all_inner_texts()
    ):
        assert not name.strip().isdigit(), name
    assert_fits(page)
    _check_accessibility(page)
    page.goto(live_server + "/mou/groups/Browser MoU/findings")
    for name in page.locator("table tbody tr td:nth-child(1), #council option").all_inner_texts():
        assert not name.strip().isdigit(), name
    # Rules and dates in words: "Above the cap, not signed off", "6 October 2025".
    for text in page.locator(
        "table tbody tr td:nth-child(3), table tbody tr td:nth-child(5), #rule option"
    ).all_inner_texts():
        assert "_" not in text and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()), text


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_rate_index_is_public_with_the_minimum_cell_rule(
    member: Reader, live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.goto(live_server + "/rate-index")
    expect(page.locator("h1")).to_contain_text("rate index")
    expect(page.locator("#suppression-rule")).to_contain_text("at least 5 assignments")
    page.get_by_text("Social worker as a table").click()
    expect(page.locator('table[data-chart="social_worker"] tbody tr')).to_have_count(1)
    assert_fits(page)
    _check_accessibility(page)

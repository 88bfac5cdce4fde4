"""What a person sees on the home page and a council page, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_home_page_lists_councils_and_filters_by_region(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    expect(page).to_have_title(re.compile("Councils"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Children's social care workforce")
    table = page.locator("table#councils")
    expect(table.locator("caption")).to_contain_text("153 councils in England")
    expect(table.locator("tbody tr")).to_have_count(153)

    page.get_by_label("Region").select_option(label="North East")
    page.get_by_role("button", name="Show councils").click()
    expect(table.locator("caption")).to_contain_text("12 councils in North East")
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table).to_contain_text("County Durham")
    expect(table).not_to_contain_text("Camden")


def test_the_page_is_styled_with_govuk_frontend(live_server: str, page: Page) -> None:
    responses = []
    page.on("response", lambda r: responses.append((r.url, r.status)))
    page.goto(live_server + "/")
    assert (live_server + "/static/govuk/govuk-frontend.min.css", 200) in responses
    font = page.locator("h1").evaluate("el => getComputedStyle(el).fontFamily")
    assert "GDS Transport" in font or "arial" in font.lower()
    assert page.locator("body.govuk-frontend-supported").count() == 1


def test_council_page_shows_who_it_is_and_its_neighbours(live_server: str, page: Page) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name="Camden", exact=True).click()
    expect(page).to_have_url(live_server + "/councils/202")
    expect(page.get_by_role("heading", level=1)).to_have_text("Camden")
    expect(page.locator(".govuk-summary-list")).to_contain_text("E09000007")
    neighbours = page.locator("table#neighbours tbody tr")
    expect(neighbours).to_have_count(10)
    expect(neighbours.first).to_contain_text("Westminster")
    expect(neighbours.first).to_contain_text("Very close")
    neighbours.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Westminster")


def test_a_council_that_reports_through_another_says_so(live_server: str, page: Page) -> None:
    page.goto(live_server + "/councils/E09000027")
    expect(page.get_by_role("heading", level=1)).to_have_text("Richmond upon Thames")
    unit = page.locator("#reporting-unit")
    expect(unit).to_contain_text("Kingston upon Thames / Richmond upon Thames")
    expect(unit).to_contain_text("returned by Kingston upon Thames")


def test_an_unknown_council_gets_a_helpful_not_found_page(live_server: str, page: Page) -> None:
    response = page.goto(live_server + "/councils/999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).to_contain_text("DfE 3-digit code")

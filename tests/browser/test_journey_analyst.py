"""An analyst compares councils in the LAIT way, at 1280 and 390 pixels wide, with axe's
checks on every page: signed in, they open the England table, narrow it to Camden's
statistical neighbours, then to the East Midlands, reading England's and the region's rows
for reference, the quartile bands, the changes in percentage points and the small-workforce
mark."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.browser.signing import sign_in
from tests.builders.people import Person, make_people
from workforce.config import Settings
from workforce.db import make_engine

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]
NO_FIGURE = "\N{EN DASH}"  # what a cell shows when it has nothing to say


@pytest.fixture
def analyst(public_settings: Settings) -> Person:
    """The analyst of tests/builders/people.py, in the database of all public figures."""
    engine = make_engine(public_settings.database_url)
    try:
        return make_people(engine)["analyst"]
    finally:
        engine.dispose()


def _checked(page: Page) -> None:
    """The page does not scroll sideways and passes axe's checks."""
    assert_fits(page, slack=0)
    assert_accessible(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_an_analyst_compares_neighbours_then_a_region_in_the_lait_way(
    analyst: Person, public_live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.goto(public_live_server + "/sign-in")
    _checked(page)
    sign_in(page, public_live_server, analyst)
    # The account page's own layout (its tokens table, 470 pixels wide on a 390-pixel
    # phone) belongs to the account journey; here only axe's checks are asked of it.
    assert_accessible(page)

    page.goto(public_live_server + "/england")
    expect(page.locator("h1")).to_have_text(re.compile(r"Councils in England, \d{4}"))
    expect(page.locator("#ranking-rules")).to_contain_text("lower is better: rank 1 is the lowest")
    expect(page.locator("#ranking-rules")).to_contain_text(
        "fewer than 30 FTE social workers in post are marked Small workforce and not ranked"
    )
    _checked(page)

    # A council's statistical neighbours, chosen by name.
    page.get_by_label("Or compare a council with its statistical neighbours").select_option(
        label="Camden"
    )
    page.get_by_role("button", name="Show neighbours").click()
    expect(page).to_have_url(re.compile(r"neighbours=202"))
    table = page.locator("table#england-table")
    expect(table.locator("caption")).to_contain_text("Camden and its statistical neighbours")
    region = page.get_by_role("region", name=re.compile("Camden and its statistical neighbours"))
    expect(region).to_have_attribute("tabindex", "0")
    reference = table.locator("#reference-rows tr")
    expect(reference).to_have_count(2)
    expect(reference.nth(0).locator("th")).to_contain_text("England")
    expect(reference.nth(1).locator("th")).to_contain_text("London")
    expect(reference.nth(0)).to_contain_text("Not ranked")
    councils = table.locator("#council-rows tr")
    expect(councils).to_have_count(11)
    expect(councils.filter(has_text="Camden")).to_have_count(1)
    bands = table.locator("#council-rows tr td:nth-child(6)").all_inner_texts()
    assert bands and all(re.fullmatch(r"[A-D]", band.strip()) for band in bands), bands
    changes = table.locator("tr td:nth-child(4)").all_inner_texts()
    assert any(re.fullmatch(r"(up|down) \d+\.\d pp \((better|worse)\)", c) for c in changes)
    _checked(page)

    # Then a region: East Midlands holds Rutland, whose workforce is too small to rank.
    page.get_by_label("Region").select_option(label="East Midlands")
    page.get_by_role("button", name="Show councils").click()
    expect(page).to_have_url(re.compile(r"region=E12000004"))
    expect(table.locator("caption")).to_contain_text("East Midlands")
    expect(reference.nth(0).locator("th")).to_contain_text("England")
    expect(reference.nth(1).locator("th")).to_contain_text("East Midlands")
    rutland = councils.filter(has_text="Rutland")
    expect(rutland.locator(".govuk-tag--grey")).to_have_text("Small workforce")
    expect(rutland.locator("td:nth-child(5)")).to_have_text("Not ranked: small workforce")
    expect(rutland.locator("td:nth-child(6)")).to_have_text(NO_FIGURE)
    ranked = councils.filter(has_not_text="Rutland").locator("td:nth-child(5)").all_inner_texts()
    assert ranked and all(re.match(r"\d+", r) for r in ranked if r != NO_FIGURE), ranked
    _checked(page)

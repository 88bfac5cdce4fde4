"""The council page's measures, charts and judgements, and the England page, in a browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_council_page_compares_the_council_and_charts_each_measure(
    public_live_server: str, page: Page
) -> None:
    page.goto(public_live_server + "/councils/840")
    benchmarks = page.locator("table#benchmarks")
    # The newest census year by default: 2024 since the 2017-2024 release.
    expect(benchmarks.locator("caption")).to_contain_text("County Durham in 2024")
    turnover = benchmarks.locator('tr[data-measure="turnover_rate_fte"]')
    expect(turnover).to_contain_text("11.1%")  # the council
    expect(turnover).to_contain_text("13.8%")  # England
    expect(turnover).to_contain_text("12.6%")  # North East
    expect(turnover).to_contain_text("of 10 with data")
    charts = page.locator("svg.app-chart[role=img]")
    expect(charts).to_have_count(5)
    expect(charts.first.locator("title")).to_contain_text("Turnover rate: County Durham")
    # Each chart's figures are one click away as a table.
    page.get_by_text("Turnover rate as a table").click()
    table = page.locator('table[data-chart="turnover_rate_fte"]')
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(8)  # 2017-2024
    expect(page.locator("#judgement-table tbody tr").first).to_be_visible()


def test_choosing_another_year_changes_the_comparison(public_live_server: str, page: Page) -> None:
    page.goto(public_live_server + "/councils/840")
    page.get_by_label("Census year (at 30 September)").select_option("2019")
    page.get_by_role("button", name="Show year").click()
    expect(page.locator("table#benchmarks caption")).to_contain_text("County Durham in 2019")


def test_england_page_sorts_and_filters(public_live_server: str, page: Page) -> None:
    page.goto(public_live_server + "/england?year=2023")
    table = page.locator("table#england-table")
    expect(table.locator("#council-rows tr")).to_have_count(151)
    page.get_by_role("link", name="Turnover rate").click()  # ascending
    expect(page).to_have_url(re.compile(r"sort=turnover_rate_fte&order=asc"))
    page.get_by_role("link", name="Turnover rate").click()  # descending
    expect(page).to_have_url(re.compile(r"sort=turnover_rate_fte&order=desc"))
    expect(table.locator("#council-rows tr")).to_have_count(151)
    values = table.locator("#council-rows tr td:nth-child(3)").all_inner_texts()
    numbers = [float(v) for v in values if v.replace(".", "", 1).isdigit()]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) > 140
    page.get_by_label("Region").select_option(label="North East")
    page.get_by_label("Latest Ofsted judgement").select_option("outstanding")
    page.get_by_role("button", name="Show councils").click()
    # Wait for the filtered page itself, not the one being navigated away from.
    expect(page).to_have_url(re.compile(r"region=E12000001&grade=outstanding"))
    rows = table.locator("#council-rows tr")
    expect(rows.first).to_be_visible()
    assert 0 < rows.count() < 12
    for text in rows.all_inner_texts():
        assert "North East" in text and "outstanding" in text

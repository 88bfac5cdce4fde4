"""Uploading a return on the page: the GOV.UK error summary, its links, the CSV of issues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.signing import sign_in
from tests.builders.people import Person
from tests.builders.returns import CensusDesign, census_xml, quarterly_rows, to_csv

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_upload_a_broken_return_then_a_good_one(
    live_server: str, page: Page, people: dict[str, Person], tmp_path: Path
) -> None:
    sign_in(page, live_server, people["hr_lead_a"])
    page.get_by_role("link", name="returns of Camden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce returns")

    # Submitting without a file: the error summary links to the field.
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the file to upload")

    rows = quarterly_rows()
    rows[3][4] = "ten"  # advanced practitioners' in-post FTE: not a number
    rows[2][17] = 99  # senior practitioners: more case holders than staff in post
    broken = tmp_path / "q2-broken.csv"
    broken.write_bytes(to_csv(rows))
    page.get_by_label("Upload a return").set_input_files(str(broken))
    page.get_by_role("button", name="Upload and check").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This return was rejected: 2 problems to fix")
    # The cell as a spreadsheet names it, and the column in words.
    link = summary.get_by_role(
        "link", name=re.compile(r"E4, Permanent staff in post \(FTE\): this must be a number")
    )
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"#issue-\d+$"))
    target = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{target}")).to_contain_text("type.number")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the issues as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("severity,rule,sheet,row,column,value,message,cell")
    assert "cross.case_holders" in text

    good = tmp_path / "census.xml"
    good.write_bytes(census_xml(CensusDesign()))
    page.goto(live_server + "/councils/202/returns")
    page.get_by_label("Upload a return").set_input_files(str(good))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Accepted")
    expect(page.locator("#measures")).to_contain_text("14.7")

    page.get_by_role("link", name="All returns for Camden").click()
    expect(page.locator("#returns tbody tr")).to_have_count(3)  # one seeded, two uploaded
    turnover = page.locator("#own-turnover_rate_fte-figure")
    expect(turnover.locator("svg")).to_contain_text("Own returns (unpublished)")
    turnover.locator("summary").click()
    own_row = turnover.locator("tbody tr", has_text="own return")
    expect(own_row).to_have_count(1)
    expect(own_row).to_contain_text("30 September 2025")
    expect(own_row).to_contain_text("14.7")
    expect(page.locator("#other-measures")).to_contain_text("Sickness absence rate")


def test_another_council_s_returns_page_is_not_found(
    live_server: str, page: Page, people: dict[str, Person]
) -> None:
    sign_in(page, live_server, people["hr_lead_a"])
    response = page.goto(live_server + "/councils/203/returns")
    assert response is not None and response.status == 404

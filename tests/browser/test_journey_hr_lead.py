"""An HR lead sends the quarterly return and fixes it, in a browser at 1280 and 390 pixels
wide with axe's checks on every page: sign in, find the council's template, send a file
with a formula in it, read the problem at its cell in the error summary, send the corrected
file from the report page, and read the accepted return's measures with their units beside
the published figures. No page scrolls sideways."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.builders.people import COUNCIL_A, PASSWORD, Person
from tests.builders.quarterly import fill_in
from workforce.data import BUNDLED_DATA
from workforce.statistics.flows import import_release_file

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]
RETURNS = f"/councils/{COUNCIL_A}/returns"


@pytest.fixture
def published(reference_engine: Engine) -> None:
    """DfE's published figures to 2023, the figures a return is compared with."""
    with Session(reference_engine) as session:
        import_release_file(
            session=session, path=BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2023.csv"
        )
        session.commit()


def _checked(page: Page) -> None:
    """The page does not scroll sideways and axe finds nothing on it."""
    assert_fits(page, slack=0)
    assert_accessible(page)


def _sign_in(page: Page, base: str, person: Person) -> None:
    """Sign in through the page, asking for no page: an HR lead of one council lands on
    that council's returns."""
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(RETURNS) + "$"))


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_an_hr_lead_sends_the_quarterly_return_and_fixes_it(
    published: None,
    live_server: str,
    wide_or_narrow: Page,
    people: dict[str, Person],
    tmp_path: Path,
) -> None:
    page = wide_or_narrow
    _sign_in(page, live_server, people["hr_lead_a"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Workforce returns")
    expect(page.locator(".govuk-caption-l")).to_have_text("Camden")
    _checked(page)

    # The template, as XLSX and as CSV, with the council filled in.
    xlsx_link = page.get_by_role("link", name="Quarterly return template for Camden (XLSX")
    expect(xlsx_link).to_be_visible()
    expect(page.get_by_role("link", name="Workforce table for Camden (CSV)")).to_be_visible()
    with page.expect_download() as download:
        xlsx_link.click()
    template = Path(download.value.path()).read_bytes()
    assert template.startswith(b"PK")

    # A file with a formula in it: one problem, named at its cell.
    broken = tmp_path / "quarterly-return-broken.xlsx"
    broken.write_bytes(fill_in(template, formula=("E3", "=20+5")))
    page.get_by_label("Upload a return").set_input_files(str(broken))
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("This return was rejected: 1 problem to fix")
    link = summary.get_by_role(
        "link", name=re.compile(r"Workforce!E3, Permanent staff in post \(FTE\): this cell holds")
    )
    expect(link).to_be_visible()
    expect(page.locator("h1")).to_contain_text("quarter ending 30 September 2026")
    expect(page.locator("#issues")).to_contain_text("Workforce!E3")
    expect(page.locator("#issues")).not_to_contain_text("a figure is needed")
    _checked(page)
    link.click()
    expect(page).to_have_url(re.compile(r"#issue-\d+$"))

    # Sent with no file chosen: the report page again, its error linked to the file field.
    report = page.url.split("#")[0]
    page.get_by_role("button", name="Send the corrected file").click()
    expect(page).to_have_url(report + "/corrected-file")
    expect(page.locator("h1")).to_contain_text("quarter ending 30 September 2026")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Choose the corrected file to send")).to_have_attribute(
        "href", "#file"
    )
    expect(summary).to_contain_text("This return was rejected: 1 problem to fix")
    expect(page.locator("#file-error")).to_contain_text("Choose the corrected file to send")
    expect(page.locator("#file")).to_have_class(re.compile(r"govuk-file-upload--error"))
    _checked(page)
    summary.get_by_role("link", name="Choose the corrected file to send").click()
    expect(page.locator("#file")).to_be_focused()

    # The corrected file, sent from the report page.
    fixed = tmp_path / "quarterly-return.xlsx"
    fixed.write_bytes(fill_in(template))
    page.get_by_label("Send a corrected file").set_input_files(str(fixed))
    page.get_by_role("button", name="Send the corrected file").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Accepted")
    expect(page.locator(".govuk-panel")).to_contain_text("30 September 2026")
    measures = page.locator("#measures")
    expect(measures.locator("thead")).to_contain_text("Published")
    vacancy = measures.locator("tr[data-measure='vacancy_rate_fte']")
    expect(vacancy).to_contain_text("%")
    expect(vacancy.locator("td").nth(0)).to_contain_text(re.compile(r"\d+\.\d%"))
    # The council's published figure, where DfE has one, with the date it is at.
    expect(measures.locator("tbody")).to_contain_text(re.compile(r"\d\.\d%\s*30 September \d{4}"))
    expect(measures.locator("tr[data-measure='caseload_fte']")).to_contain_text("cases")
    expect(page.get_by_role("link", name="All returns for Camden")).to_be_visible()
    _checked(page)

    page.get_by_role("link", name="All returns for Camden").click()
    expect(page.locator("#returns")).to_contain_text("30 September 2026")
    _checked(page)

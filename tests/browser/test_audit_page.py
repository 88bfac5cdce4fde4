"""The audit log page: admins filter, page and download it; nobody else reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from api.routes import admin_pages
from tests.browser.signing import sign_in
from tests.builders.people import Person

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_an_admin_filters_pages_and_downloads_the_audit_log(
    live_server: str, page: Page, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin_pages, "PAGE_SIZE", 3)  # the server runs in this process
    # A failed sign-in first, so the log holds one to find.
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email address").fill(people["analyst"].email)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()

    admin = people["admin"]
    sign_in(page, live_server, admin)
    page.get_by_role("link", name="Read the audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    rows = page.locator("#audit tbody tr")
    expect(rows.first).to_contain_text(admin.email)  # newest first: this sign-in
    expect(rows.first).to_contain_text("sign_in")

    page.get_by_label("Action").fill("sign_in_failed")
    page.get_by_role("button", name="Show entries").click()
    expect(page).to_have_url(re.compile(r"action=sign_in_failed"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(people["analyst"].email)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,at,actor") and len(lines) == 2
    assert people["analyst"].email in lines[1] and "sign_in_failed" in lines[1]

    # More entries than a page: the older ones are one link away, none shown twice.
    page.goto(live_server + "/admin/audit")
    expect(rows).to_have_count(3)
    ids = rows.evaluate_all("rows => rows.map(r => Number(r.id.slice(6)))")
    page.get_by_role("link", name="Older entries").click()
    expect(page.get_by_role("link", name="Newest entries")).to_be_visible()
    expect(rows).to_have_count(3)
    older = rows.evaluate_all("rows => rows.map(r => Number(r.id.slice(6)))")
    assert ids == sorted(ids, reverse=True) and max(older) < min(ids)

    page.get_by_label("From").fill("yesterday")
    page.get_by_role("button", name="Show entries").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("From must be a date like 2026-11-24")
    expect(page).to_have_title(re.compile(r"^Error: Audit log"))
    summary.get_by_role("link").click()
    expect(page.get_by_label("From")).to_be_focused()


def test_nobody_but_an_admin_reads_it(
    live_server: str, page: Page, people: dict[str, Person]
) -> None:
    page.goto(live_server + "/admin/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    sign_in(page, live_server, people["hr_lead_a"])
    expect(page.get_by_role("link", name="Read the audit log")).to_have_count(0)
    response = page.goto(live_server + "/admin/audit")
    assert response is not None and response.status == 403
    expect(page.locator("#audit")).to_have_count(0)

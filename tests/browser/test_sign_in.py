"""Signing in, the account page, revoking a token and signing out, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.builders.people import COUNCIL_A, PASSWORD, Person
from workforce.auth.flows import REFUSED

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_sign_in_see_account_revoke_token_sign_out(
    live_server: str, page: Page, people: dict[str, Person]
) -> None:
    lead = people["hr_lead_a"]
    page.goto(live_server + "/account")
    # Not signed in: sent to the sign-in page, and back to the account page afterwards.
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(lead.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator(".govuk-summary-list")).to_contain_text("HR lead for Camden")
    expect(page.get_by_role("link", name="returns of Camden")).to_be_visible()
    expect(page.get_by_role("link", name=lead.email)).to_be_visible()

    cookie = next(c for c in page.context.cookies() if c["name"] == "workforce_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # The signed-in session reaches the council's private data through the API too.
    response = page.request.get(live_server + f"/api/councils/{COUNCIL_A}/returns")
    assert response.status == 200
    assert page.request.get(live_server + "/api/councils/203/returns").status == 404
    # ... but a change without the CSRF token is refused, even with the cookie.
    token_id = page.request.get(live_server + "/api/me/tokens").json()[0]["id"]
    assert page.request.delete(live_server + f"/api/me/tokens/{token_id}").status == 403

    with page.expect_response(lambda r: r.url.endswith("/revoke")) as revoked:
        page.get_by_role("button", name="Revoke").click()
    assert revoked.value.status == 303, revoked.value.status
    expect(page.locator("table")).to_contain_text("revoked")
    assert page.request.get(live_server + "/api/me", headers=lead.headers).status == 401

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.request.get(live_server + "/api/me").status == 401
    # The session ended on the server: a copy of the cookie taken before is no good either.
    page.context.add_cookies([cookie])
    assert page.request.get(live_server + "/api/me").status == 401


def test_a_wrong_password_shows_the_error_summary(
    live_server: str, page: Page, people: dict[str, Person]
) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email address").fill(people["analyst"].email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(REFUSED)
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    page.get_by_role("button", name="Sign in").click()
    expect(summary).to_contain_text("Enter your password")


def test_a_form_posted_from_elsewhere_is_refused(
    live_server: str, page: Page, people: dict[str, Person]
) -> None:
    response = page.request.post(
        live_server + "/sign-in",
        form={"email": people["analyst"].email, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status == 403
    assert "did not come from this service" in response.text()

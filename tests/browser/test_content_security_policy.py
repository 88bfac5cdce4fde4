"""The Content-Security-Policy blocks nothing the pages themselves use, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.signing import sign_in
from tests.builders.people import Person

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

PUBLIC_PAGES = ["/", "/councils/202", "/england", "/early-warnings", "/methods", "/sign-in"]
SIGNED_IN_PAGES = ["/account", "/councils/202/returns"]


def _watch(page: Page) -> list[str]:
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: refused.append(str(error)))
    return refused


def test_public_pages_load_without_a_policy_violation(public_live_server: str, page: Page) -> None:
    refused = _watch(page)
    for path in PUBLIC_PAGES:
        response = page.goto(public_live_server + path)
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        # GOV.UK Frontend's inline script ran: it marks the body before the module loads.
        assert page.locator("body.govuk-frontend-supported").count() == 1, path
    assert refused == []


def test_signed_in_pages_load_without_a_policy_violation(
    live_server: str, page: Page, people: dict[str, Person]
) -> None:
    refused = _watch(page)
    sign_in(page, live_server, people["hr_lead_a"])
    for path in SIGNED_IN_PAGES:
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        assert response.headers["cache-control"] == "no-store"
    assert refused == []


def test_the_api_documentation_works_with_nothing_from_outside(
    live_server: str, page: Page
) -> None:
    refused = _watch(page)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server, "data:"))
            else elsewhere.append(request.url)
        ),
    )
    response = page.goto(live_server + "/docs")
    assert response is not None and response.status == 200
    # Swagger UI drew the document: the upload operation is listed.
    page.locator(".opblock-summary-path", has_text="/api/returns").first.wait_for()
    assert elsewhere == []
    assert refused == []

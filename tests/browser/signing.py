"""Signing in through the page, as a person would."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.builders.people import PASSWORD, Person


def sign_in(page: Page, base: str, person: Person) -> None:
    """Sign ``person`` in, asking for their account page, and wait for it (where each role
    lands when it asks for nothing: ``test_journey_landings``)."""
    page.goto(base + "/sign-in?next=/account")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")

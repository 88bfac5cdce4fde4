"""Filling the service's forms in a browser as a person does."""

from __future__ import annotations

from playwright.sync_api import Page


def fill_date(page: Page, name: str, day: int, month: int, year: int) -> None:
    """Type a date into the GOV.UK date input ``name``: its Day, Month and Year boxes."""
    for part, value in (("day", day), ("month", month), ("year", year)):
        page.locator(f"#{name}-{part}").fill(str(value))

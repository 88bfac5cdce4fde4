"""axe-core's accessibility checks, run in the page a test has open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
# axe-core from the front-end's packages (`make assets` installs it), or WORKFORCE_AXE_JS.
AXE_JS = Path(
    os.environ.get("WORKFORCE_AXE_JS", ROOT / "frontend/node_modules/axe-core/axe.min.js")
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The WCAG 2.1 A and AA rules, as GOV.UK services are held to.
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[str]:
    """Run axe on the page as it is now; return each violation as `rule: elements`.

    The script goes in through the browser's debugging protocol, not as a script tag, so
    the service's content security policy stays as it is.
    """
    if not AXE_JS.is_file():
        message = f"axe-core not found at {AXE_JS}: run `make assets`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found: list[str] = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
        RULES,
    )
    return found


def assert_accessible(page: Page) -> None:
    """Fail with every axe violation on the page."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: " + "; ".join(violations)


def assert_fits(page: Page, *, slack: int = 1) -> None:
    """The page does not scroll sideways: the document is no wider than the viewport, give
    or take ``slack`` pixels of rounding (wide tables scroll inside their own region)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None, "the page has no viewport"
    assert width <= viewport["width"] + slack, (
        f"{page.url} is {width} px wide at {viewport['width']} px: it scrolls sideways"
    )

"""/docs works with no network beyond the service: Swagger UI comes from its own static
files (npm's swagger-ui-dist, copied by `make assets`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_the_api_documentation_renders_with_other_hosts_cut_off(
    live_server: str, page: Page
) -> None:
    here = urlsplit(live_server).netloc
    cut_off: list[str] = []

    def only_this_service(route: Route) -> None:
        url = route.request.url
        if url.startswith("data:") or urlsplit(url).netloc == here:
            route.continue_()
        else:
            cut_off.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", only_this_service)
    response = page.goto(live_server + "/docs")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    # Swagger UI drew the document: its title and an operation are on the page.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("workforce monitor")
    expect(page.locator(".opblock-summary-path", has_text="/api/returns").first).to_be_visible()
    assert cut_off == []

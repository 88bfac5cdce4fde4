"""A council with a very small workforce on its page and in its benchmarks' API answer:
marked, its rates shown but given no rank or band, and the reason said."""

from __future__ import annotations

from fastapi.testclient import TestClient

SMALL = 30.0  # WORKFORCE_WARNING_SMALL_WORKFORCE_FTE's default
RUTLAND = "857"  # about 21 FTE social workers in post in 2023
CAMDEN = "202"


def test_the_api_gives_a_small_workforce_no_rank_and_says_so(public_client: TestClient) -> None:
    rows = public_client.get(f"/api/councils/{RUTLAND}/benchmarks", params={"year": 2023}).json()
    turnover = next(r for r in rows if r["measure"] == "turnover_rate_fte")
    assert turnover["small_workforce"] is True
    assert turnover["rank"] is None and turnover["band"] is None and turnover["quartile"] is None
    assert turnover["not_ranked_because"] == "fewer than 30 FTE social workers in post"
    assert turnover["inpost_fte"] < SMALL
    camden = public_client.get(f"/api/councils/{CAMDEN}/benchmarks", params={"year": 2023})
    assert all(r["small_workforce"] is False for r in camden.json())


def test_the_council_page_marks_a_small_workforce_and_shows_no_rank(
    public_client: TestClient,
) -> None:
    html = public_client.get(f"/councils/{RUTLAND}", params={"year": 2023}).text
    assert 'id="small-workforce"' in html
    assert "Small workforce: rates swing on a few people." in html
    table = html[html.index('<table class="govuk-table" id="benchmarks">') :]
    table = table[: table.index("</table>")]
    assert table.count("Not ranked") >= 4 and "band " not in table
    camden = public_client.get(f"/councils/{CAMDEN}", params={"year": 2023}).text
    assert 'id="small-workforce"' not in camden and "band " in camden

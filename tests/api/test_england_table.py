"""The England page and its API twin: the same councils, changes, ranks and bands."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient

CAMDEN = "202"
RUTLAND = "857"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_filters_to_a_council_s_neighbours_with_england_and_region_for_reference(
    public_client: TestClient,
) -> None:
    response = public_client.get("/england", params={"year": 2023, "neighbours": CAMDEN})
    assert response.status_code == 200
    html = response.text
    assert "Camden and its statistical neighbours, 11 council rows" in _text(html)
    reference = re.findall(r'data-reference="(\w+)"', html)
    assert reference == ["england", "region"]
    council_rows = html.split('id="council-rows"')[1]
    assert council_rows.count("<tr ") == 11
    assert 'aria-labelledby="england-caption" tabindex="0"' in html
    assert 'role="region"' in html


def test_the_page_states_the_rules_ranks_bands_and_changes_in_pp(
    public_client: TestClient,
) -> None:
    text = _text(public_client.get("/england", params={"year": 2023}).text)
    assert "lower is better: rank 1 is the lowest" in text
    assert "quartile band A is the quarter of councils with the lowest figures" in text
    assert "fewer than 30 FTE social workers in post are marked Small workforce" in text
    assert re.search(r"(up|down) \d+\.\d pp \((better|worse)\)", text)
    assert re.search(r"\b1 of 14\d\b", text)  # a rank, out of every comparable council


def test_a_small_workforce_is_marked_on_the_page_and_not_ranked(
    public_client: TestClient,
) -> None:
    html = public_client.get("/england", params={"year": 2023, "region": "East Midlands"}).text
    row = re.search(r'<tr [^>]*data-area="857"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None and 'data-small-workforce="true"' in row.group(0)
    assert "Small workforce" in row.group(1) and "Not ranked: small workforce" in row.group(1)


def test_a_region_filter_shows_that_region_for_reference(public_client: TestClient) -> None:
    html = public_client.get("/england", params={"year": 2023, "region": "North East"}).text
    assert "North East, 12 council rows" in _text(html)
    assert re.findall(r'data-reference="(\w+)"', html) == ["england", "region"]


def test_another_measure_ranks_on_its_own_figures(public_client: TestClient) -> None:
    text = _text(
        public_client.get("/england", params={"year": 2023, "measure": "caseload_fte"}).text
    )
    assert "Average caseload, 2023" in text
    assert "For average caseload, lower is better" in text
    assert re.search(r"(up|down) \d+\.\d cases \((better|worse)\)", text)


def test_an_unknown_council_to_compare_with_is_a_404_page(public_client: TestClient) -> None:
    assert public_client.get("/england", params={"neighbours": "999"}).status_code == 404


def test_the_api_gives_the_page_s_ranks_bands_changes_and_reference_rows(
    public_client: TestClient,
) -> None:
    rows = public_client.get(
        "/api/england/councils",
        params={"year": 2023, "neighbours": CAMDEN, "reference": "true"},
    ).json()
    assert [r["kind"] for r in rows[:2]] == ["england", "region"]
    assert rows[0]["standings"]["turnover_rate_fte"]["rank"] is None
    councils = rows[2:]
    assert len(councils) == 11
    camden = next(r for r in councils if CAMDEN in r["council_codes"])
    turnover = camden["standings"]["turnover_rate_fte"]
    assert turnover["better"] == "lower" and turnover["quartile"] in {"A", "B", "C", "D"}
    html = public_client.get("/england", params={"year": 2023, "neighbours": CAMDEN}).text
    row = re.search(r'<tr [^>]*data-area="202"[^>]*>(.*?)</tr>', html, re.S)
    assert row is not None
    assert f">{turnover['rank']} of {turnover['ranked_councils']}<" in row.group(1)
    assert turnover["change_in_words"] in row.group(1)


def test_the_api_marks_small_workforces_and_leaves_them_unranked(
    public_client: TestClient,
) -> None:
    rows = public_client.get("/api/england/councils", params={"year": 2023}).json()
    assert len(rows) == 151  # the councils alone unless reference rows are asked for
    rutland = next(r for r in rows if RUTLAND in r["council_codes"])
    assert rutland["small_workforce"] is True
    assert all(s["rank"] is None for s in rutland["standings"].values())


def test_the_csv_carries_changes_ranks_and_bands(public_client: TestClient) -> None:
    response = public_client.get(
        "/api/england/councils",
        params={"year": 2023, "region": "North East", "reference": "true", "format": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["kind"] for r in rows[:2]] == ["england", "region"]
    assert len(rows) == 14
    council = rows[2]
    assert council["turnover_rate_fte_quartile"] in {"A", "B", "C", "D"}
    assert council["turnover_rate_fte_rank"].isdigit()

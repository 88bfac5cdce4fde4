"""Published statistics through the API: exactly DfE's figures, benchmarks, revisions, CSV."""

import csv
import io
import re
from collections import defaultdict

from fastapi.testclient import TestClient

from workforce.data import BUNDLED_DATA
from workforce.statistics.bundled import oldest_first
from workforce.statistics.formats import parse_release
from workforce.statistics.models import GeographicLevel


def _newest_published() -> dict[tuple[str, int, str], tuple[float | None, str | None]]:
    """Every local-authority figure in the bundled files, as the newest release has it."""
    expected: dict[tuple[str, int, str], tuple[float | None, str | None]] = {}
    for path in oldest_first((BUNDLED_DATA / "csww").glob("*.csv")):
        _layout, rows, _ = parse_release(path.read_bytes(), path.name)
        for row in rows:
            if row.level is GeographicLevel.local_authority:
                for measure, value in row.values.items():
                    expected[(row.area_code, row.year, measure)] = (
                        value,
                        row.suppressions.get(measure),
                    )
    return expected


def test_every_council_figure_is_exactly_the_newest_release(public_client: TestClient) -> None:
    expected = _newest_published()
    by_area: dict[str, dict[tuple[int, str], tuple[float | None, str | None]]] = defaultdict(dict)
    for (area, year, measure), value in expected.items():
        by_area[area][(year, measure)] = value
    assert len(by_area) == 160
    for area, figures in by_area.items():
        council = area.split(" / ")[0]
        response = public_client.get(f"/api/councils/{council}/measures")
        assert response.status_code == 200, area
        got = {
            (f["year"], f["measure"]): (f["value"], f["suppression"])
            for f in response.json()
            if f["area_code"] == area
        }
        assert got == figures, area


def test_england_2023_and_the_revision_history(public_client: TestClient) -> None:
    england = public_client.get(
        "/api/england/measures",
        params={"measure": ["turnover_rate_fte", "agency_rate_fte"], "from": 2023, "to": 2023},
    ).json()
    assert {(f["measure"], f["value"]) for f in england} == {
        ("turnover_rate_fte", 15.9),
        ("agency_rate_fte", 17.9),  # 17.8 until the 2017-2024 release revised it
    }
    revisions = public_client.get(
        "/api/revisions", params={"measure": "turnover_rate_fte", "level": "local_authority"}
    ).json()
    assert len(revisions) == 93
    assert {r["new_release"] for r in revisions} == {"csww_indicators_2017_to_2023.csv"}
    assert all(r["old_value"] != r["new_value"] for r in revisions)


def test_a_series_keeps_suppression_codes(public_client: TestClient) -> None:
    figures = public_client.get("/api/councils/909/measures").json()
    assert figures and all(f["area_code"] == "909" for f in figures)
    suppressed = [f for f in public_client.get("/api/england/measures").json() if f["suppression"]]
    assert all(f["value"] is None for f in suppressed)


def test_benchmarks_compare_with_england_region_and_neighbours(public_client: TestClient) -> None:
    rows = public_client.get("/api/councils/840/benchmarks", params={"year": 2023}).json()
    turnover = next(r for r in rows if r["measure"] == "turnover_rate_fte")
    assert turnover["value"] == 15.5
    assert turnover["england"] == 15.9
    assert turnover["region"] == 14.2  # North East
    assert turnover["neighbours_total"] == 10
    assert 0 < turnover["neighbours_with_data"] <= 10
    assert 1 <= turnover["rank"] <= turnover["ranked_councils"] <= 151
    assert turnover["quartile"] in {1, 2, 3, 4}
    assert turnover["previous_value"] is not None
    assert turnover["change"] == round(turnover["value"] - turnover["previous_value"], 4)
    # In words as the England table says it: pp for a rate, and better or worse.
    amount = abs(turnover["value"] - turnover["previous_value"])
    direction = "up" if turnover["change"] > 0 else "down"
    verdict = "worse" if turnover["change"] > 0 else "better"  # lower turnover is better
    assert turnover["change_in_words"] == f"{direction} {amount:.1f} pp ({verdict})"
    page = public_client.get("/councils/840", params={"year": 2023}).text
    assert turnover["change_in_words"] in page and "Change since 2022" in page


def test_a_council_in_a_combined_row_is_benchmarked_on_that_row(public_client: TestClient) -> None:
    rows = public_client.get("/api/councils/318/benchmarks", params={"year": 2023}).json()
    assert {r["published_as"] for r in rows} == {"314 / 318"}


def test_csv_downloads_are_spreadsheet_safe(public_client: TestClient) -> None:
    response = public_client.get("/api/councils/840/measures", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and rows[0]["area_code"] == "840"
    benchmarks = public_client.get(
        "/api/councils/840/benchmarks", params={"year": 2023, "format": "csv"}
    )
    # A negative change is a number, not a formula: numbers are left alone.
    assert "'-" not in benchmarks.text


def test_unknown_measures_and_regions_are_404_with_advice(public_client: TestClient) -> None:
    response = public_client.get("/api/england/measures", params={"measure": "happiness"})
    assert response.status_code == 404
    assert "known: inpost_fte" in response.json()["detail"]
    assert public_client.get("/api/regions/Atlantis/measures").status_code == 404
    london = public_client.get(
        "/api/regions/London/measures", params={"measure": "turnover_rate_fte"}
    )
    assert [f["year"] for f in london.json()] == list(range(2017, 2025))


def test_the_england_table_lists_every_council_row_of_a_year(public_client: TestClient) -> None:
    rows = public_client.get("/api/england/councils", params={"year": 2023}).json()
    assert len(rows) == 151
    north_east = public_client.get(
        "/api/england/councils", params={"year": 2023, "region": "North East"}
    )
    assert len(north_east.json()) == 12


def test_judgements_come_back_in_date_order(public_client: TestClient) -> None:
    judgements = public_client.get("/api/councils/202/judgements").json()
    starts = [j["inspection_start"] for j in judgements]
    assert starts == sorted(starts) and len(starts) >= 2
    assert all(j["grade"] for j in judgements if j["graded"])


def test_benchmark_ranks_put_the_best_first_in_lait_bands(public_client: TestClient) -> None:
    """Turnover is better lower: the council with the lowest rate ranks 1 in band A, the
    highest ranks last in band D, as on the England table."""
    ranked = {}
    for code in ("840", "202", "909", "318"):
        turnover = next(
            r
            for r in public_client.get(
                f"/api/councils/{code}/benchmarks", params={"year": 2023}
            ).json()
            if r["measure"] == "turnover_rate_fte"
        )
        if turnover["rank"] is not None:  # a suppressed figure is not ranked
            ranked[code] = turnover
    assert len(ranked) >= 3
    for row in ranked.values():
        assert row["band"] == "ABCD"[row["quartile"] - 1]
    # Lower is better: a lower rate never ranks below a higher one.
    ordered = sorted(ranked.values(), key=lambda r: r["value"])
    assert [r["rank"] for r in ordered] == sorted(r["rank"] for r in ordered)
    best = min(ranked.values(), key=lambda r: r["value"])
    worst = max(ranked.values(), key=lambda r: r["value"])
    assert best["rank"] < worst["rank"] and best["band"] <= worst["band"]


def test_an_abolished_council_and_its_successors_name_each_other(
    public_client: TestClient,
) -> None:
    # Northamptonshire (928) was replaced by North (940) and West (941) Northamptonshire.
    old = public_client.get("/councils/928").text
    assert "This council was abolished" in old
    assert ">North Northamptonshire</a>" in old and ">West Northamptonshire</a>" in old
    new = public_client.get("/councils/940").text
    assert re.search(r"replacing\s+<a[^>]*>Northamptonshire</a>", new)

"""Scenarios through the API and the council page: a judgement already in the forecast is
stated, refused if asked again, and never offered; the difference said in words."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from workforce.config import Settings
from workforce.forecasting import flows
from workforce.statistics.bundled import newest_census_year

LAST = newest_census_year()  # forecasts start after the newest bundled release's last year
KNOWSLEY = "This forecast already includes the inadequate judgement published on 20 January 2025."


@pytest.fixture
def fitted(public_session: Session, public_settings: Settings) -> None:
    flows.refit(session=public_session, origins=(LAST - 1,), settings=public_settings)
    public_session.commit()


def _options(html: str, select_id: str) -> list[tuple[str, str]]:
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select #{select_id}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_judgement_already_in_the_forecast_is_refused_and_never_offered(
    fitted: None, public_client: TestClient
) -> None:
    # Knowsley (340): judged inadequate in November 2024, published 20 January 2025, after
    # the 2024 census; the forecast already counts it.
    assert LAST == 2024, "Knowsley's judgement is chosen for the 2024 census"
    again = public_client.post(
        "/api/forecasts/340/scenario", json={"grade": "inadequate", "month": "2025-01"}
    )
    assert again.status_code == 409
    assert again.json()["detail"].startswith(KNOWSLEY)
    assert again.json()["problems"][0]["location"] == "body.month"
    before = public_client.post(
        "/api/forecasts/340/scenario", json={"grade": "inadequate", "month": "2024-12"}
    )
    assert before.status_code == 409 and KNOWSLEY in before.json()["detail"]

    # A later re-inspection, or another grade, is a real question.
    later = public_client.post(
        "/api/forecasts/340/scenario", json={"grade": "inadequate", "month": "2025-02"}
    )
    assert later.status_code == 200 and later.json()["already_included"] == KNOWSLEY
    other = public_client.post(
        "/api/forecasts/340/scenario", json={"grade": "good", "month": "2025-01"}
    )
    assert other.status_code == 200 and len(other.json()["sentences"]) == 4

    page = public_client.get(
        "/councils/340", params={"scenario_grade": "inadequate", "scenario_month": "2025-01"}
    )
    assert page.status_code == 200
    summary = re.search(r'class="govuk-error-summary".*?</ul>', page.text, re.S)
    assert summary is not None
    assert f'<a href="#scenario-month">{KNOWSLEY}' in summary.group(0)
    assert 'id="scenario-month-error"' in page.text
    assert "app-scenario-row" not in page.text  # nothing drawn for a refused scenario


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_page_offers_only_what_is_not_known_and_says_the_difference(
    fitted: None, public_client: TestClient
) -> None:
    knowsley = public_client.get("/councils/340").text
    stated = re.search(r'id="scenario-known"[^>]*>\s*(.*?)\s*</div>', knowsley, re.S)
    assert stated is not None and stated.group(1) == KNOWSLEY
    months = _options(knowsley, "scenario-month")
    assert months[0] == ("2025-02", "February 2025") and months[-1][0] == f"{LAST + 2}-09"
    assert all(value > "2025-01" for value, _ in months)
    grades = _options(knowsley, "scenario-grade")
    assert grades[-1] == ("inadequate", "inadequate again (a re-inspection)")
    assert "A scenario shows how this forecast would change" in knowsley

    # Hammersmith and Fulham's latest judgement (May 2024) is in the census years: nothing
    # to state, every month from October after the census.
    other = public_client.get("/councils/205").text
    assert 'id="scenario-known"' not in other
    assert _options(other, "scenario-month")[0] == (f"{LAST}-10", f"October {LAST}")
    assert [label for _, label in _options(other, "scenario-grade")] == [
        "inadequate",
        "requires improvement to be good",
        "good",
        "outstanding",
    ]

    camden = public_client.get(
        "/councils/202", params={"scenario_grade": "inadequate", "scenario_month": f"{LAST + 1}-06"}
    )
    sentences = re.findall(
        r"<li>(If judged inadequate in June 2025, [^<]*)</li>", camden.text.replace("\n", " ")
    )
    assert len(sentences) == 4
    agency = next(s for s in sentences if "agency worker rate" in s)
    answer = public_client.post(
        "/api/forecasts/202/scenario", json={"grade": "inadequate", "month": f"{LAST + 1}-06"}
    ).json()
    point = next(
        p for p in answer["points"] if p["measure"] == "agency_rate_fte" and p["target"] == LAST + 1
    )
    difference = point["with_judgement"]["point"] - point["without"]["point"]
    assert difference > 1  # agency work rises after a failed inspection
    assert agency == (
        f"If judged inadequate in June 2025, the agency worker rate would be expected to be "
        f"about {point['with_judgement']['point']:.0f}% in {LAST + 1} (80% range "
        f"{point['with_judgement']['lo80']:.0f}% to {point['with_judgement']['hi80']:.0f}%), "
        f"{difference:.1f} pp higher than the forecast without it "
        f"({point['without']['point']:.0f}%)."
    )
    assert agency in answer["sentences"]

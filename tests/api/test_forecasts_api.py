"""Forecasts, scenarios, judgement effects and early warnings through the API and jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from jobs.runner import run_job
from workforce.config import Settings
from workforce.forecasting import flows
from workforce.forecasting.model import MODEL_VERSION
from workforce.forecasting.models import ForecastRun, ForecastValue
from workforce.statistics.bundled import newest_census_year

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
LAST = newest_census_year()  # forecasts start after the newest bundled release's last year


def test_before_any_refit_the_answer_says_what_to_run(public_client: TestClient) -> None:
    response = public_client.get("/api/forecasts/202")
    assert response.status_code == 404
    assert "forecast_refit" in response.json()["detail"]
    assert public_client.get("/early-warnings").status_code == 200
    assert public_client.get("/methods").status_code == 200


def test_the_refit_job_stores_a_run_then_waits_for_new_data(
    public_settings: Settings, public_session: Session
) -> None:
    first = run_job("forecast_refit", trigger="test")
    assert first.status == "succeeded", first.error
    assert first.rows == 8  # four measures, one and two years ahead
    second = run_job("forecast_refit", trigger="test")
    assert second.status == "succeeded" and second.rows == 0
    assert "data unchanged" in (second.summary or "")
    runs = public_session.exec(select(ForecastRun)).all()
    assert len(runs) == 1
    run = runs[0]
    assert run.data_cutoff == LAST and run.backtest["origins"] == [
        LAST - 4,
        LAST - 3,
        LAST - 2,
        LAST - 1,
    ]
    forecasts = public_session.exec(
        select(ForecastValue).where(ForecastValue.kind == "forecast")
    ).all()
    assert len({v.council_code for v in forecasts}) >= 150
    assert {v.target for v in forecasts} == {LAST + 1, LAST + 2}
    warnings = run_job("early_warning", trigger="test")
    assert warnings.status == "succeeded" and warnings.rows == len(run.early_warnings)
    # After an upgrade that changes the model, the same data is refitted by the new one.
    run.model_version = "panel-lad-4"
    public_session.add(run)
    public_session.commit()
    upgraded = run_job("forecast_refit", trigger="test")
    assert upgraded.status == "succeeded" and upgraded.rows == 8, upgraded.summary
    latest = public_session.exec(select(ForecastRun).order_by(col(ForecastRun.id).desc())).first()
    assert latest is not None and latest.model_version == MODEL_VERSION


def test_forecasts_scenarios_effects_and_warnings(
    public_client: TestClient, public_session: Session, public_settings: Settings
) -> None:
    flows.refit(session=public_session, origins=(LAST - 1,), settings=public_settings)
    public_session.commit()

    body = public_client.get("/api/forecasts/E09000007?measure=agency_rate_fte").json()
    assert body["council_code"] == "202" and body["run"]["data_cutoff"] == LAST
    fitted_at = datetime.fromisoformat(body["run"]["fitted_at"])
    assert fitted_at.utcoffset() == timedelta(0)  # a moment with its zone, on every backend
    targets = [f["target"] for f in body["forecasts"]]
    assert targets == [LAST + 1, LAST + 2]
    first = body["forecasts"][0]
    assert first["lo95"] <= first["lo80"] <= first["point"] <= first["hi80"] <= first["hi95"]
    last_time = body["predicted_last_time"]
    assert last_time and last_time[0]["target"] == LAST and last_time[0]["actual"] is not None
    assert public_client.get("/api/forecasts/202?measure=absence").status_code == 404

    scenario = public_client.post(
        "/api/forecasts/202/scenario", json={"grade": "inadequate", "month": f"{LAST + 1}-03"}
    )
    assert scenario.status_code == 200
    agency = next(
        p
        for p in scenario.json()["points"]
        if p["measure"] == "agency_rate_fte" and p["target"] == LAST + 1
    )
    assert agency["with_judgement"]["point"] > agency["without"]["point"]
    assert agency["without"]["point"] == pytest.approx(first["point"], abs=0.01)
    too_early = public_client.post(
        "/api/forecasts/202/scenario", json={"grade": "inadequate", "month": "2021-03"}
    )
    assert (
        too_early.status_code == 422
        and "after the last census year" in (too_early.json()["detail"])
    )
    bad = public_client.post("/api/forecasts/202/scenario", json={"grade": "awful", "month": "x"})
    assert bad.status_code == 422

    effects = public_client.get(
        "/api/judgement-effects?measure=agency_rate_fte&group=inadequate"
    ).json()["studies"]
    assert len(effects) == 1
    estimates = {e["k"]: e for e in effects[0]["estimates"]}
    assert set(estimates) == {-3, -2, -1, 0, 1, 2, 3}
    assert all(e["lower"] <= e["estimate"] <= e["upper"] for e in estimates.values())
    assert effects[0]["pre_trend_p"] is not None

    warnings = public_client.get("/api/early-warnings").json()["warnings"]
    # Ranked by score, except that a small workforce ranks after every other council: a
    # few people move its rates (the Isles of Scilly scores highest but is not first).
    assert warnings and warnings == sorted(
        warnings, key=lambda w: ("inpost_fte" in w["figures"], -w["score"])
    )
    assert "inpost_fte" not in warnings[0]["figures"]
    assert max(w["score"] for w in warnings) > warnings[0]["score"]
    assert all(w["reasons"] for w in warnings)
    assert [w["rank_in_england"] for w in warnings] == list(range(1, len(warnings) + 1))
    # The Isles of Scilly had no social workers in post in 2023 or 2024 (all agency): its
    # rates are flagged, with a note that they rest on a handful of people; larger councils
    # get none.
    scilly = next(w for w in warnings if w["council_code"] == "420")
    assert scilly["caveats"] and "small workforce: 0.0 FTE" in scilly["caveats"][0]
    assert scilly["figures"]["inpost_fte"] == 0.0
    caveated = [w for w in warnings if w["caveats"]]
    assert all(
        w["figures"]["inpost_fte"] < public_settings.warning_small_workforce_fte for w in caveated
    )
    assert len(caveated) < len(warnings) / 4  # most flagged councils are not small
    north_west = public_client.get("/api/early-warnings?region=north west").json()["warnings"]
    assert north_west and len(north_west) < len(warnings)
    assert {w["region_code"] for w in north_west} == {"E12000002"}
    assert north_west == [w for w in warnings if w["region_code"] == "E12000002"]
    inner_london = public_client.get("/api/early-warnings?region=E13000001").json()["warnings"]
    assert all(w["region_name"] == "London" for w in inner_london)
    table = public_client.get("/api/early-warnings?region=E12000002&format=csv")
    assert table.headers["content-type"].startswith("text/csv")
    lines = table.text.splitlines()
    assert lines[0] == (
        "rank_in_england,council_code,council_name,region_name,score,reasons,figures,caveats,"
        "in_words,score_in_words"
    )
    assert len(lines) == len(north_west) + 1 and north_west[0]["council_name"] in lines[1]
    # Rising turnover is the figure a CSV cell has to flatten. No North West council's rose
    # in each of 2022-2024, so the CSV of a region where one did is read for it.
    rising = next(w for w in warnings if "turnover" in w["figures"])
    rising_region = public_client.get(
        "/api/early-warnings", params={"region": rising["region_code"], "format": "csv"}
    )
    row = next(line for line in rising_region.text.splitlines() if rising["council_name"] in line)
    year, value = next(iter(rising["figures"]["turnover"].items()))
    assert f"turnover {year}={value}" in row and "{" not in row
    unknown = public_client.get("/api/early-warnings?region=Atlantis")
    assert unknown.status_code == 404 and "GET /api/regions" in unknown.json()["detail"]
    every = public_client.get(f"/api/forecasts?measure=agency_rate_fte&target={LAST + 1}").json()
    assert {r["measure"] for r in every} == {"agency_rate_fte"}
    assert {r["target"] for r in every} == {LAST + 1}
    assert len(every) == len({r["council_code"] for r in every}) > 140
    assert all(round(r["point"], 2) == r["point"] for r in every)
    camden = next(r for r in every if r["council_code"] == "202")
    assert camden["point"] == pytest.approx(first["point"])
    assert camden["region_name"] == "London" and camden["model_version"]
    north_east = public_client.get("/api/forecasts?region=North East").json()
    assert {r["region_name"] for r in north_east} == {"North East"}
    # 12 councils, four measures, two years; but Sunderland's 2024 agency rate is published
    # as `low` (rounds to zero, never stored as 0), so there is no agency rate to start from.
    assert len(north_east) == 12 * 4 * 2 - 2
    assert ("394", "agency_rate_fte") not in {(r["council_code"], r["measure"]) for r in north_east}
    download = public_client.get("/api/forecasts?region=E12000001&format=csv")
    assert download.text.splitlines()[0].startswith("council_code,council_name,region_name,")
    assert len(download.text.splitlines()) == len(north_east) + 1
    assert public_client.get("/api/forecasts?measure=absence").status_code == 404
    backtest = public_client.get("/api/backtest").json()["report"]
    assert backtest["origins"] == [LAST - 1]

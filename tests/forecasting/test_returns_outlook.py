"""A council's own accepted quarterly returns update its outlook: toward what they show, by
a stated weight, with missing and inconsistent quarters named rather than guessed; and only
the council's own users, analysts and admins ever see it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete

from api.main import create_app
from tests.builders.people import COUNCIL_A, COUNCIL_B, Person, make_people
from tests.builders.returns import CensusDesign, expected
from tests.builders.returns_outlook import (
    AGENCY,
    CUTOFF,
    HALF_THE_STAFF,
    HIGH_AGENCY,
    NO_CASE_HOLDERS,
    VACANCY,
    make_run,
    send,
    send_census,
)
from tests.builders.returns_outlook import (
    returns_sent as sent,
)
from tests.signing import sign_in
from workforce.config import Settings
from workforce.data import BUNDLED_DATA
from workforce.db import make_engine
from workforce.forecasting.models import ForecastRun
from workforce.forecasting.returns_outlook import MeasureOutlook, ReturnsOutlook, returns_outlook
from workforce.measures import MEASURES
from workforce.returns.models import CouncilReturn, ReturnStatus
from workforce.statistics.flows import import_release_file


def by_measure(outlook: ReturnsOutlook | None) -> dict[str, MeasureOutlook]:
    assert outlook is not None
    return {m.measure: m for m in outlook.measures}


@pytest.fixture
def run(reference_session: Session) -> ForecastRun:
    return make_run(reference_session)


def test_returns_showing_a_lower_agency_rate_move_the_outlook_down_and_say_by_how_much(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31")
    send(reference_session, reference_settings, "2026-03-31")
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 4, 15)
    )
    assert outlook is not None and outlook.target == 2026 and outlook.accepted == 2
    assert outlook.notes == []
    measures = by_measure(outlook)
    agency = measures["agency_rate_fte"]
    assert agency.weight == 0.5 and agency.quarters == 2
    assert agency.returns_rate == pytest.approx(AGENCY, abs=0.01)
    assert agency.updated == pytest.approx(15.0 + 0.5 * (AGENCY - 15.0), abs=0.01)  # 12.63
    assert agency.moved_by < 0
    assert agency.sentence == (
        "Agency worker rate: your latest accepted return, for 31 March 2026, puts it at "
        "10.3%, against 15.0% expected for 2026; the updated outlook for 2026 is about 12.6% "
        "(was 15.0%), down 2.4 points: the returns weigh 50% (it closes 2 of the year's four "
        "quarters), the public forecast the rest."
    )
    # Turnover: two quarters' leavers (6 FTE each) scaled to a year, over 140 FTE in post.
    turnover = measures["turnover_rate_fte"]
    assert turnover.sentence.startswith(
        "Turnover rate: your 2 accepted returns for the year to 30 September 2026, their "
        "leavers scaled to a year, put it at 17.1%"
    )
    assert turnover.returns_rate == pytest.approx(100 * 12 * 2 / 140, abs=0.01)  # 17.14%
    assert turnover.updated == pytest.approx(14.0 + 0.5 * (100 * 24 / 140 - 14.0), abs=0.01)
    assert turnover.moved_by > 0
    vacancy = measures["vacancy_rate_fte"]
    assert vacancy.updated == pytest.approx(12.0 + 0.5 * (VACANCY - 12.0), abs=0.01)


def test_returns_showing_a_higher_agency_rate_move_the_outlook_up(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31", HIGH_AGENCY)
    agency = by_measure(
        returns_outlook(session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 1, 5))
    )["agency_rate_fte"]
    high = 100 * 43.5 / (43.5 + 140)  # 23.71%
    assert agency.returns_rate == pytest.approx(high, abs=0.01)
    assert agency.weight == 0.25
    assert agency.updated == pytest.approx(15.0 + 0.25 * (high - 15.0), abs=0.01)  # 17.18
    assert agency.moved_by > 0 and "up 2.2 points" in agency.sentence


def test_the_weight_stops_at_three_quarters(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    for period in ("2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30"):
        send(reference_session, reference_settings, period)
    measures = by_measure(
        returns_outlook(
            session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 11, 24)
        )
    )
    assert {m.weight for m in measures.values()} == {0.75}
    # Four quarters' leavers are the year's: 24 FTE over 140 FTE in post.
    assert measures["turnover_rate_fte"].returns_rate == pytest.approx(100 * 24 / 140, abs=0.01)


def test_a_missing_quarter_is_named_and_turnover_is_not_guessed(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31")
    send(reference_session, reference_settings, "2026-06-30")
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 7, 1)
    )
    assert outlook is not None
    assert outlook.notes == ["No return for the quarter to 31 March 2026 has been accepted."]
    assert [q.status for q in outlook.quarters] == ["accepted", "missing", "accepted"]
    measures = by_measure(outlook)
    turnover = measures["turnover_rate_fte"]
    assert (turnover.weight, turnover.updated, turnover.returns_rate) == (0.0, 14.0, None)
    assert "a quarter is missing" in turnover.sentence
    # A rate on one day needs only the latest quarter, which closes three of four.
    agency = measures["agency_rate_fte"]
    assert agency.weight == 0.75
    assert agency.updated == pytest.approx(15.0 + 0.75 * (AGENCY - 15.0), abs=0.01)


def test_a_rejected_quarter_is_named_and_its_figures_are_not_used(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31")
    refused = send(reference_session, reference_settings, "2026-03-31", NO_CASE_HOLDERS)
    assert refused.status == ReturnStatus.rejected
    send(reference_session, reference_settings, "2026-06-30")
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 7, 1)
    )
    assert outlook is not None and outlook.accepted == 2
    assert outlook.notes == [
        "The return for the quarter to 31 March 2026 was rejected and has not been sent again."
    ]
    assert by_measure(outlook)["turnover_rate_fte"].weight == 0.0


def test_quarters_ended_since_the_latest_return_are_named(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31")
    send(reference_session, reference_settings, "2026-03-31")
    refused = send(reference_session, reference_settings, "2026-06-30", NO_CASE_HOLDERS)
    assert refused.status == ReturnStatus.rejected
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 11, 24)
    )
    assert outlook is not None and outlook.target == 2026
    assert outlook.notes == [
        "No return has been accepted yet for the quarters to 30 June 2026 and 30 September "
        "2026, ended since the latest accepted return: the outlook uses the returns up to "
        "31 March 2026."
    ]
    # What the accepted returns show still counts, at the weight of the quarters they close.
    assert by_measure(outlook)["agency_rate_fte"].weight == 0.5


def test_only_rejected_returns_leave_the_public_forecast_and_say_so(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31", NO_CASE_HOLDERS)
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 1, 5)
    )
    assert outlook is not None and outlook.accepted == 0
    assert outlook.notes == [
        "No accepted quarterly return since the 2025 census: the outlook is the public "
        "forecast. The returns for 31 December 2025 were rejected."
    ]
    assert {m.weight for m in outlook.measures} == {0.0}


def test_fte_in_post_halving_between_quarters_is_named_and_nothing_moves(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31")
    send(reference_session, reference_settings, "2026-03-31", HALF_THE_STAFF)
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 4, 15)
    )
    assert outlook is not None
    assert len(outlook.notes) == 1
    assert outlook.notes[0].startswith(
        "FTE in post goes from 140 in the return for 31 December 2025 to 70 in the return "
        "for 31 March 2026"
    )
    assert [(m.weight, m.updated) for m in outlook.measures] == [
        (0.0, 14.0),
        (0.0, 15.0),
        (0.0, 12.0),
    ]


def test_the_first_quarter_is_checked_against_the_published_census(
    reference_session: Session, reference_settings: Settings
) -> None:
    import_release_file(
        session=reference_session, path=BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2024.csv"
    )
    reference_session.commit()
    run = make_run(reference_session, cutoff=2024)  # Camden: 178.8 FTE in post in 2024
    send(reference_session, reference_settings, "2024-12-31")  # 140 FTE: a fifth fewer
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2025, 1, 5)
    )
    assert outlook is not None and outlook.target == 2025 and outlook.notes == []
    assert by_measure(outlook)["agency_rate_fte"].weight == 0.25
    send(reference_session, reference_settings, "2024-12-31", HALF_THE_STAFF)  # 70 FTE
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2025, 1, 5)
    )
    assert outlook is not None
    assert outlook.notes[0].startswith(
        "FTE in post goes from 178.8 in the published census of 30 September 2024 to 70 in "
        "the return for 31 December 2024"
    )
    assert {m.weight for m in outlook.measures} == {0.0}


def test_only_the_current_version_of_a_quarter_counts(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    first = send(reference_session, reference_settings, "2025-12-31")
    second = send(reference_session, reference_settings, "2025-12-31", HIGH_AGENCY)
    reference_session.refresh(first)
    assert (first.status, second.status, second.version) == (
        ReturnStatus.superseded,
        ReturnStatus.accepted,
        2,
    )
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 1, 5)
    )
    assert outlook is not None and outlook.accepted == 1
    assert outlook.quarters[0].version == 2
    assert by_measure(outlook)["agency_rate_fte"].returns_rate == pytest.approx(23.71, abs=0.01)


def test_without_returns_the_outlook_is_the_public_forecast_and_says_so(
    reference_session: Session, run: ForecastRun
) -> None:
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 11, 24)
    )
    assert outlook is not None and outlook.target is None
    assert outlook.notes == [
        "No accepted quarterly return since the 2025 census: the outlook is the public forecast."
    ]
    assert [m.updated for m in outlook.measures] == [14.0, 15.0, 12.0]
    assert returns_outlook(session=reference_session, run=run, code="999") is None


# --- a census return settles its year -----------------------------------------------------

CENSUS_2026 = CensusDesign(council_code=COUNCIL_A, reference_date=date(2026, 9, 30))


def test_an_accepted_census_return_settles_its_year(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send(reference_session, reference_settings, "2025-12-31")
    send(reference_session, reference_settings, "2026-03-31")
    census = send_census(reference_session, reference_settings, CENSUS_2026)
    assert census.status == ReturnStatus.accepted
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 11, 24)
    )
    assert outlook is not None and outlook.target == 2026
    assert outlook.census_return_id == census.id and outlook.census_day == date(2026, 9, 30)
    assert outlook.notes == [
        "Your census return for 30 September 2026 was accepted: until DfE publishes 2026, "
        "the outlook for 2026 is its figures, worked out as DfE works out the published ones."
    ]
    counts = expected(CENSUS_2026)
    # Stored as DfE publishes them: to one decimal place.
    agency = round(100 * counts["agency_fte"] / (counts["agency_fte"] + counts["inpost_fte"]), 1)
    measures = by_measure(outlook)
    assert {m.source for m in measures.values()} == {"census"}
    assert {m.weight for m in measures.values()} == {1.0}
    assert measures["agency_rate_fte"].updated == pytest.approx(agency)
    for measure in ("turnover_rate_fte", "vacancy_rate_fte"):
        figure = MEASURES[measure].compute(counts, 2026)
        assert figure is not None
        assert measures[measure].updated == pytest.approx(round(figure, 1))
    assert measures["agency_rate_fte"].sentence == (
        f"Agency worker rate: your accepted census return for 30 September 2026 puts it at "
        f"{agency:.1f}%, against 15.0% expected for 2026; until DfE publishes 2026, the "
        f"outlook for 2026 is that figure, down {15.0 - agency:.1f} points."
    )


def test_quarters_after_the_census_day_update_the_next_year_and_name_the_census(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    send_census(reference_session, reference_settings, CENSUS_2026)
    send(reference_session, reference_settings, "2026-12-31", today=date(2027, 1, 8))
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2027, 1, 10)
    )
    assert outlook is not None and outlook.target == 2027
    assert outlook.census_return_id is None
    (note,) = outlook.notes
    assert note.startswith(
        "Your accepted census return for 30 September 2026 gives 2026's figures before DfE "
        "publishes them (turnover rate "
    )
    assert note.endswith(
        "Your quarterly returns since reach into the next census year, so the outlook below "
        "is for that year."
    )
    agency = by_measure(outlook)["agency_rate_fte"]
    assert agency.source == "quarterly" and agency.weight == 0.25
    assert agency.updated == pytest.approx(16.0 + 0.25 * (AGENCY - 16.0), abs=0.01)


def test_a_census_return_for_a_year_already_published_is_not_used(
    reference_session: Session, reference_settings: Settings, run: ForecastRun
) -> None:
    published = CensusDesign(council_code=COUNCIL_A, reference_date=date(2025, 9, 30))
    assert send_census(reference_session, reference_settings, published).status == (
        ReturnStatus.accepted
    )
    outlook = returns_outlook(
        session=reference_session, run=run, code=COUNCIL_A, today=date(2026, 11, 24)
    )
    assert outlook is not None and outlook.target is None and outlook.census_return_id is None
    assert {m.source for m in outlook.measures} == {"public"}


# --- who sees it --------------------------------------------------------------------------


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


@pytest.fixture
def returns_sent(
    people: dict[str, Person], reference_engine: Engine, reference_settings: Settings
) -> ForecastRun:
    return sent(reference_engine, reference_settings)


@pytest.fixture
def client(reference_settings: Settings) -> Iterator[TestClient]:
    engine = make_engine(reference_settings.database_url)
    with TestClient(create_app(settings=reference_settings, engine=engine)) as test_client:
        yield test_client
    engine.dispose()


URL = f"/api/forecasts/{COUNCIL_A}/returns-outlook"


def test_the_api_answers_the_councils_own_users_analysts_and_admins_only(
    client: TestClient, people: dict[str, Person], returns_sent: ForecastRun
) -> None:
    for key in ("hr_lead_a", "intervention_lead_a", "analyst", "admin"):
        answer = client.get(URL, headers=people[key].headers)
        assert answer.status_code == 200, (key, answer.text)
        body = answer.json()
        assert body["unpublished"] is True and body["census_year"] == CUTOFF
        agency = next(m for m in body["measures"] if m["measure"] == "agency_rate_fte")
        assert agency["updated"] > agency["public"] == 15.0
        assert agency["weight"] == 0.5 and agency["source"] == "quarterly"
        assert body["census_return_id"] is None and body["census_day"] is None
    other = client.get(URL, headers=people["hr_lead_b"].headers)
    assert other.status_code == 404
    assert "agency" not in other.text.lower()
    # The other council's users see their own council's (no returns: the public forecast).
    own = client.get(
        f"/api/forecasts/{COUNCIL_B}/returns-outlook", headers=people["hr_lead_b"].headers
    )
    assert own.status_code == 200 and own.json()["accepted"] == 0
    assert client.get(URL).status_code == 401
    # A role that may never read a council's returns is refused as the returns routes do.
    assert client.get(URL, headers=people["pool_coordinator"].headers).status_code == 403


def test_the_api_says_when_a_census_return_settles_the_year(
    client: TestClient,
    people: dict[str, Person],
    reference_engine: Engine,
    reference_settings: Settings,
) -> None:
    with Session(reference_engine, expire_on_commit=False) as session:
        session.execute(delete(CouncilReturn))
        session.commit()
        make_run(session)
        census = send_census(session, reference_settings, CENSUS_2026)
    body = client.get(URL, headers=people["hr_lead_a"].headers).json()
    assert body["target"] == 2026 and body["census_return_id"] == census.id
    assert body["census_day"] == "2026-09-30"
    assert {m["source"] for m in body["measures"]} == {"census"}
    assert {m["weight"] for m in body["measures"]} == {1.0}


PAGE = f"/councils/{COUNCIL_A}"
SECTION = "Your returns since the last census"


def test_only_the_councils_own_users_see_the_section_and_the_shared_page_has_no_trace(
    client: TestClient, people: dict[str, Person], returns_sent: ForecastRun
) -> None:
    anonymous_before = client.get(PAGE)
    assert anonymous_before.status_code == 200 and SECTION not in anonymous_before.text

    sign_in(client, people["hr_lead_a"].email)
    own = client.get(PAGE)
    assert own.status_code == 200
    assert SECTION in own.text and "Unpublished data" in own.text
    assert "puts it at 23.7%" in own.text  # the agency rate the returns show
    assert own.headers["cache-control"] == "no-store"

    sign_in(client, people["hr_lead_b"].email)
    other = client.get(PAGE)
    assert other.status_code == 200
    assert SECTION not in other.text and "23.7%" not in other.text

    client.cookies.clear()
    # Read after the council's own user, the cached public page is still the public one.
    anonymous_after = client.get(PAGE)
    assert anonymous_after.status_code == 200
    for trace in (SECTION, "returns-outlook", "Unpublished data", "23.7%"):
        assert trace not in anonymous_after.text
    assert anonymous_after.text == anonymous_before.text

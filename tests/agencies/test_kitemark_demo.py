"""``workforce demo``'s kite-mark registry: three made-up agencies, one passing, one
requiring improvement and one failing, each for reasons its page states with the figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from api.main import create_app
from tests.builders.people import TEST_ACTOR
from workforce.agencies import demo, match_listing
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import Agency, Assessment, KitemarkStatusChange
from workforce.config import Settings
from workforce.mou import demo as mou_demo


@pytest.fixture
def seeded(reference_engine: Engine) -> Iterator[dict[str, Agency]]:
    with Session(reference_engine, expire_on_commit=False) as s:
        list(mou_demo.seed(session=s, actor=TEST_ACTOR))
        lines = list(demo.seed(session=s, actor=TEST_ACTOR))
        assert not any("refused" in line for line in lines), lines
        s.commit()
        yield {
            spec.legal_name: s.exec(
                select(Agency).where(Agency.legal_name == spec.legal_name)
            ).one()
            for spec in demo.AGENCIES
        }


@pytest.fixture
def client(reference_settings: Settings, reference_engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings=reference_settings, engine=reference_engine)) as c:
        yield c


def test_the_demo_agencies_pass_require_improvement_and_fail(
    reference_engine: Engine, seeded: dict[str, Agency]
) -> None:
    a, b, d = (seeded[n] for n in (demo.AGENCY_A, demo.AGENCY_B, demo.AGENCY_D))
    assert all(x.is_example and "(demo)" in x.legal_name for x in (a, b, d))
    with Session(reference_engine) as s:
        outcomes = {
            x.legal_name: s.exec(select(Assessment).where(Assessment.agency_id == x.id)).one()
            for x in (a, b, d)
        }
        assert outcomes[demo.AGENCY_A].outcome == "fail"
        assert outcomes[demo.AGENCY_B].outcome == "pass_requires_improvement"
        assert outcomes[demo.AGENCY_B].actions and outcomes[demo.AGENCY_B].action_deadline
        assert outcomes[demo.AGENCY_D].outcome == "pass"
        status = {
            x.legal_name: kitemark_status.current_status(session=s, agency_id=x.id or 0)
            for x in (a, b, d)
        }
        assert status[demo.AGENCY_A] is None  # a fail awards nothing
        assert status[demo.AGENCY_B] is not None
        assert status[demo.AGENCY_B].status == "requires_improvement"
        assert status[demo.AGENCY_D] is not None and status[demo.AGENCY_D].status == "awarded"
        unmatched = {n.normalised_name for n in match_listing.unmatched_names(session=s)}
        assert "made up agency c demo" in unmatched  # the queue's example


def test_each_page_states_the_reasons_with_the_figures(
    client: TestClient, seeded: dict[str, Agency]
) -> None:
    def page(name: str) -> str:
        answer = client.get(f"/kitemarks/{seeded[name].id}")
        assert answer.status_code == 200
        return answer.text.replace("&#39;", "'")

    failed = page(demo.AGENCY_A)
    assert "Fail" in failed and "Not awarded" in failed
    assert "5. cooling_off: not_met (1 of 12, 8.3%)" in failed
    assert "1. worker_files: not_met (6 of 10, 60.0%)" in failed
    improving = page(demo.AGENCY_B)
    assert "Pass - requires improvement" in improving
    assert "4. rates: not_met (1 of 12, 8.3%)" in improving
    assert "1. worker_files: not_met (8 of 10, 80.0%)" in improving
    assert "Actions, by" in improving
    passed = page(demo.AGENCY_D)
    assert "Awarded" in passed and "Pass" in passed
    assert "2. registration: met (12 of 12, 100.0%)" in passed
    register = client.get("/kitemarks").text
    assert all(name in register for name in seeded)


def test_the_demo_twice_changes_nothing_and_never_in_production(
    reference_engine: Engine, seeded: dict[str, Agency]
) -> None:
    def counts(s: Session) -> tuple[int, int, int]:
        return (
            s.exec(select(func.count()).select_from(Agency)).one(),
            s.exec(select(func.count()).select_from(Assessment)).one(),
            s.exec(select(func.count()).select_from(KitemarkStatusChange)).one(),
        )

    with Session(reference_engine) as s:
        before = counts(s)
        assert list(demo.seed(session=s, actor=TEST_ACTOR)) == [
            "Kite-mark demo: the three made-up agencies are on the register (unchanged)"
        ]
        assert counts(s) == before == (3, 3, 2)


def test_no_made_up_agencies_in_production(reference_session: Session) -> None:
    lines = list(demo.seed(session=reference_session, actor=TEST_ACTOR, examples=False))
    assert lines == ["No made-up kite-mark agencies in production."]
    assert not reference_session.exec(select(Agency)).all()

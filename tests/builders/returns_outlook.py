"""A council's forecasts and quarterly returns to test the returns outlook with: a stored
run with round public forecasts, and returns sent through the real intake."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, delete

from tests.builders.people import COUNCIL_A, COUNCIL_B
from tests.builders.quarterly import FIGURES, workforce_csv, workforce_rows
from tests.builders.returns import CensusDesign, census_csv
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.forecasting.models import ForecastRun, ForecastValue
from workforce.returns.flows import ingest
from workforce.returns.models import CouncilReturn
from workforce.returns.reading import Upload

CUTOFF = 2025  # the public forecasts saw census years to 30 September 2025
TODAY = date(2026, 11, 24)
ACTOR = Actor(name="hr.lead@example.gov.uk", source="tests")
PUBLIC = {"turnover_rate_fte": 14.0, "agency_rate_fte": 15.0, "vacancy_rate_fte": 12.0}
# The builders' quarter (tests/builders/quarterly.FIGURES), summed over role groups by
# hand: 140 FTE in post, 16 agency FTE, 13 vacancies, 6 leavers.
AGENCY = 100 * 16 / (16 + 140)  # 10.26%
VACANCY = 100 * 13 / (13 + 140)  # 8.50%


def make_run(
    session: Session, codes: tuple[str, ...] = (COUNCIL_A, COUNCIL_B), cutoff: int = CUTOFF
) -> ForecastRun:
    """A stored run, fitted to census years up to ``cutoff``, whose public forecasts for the
    next two years are PUBLIC (plus 1 in the second)."""
    run = ForecastRun(model_version="test", data_cutoff=cutoff, data_fingerprint="test")
    session.add(run)
    session.flush()
    assert run.id is not None
    for code in codes:
        for measure, point in PUBLIC.items():
            for target in (cutoff + 1, cutoff + 2):
                p = point + (target - cutoff - 1)
                session.add(
                    ForecastValue(
                        run_id=run.id,
                        council_code=code,
                        measure=measure,
                        origin=cutoff,
                        target=target,
                        point=p,
                        lo80=p - 5,
                        hi80=p + 5,
                        lo95=p - 8,
                        hi95=p + 8,
                    )
                )
    session.commit()
    return run


def send(
    session: Session,
    settings: Settings,
    period: str,
    changes: dict[str, dict[str, Any]] | None = None,
    council: str = COUNCIL_A,
    today: date = TODAY,
) -> CouncilReturn:
    """Send a quarterly return through the real intake on ``today``; ``changes`` by role
    group."""
    rows = workforce_rows(council=council, period=period)
    for row in rows:
        row.update((changes or {}).get(str(row["role_group"]), {}))
    result = ingest(
        session=session,
        upload=Upload(workforce_csv(rows), f"workforce-{period}.csv"),
        council_code=council,
        actor=ACTOR,
        source="upload",
        settings=settings,
        today=today,
    )
    session.commit()
    return result.council_return


def send_census(session: Session, settings: Settings, design: CensusDesign) -> CouncilReturn:
    """Send a census return (a CSV of worker records) through the real intake."""
    result = ingest(
        session=session,
        upload=Upload(census_csv(design), f"census-{design.reference_date}.csv"),
        council_code=design.council_code,
        actor=ACTOR,
        source="upload",
        settings=settings,
        today=TODAY,
    )
    session.commit()
    return result.council_return


HIGH_AGENCY = {"social_worker": {"agency_fte": 40.0, "agency_headcount": 40}}
HALF_THE_STAFF = {role: {"inpost_fte": float(f["inpost_fte"]) / 2} for role, f in FIGURES.items()}
NO_CASE_HOLDERS = {"iro_cp_chair": {"cases": 50}}  # cases with no case holder: refused


def returns_sent(engine: Engine, settings: Settings) -> ForecastRun:
    """A run, and two accepted quarters for council A showing a high agency rate (23.7%),
    in place of the figure-less placeholder returns ``make_people`` adds."""
    with Session(engine, expire_on_commit=False) as session:
        session.execute(delete(CouncilReturn))
        session.commit()
        run = make_run(session)
        send(session, settings, "2025-12-31", HIGH_AGENCY)
        send(session, settings, "2026-03-31", HIGH_AGENCY)
    return run

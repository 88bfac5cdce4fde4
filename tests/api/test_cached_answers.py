"""Benchmarks and council pages are kept per data version: served again while the data is
unchanged, worked out afresh as soon as a release, judgement, forecast run or return lands."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from workforce.cache import VersionedCache, data_version
from workforce.config import Settings
from workforce.db import make_engine
from workforce.inspections.models import Framework, Grade, Judgement
from workforce.statistics.models import Publication, PublishedRow

COUNCIL = "202"


def _cache(client: TestClient) -> VersionedCache:
    return client.app.state.answers  # type: ignore[attr-defined,no-any-return]


def _turnover(client: TestClient) -> float:
    rows = client.get(f"/api/councils/{COUNCIL}/benchmarks").json()
    return next(r for r in rows if r["measure"] == "turnover_rate_fte")["value"]


def test_benchmarks_are_kept_until_a_new_release_changes_them(
    public_client: TestClient, public_settings: Settings
) -> None:
    cache = _cache(public_client)
    before = _turnover(public_client)
    assert (cache.hits, cache.misses) == (0, 1)
    assert _turnover(public_client) == before
    assert (cache.hits, cache.misses) == (1, 1)

    # A release revises the council's figure (as the importer does: a new publication
    # and the row's new value).
    engine = make_engine(public_settings.database_url)
    with Session(engine) as session:
        latest = session.exec(
            select(PublishedRow)
            .where(PublishedRow.area_code == COUNCIL)
            .order_by(PublishedRow.year.desc())  # type: ignore[attr-defined]
        ).first()
        assert latest is not None
        publication = Publication(
            source_name="revised.csv",
            sha256="f" * 64,
            layout="test",
            first_year=latest.year,
            last_year=latest.year,
            rows=1,
        )
        session.add(publication)
        session.flush()
        latest.figure_values = {**latest.figure_values, "turnover_rate_fte": before + 5.0}
        latest.publication_id = publication.id  # type: ignore[assignment]
        session.add(latest)
        session.commit()
    engine.dispose()

    assert _turnover(public_client) != before
    assert cache.misses == 2


def test_a_new_judgement_changes_the_data_version(public_settings: Settings) -> None:
    engine = make_engine(public_settings.database_url)
    with Session(engine) as session:
        first = data_version(session)
        assert data_version(session) == first
        session.add(
            Judgement(
                council_code=COUNCIL,
                framework=Framework.ilacs_standard,
                inspection_start=date(2026, 10, 1),
                published=date(2026, 11, 1),
                grade=Grade.good,
                source="test",
            )
        )
        session.commit()
        assert data_version(session) != first
    engine.dispose()


def test_the_council_page_is_kept_but_a_scenario_is_not(public_client: TestClient) -> None:
    cache = _cache(public_client)
    first = public_client.get(f"/councils/{COUNCIL}")
    second = public_client.get(f"/councils/{COUNCIL}")
    assert first.status_code == second.status_code == 200
    assert (cache.hits, cache.misses) == (1, 1)
    public_client.get(
        f"/councils/{COUNCIL}", params={"scenario_grade": "inadequate", "scenario_month": "2025-03"}
    )
    assert (cache.hits, cache.misses) == (1, 1)

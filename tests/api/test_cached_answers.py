"""Benchmarks and council pages are kept per data version: served again while the data is
unchanged, worked out afresh as soon as a release, judgement, forecast run or return lands."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.builders.people import PASSWORD
from workforce.cache import VersionedCache, data_version
from workforce.config import Settings
from workforce.db import make_engine
from workforce.inspections.models import Framework, Grade, Judgement
from workforce.statistics.models import Publication, PublishedFigure, PublishedRow

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
        figure = session.exec(
            select(PublishedFigure).where(
                PublishedFigure.area_code == latest.area_code,
                PublishedFigure.year == latest.year,
                PublishedFigure.measure == "turnover_rate_fte",
            )
        ).one()
        figure.value = before + 5.0
        latest.publication_id = publication.id  # type: ignore[assignment]
        session.add_all([figure, latest])
        session.commit()
    engine.dispose()

    assert _turnover(public_client) != before
    assert cache.misses == 2


def test_a_new_judgement_changes_the_data_version(public_settings: Settings) -> None:
    engine = make_engine(public_settings.database_url)
    with Session(engine) as session:
        first = data_version(session=session)
        assert data_version(session=session) == first
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
        assert data_version(session=session) != first
    engine.dispose()


def test_the_council_page_is_kept_but_a_scenario_is_not(public_client: TestClient) -> None:
    cache = _cache(public_client)
    first = public_client.get(f"/councils/{COUNCIL}")
    misses = cache.misses
    second = public_client.get(f"/councils/{COUNCIL}")
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    assert (cache.hits, cache.misses) == (1, misses)
    # The page names the address it was asked at (its links are absolute): a page kept for
    # one host is never served to a request for another.
    other = public_client.get(f"/councils/{COUNCIL}", headers={"host": "elsewhere.example"})
    assert "http://testserver/" not in other.text and "elsewhere.example" in other.text
    assert cache.misses == misses + 1  # the page afresh (its charts were kept)
    scenario = public_client.get(
        f"/councils/{COUNCIL}", params={"scenario_grade": "inadequate", "scenario_month": "2025-03"}
    )
    assert scenario.status_code == 200
    assert cache.misses == misses + 1  # a scenario is neither kept nor read from the cache


def test_a_kept_page_is_not_shown_to_someone_signed_in(
    public_client: TestClient, public_settings: Settings
) -> None:
    from tests.builders.people import make_people

    public_client.get(f"/councils/{COUNCIL}")  # kept for readers not signed in
    engine = make_engine(public_settings.database_url)
    person = make_people(engine)["analyst"]
    engine.dispose()
    form = public_client.get("/sign-in")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed = public_client.post(
        "/sign-in",
        data={"email": person.email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text[:300]
    page = public_client.get(f"/councils/{COUNCIL}")
    assert person.email in page.text


def test_signing_in_changes_nothing_kept_but_an_import_does(public_settings: Settings) -> None:
    from workforce.auth import audit
    from workforce.auth.audit import Actor

    engine = make_engine(public_settings.database_url)
    actor = Actor(name="test", source="tests")
    with Session(engine) as session:
        first = data_version(session=session)
        audit.record(
            session=session,
            actor=actor,
            action="sign_in_failed",
            entity="user",
            entity_id=None,
            summary="wrong password",
        )
        session.commit()
        assert data_version(session=session) == first
        audit.record(
            session=session,
            actor=actor,
            action="import",
            entity="reference_data",
            entity_id=None,
            summary="neighbours",
        )
        session.commit()
        assert data_version(session=session) != first
    engine.dispose()

"""Plausibility: a measure far from the council's history or its neighbours is a warning,
saying how far; it never blocks the return."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import Session

from tests.builders.returns import CensusDesign, census_xml
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.returns.flows import ingest
from workforce.returns.reading import Upload


def test_far_from_history_and_neighbours_warns_but_accepts(
    public_session: Session, public_settings: Settings
) -> None:
    # Camden's published agency rate is in the teens; 300 agency FTE against 174 in post
    # is a rate of 63%.
    design = replace(CensusDesign(council_code="202"), agency_fte=300.0, agency_headcount=310)
    result = ingest(
        session=public_session,
        upload=Upload(census_xml(design), "c.xml"),
        council_code="202",
        actor=Actor("t", "tests"),
        source="cli",
        settings=public_settings,
        today=date(2026, 11, 24),
    )
    row = result.council_return
    assert row.status == "accepted"
    assert row.measures["agency_rate_fte"] == 63.3
    warnings = [i for i in row.issues if i["rule"] == "plausibility.agency_rate_fte"]
    assert len(warnings) == 2, row.issues
    history, neighbours = sorted(warnings, key=lambda i: "neighbours" in i["message"])
    assert "standard deviations above Camden's published 20" in history["message"]
    assert "statistical neighbours' latest figures" in neighbours["message"]
    assert history["severity"] == "warning" and history["value"] == "63.3"


def test_an_ordinary_return_raises_no_plausibility_warning(
    public_session: Session, public_settings: Settings
) -> None:
    ordinary = replace(CensusDesign(council_code="202"), cases_each=10)  # caseload 13.8
    result = ingest(
        session=public_session,
        upload=Upload(census_xml(ordinary), "c.xml"),
        council_code="202",
        actor=Actor("t", "tests"),
        source="cli",
        settings=public_settings,
        today=date(2026, 11, 24),
    )
    assert not [i for i in result.council_return.issues if i["rule"].startswith("plausib")]

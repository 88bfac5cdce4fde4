"""The report of a return: no error is ever dropped, so a return with any error is refused;
warnings are listed up to a limit and counted in full; a census header that is not a date
is an error with its rule, never a crash."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.builders.returns import CensusDesign, census_csv, census_xml, records
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.ingest.problems import MAX_LISTED_WARNINGS, ErrorLimitReached, Issues
from workforce.returns.flows import ingest
from workforce.returns.models import CensusWorker, CouncilReturn, ReturnStatus
from workforce.returns.reading import Upload, parse_upload

TODAY = date(2026, 11, 24)
# More than a thousand council staff, so that a census can carry more than a thousand warnings.
BIG = CensusDesign(stayers=1_200, starters=40, leavers=30, starter_leavers=5, old_leavers=10)


def test_an_error_after_a_thousand_warnings_is_kept() -> None:
    issues = Issues()
    for row in range(1, 1_501):
        issues.warning("census.swe_prefix", "check this number", row=row, column="SWENo")
    issues.error("census.fte_above_one", "this must be at most 1", row=1_501, column="FTE", value=7)
    assert [(i.rule, i.row, i.value) for i in issues.errors] == [
        ("census.fte_above_one", 1_501, "7")
    ]
    assert issues.error_count == 1
    assert issues.warning_count == 1_500  # the true total, listed or not
    assert len(issues.warnings) == MAX_LISTED_WARNINGS
    summary = issues.as_dicts()[-1]
    assert summary["rule"] == "report.warnings_not_listed"
    assert summary["severity"] == "warning"
    assert "500 more warnings" in summary["message"]
    assert "census.swe_prefix 500" in summary["message"]


def test_no_summary_when_every_warning_is_listed() -> None:
    issues = Issues()
    issues.warning("census.swe_prefix", "check this number", row=2, column="SWENo")
    assert [i["rule"] for i in issues.as_dicts()] == ["census.swe_prefix"]


def test_every_error_is_listed_until_checking_stops_at_the_error_limit() -> None:
    issues = Issues(max_errors=3)
    issues.sheet = "workforce.csv"
    for row in (2, 3):
        issues.error("type.number", "this must be a number", row=row, column="inpost_fte")
    with pytest.raises(ErrorLimitReached):
        issues.error("type.number", "this must be a number", row=4, column="inpost_fte")
    assert [i.row for i in issues.errors[:3]] == [2, 3, 4]
    stop = issues.errors[-1]
    assert (stop.rule, stop.sheet, stop.row) == ("report.error_limit", "workforce.csv", 4)
    assert "checking stopped after 3 errors" in stop.message
    assert issues.error_count == len(issues.errors) == 4
    # What the caller adds after the stop (the council's scope, say) is still listed.
    issues.error("scope.council", "this file is for another council", column="LEA")
    assert issues.errors[-1].rule == "scope.council"


def test_errors_added_once_the_file_is_read_never_stop_anything() -> None:
    issues = Issues(max_errors=2)
    issues.error("type.number", "this must be a number", row=2, column="inpost_fte")
    issues.end_reading()
    issues.error("scope.council", "this file is for another council", column="LEA")
    issues.error("scope.council", "and again", column="LEA")
    assert [i.rule for i in issues.errors] == ["type.number", "scope.council", "scope.council"]


def test_an_ingest_with_one_error_short_of_the_limit_and_the_wrong_council_is_refused(
    reference_session: Session,
    reference_settings: Settings,
    actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two errors while reading (an FTE of 7, so no FTE), then the council check adds the
    # limit's third: the file has been read, so it is listed and nothing stops.
    monkeypatch.setattr(Issues, "__init__", _with_max_errors(Issues.__init__, 3))
    data = census_csv(replace(BIG, council_code="203"), _with_fte_of_seven(records(BIG)))
    row = _ingest(reference_session, reference_settings, actor, data, "census.csv").council_return
    assert row.status == ReturnStatus.rejected
    assert [i["rule"] for i in row.issues if i["severity"] == "error"] == [
        "census.fte_above_one",
        "census.fte_missing",
        "scope.council",
    ]


def _with_max_errors(init: Any, limit: int) -> Any:
    def patched(self: Issues, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.max_errors = limit

    return patched


def _with_fte_of_seven(workers: list[dict[str, str]]) -> list[dict[str, str]]:
    next(w for w in workers if "FTE" in w)["FTE"] = "7"
    return workers


def _many_warnings_then(design: CensusDesign, last: dict[str, str] | None = None) -> bytes:
    """The census as CSV, every council worker's FTE written to seven decimal places (a
    warning each, found while reading), and ``last`` changing the file's last record."""
    workers = records(design)
    for worker in workers:
        if "FTE" in worker:
            worker["FTE"] = f"{float(worker['FTE']):.7f}"
    workers[-1].update(last or {})
    return census_csv(design, workers)


@pytest.fixture
def actor() -> Iterator[Actor]:
    yield Actor(name="test", source="tests")


def _ingest(session: Session, settings: Settings, actor: Actor, data: bytes, name: str) -> Any:
    result = ingest(
        session=session,
        upload=Upload(data, name),
        council_code="202",
        actor=actor,
        source="upload",
        settings=settings,
        today=TODAY,
    )
    session.commit()
    return result


@pytest.mark.parametrize(
    ("change", "rule", "column"),
    [
        ({"FTE": "7"}, "census.fte_above_one", "FTE"),
        ({"LEA": "203"}, "consistency.totals", "LEA"),
    ],
    ids=["fte-of-seven", "another-council"],
)
def test_an_error_after_a_thousand_warnings_refuses_the_return(
    change: dict[str, str],
    rule: str,
    column: str,
    reference_session: Session,
    reference_settings: Settings,
    actor: Actor,
) -> None:
    session = reference_session
    good = _ingest(session, reference_settings, actor, census_csv(BIG), "census.csv")
    assert good.accepted, good.council_return.issues[:3]
    workers = session.exec(select(CensusWorker)).all()

    bad = _ingest(
        session, reference_settings, actor, _many_warnings_then(BIG, change), "census-v2.csv"
    )
    row = bad.council_return
    assert row.status == ReturnStatus.rejected
    assert row.warning_count > MAX_LISTED_WARNINGS
    found = [i for i in row.issues if i["rule"] == rule]
    assert found and found[0]["column"] == column, [i["rule"] for i in row.issues[-3:]]
    assert found[0]["row"] == len(records(BIG)) + 1  # the last line of the file
    assert row.issues[-1]["rule"] == "report.warnings_not_listed"
    session.refresh(good.council_return)
    assert good.council_return.status == ReturnStatus.accepted  # not superseded
    assert session.exec(select(CensusWorker)).all() == workers


def test_the_wrong_council_after_a_thousand_warnings_is_refused(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    data = _many_warnings_then(replace(BIG, council_code="203"))
    row = _ingest(reference_session, reference_settings, actor, data, "census.csv").council_return
    assert row.status == ReturnStatus.rejected
    assert [(i["rule"], i["value"]) for i in row.issues if i["severity"] == "error"] == [
        ("scope.council", "203")
    ]
    assert reference_session.exec(select(CouncilReturn.status)).all() == [ReturnStatus.rejected]


@pytest.mark.parametrize(
    "reference",
    ["30/09/2025", "2025-09-31", "Sept 2025", "  ", "2025-09-30T00:00:00", "2025-W39-2"],
)
def test_a_reference_date_that_is_not_a_date_is_an_error_not_a_crash(
    reference: str, reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    data = _many_warnings_then(BIG).replace(b"202,2025-09-30,", f"202,{reference},".encode())
    row = _ingest(reference_session, reference_settings, actor, data, "census.csv").council_return
    assert row.status == ReturnStatus.rejected
    errors = [(i["rule"], i["column"]) for i in row.issues if i["severity"] == "error"]
    assert errors and all(column == "ReferenceDate" for _, column in errors), errors


def _census_header(reference: str | None, year: str = "2025") -> bytes:
    """The census XML with this ReferenceDate (None: without one) and Year."""
    data = census_xml(CensusDesign()).replace(b"<Year>2025</Year>", f"<Year>{year}</Year>".encode())
    element = "" if reference is None else f"<ReferenceDate>{reference}</ReferenceDate>"
    return data.replace(b"<ReferenceDate>2025-09-30</ReferenceDate>", element.encode())


@pytest.mark.parametrize(
    ("reference", "year", "rule"),
    [
        (None, "0000", "census.reference_date"),
        (None, "\u00b2\u00b2\u00b2\u00b2", "census.reference_date"),  # digits to isdigit()
        (None, "99999", "census.reference_date"),
        ("0001-09-30", "2025", "census.reference_date"),
    ],
    ids=["year-0", "superscript-year", "five-digit-year", "year-1"],
)
def test_a_census_year_that_is_no_date_is_an_error_not_a_crash(
    reference: str | None, year: str, rule: str
) -> None:
    issues = Issues()
    parsed = parse_upload(issues, Upload(_census_header(reference, year), "c.xml"), TODAY)
    assert (rule, "ReferenceDate") in [(i.rule, i.column) for i in issues.errors]
    assert parsed.period_end is None


def test_a_census_on_a_leap_day_counts_the_year_before_it(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    design = replace(CensusDesign(), reference_date=date(2024, 2, 29))
    row = _ingest(
        reference_session, reference_settings, actor, census_xml(design), "c.xml"
    ).council_return
    assert row.status == ReturnStatus.accepted, row.issues[:3]
    assert row.counts["leavers_headcount"] == 35

"""Names in councils' returns matched to registered agencies, the admin's queue, re-matches
and the assignments of an agency in a period."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from tests.builders.agencies import listed, quarter, register
from tests.builders.people import TEST_ACTOR
from workforce.agencies import match_listing, matching
from workforce.agencies.models import AgencyMatch, MatchMethod
from workforce.auth.models import AuditEvent
from workforce.errors import NotFoundError
from workforce.returns.models import ReturnStatus

Q3 = date(2025, 12, 31)
Q4 = date(2026, 3, 31)


def _match(s: Session, name: str) -> AgencyMatch | None:
    return matching.get_match(session=s, name=name)


def test_spellings_of_a_legal_or_trading_name_match_automatically(
    reference_session: Session,
) -> None:
    s = reference_session
    acme = register(s, "Acme Social Care Ltd", trading_names=["Acme Locums"])
    ret = quarter(s, "202", Q3)
    for typed in ("ACME SOCIAL CARE LIMITED", "Acme Social Care Ltd.", "acme  social-care"):
        listed(s, ret, typed)
    listed(s, ret, "Acme Locums Ltd")
    run = matching.match_names(session=s, actor=TEST_ACTOR)
    assert run.matched == {
        "acme social care": (acme.id, MatchMethod.legal_name),
        "acme locums": (acme.id, MatchMethod.trading_name),
    }
    match = _match(s, "Acme Social Care")
    assert match is not None and match.matched_by == matching.AUTOMATIC
    assert matching.agency_for_name(session=s, name="ACME LOCUMS") == acme
    assert match_listing.unmatched_names(session=s) == []
    # Matching again changes nothing.
    again = matching.match_names(session=s, actor=TEST_ACTOR)
    assert again.matched == {} and again.unknown == []


def test_a_company_number_in_the_text_matches(reference_session: Session) -> None:
    s = reference_session
    bright = register(s, "Bright Futures Staffing Ltd", company_number="SC123456")
    ret = quarter(s, "202", Q3)
    listed(s, ret, "BFS (sc123456)")
    listed(s, ret, "Someone Else 99999999")  # a number no registered agency has
    run = matching.match_names(session=s, actor=TEST_ACTOR)
    assert run.matched == {"bfs sc123456": (bright.id, MatchMethod.company_number)}
    assert run.unknown == ["someone else 99999999"]


def test_ambiguous_and_unknown_names_stay_unmatched_in_the_admins_queue(
    reference_session: Session,
) -> None:
    s = reference_session
    north = register(s, "North Care Ltd", company_number="11111111")
    south = register(s, "South Care Ltd", company_number="22222222")
    register(s, "Acme Social Care Ltd")
    register(s, "Acme Staffing Ltd")  # two agencies whose names normalise differently
    q3, q4 = quarter(s, "202", Q3), quarter(s, "203", Q4)
    listed(s, q3, "Acme")  # could be either: no guessing
    # The text carries both agencies' numbers: no single agency, so no match.
    listed(s, q3, "North/South Care 11111111 22222222")
    listed(s, q3, "Unheard Of Agency")
    listed(s, q4, "UNHEARD OF AGENCY LTD")
    rejected = quarter(s, "203", Q4, status=ReturnStatus.rejected)
    listed(s, rejected, "Only In A Rejected Return")
    run = matching.match_names(session=s, actor=TEST_ACTOR)
    assert run.matched == {}
    queue = {u.normalised_name: u for u in match_listing.unmatched_names(session=s)}
    assert set(queue) == {"acme", "north south care 11111111 22222222", "unheard of agency"}
    assert matching.agency_for_name(session=s, name="Acme") is None
    unheard = queue["unheard of agency"]
    assert (unheard.assignments, unheard.councils) == (2, ["202", "203"])
    assert (unheard.first_seen, unheard.last_seen) == (Q3, Q4)
    assert unheard.spellings == ["UNHEARD OF AGENCY LTD", "Unheard Of Agency"]
    assert north.id != south.id


def test_an_admin_rematch_moves_every_assignment_of_the_name_and_is_audited(
    reference_session: Session,
) -> None:
    s = reference_session
    acme = register(s, "Acme Social Care Ltd")
    other = register(s, "Other Staffing Ltd")
    assert acme.id is not None and other.id is not None
    q3, q4 = quarter(s, "202", Q3), quarter(s, "203", Q4)
    rows = [
        listed(s, q3, "Acme Social Care Ltd"),
        listed(s, q4, "ACME SOCIAL CARE"),
        listed(s, q4, "acme social care limited"),
    ]
    matching.match_names(session=s, actor=TEST_ACTOR)
    period = {"start": date(2025, 1, 1), "end": date(2026, 12, 31)}
    got = match_listing.assignments_of(session=s, agency_id=acme.id, **period)
    assert [a.id for a in got] == [r.id for r in rows]

    match = matching.set_match(
        session=s, name="ACME social care", agency_id=other.id, actor=TEST_ACTOR
    )
    assert (match.method, match.matched_by) == (MatchMethod.manual, TEST_ACTOR.name)
    assert match_listing.assignments_of(session=s, agency_id=acme.id, **period) == []
    moved = match_listing.assignments_of(session=s, agency_id=other.id, **period)
    assert [a.id for a in moved] == [r.id for r in rows]
    # Automatic matching never overrides an admin's decision.
    matching.match_names(session=s, actor=TEST_ACTOR)
    assert _match(s, "Acme Social Care").agency_id == other.id  # type: ignore[union-attr]

    matching.set_match(session=s, name="Acme Social Care", agency_id=None, actor=TEST_ACTOR)
    assert _match(s, "Acme Social Care").method == MatchMethod.no_agency  # type: ignore[union-attr]
    assert matching.agency_for_name(session=s, name="Acme Social Care") is None
    assert match_listing.assignments_of(session=s, agency_id=other.id, **period) == []
    events = s.exec(
        select(AuditEvent)
        .where(AuditEvent.entity == "agency_match", AuditEvent.entity_id == "acme social care")
        .order_by(col(AuditEvent.id))
    ).all()
    assert [e.action for e in events] == ["rematch", "rematch"]
    first = events[0].details or {}
    assert first["before"]["agency_id"] == acme.id
    assert first["before"]["matched_by"] == matching.AUTOMATIC
    assert first["agency_id"] == other.id
    with pytest.raises(NotFoundError):
        matching.set_match(session=s, name="Acme", agency_id=999_999, actor=TEST_ACTOR)


def test_assignments_of_an_agency_in_a_period_once_each_as_latest_listed(
    reference_session: Session,
) -> None:
    s = reference_session
    acme = register(s, "Acme Social Care Ltd")
    assert acme.id is not None
    q3, q4 = quarter(s, "202", Q3), quarter(s, "202", Q4)
    old_rejected = quarter(s, "202", date(2025, 9, 30), status=ReturnStatus.rejected)
    # Listed in two quarters: the later return knows it ended.
    listed(s, q3, "Acme Social Care", swe_number="SW000001", start_date=date(2025, 10, 1))
    ended = listed(
        s,
        q4,
        "ACME SOCIAL CARE LTD",
        swe_number="SW000001",
        start_date=date(2025, 10, 1),
        end_date=date(2026, 1, 15),
    )
    later = listed(s, q4, "Acme Social Care", swe_number="SW000002", start_date=date(2026, 3, 1))
    listed(s, q4, "Someone Else", swe_number="SW000003", start_date=date(2026, 1, 1))
    listed(s, old_rejected, "Acme Social Care", swe_number="SW000004", start_date=date(2025, 8, 1))
    matching.match_names(session=s, actor=TEST_ACTOR)

    def ids(start: date, end: date) -> list[int | None]:
        return [
            a.id
            for a in match_listing.assignments_of(
                session=s, agency_id=acme.id, start=start, end=end
            )
        ]

    assert ids(date(2025, 10, 1), date(2026, 3, 31)) == [ended.id, later.id]
    assert ids(date(2026, 1, 16), date(2026, 2, 28)) == []  # ended before, starts after
    assert ids(date(2026, 1, 15), date(2026, 1, 15)) == [ended.id]  # its last day counts
    assert ids(date(2026, 3, 1), date(2026, 12, 31)) == [later.id]
    assert ids(date(2025, 1, 1), date(2025, 9, 30)) == []  # the rejected return is not counted

"""Which registered agency each free-text agency name in councils' returns stands for.

Councils type agency names as they like ("Acme Social Care Ltd", "ACME SOCIAL CARE
LIMITED"), so a name is matched in its normalised form (:func:`workforce.agencies.names.
normalise`), and one ``AgencyMatch`` row per normalised name says which agency it is (or
that it is none), how that was decided and by whom. Every assignment listing a spelling of
the name follows that one row, so a re-match moves all of them at once.

Automatic matching (:func:`match_names`) takes every distinct normalised name in accepted
returns' assignments that has no match yet and matches it when

1. exactly one agency's legal or trading name normalises to it (method ``legal_name`` or
   ``trading_name``), or else
2. its text carries the Companies House number of a registered agency (method
   ``company_number``); the spellings of one normalised name must not point at two
   different agencies.

Anything else (no candidate, or more than one) stays unmatched and is listed by
:func:`workforce.agencies.match_listing.unmatched_names` for a kite-mark admin, who decides
with :func:`set_match` (method ``manual``, or ``no_agency`` when the name is no registered
agency). An admin's decision is never overwritten by automatic matching, and every decision
is audited with what it replaced.

The normalised form is computed in Python (it is Unicode folding, not SQL), once per
distinct name. The admin's queue and the assignments each agency's matches cover are
listed by :mod:`workforce.agencies.match_listing`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.agencies.locking import is_unique_violation, lock_for_writing
from workforce.agencies.models import (
    Agency,
    AgencyMatch,
    AgencyName,
    MatchMethod,
    NameKind,
)
from workforce.agencies.names import company_number_in, normalise
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnStatus
from workforce.timeutils import utcnow

AUTOMATIC = "automatic"  # ``AgencyMatch.matched_by`` of a match made by :func:`match_names`
ADMIN_METHODS = frozenset({MatchMethod.manual, MatchMethod.no_agency})
_CHUNK = 500  # names per IN (...) list


def chunks(items: Sequence[str]) -> Iterable[list[str]]:
    """``items`` in lists short enough for one ``IN (...)``."""
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])


# --- the names councils typed ------------------------------------------------------------


def accepted_names(*, session: Session) -> dict[str, list[str]]:
    """Every distinct agency name (as typed) in accepted returns' assignments, grouped by
    its normalised form; a name with no letters or digits is left out."""
    typed = session.exec(
        select(col(AgencyAssignment.agency_name))
        .join(CouncilReturn, col(CouncilReturn.id) == col(AgencyAssignment.return_id))
        .where(CouncilReturn.status == ReturnStatus.accepted)
        .distinct()
    ).all()
    grouped: dict[str, list[str]] = defaultdict(list)
    for name in typed:
        key = normalise(name)
        if key:
            grouped[key].append(name)
    return {key: sorted(names) for key, names in grouped.items()}


def matches_of(*, session: Session, agency_id: int) -> list[AgencyMatch]:
    """The matches that point at the agency, by normalised name."""
    return list(
        session.exec(
            select(AgencyMatch)
            .where(AgencyMatch.agency_id == agency_id)
            .order_by(col(AgencyMatch.normalised_name))
        ).all()
    )


def get_match(*, session: Session, name: str) -> AgencyMatch | None:
    """The match of ``name`` (any spelling of it), if it has one."""
    return session.get(AgencyMatch, normalise(name))


# --- the agency behind a name ------------------------------------------------------------


def candidates(*, session: Session, name: str) -> list[tuple[int, MatchMethod]]:
    """The agencies ``name`` could automatically be matched to, with how: those with a legal
    or trading name normalising alike, else the one whose Companies House number the text
    carries. More than one candidate means the name is ambiguous."""
    key = normalise(name)
    found: dict[int, MatchMethod] = {}
    if key:
        for row in session.exec(select(AgencyName).where(AgencyName.normalised == key)):
            kind = NameKind(row.kind)
            found[row.agency_id] = (
                MatchMethod.legal_name if kind is NameKind.legal else MatchMethod.trading_name
            )
    if not found:
        number = company_number_in(name)
        if number:
            agency = session.exec(select(Agency).where(Agency.company_number == number)).first()
            if agency is not None and agency.id is not None:
                found[agency.id] = MatchMethod.company_number
    return sorted(found.items())


def agency_for_name(*, session: Session, name: str) -> Agency | None:
    """The registered agency a name in a return stands for: its stored match if it has one
    (None when an admin ruled it is no agency), else the single automatic candidate, else
    None (unknown or ambiguous). Reads only; nothing is stored."""
    match = get_match(session=session, name=name)
    if match is not None:
        return None if match.agency_id is None else session.get(Agency, match.agency_id)
    found = candidates(session=session, name=name)
    return session.get(Agency, found[0][0]) if len(found) == 1 else None


def candidates_bulk(
    *, session: Session, grouped: dict[str, list[str]]
) -> dict[str, dict[int, MatchMethod]]:
    """:func:`candidates` for many names at once (normalised name -> its spellings): the
    agencies each could be, in two queries whatever the number of names."""
    found: dict[str, dict[int, MatchMethod]] = defaultdict(dict)
    for chunk in chunks(sorted(grouped)):
        for row in session.exec(select(AgencyName).where(col(AgencyName.normalised).in_(chunk))):
            found[row.normalised][row.agency_id] = (
                MatchMethod.legal_name
                if NameKind(row.kind) is NameKind.legal
                else MatchMethod.trading_name
            )
    numbers = {
        agency.company_number: agency.id
        for agency in session.exec(select(Agency).where(col(Agency.company_number).is_not(None)))
        if agency.company_number and agency.id is not None
    }
    for key, spellings in grouped.items():
        if key in found:
            continue
        for typed in spellings:
            number = company_number_in(typed)
            if number and number in numbers:
                found[key][numbers[number]] = MatchMethod.company_number
    return dict(found)


# --- automatic matching ------------------------------------------------------------------


@dataclass(frozen=True)
class MatchRun:
    """What one run of automatic matching did."""

    matched: dict[str, tuple[int, MatchMethod]]  # normalised name -> (agency, method)
    ambiguous: list[str]  # normalised names with more than one candidate
    unknown: list[str]  # normalised names with none


def match_names(*, session: Session, actor: Actor) -> MatchRun:
    """Match every distinct normalised name in accepted returns that has no match yet, where
    exactly one registered agency fits it (see the module's rules); audited as one entry
    listing each new match. Existing matches, an admin's above all, are left as they are."""
    lock_for_writing(session=session, agency_id=None, what="the automatic matches")
    grouped = accepted_names(session=session)
    held = set(session.exec(select(col(AgencyMatch.normalised_name))).all())
    pending = sorted(key for key in grouped if key not in held)
    if not pending:
        return MatchRun(matched={}, ambiguous=[], unknown=[])

    fits = candidates_bulk(session=session, grouped={k: grouped[k] for k in pending})

    matched: dict[str, tuple[int, MatchMethod]] = {}
    ambiguous: list[str] = []
    unknown: list[str] = []
    now = utcnow()
    new_matches: list[AgencyMatch] = []
    for key in pending:
        found = fits.get(key, {})
        if len(found) == 1:
            ((agency_id, method),) = found.items()
            matched[key] = (agency_id, method)
            new_matches.append(
                AgencyMatch(
                    normalised_name=key,
                    agency_id=agency_id,
                    method=method,
                    matched_by=AUTOMATIC,
                    matched_at=now,
                )
            )
        elif found:
            ambiguous.append(key)
        else:
            unknown.append(key)
    if matched:
        session.flush()  # the savepoint holds these inserts alone
        try:
            with session.begin_nested():
                session.add_all(new_matches)
                session.flush()
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise InputDataError([_matched_meanwhile("the names")]) from None
        audit.record(
            session=session,
            actor=actor,
            action="match",
            entity="agency_match",
            summary=f"matched {len(matched)} agency names automatically; "
            f"{len(ambiguous)} ambiguous and {len(unknown)} unknown left for an admin",
            details={
                "matched": {key: [a, m.value] for key, (a, m) in matched.items()},
                "ambiguous": ambiguous,
            },
        )
    return MatchRun(matched=matched, ambiguous=ambiguous, unknown=unknown)


# --- the admin's decisions ---------------------------------------------------------------


def _matched_meanwhile(what: str) -> Problem:
    return Problem(
        "match.meanwhile",
        f"another match of {what} was stored at the same time, so this one was not: "
        "look at the matches and set it again if need be",
        column="name",
    )


def set_match(*, session: Session, name: str, agency_id: int | None, actor: Actor) -> AgencyMatch:
    """Record a kite-mark admin's decision that ``name`` (any spelling: it is normalised)
    stands for the agency ``agency_id``, or, with None, for no registered agency. Replaces
    any earlier match, so every assignment listing the name follows at once; the audit
    entry keeps the match it replaced."""
    lock_for_writing(session=session, agency_id=None, what=f"the match of {name!r}")
    key = normalise(name)
    problems = []
    if not key:
        problems.append(
            Problem("match.name", "the name has no letters or digits", column="name", value=name)
        )
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise NotFoundError(f"No agency with id {agency_id}.")
    if problems:
        raise InputDataError(problems)
    method = MatchMethod.manual if agency_id is not None else MatchMethod.no_agency
    match = session.get(AgencyMatch, key)
    before = (
        None
        if match is None
        else {
            "agency_id": match.agency_id,
            "method": str(match.method),
            "matched_by": match.matched_by,
            "matched_at": match.matched_at.isoformat(),
        }
    )
    if match is None:
        match = AgencyMatch(normalised_name=key, agency_id=agency_id, method=method, matched_by="")
    match.agency_id = agency_id
    match.method = method
    match.matched_by = actor.name[:254]
    match.matched_at = utcnow()
    session.flush()  # the savepoint holds this write alone
    try:
        with session.begin_nested():
            session.add(match)
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise InputDataError([_matched_meanwhile(repr(name))]) from None
    audit.record(
        session=session,
        actor=actor,
        action="rematch" if before else "match",
        entity="agency_match",
        entity_id=key,
        summary=(
            f"matched the agency name {key!r} to agency {agency_id}"
            if agency_id is not None
            else f"ruled the agency name {key!r} is no registered agency"
        )
        + (f" (was agency {before['agency_id']}, {before['method']})" if before else ""),
        details={"name": name, "agency_id": agency_id, "method": method.value, "before": before},
    )
    return match

"""Regional MoU groups and their members over time: reads and small writes (caps and
on-cost rates are in :mod:`workforce.mou.caps`).

Membership is dated: a council is a member on day ``d`` when it joined on or before ``d``
(blank: from the start) and had not left by ``d`` (``left_on`` is the first day it is no
longer a member; blank: still a member). Leaving sets ``left_on``; nothing is deleted. A
council that left may join again, on the day it left or later: each stay is its own row,
so what it did while a member before still counts for those days, and nothing between.
Caps and on-cost rates are never overwritten: a new figure gets a new effective-from day,
and the figure in force on a day is the one with the latest effective-from on or before it.
Every write is audited in the same transaction and validated through the inputs in
:mod:`workforce.mou.models`.

Every write to a group (its members, caps, assessment, digest) first takes the group's
write lock with :func:`lock_for_writing`, so concurrent writers queue and each one's
checks see what the one before it stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import GroupCreate
from workforce.config import get_settings
from workforce.councils.models import Council
from workforce.db import begin_write
from workforce.errors import Busy, InputDataError, NotFoundError, Problem
from workforce.locks import mou_lock_key, wait_for_transaction_lock
from workforce.mou.models import (
    FindingStatus,
    MembershipChange,
    MembershipPublic,
    MouFinding,
    MouGroup,
    MouGroupCouncil,
    MouGroupCreate,
    MouGroupPublic,
)
from workforce.timeutils import utcnow

# PostgreSQL's unique_violation.
_UNIQUE_VIOLATION = "23505"

# --- the write lock ----------------------------------------------------------------------------


def lock_for_writing(
    *, session: Session, group_name: str | None, what: str, wait_seconds: float | None = None
) -> None:
    """Queue this transaction behind any other writing to the MoU group ``group_name``
    (``None``: to the on-cost rates), waiting at most ``wait_seconds`` (blank: the
    ``write_wait_seconds`` setting); the lock is held until the transaction ends.

    Call it before the write's first read, so its checks see what the writer before it
    stored. On SQLite the transaction takes the database's one write lock
    (:func:`workforce.db.begin_write`), waiting the engine's busy timeout (the service's
    engine takes it from the same setting); on PostgreSQL a transaction-level advisory
    lock per group. Taken again in the same transaction, it is already held. If the lock
    is not free in time the transaction is rolled back and
    :class:`~workforce.errors.Busy` says what was not stored (``what``, e.g. "the cap").
    """
    wait = get_settings().write_wait_seconds if wait_seconds is None else wait_seconds
    begin_write(session=session, what=what)
    if wait_for_transaction_lock(session=session, key=mou_lock_key(group_name), wait_seconds=wait):
        return
    subject = "the on-cost rates" if group_name is None else f"the MoU group {group_name!r}"
    raise Busy(
        f"Another change to {subject} was being stored, and it was still going after "
        f"{wait:g} seconds, so {what} was not stored. Nothing was lost: try again shortly.",
        retry_after=max(1, round(wait)),
        conflict=True,
    )


# --- groups and members: reads ---------------------------------------------------------------


def list_groups(*, session: Session) -> Sequence[MouGroup]:
    """Return every MoU group, by name."""
    return session.exec(select(MouGroup).order_by(col(MouGroup.name))).all()


def get_group(*, session: Session, group_name: str) -> MouGroup:
    """Return the group called ``group_name``; ``NotFoundError`` if there is none."""
    group = session.get(MouGroup, group_name)
    if group is None:
        raise NotFoundError(f"No MoU group called {group_name!r}.")
    return group


def is_member_on(membership: MouGroupCouncil, on: date) -> bool:
    """Whether ``membership`` covers the day ``on`` (joined on or before it, not yet left)."""
    return (membership.joined_on is None or membership.joined_on <= on) and (
        membership.left_on is None or on < membership.left_on
    )


def memberships(*, session: Session, group_name: str) -> list[MouGroupCouncil]:
    """Every membership of the group, past, present and future, by council code and then
    by the day each stay began."""
    rows = session.exec(
        select(MouGroupCouncil).where(MouGroupCouncil.group_name == group_name)
    ).all()
    return sorted(rows, key=lambda m: (m.council_code, m.joined_on or date.min))


def _stays(*, session: Session, group_name: str, council_code: str) -> list[MouGroupCouncil]:
    """The council's stays in the group, earliest first."""
    rows = session.exec(
        select(MouGroupCouncil).where(
            MouGroupCouncil.group_name == group_name,
            MouGroupCouncil.council_code == council_code,
        )
    ).all()
    return sorted(rows, key=lambda m: m.joined_on or date.min)


def member_councils(*, session: Session, group_name: str, on: date | None = None) -> list[str]:
    """The codes of the councils that are members of the group on the day ``on`` (blank:
    today), sorted."""
    day = on or utcnow().date()
    return [
        m.council_code
        for m in memberships(session=session, group_name=group_name)
        if is_member_on(m, day)
    ]


def group_councils(*, session: Session, group_name: str | None) -> list[str]:
    """The group's member councils today (none without a group): the scope of an MoU
    group member."""
    if not group_name:
        return []
    return member_councils(session=session, group_name=group_name)


def groups_of_council(
    *, session: Session, council_code: str, on: date | None = None
) -> list[MouGroup]:
    """The groups ``council_code`` is a member of on the day ``on`` (blank: today)."""
    day = on or utcnow().date()
    rows = session.exec(
        select(MouGroup, MouGroupCouncil)
        .join(MouGroupCouncil, col(MouGroupCouncil.group_name) == col(MouGroup.name))
        .where(MouGroupCouncil.council_code == council_code.strip().upper())
        .order_by(col(MouGroup.name))
    ).all()
    return [group for group, membership in rows if is_member_on(membership, day)]


def group_public(*, session: Session, group: MouGroup) -> MouGroupPublic:
    return MouGroupPublic(
        name=group.name,
        description=group.description,
        cooling_off_months=group.cooling_off_months,
        rules_from=group.rules_from,
        is_example=group.is_example,
        councils=member_councils(session=session, group_name=group.name),
    )


def membership_public(membership: MouGroupCouncil) -> MembershipPublic:
    return MembershipPublic(
        council_code=membership.council_code,
        joined_on=membership.joined_on,
        left_on=membership.left_on,
    )


# --- groups and members: writes --------------------------------------------------------------


def create_group(
    *,
    session: Session,
    new: MouGroupCreate | GroupCreate | None = None,
    actor: Actor,
    **fields: Any,
) -> MouGroup:
    """Create the regional MoU group ``new`` (without it, one built from ``fields``: name,
    councils, description, cooling_off_months, rules_from, is_example). Its councils are
    members from the start."""
    if new is None:
        new = MouGroupCreate.checked(**fields)
    elif fields:
        raise TypeError("create_group takes a MouGroupCreate or its fields, not both")
    elif not isinstance(new, MouGroupCreate):
        new = MouGroupCreate.checked(**new.model_dump())
    lock_for_writing(session=session, group_name=new.name, what=f"the MoU group {new.name!r}")
    problems = new.problems()
    if new.name and _group_exists(session=session, name=new.name):
        problems.append(_duplicate_group(new.name))
    for code in new.councils:
        if session.get(Council, code) is None:
            problems.append(
                Problem("group.council", "no council with this code", column="councils", value=code)
            )
    if problems:
        raise InputDataError(problems)
    group = MouGroup(
        name=new.name,
        description=new.description,
        cooling_off_months=new.cooling_off_months,
        rules_from=new.rules_from,
        is_example=new.is_example,
    )
    # The lock keeps a second group of this name out; should one get in regardless, the
    # savepoint undoes only this insert and the refusal is the one the check above gives.
    session.flush()  # the savepoint holds this insert alone
    try:
        with session.begin_nested():
            session.add(group)
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc) or not _group_exists(session=session, name=new.name):
            raise
        raise InputDataError([_duplicate_group(new.name)]) from None
    for code in new.councils:
        session.add(MouGroupCouncil(group_name=new.name, council_code=code))
    audit.record(
        session=session,
        actor=actor,
        action="create",
        entity="mou_group",
        entity_id=new.name,
        summary=f"created MoU group {new.name} with {len(new.councils)} councils",
        details={
            "councils": new.councils,
            "cooling_off_months": new.cooling_off_months,
            "rules_from": new.rules_from.isoformat() if new.rules_from else None,
            "is_example": new.is_example,
        },
    )
    return group


def _group_exists(*, session: Session, name: str) -> bool:
    return session.get(MouGroup, name) is not None


def _duplicate_group(name: str) -> Problem:
    return Problem("group.duplicate", "a group with this name exists", column="name", value=name)


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether ``exc`` is a unique (or primary key) constraint refusing a duplicate row."""
    if getattr(exc.orig, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(exc.orig)


def _membership_input(
    new: MembershipChange | None, fields: dict[str, Any], what: str
) -> MembershipChange:
    if new is None:
        return MembershipChange.checked(**fields)
    if fields:
        raise TypeError(f"{what} takes a MembershipChange or its fields, not both")
    return new


def add_member(
    *, session: Session, new: MembershipChange | None = None, actor: Actor, **fields: Any
) -> MouGroupCouncil:
    """Make a council a member of a group from the day ``on`` (blank: from the start; for a
    council that was a member before, today).

    ``fields``: group_name, council_code, on. A council that is a member is refused. One
    that left may rejoin on the day it left or later: its past stays are kept as they were.
    """
    new = _membership_input(new, fields, "add_member")
    lock_for_writing(
        session=session,
        group_name=new.group_name,
        what=f"council {new.council_code} joining the MoU group {new.group_name!r}",
    )
    problems = new.problems()
    if new.group_name and session.get(MouGroup, new.group_name) is None:
        problems.append(
            Problem(
                "member.group",
                "no MoU group with this name",
                column="group_name",
                value=new.group_name,
            )
        )
    if new.council_code and session.get(Council, new.council_code) is None:
        problems.append(
            Problem(
                "member.council",
                "no council with this code",
                column="council_code",
                value=new.council_code,
            )
        )
    stays = _stays(session=session, group_name=new.group_name, council_code=new.council_code)
    joined_on = new.on
    left_before = max((m.left_on for m in stays if m.left_on is not None), default=None)
    if any(m.left_on is None for m in stays):
        problems.append(
            Problem(
                "member.duplicate",
                "the council is a member of this group already",
                column="council_code",
                value=new.council_code,
            )
        )
    elif left_before is not None:
        joined_on = new.on or utcnow().date()  # a rejoin starts on a day, never "from the start"
        if joined_on < left_before:
            problems.append(
                Problem(
                    "member.dates",
                    f"the council left this group on {left_before:%Y-%m-%d}: it can rejoin "
                    "on that day or later",
                    column="on",
                    value=joined_on.isoformat(),
                )
            )
    if problems:
        raise InputDataError(problems)
    membership = MouGroupCouncil(
        group_name=new.group_name, council_code=new.council_code, joined_on=joined_on
    )
    session.add(membership)
    audit.record(
        session=session,
        actor=actor,
        action="add_member",
        entity="mou_group",
        entity_id=new.group_name,
        council_code=new.council_code,
        summary=f"{new.council_code} {'rejoined' if left_before else 'joined'} MoU group "
        f"{new.group_name}" + (f" on {joined_on:%Y-%m-%d}" if joined_on else " (from the start)"),
        details={
            "joined_on": joined_on.isoformat() if joined_on else None,
            "left_before": left_before.isoformat() if left_before else None,
        },
    )
    session.flush()
    return membership


def remove_member(
    *, session: Session, new: MembershipChange | None = None, actor: Actor, **fields: Any
) -> MouGroupCouncil:
    """Record that a council left a group on the day ``on`` (blank: today): it is no longer
    a member from that day. The membership is kept, never deleted.

    ``fields``: group_name, council_code, on.
    """
    new = _membership_input(new, fields, "remove_member")
    lock_for_writing(
        session=session,
        group_name=new.group_name,
        what=f"council {new.council_code} leaving the MoU group {new.group_name!r}",
    )
    problems = new.problems()
    left_on = new.on or utcnow().date()
    stays = _stays(session=session, group_name=new.group_name, council_code=new.council_code)
    membership = next((m for m in stays if m.left_on is None), None)
    if not stays:
        problems.append(
            Problem(
                "member.unknown",
                "the council is not a member of this group",
                column="council_code",
                value=new.council_code,
            )
        )
    elif membership is None:
        problems.append(
            Problem(
                "member.left",
                f"the council left this group on {stays[-1].left_on:%Y-%m-%d} already",
                column="council_code",
                value=new.council_code,
            )
        )
    elif membership.joined_on is not None and left_on <= membership.joined_on:
        problems.append(
            Problem(
                "member.dates",
                f"the council joined on {membership.joined_on:%Y-%m-%d}: it can leave only "
                "after that day",
                column="on",
                value=left_on.isoformat(),
            )
        )
    if problems:
        raise InputDataError(problems)
    assert membership is not None
    membership.left_on = left_on
    session.add(membership)
    audit.record(
        session=session,
        actor=actor,
        action="remove_member",
        entity="mou_group",
        entity_id=new.group_name,
        council_code=new.council_code,
        summary=f"{new.council_code} left MoU group {new.group_name} on {left_on:%Y-%m-%d}",
        details={"left_on": left_on.isoformat()},
    )
    session.flush()
    return membership


# --- findings ----------------------------------------------------------------------------


def findings(
    *,
    session: Session,
    group_name: str,
    council_code: str | None = None,
    rule: str | None = None,
    status: FindingStatus | None = None,
) -> list[MouFinding]:
    """The group's findings from its latest assessment, by council, start date and rule;
    only a council's or a rule's when asked."""
    query = select(MouFinding).where(MouFinding.group_name == group_name)
    if council_code:
        query = query.where(MouFinding.council_code == council_code.strip().upper())
    if rule:
        query = query.where(MouFinding.rule == rule)
    if status:
        query = query.where(MouFinding.status == status)
    return list(
        session.exec(
            query.order_by(
                col(MouFinding.council_code),
                col(MouFinding.start_date),
                col(MouFinding.assignment_id),
                col(MouFinding.rule),
            )
        ).all()
    )

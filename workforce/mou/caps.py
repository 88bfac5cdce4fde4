"""A group's rate caps by role and the employer on-cost rates: dated, never overwritten.

A new figure gets a new effective-from day, and the figure in force on a day is the one
with the latest effective-from on or before it. Every write is audited in the same
transaction and validated through the inputs in :mod:`workforce.mou.models`.

A write first takes the write lock (:func:`workforce.mou.service.lock_for_writing`): a
cap its group's, an on-cost rate the one for all on-cost rates. Two writers of the same
figure at once then queue, and the second is refused as any duplicate is. Should a
duplicate get past the check regardless, the database's unique constraint refuses it, and
the refusal is the same: the insert is undone alone (a savepoint), nothing else with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError, Problem
from workforce.mou.models import (
    CapCreate,
    MouGroup,
    OnCostRate,
    OnCostRateCreate,
    PayRoute,
    RateCap,
    RoleCategory,
)
from workforce.mou.service import is_unique_violation, lock_for_writing

# --- caps ---------------------------------------------------------------------------------


def set_cap(
    *, session: Session, new: CapCreate | None = None, actor: Actor, **fields: Any
) -> RateCap:
    """Add a cap for a group and role category from a day on; the caps before it stay.

    ``fields``: group_name, role_category, effective_from, hourly_cap, is_example, source.
    A second cap for the same group, role category and day is refused: a cap is never
    overwritten (a correction is a new cap from a later day).
    """
    if new is None:
        new = CapCreate.checked(**fields)
    elif fields:
        raise TypeError("set_cap takes a CapCreate or its fields, not both")
    lock_for_writing(
        session=session,
        group_name=new.group_name,
        what=f"the {new.role_category.value} cap from {new.effective_from:%Y-%m-%d}",
    )
    problems = new.problems()
    if new.group_name and session.get(MouGroup, new.group_name) is None:
        problems.append(
            Problem(
                "cap.group",
                "no MoU group with this name",
                column="group_name",
                value=new.group_name,
            )
        )
    existing = _same_day_cap(session=session, new=new)
    if existing is not None:
        problems.append(_duplicate_cap(existing))
    if problems:
        raise InputDataError(problems)
    cap = RateCap(
        group_name=new.group_name,
        role_category=new.role_category,
        effective_from=new.effective_from,
        hourly_cap=new.hourly_cap,
        is_example=new.is_example,
        source=new.source,
        set_by=actor.name[:254],
    )
    session.flush()  # the savepoint holds this insert alone
    try:
        with session.begin_nested():
            session.add(cap)
            session.flush()
    except IntegrityError as exc:
        existing = _same_day_cap(session=session, new=new)
        if existing is None or not is_unique_violation(exc):
            raise
        raise InputDataError([_duplicate_cap(existing)]) from None
    audit.record(
        session=session,
        actor=actor,
        action="set_cap",
        entity="mou_rate_cap",
        entity_id=cap.id,
        summary=f"{new.group_name}: {new.role_category.value} cap "
        f"{new.hourly_cap:.2f} pounds an hour from {new.effective_from:%Y-%m-%d}"
        + (" (example figure)" if new.is_example else ""),
        details={
            "group": new.group_name,
            "role_category": new.role_category.value,
            "effective_from": new.effective_from.isoformat(),
            "hourly_cap": new.hourly_cap,
            "is_example": new.is_example,
            "source": new.source,
        },
    )
    return cap


def _same_day_cap(*, session: Session, new: CapCreate) -> RateCap | None:
    return session.exec(
        select(RateCap).where(
            RateCap.group_name == new.group_name,
            RateCap.role_category == new.role_category,
            RateCap.effective_from == new.effective_from,
        )
    ).first()


def _duplicate_cap(existing: RateCap) -> Problem:
    return Problem(
        "cap.duplicate",
        f"a cap of {existing.hourly_cap:.2f} pounds an hour is in force from this day "
        "already; caps are never overwritten: set a new cap from a later day",
        column="effective_from",
        value=existing.effective_from.isoformat(),
    )


def caps(
    *, session: Session, group_name: str, role_category: RoleCategory | None = None
) -> list[RateCap]:
    """The group's caps, every one ever set (the history), by role category and day."""
    query = select(RateCap).where(RateCap.group_name == group_name)
    if role_category is not None:
        query = query.where(RateCap.role_category == role_category)
    return list(
        session.exec(query.order_by(col(RateCap.role_category), col(RateCap.effective_from))).all()
    )


def all_caps(*, session: Session, group_names: Sequence[str] | None = None) -> list[RateCap]:
    """Every cap of the groups named (blank: of every group), by group, role and day: one
    query for bulk readers."""
    query = select(RateCap)
    if group_names is not None:
        query = query.where(col(RateCap.group_name).in_(list(group_names)))
    return list(
        session.exec(
            query.order_by(
                col(RateCap.group_name), col(RateCap.role_category), col(RateCap.effective_from)
            )
        ).all()
    )


def cap_in_force(
    *, session: Session, group_name: str, role_category: RoleCategory, on: date
) -> RateCap | None:
    """The group's cap for ``role_category`` in force on ``on``: the one with the latest
    effective-from on or before that day (None before the first)."""
    return session.exec(
        select(RateCap)
        .where(
            RateCap.group_name == group_name,
            RateCap.role_category == role_category,
            col(RateCap.effective_from) <= on,
        )
        .order_by(col(RateCap.effective_from).desc())
        .limit(1)
    ).first()


# --- on-cost rates ---------------------------------------------------------------------------


def set_on_cost_rate(
    *, session: Session, new: OnCostRateCreate | None = None, actor: Actor, **fields: Any
) -> OnCostRate:
    """Add the employer on-cost rates for a pay route from a day on; earlier rates stay.

    ``fields``: pay_route, effective_from, employer_ni, apprenticeship_levy, other, source.
    A second set of rates for the same route and day is refused (never overwritten).
    """
    if new is None:
        new = OnCostRateCreate.checked(**fields)
    elif fields:
        raise TypeError("set_on_cost_rate takes an OnCostRateCreate or its fields, not both")
    lock_for_writing(
        session=session,
        group_name=None,
        what=f"the {new.pay_route.value} on-cost rates from {new.effective_from:%Y-%m-%d}",
    )
    problems = new.problems()
    if _same_day_rate(session=session, new=new) is not None:
        problems.append(_duplicate_rate(new))
    if problems:
        raise InputDataError(problems)
    rate = OnCostRate(
        pay_route=new.pay_route,
        effective_from=new.effective_from,
        employer_ni=new.employer_ni,
        apprenticeship_levy=new.apprenticeship_levy,
        other=new.other,
        source=new.source,
        set_by=actor.name[:254],
    )
    session.flush()  # the savepoint holds this insert alone
    try:
        with session.begin_nested():
            session.add(rate)
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc) or _same_day_rate(session=session, new=new) is None:
            raise
        raise InputDataError([_duplicate_rate(new)]) from None
    audit.record(
        session=session,
        actor=actor,
        action="set_on_cost",
        entity="on_cost_rate",
        entity_id=rate.id,
        summary=f"{new.pay_route.value} on-costs from {new.effective_from:%Y-%m-%d}: "
        f"employer NI {new.employer_ni:.2%}, apprenticeship levy "
        f"{new.apprenticeship_levy:.2%}, other {new.other:.2%}",
        details={
            "pay_route": new.pay_route.value,
            "effective_from": new.effective_from.isoformat(),
            "employer_ni": new.employer_ni,
            "apprenticeship_levy": new.apprenticeship_levy,
            "other": new.other,
            "source": new.source,
        },
    )
    return rate


def _same_day_rate(*, session: Session, new: OnCostRateCreate) -> OnCostRate | None:
    return session.exec(
        select(OnCostRate).where(
            OnCostRate.pay_route == new.pay_route,
            OnCostRate.effective_from == new.effective_from,
        )
    ).first()


def _duplicate_rate(new: OnCostRateCreate) -> Problem:
    return Problem(
        "on_cost.duplicate",
        "on-cost rates for this pay route are in force from this day already; they "
        "are never overwritten: set new rates from a later day",
        column="effective_from",
        value=new.effective_from.isoformat(),
    )


def on_cost_rates(*, session: Session, pay_route: PayRoute | None = None) -> list[OnCostRate]:
    """Every on-cost rate ever set (the history), by pay route and day."""
    query = select(OnCostRate)
    if pay_route is not None:
        query = query.where(OnCostRate.pay_route == pay_route)
    return list(
        session.exec(
            query.order_by(col(OnCostRate.pay_route), col(OnCostRate.effective_from))
        ).all()
    )


def on_cost_in_force(*, session: Session, pay_route: PayRoute, on: date) -> OnCostRate | None:
    """The on-cost rates for ``pay_route`` in force on ``on`` (latest effective-from on or
    before it; None before the first)."""
    return session.exec(
        select(OnCostRate)
        .where(OnCostRate.pay_route == pay_route, col(OnCostRate.effective_from) <= on)
        .order_by(col(OnCostRate.effective_from).desc())
        .limit(1)
    ).first()

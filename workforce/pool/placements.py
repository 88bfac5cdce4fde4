"""Placements: a worker placed with a council, made when both sides accept an offer
(:mod:`workforce.pool.answers`), then extended or ended early, each with a reason.

A worker never holds two overlapping placements. Every write to an offer or a placement
first takes the pool's write locks of its request and its worker (:func:`lock_worker`), and
only then reads and checks (:func:`overlapping_placement`). Every write is audited in its
transaction; the caller commits.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from sqlmodel import Field, Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import AdminInput
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.pool.locking import lock_for_writing, request_subject, worker_subject
from workforce.pool.models import Placement, PlacementPublic


class PlacementExtension(AdminInput):
    ENTITY: ClassVar[str] = "extension"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "new_end": "not a date (use YYYY-MM-DD)",
        "reason": "the reason is 1 to 1000 characters",
    }
    new_end: date
    reason: str = Field(min_length=1, max_length=1000)


class PlacementEnd(AdminInput):
    ENTITY: ClassVar[str] = "end"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "on": "not a date (use YYYY-MM-DD)",
        "reason": "the reason is 1 to 1000 characters",
    }
    on: date
    reason: str = Field(min_length=1, max_length=1000)


def _refuse(rule: str, message: str) -> InputDataError:
    return InputDataError([Problem(rule, message)])


def lock_worker(*, session: Session, worker_id: int, request_id: int | None, what: str) -> None:
    """Queue this transaction behind any other writing to the request ``request_id`` or to
    the worker ``worker_id``'s offers and placements; held until the transaction ends.

    The pool's write locks (:mod:`workforce.pool.locking`): advisory locks on PostgreSQL,
    taken in a fixed order, waiting at most the ``write_wait_seconds`` setting, then
    :class:`~workforce.errors.Busy` says what was not stored; on SQLite the database's one
    write lock, taken before any read.
    """
    subjects = [worker_subject(worker_id)]
    if request_id is not None:
        subjects.append(request_subject(request_id))
    lock_for_writing(session=session, subjects=subjects, what=what)


def overlapping_placement(
    *,
    session: Session,
    worker_id: int,
    start: date,
    end: date,
    except_id: int | None = None,
) -> Placement | None:
    """The worker's placement (in force, after any early end) overlapping ``start``..``end``."""
    query = select(Placement).where(
        Placement.worker_id == worker_id,
        col(Placement.start_date) <= end,
        col(Placement.end_date) >= start,
    )
    if except_id is not None:
        query = query.where(Placement.id != except_id)
    return session.exec(query.order_by(col(Placement.start_date))).first()


def overlap_words(placement: Placement) -> str:
    return (
        f"worker {placement.worker_id} already holds placement {placement.id} with council "
        f"{placement.council_code} from {placement.start_date} to {placement.end_date}"
    )


# --- writes ---------------------------------------------------------------------------------


def _locked_placement(session: Session, placement_id: int, what: str) -> Placement:
    ids = session.exec(
        select(Placement.worker_id, Placement.request_id).where(Placement.id == placement_id)
    ).first()
    if ids is None:
        raise NotFoundError(f"no placement {placement_id}")
    lock_worker(session=session, worker_id=ids[0], request_id=ids[1], what=what)
    placement = session.get(Placement, placement_id, populate_existing=True)
    assert placement is not None
    return placement


def get_placement(*, session: Session, placement_id: int) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFoundError(f"no placement {placement_id}")
    return placement


def extend_placement(
    *, session: Session, placement_id: int, new_end: date, reason: str, actor: Actor
) -> Placement:
    """Extend a placement to ``new_end``, if the worker holds no other placement by then."""
    if not reason.strip():
        raise _refuse("placement.reason", "an extension needs a reason")
    placement = _locked_placement(session, placement_id, "the extension")
    if new_end <= placement.end_date:
        raise _refuse(
            "placement.extend",
            f"placement {placement_id} already runs to {placement.end_date}: an extension "
            "ends later",
        )
    held = overlapping_placement(
        session=session,
        worker_id=placement.worker_id,
        start=placement.start_date,
        end=new_end,
        except_id=placement.id,
    )
    if held is not None:
        raise _refuse(
            "placement.overlap",
            f"{overlap_words(held)}, so placement {placement_id} cannot run to {new_end}",
        )
    before = placement.end_date
    placement.end_date = new_end
    session.add(placement)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="pool.extend",
        entity="pool_placement",
        entity_id=placement.id,
        council_code=placement.council_code,
        summary=f"placement {placement.id} extended from {before} to {new_end}: {reason}",
        details={"from": before.isoformat(), "to": new_end.isoformat(), "reason": reason},
    )
    return placement


def end_placement_early(
    *, session: Session, placement_id: int, on: date, reason: str, actor: Actor
) -> Placement:
    """End a placement on ``on`` (its last day), before its end in force, with the reason."""
    if not reason.strip():
        raise _refuse("placement.reason", "an early end needs a reason")
    placement = _locked_placement(session, placement_id, "the early end")
    if not placement.start_date <= on < placement.end_date:
        raise _refuse(
            "placement.end",
            f"placement {placement_id} runs {placement.start_date}..{placement.end_date}: an "
            "early end is on or after its start and before its end",
        )
    before = placement.end_date
    placement.end_date = on
    placement.ended_early_reason = reason[:1000]
    session.add(placement)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="pool.end_early",
        entity="pool_placement",
        entity_id=placement.id,
        council_code=placement.council_code,
        summary=f"placement {placement.id} ended on {on} (was to end {before}): {reason}",
        details={"on": on.isoformat(), "was": before.isoformat(), "reason": reason},
    )
    return placement


# --- what readers are shown ------------------------------------------------------------------


def list_placements(
    *,
    session: Session,
    councils: frozenset[str] | None = None,
    current_on: date | None = None,
) -> list[PlacementPublic]:
    """Placements by start, of the councils given (``None``: every council's); with
    ``current_on``, only those not ended by that day."""
    query = select(Placement)
    if councils is not None:
        query = query.where(col(Placement.council_code).in_(sorted(councils)))
    if current_on is not None:
        query = query.where(col(Placement.end_date) >= current_on)
    rows = session.exec(query.order_by(col(Placement.start_date), col(Placement.id))).all()
    return [PlacementPublic.model_validate(r) for r in rows]

"""The kite-mark registry's write lock: concurrent writers queue, so each one's checks see
what the one before it stored.

Writes that touch names across agencies (registering an agency, adding a trading name,
matching names to agencies) take the one registry-wide lock (``agency_id=None``); a write
to one agency (its application, assessment, decision, status, sample or evidence) takes
that agency's lock. On SQLite the transaction takes the database's one write lock
(:func:`workforce.db.begin_write`); on PostgreSQL a transaction-level advisory lock
(:func:`workforce.locks.agency_lock_key`). The same pattern as the MoU groups'
(:func:`workforce.mou.service.lock_for_writing`).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workforce.agencies.models import Application, Assessment, AuditSample
from workforce.config import get_settings
from workforce.db import begin_write
from workforce.errors import Busy
from workforce.locks import agency_lock_key, wait_for_transaction_lock

# PostgreSQL's unique_violation.
_UNIQUE_VIOLATION = "23505"


def lock_for_writing(
    *, session: Session, agency_id: int | None, what: str, wait_seconds: float | None = None
) -> None:
    """Queue this transaction behind any other writing to the agency ``agency_id``
    (``None``: to the registry's names and matches), waiting at most ``wait_seconds``
    (blank: the ``write_wait_seconds`` setting); the lock is held until the transaction ends.

    Call it before the write's first read. If the lock is not free in time the transaction
    is rolled back and :class:`~workforce.errors.Busy` says what was not stored (``what``).
    """
    wait = get_settings().write_wait_seconds if wait_seconds is None else wait_seconds
    begin_write(session=session, what=what)
    if wait_for_transaction_lock(
        session=session, key=agency_lock_key(agency_id), wait_seconds=wait
    ):
        return
    subject = "the kite-mark register's names" if agency_id is None else f"agency {agency_id}"
    raise Busy(
        f"Another change to {subject} was being stored, and it was still going after "
        f"{wait:g} seconds, so {what} was not stored. Nothing was lost: try again shortly.",
        retry_after=max(1, round(wait)),
        conflict=True,
    )


def lock_agency_of(
    *,
    session: Session,
    model: type[Application] | type[Assessment] | type[AuditSample],
    row_id: int,
    what: str,
) -> None:
    """Take the write lock of the agency whose application, assessment or audit sample
    ``row_id`` is (nothing more if there is none: the caller says it was not found).

    On SQLite the write lock is taken before the read; the agency of an application, an
    assessment or a sample never changes, so reading it before the lock is safe on
    PostgreSQL, and only the one column is read, so no row is held in the session from
    before the lock.
    """
    begin_write(session=session, what=what)
    if model is AuditSample:
        query = (
            select(Assessment.agency_id)
            .join(AuditSample, AuditSample.assessment_id == Assessment.id)  # type: ignore[arg-type]
            .where(AuditSample.id == row_id)
        )
    elif model is Application:
        query = select(Application.agency_id).where(Application.id == row_id)
    else:
        query = select(Assessment.agency_id).where(Assessment.id == row_id)
    agency_id = session.exec(query).first()
    if agency_id is not None:
        lock_for_writing(session=session, agency_id=agency_id, what=what)


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether ``exc`` is a unique (or primary key) constraint refusing a duplicate row."""
    if getattr(exc.orig, "sqlstate", None) == _UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(exc.orig)

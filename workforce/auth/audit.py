"""The audit log: who did what, when, to which entity, from where.

Every write that matters calls :func:`record` in the same transaction as the write, so
the entry and the change land together or not at all. The log is append-only: a session
guard here refuses ORM updates and deletes of :class:`AuditEvent`, and a database trigger
(migration 0003) refuses them from any client.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Delete, Update, event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, col, select

from workforce.auth.models import AuditEvent
from workforce.timeutils import as_utc

# Keys whose values never reach the log, whatever a caller passes in ``details``.
SECRET_KEYS = frozenset({"password", "password_hash", "token", "token_hash", "secret"})


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from where: a user, the command line or a scheduled job."""

    name: str
    source: str
    user_id: int | None = None

    @classmethod
    def cli(cls) -> Actor:
        import getpass

        try:
            who = getpass.getuser()
        except Exception:  # no login name in some containers
            who = "unknown"
        return cls(name=f"cli:{who}", source="cli")

    @classmethod
    def job(cls, job_name: str) -> Actor:
        return cls(name="scheduler", source=f"job:{job_name}")


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    return {
        key: ("[withheld]" if key.lower() in SECRET_KEYS else value)
        for key, value in details.items()
    }


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object | None = None,
    council_code: str | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit entry to ``session``'s transaction and return it."""
    entry = AuditEvent(
        actor_user_id=actor.user_id,
        actor=actor.name[:254],
        action=action[:40],
        entity=entity[:60],
        entity_id=None if entity_id is None else str(entity_id)[:100],
        council_code=council_code,
        source=actor.source[:100],
        summary=summary[:2000],
        details=_scrub(details or {}),
    )
    session.add(entry)
    return entry


def query(
    *,
    session: Session,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    council_code: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> Sequence[AuditEvent]:
    """Return audit entries matching every filter given, newest first."""
    statement = select(AuditEvent)
    if actor:
        statement = statement.where(col(AuditEvent.actor) == actor)
    if action:
        statement = statement.where(col(AuditEvent.action) == action)
    if entity:
        statement = statement.where(col(AuditEvent.entity) == entity)
    if entity_id:
        statement = statement.where(col(AuditEvent.entity_id) == entity_id)
    if council_code:
        statement = statement.where(col(AuditEvent.council_code) == council_code)
    # A moment given without a zone is read as UTC, the zone the log is kept in.
    if since:
        statement = statement.where(col(AuditEvent.at) >= as_utc(since))
    if until:
        statement = statement.where(col(AuditEvent.at) < as_utc(until))
    if before_id:
        statement = statement.where(col(AuditEvent.id) < before_id)
    statement = statement.order_by(col(AuditEvent.id).desc()).limit(limit)
    return session.exec(statement).all()


def record_import(
    *, session: Session, actor: Actor, entity: str, report: Any, entity_id: object | None = None
) -> AuditEvent:
    """Record a file import, with the report's own summary of what it changed."""
    return record(
        session=session,
        actor=actor,
        action="import",
        entity=entity,
        entity_id=entity_id if entity_id is not None else getattr(report, "publication_id", None),
        summary=report.summary(),
        details={"source": getattr(report, "source_name", None) or getattr(report, "source", None)},
    )


SYSTEM = Actor(name="system", source="bundled data")


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_audit(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditLogIsAppendOnly("audit entries cannot be changed")
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly("audit entries cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes_to_audit(state: ORMExecuteState) -> None:
    statement = state.statement
    if (
        isinstance(statement, Update | Delete)
        and getattr(statement.table, "name", None) == AuditEvent.__tablename__
    ):
        raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")

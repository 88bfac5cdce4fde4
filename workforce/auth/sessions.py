"""Web sign-in sessions, kept on the server.

The cookie carries only a random id (256 bits); the database keeps its SHA-256, whose
session it is, the CSRF token its forms must carry, and when it began, was last used and
ends. A session ends when its hours are up, when its user signs out, and (every session
of the user) when their password is set or they are disabled: a copy of the cookie is
worth nothing after that.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import User, WebSession
from workforce.timeutils import as_utc, utcnow

# How often a session's last use is written down: often enough to see who is signed in,
# rarely enough that reading pages does not turn into writing the database.
TOUCH_EVERY = timedelta(minutes=5)
# Ended and expired sessions are kept this long (for an investigation), then removed.
KEEP_ENDED_FOR = timedelta(days=30)
MAX_SECRET_LENGTH = 100


@dataclass(frozen=True)
class StartedSession:
    """A new session: ``secret`` goes in the cookie and is never stored."""

    row: WebSession
    secret: str


@dataclass(frozen=True)
class ActiveSession:
    """A live session as a request sees it (plain values, usable after its read ends)."""

    id: int
    user_id: int
    email: str
    role: str
    csrf_token: str
    last_seen_at: datetime

    def due_for_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY


def _hash(secret: str) -> str:
    # The id is 256 random bits, so a fast hash is enough (as for API tokens).
    return hashlib.sha256(secret.encode()).hexdigest()


def start(*, session: Session, user_id: int, hours: int, source: str) -> StartedSession:
    """Begin a web session for ``user_id`` lasting ``hours``; return it with its secret."""
    now = utcnow()
    session.execute(
        delete(WebSession)
        .where(col(WebSession.expires_at) < now - KEEP_ENDED_FOR)
        .execution_options(synchronize_session=False)
    )
    secret = secrets.token_urlsafe(32)
    row = WebSession(
        user_id=user_id,
        session_hash=_hash(secret),
        csrf_token=secrets.token_urlsafe(32),
        source=source[:100],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return StartedSession(row=row, secret=secret)


def resolve(*, session: Session, secret: str) -> ActiveSession | None:
    """Return the live session ``secret`` names, or None if it is unknown, ended, expired
    or its user is disabled. Only reads."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    row = session.exec(select(WebSession).where(WebSession.session_hash == _hash(secret))).first()
    if row is None or row.id is None or row.revoked_at is not None:
        return None
    expires_at = as_utc(row.expires_at)
    if expires_at is None or expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return ActiveSession(
        id=row.id,
        user_id=row.user_id,
        email=user.email,
        role=str(user.role),
        csrf_token=row.csrf_token,
        last_seen_at=as_utc(row.last_seen_at) or row.last_seen_at,
    )


def touch(*, session: Session, session_id: int) -> None:
    """Record that a session was used now (unless that was recorded in the last minutes)."""
    now = utcnow()
    session.execute(
        update(WebSession)
        .where(col(WebSession.id) == session_id, col(WebSession.last_seen_at) < now - TOUCH_EVERY)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )


def _end(session: Session, *conditions: ColumnElement[bool], reason: str) -> list[int]:
    now = utcnow()
    ended = session.execute(
        update(WebSession)
        .where(col(WebSession.revoked_at).is_(None), col(WebSession.expires_at) > now, *conditions)
        .values(revoked_at=now, revoked_reason=reason[:40])
        .returning(col(WebSession.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(ended.scalars().all())


def sign_out(*, session: Session, session_id: int, actor: Actor) -> None:
    """End one session, as its user signing out does, and audit it."""
    _end(session, col(WebSession.id) == session_id, reason="signed out")
    audit.record(
        session=session,
        actor=actor,
        action="sign_out",
        entity="user",
        entity_id=actor.user_id,
        summary=f"{actor.name} signed out",
        details={"session": session_id},
    )


def end_all(*, session: Session, user: User, reason: str, actor: Actor) -> int:
    """End every live session of ``user``, audit how many ended, and return that number."""
    ended = _end(session, col(WebSession.user_id) == user.id, reason=reason)
    if ended:
        plural = "s" if len(ended) != 1 else ""
        audit.record(
            session=session,
            actor=actor,
            action="revoke",
            entity="web_session",
            entity_id=None,
            summary=f"{len(ended)} web session{plural} of {user.email} ended: {reason}",
            details={"user": user.email, "sessions": ended, "reason": reason},
        )
    return len(ended)

"""Users and their scope, API tokens, MoU groups, and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from workforce.timeutils import UTCDateTime, utcnow


class Role(StrEnum):
    """The roles a user can hold; what each may do is in ``workforce.auth.permissions``."""

    hr_lead = "hr_lead"
    intervention_lead = "intervention_lead"
    pool_coordinator = "pool_coordinator"
    mou_member = "mou_member"
    kitemark_admin = "kitemark_admin"
    agency_user = "agency_user"
    analyst = "analyst"
    admin = "admin"


class MouGroup(SQLModel, table=True):
    """A regional memorandum-of-understanding group of councils."""

    __tablename__ = "mou_group"

    name: str = Field(primary_key=True, max_length=100)
    description: str = Field(default="", max_length=500)


class MouGroupCouncil(SQLModel, table=True):
    __tablename__ = "mou_group_council"

    group_name: str = Field(foreign_key="mou_group.name", primary_key=True, max_length=100)
    council_code: str = Field(foreign_key="council.code", primary_key=True, max_length=3)


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    role: Role = Field(sa_type=String(30))
    group_name: str | None = Field(default=None, foreign_key="mou_group.name", max_length=100)
    agency_name: str | None = Field(default=None, max_length=200)
    # argon2id hash; None for users who only use API tokens.
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    failed_sign_ins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime())
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class UserCouncil(SQLModel, table=True):
    """A council whose private data a council-scoped user may see."""

    __tablename__ = "user_council"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    council_code: str = Field(foreign_key="council.code", primary_key=True, max_length=3)


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    expires_at: datetime = Field(sa_type=UTCDateTime())
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class WebSession(SQLModel, table=True):
    """A web sign-in. The cookie holds only a random id; the database keeps its SHA-256, so
    ending the row here ends the session wherever the cookie has been copied to."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    session_hash: str = Field(max_length=64, unique=True)
    # Forms and cookie-authenticated API changes must carry this (api/security.py).
    csrf_token: str = Field(max_length=64)
    source: str = Field(default="", max_length=100, description="client address at sign-in")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    expires_at: datetime = Field(sa_type=UTCDateTime(), index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    revoked_reason: str | None = Field(default=None, max_length=40)


class AuditEvent(SQLModel, table=True):
    """One write that matters: who, when, what, from where, and what changed.

    Append-only: the application never updates or deletes a row (a session guard and a
    database trigger both refuse it).
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), index=True)
    actor_user_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=254, description="email, or cli:<name>, or scheduler")
    action: str = Field(max_length=40, index=True)
    entity: str = Field(max_length=60, index=True)
    entity_id: str | None = Field(default=None, max_length=100)
    council_code: str | None = Field(default=None, max_length=40, index=True)
    source: str = Field(default="", max_length=100, description="client address, cli or job")
    summary: str = Field(default="", max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class UserPublic(SQLModel):
    """A user as the API shows them: never a password hash."""

    id: int
    email: str
    name: str
    role: Role
    councils: list[str]
    group: str | None
    agency: str | None
    is_active: bool
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    created_at: datetime


class TokenPublic(SQLModel):
    """A token as the API shows it: its prefix, never the token or its hash."""

    id: int
    user_id: int
    prefix: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    actor_user_id: int | None
    action: str
    entity: str
    entity_id: str | None
    council_code: str | None
    source: str
    summary: str
    details: dict[str, Any]

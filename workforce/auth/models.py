"""Users and their scope, API tokens, MoU groups, and the append-only audit log.

Besides the tables: what an administrator asks to create or change (``UserCreate``,
``UserUpdate``, ``TokenCreate``, ``GroupCreate``), with its checks in the service's own
words, and what the API shows (``UserPublic``, ``TokenPublic``, ``AuditEventPublic``).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import ValidationError, field_validator
from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from workforce.errors import InputDataError, Problem
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


# Each role in words, with its article, for messages: "a council HR lead needs ...".
ROLE_WORDS = {
    Role.hr_lead: "a council HR lead",
    Role.intervention_lead: "a council intervention lead",
    Role.pool_coordinator: "an emergency pool coordinator",
    Role.mou_member: "an MoU group member",
    Role.kitemark_admin: "a kite-mark administrator",
    Role.agency_user: "an agency user",
    Role.analyst: "an analyst",
    Role.admin: "an administrator",
}

# Which scope each role needs: councils, an MoU group, an agency or none.
COUNCIL_ROLES = frozenset({Role.hr_lead, Role.intervention_lead})
SINGLE_COUNCIL_ROLES = frozenset({Role.intervention_lead})

MIN_PASSWORD_LENGTH = 12
MAX_TOKEN_DAYS = 366
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


# --- what an administrator asks for -----------------------------------------------------
#
# The API takes these as request bodies and the command line builds them from its options;
# both are refused with the same problems, whose ``column`` names the field.


def _council_codes(codes: list[str]) -> list[str]:
    return sorted({code.strip().upper() for code in codes if code.strip()})


def _text_or_none(text: str | None) -> str | None:
    return (text or "").strip() or None


def password_problems(password: str) -> list[Problem]:
    """What is wrong with a new password, if anything."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            Problem(
                "user.password",
                f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
                column="password",
            )
        ]
    return []


class AdminInput(SQLModel):
    """A create or change asked for by an administrator.

    ``problems()`` is what is wrong with it on its own; the service adds what the database
    says (duplicates, unknown councils) and refuses with every problem at once.
    """

    # The rule prefix of this input's problems: "user" gives "user.email".
    ENTITY: ClassVar[str] = "input"
    # A field's message when its value is not even of the right kind.
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {}

    @classmethod
    def checked(cls, **fields: Any) -> Self:
        """Build the input from ``fields``; refuse what is not of the right kind with an
        ``InputDataError`` whose problems name the fields."""
        try:
            return cls.model_validate(fields)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else ""
                value = error.get("input")
                problems.append(
                    Problem(
                        f"{cls.ENTITY}.{field}" if field else cls.ENTITY,
                        cls.FIELD_MESSAGES.get(field, error["msg"]),
                        column=field or None,
                        value=None if value is None or isinstance(value, dict) else str(value),
                    )
                )
            raise InputDataError(problems) from None

    def problems(self) -> list[Problem]:
        """What is wrong with this input on its own (nothing, unless a subclass says)."""
        return []


class UserCreate(AdminInput):
    """A new user: their email (their sign-in name), role, and the scope the role needs.

    A council HR lead has one or more councils, a council intervention lead exactly one;
    an MoU group member has their group, an agency user their agency; no other role has a
    scope. The password, when there is one, is set apart from this (it is never shown).
    """

    ENTITY: ClassVar[str] = "user"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "email": "not an email address",
        "role": "unknown role; choose one of " + ", ".join(role.value for role in Role),
    }

    email: str = Field(max_length=254)
    role: Role
    name: str = Field(default="", max_length=200)
    councils: list[str] = Field(default_factory=list, max_length=200)
    group: str | None = Field(default=None, max_length=100)
    agency: str | None = Field(default=None, max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, email: str) -> str:
        return normalise_email(email)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        return name.strip()

    @field_validator("councils")
    @classmethod
    def _councils(cls, councils: list[str]) -> list[str]:
        return _council_codes(councils)

    @field_validator("group", "agency")
    @classmethod
    def _optional_text(cls, text: str | None) -> str | None:
        return _text_or_none(text)

    def problems(self) -> list[Problem]:
        """An email that is not one, and a scope that does not fit the role."""
        problems = []
        role, who, codes = self.role, ROLE_WORDS[self.role], self.councils
        if not EMAIL_PATTERN.match(self.email):
            problems.append(
                Problem("user.email", "not an email address", column="email", value=self.email)
            )
        if role in COUNCIL_ROLES and not codes:
            problems.append(
                Problem("user.scope", f"{who} needs at least one council", column="councils")
            )
        if role in SINGLE_COUNCIL_ROLES and len(codes) > 1:
            problems.append(
                Problem(
                    "user.scope",
                    f"{who} is scoped to one council",
                    column="councils",
                    value=" ".join(codes),
                )
            )
        if role not in COUNCIL_ROLES and codes:
            problems.append(
                Problem(
                    "user.scope",
                    f"{who} is not scoped to councils",
                    column="councils",
                    value=" ".join(codes),
                )
            )
        if role is Role.mou_member and not self.group:
            problems.append(Problem("user.scope", f"{who} needs an MoU group", column="group"))
        if role is not Role.mou_member and self.group:
            problems.append(
                Problem(
                    "user.scope",
                    f"{who} has no MoU group: only an MoU group member does",
                    column="group",
                    value=self.group,
                )
            )
        if role is Role.agency_user and not self.agency:
            problems.append(Problem("user.scope", f"{who} needs an agency", column="agency"))
        if role is not Role.agency_user and self.agency:
            problems.append(
                Problem(
                    "user.scope",
                    f"{who} has no agency: only an agency user does",
                    column="agency",
                    value=self.agency,
                )
            )
        return problems


class UserUpdate(AdminInput):
    """A change to a user: enable or disable them, or set their password (which also
    clears a lock-out). A field left out is left as it is."""

    ENTITY: ClassVar[str] = "user"

    is_active: bool | None = None
    password: str | None = Field(default=None, max_length=1000, repr=False)

    def problems(self) -> list[Problem]:
        return password_problems(self.password) if self.password is not None else []


class TokenCreate(AdminInput):
    """A new API token: what it is for, and how many days it lasts."""

    ENTITY: ClassVar[str] = "token"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "days": f"a token lasts between 1 and {MAX_TOKEN_DAYS} days",
        "name": "a token's name has at most 200 characters",
    }

    name: str = Field(default="", max_length=200)
    days: int = Field(default=90, ge=1, le=MAX_TOKEN_DAYS)

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        return name.strip()


class GroupCreate(AdminInput):
    """A new regional MoU group: its name and member councils."""

    ENTITY: ClassVar[str] = "group"

    name: str = Field(max_length=100)
    councils: list[str] = Field(default_factory=list, max_length=200)
    description: str = Field(default="", max_length=500)

    @field_validator("name", "description")
    @classmethod
    def _text(cls, text: str) -> str:
        return text.strip()

    @field_validator("councils")
    @classmethod
    def _councils(cls, councils: list[str]) -> list[str]:
        return _council_codes(councils)

    def problems(self) -> list[Problem]:
        problems = []
        if not self.name:
            problems.append(Problem("group.name", "a group needs a name", column="name", value=""))
        if not self.councils:
            problems.append(Problem("group.councils", "a group needs councils", column="councils"))
        return problems


def normalise_email(email: str) -> str:
    return email.strip().lower()

"""Users, MoU groups and the principals they act as: reads and small writes.

Passwords are stored only as argon2id hashes (argon2-cffi); every change is audited in
the same transaction. Sign-in is in :mod:`workforce.auth.flows`, API tokens in
:mod:`workforce.auth.tokens`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from sqlmodel import Session, col, select

from workforce.auth import audit, sessions
from workforce.auth.audit import Actor
from workforce.auth.models import (
    MouGroup,
    MouGroupCouncil,
    Role,
    User,
    UserCouncil,
    UserPublic,
)
from workforce.auth.passwords import hash_password
from workforce.auth.permissions import Principal
from workforce.councils.models import Council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.timeutils import as_utc

MIN_PASSWORD_LENGTH = 12
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Which scope each role needs: councils, an MoU group, an agency or none.
COUNCIL_ROLES = {Role.hr_lead, Role.intervention_lead}
SINGLE_COUNCIL_ROLES = {Role.intervention_lead}


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- users ---------------------------------------------------------------------------------


def get_user_by_email(session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFoundError(f"No user with email {email!r}: see `workforce users list`.")
    return user


def user_councils(session: Session, user_id: int) -> list[str]:
    return list(
        session.exec(
            select(UserCouncil.council_code)
            .where(UserCouncil.user_id == user_id)
            .order_by(col(UserCouncil.council_code))
        ).all()
    )


def group_councils(session: Session, group_name: str | None) -> list[str]:
    if not group_name:
        return []
    return list(
        session.exec(
            select(MouGroupCouncil.council_code)
            .where(MouGroupCouncil.group_name == group_name)
            .order_by(col(MouGroupCouncil.council_code))
        ).all()
    )


def list_groups(*, session: Session) -> Sequence[MouGroup]:
    """Return every MoU group, by name."""
    return session.exec(select(MouGroup).order_by(col(MouGroup.name))).all()


def get_user(*, session: Session, user_id: int) -> User | None:
    """Return the user with ``user_id``, or None if there is none."""
    return session.get(User, user_id)


def principal_for(session: Session, user: User) -> Principal:
    """Return the principal (role and scope) that ``user`` acts as."""
    assert user.id is not None
    return Principal(
        user_id=user.id,
        email=user.email,
        role=Role(user.role),
        council_codes=frozenset(user_councils(session, user.id)),
        group_council_codes=frozenset(group_councils(session, user.group_name)),
        agency_name=user.agency_name,
    )


def create_user(
    session: Session,
    *,
    email: str,
    role: Role | str,
    actor: Actor,
    councils: Sequence[str] = (),
    group: str | None = None,
    agency: str | None = None,
    name: str = "",
    password: str | None = None,
) -> User:
    """Create a user with the scope their role needs; refuse a scope that does not fit."""
    email = normalise_email(email)
    problems: list[Problem] = []
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        problems.append(Problem("user.email", "not an email address", column="email", value=email))
    try:
        role = Role(role)
    except ValueError:
        problems.append(
            Problem(
                "user.role",
                "unknown role; choose one of " + ", ".join(r.value for r in Role),
                column="role",
                value=str(role),
            )
        )
        raise InputDataError(problems) from None
    codes = sorted({c.strip().upper() for c in councils if c.strip()})
    if role in COUNCIL_ROLES and not codes:
        problems.append(
            Problem("user.scope", f"a {role.value} needs at least one --council", column="council")
        )
    if role in SINGLE_COUNCIL_ROLES and len(codes) > 1:
        problems.append(
            Problem(
                "user.scope",
                f"a {role.value} is scoped to one council",
                column="council",
                value=" ".join(codes),
            )
        )
    if role not in COUNCIL_ROLES and codes:
        problems.append(
            Problem(
                "user.scope",
                f"a {role.value} is not scoped to councils",
                column="council",
                value=" ".join(codes),
            )
        )
    if (role is Role.mou_member) != bool(group):
        problems.append(
            Problem(
                "user.scope",
                "an MoU group member needs --group, and only they take one",
                column="group",
                value=group or "",
            )
        )
    if (role is Role.agency_user) != bool(agency):
        problems.append(
            Problem(
                "user.scope",
                "an agency user needs --agency, and only they take one",
                column="agency",
                value=agency or "",
            )
        )
    for code in codes:
        council = session.get(Council, code)
        if council is None:
            problems.append(
                Problem("user.council", "no council with this code", column="council", value=code)
            )
        elif council.last_year is not None:
            problems.append(
                Problem(
                    "user.council",
                    f"{council.name} no longer exists; choose its successor",
                    column="council",
                    value=code,
                )
            )
    if group and session.get(MouGroup, group) is None:
        problems.append(
            Problem(
                "user.group",
                "no MoU group with this name: create it with `workforce groups create`",
                column="group",
                value=group,
            )
        )
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        problems.append(
            Problem("user.duplicate", "a user with this email exists", column="email", value=email)
        )
    if password is not None:
        problems.extend(password_problems(password))
    if problems:
        raise InputDataError(problems)

    user = User(
        email=email,
        name=name.strip(),
        role=role,
        group_name=group or None,
        agency_name=(agency or "").strip() or None,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for code in codes:
        session.add(UserCouncil(user_id=user.id, council_code=code))
    audit.record(
        session,
        actor,
        "create",
        "user",
        user.id,
        summary=f"created {role.value} {email}",
        details={
            "email": email,
            "role": role.value,
            "councils": codes,
            "group": group,
            "agency": user.agency_name,
            "password_set": password is not None,
        },
    )
    return user


def list_users(session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.email))).all()


def set_active(session: Session, *, email: str, active: bool, actor: Actor) -> User:
    """Enable or disable a user; a disabled user's sessions end and their tokens stop working."""
    user = get_user_by_email(session, email)
    if user.is_active != active:
        user.is_active = active
        session.add(user)
        audit.record(
            session,
            actor,
            "enable" if active else "disable",
            "user",
            user.id,
            summary=f"{'enabled' if active else 'disabled'} {user.email}",
        )
    if not active:
        # Enabling the user again must not bring these back.
        sessions.end_all(session, user=user, reason="user disabled", actor=actor)
    return user


# --- groups --------------------------------------------------------------------------------


def create_group(
    session: Session, *, name: str, councils: Sequence[str], actor: Actor, description: str = ""
) -> MouGroup:
    """Create a regional MoU group of councils."""
    name = name.strip()
    codes = sorted({c.strip().upper() for c in councils if c.strip()})
    problems = []
    if not name:
        problems.append(Problem("group.name", "a group needs a name", column="name", value=""))
    elif session.get(MouGroup, name) is not None:
        problems.append(
            Problem("group.duplicate", "a group with this name exists", column="name", value=name)
        )
    if not codes:
        problems.append(Problem("group.councils", "a group needs councils", column="council"))
    for code in codes:
        if session.get(Council, code) is None:
            problems.append(
                Problem("group.council", "no council with this code", column="council", value=code)
            )
    if problems:
        raise InputDataError(problems)
    group = MouGroup(name=name, description=description)
    session.add(group)
    session.flush()
    for code in codes:
        session.add(MouGroupCouncil(group_name=name, council_code=code))
    audit.record(
        session,
        actor,
        "create",
        "mou_group",
        name,
        summary=f"created MoU group {name} with {len(codes)} councils",
        details={"councils": codes},
    )
    return group


# --- passwords --------------------------------------------------------------------------


def password_problems(password: str) -> list[Problem]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [
            Problem(
                "user.password",
                f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
                column="password",
            )
        ]
    return []


def generate_password() -> str:
    """Return a random password of about 120 bits, easy to copy."""
    return secrets.token_urlsafe(15)


def set_password(session: Session, *, email: str, password: str, actor: Actor) -> User:
    """Set a user's password (and clear any lock-out); the old one stops working, and so
    does every web session signed in with it."""
    user = get_user_by_email(session, email)
    problems = password_problems(password)
    if problems:
        raise InputDataError(problems)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.add(user)
    audit.record(
        session, actor, "set_password", "user", user.id, summary=f"password set for {user.email}"
    )
    sessions.end_all(session, user=user, reason="password changed", actor=actor)
    return user


def user_public(session: Session, user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        councils=user_councils(session, user.id),
        group=user.group_name,
        agency=user.agency_name,
        is_active=user.is_active,
        locked_until=as_utc(user.locked_until),
        last_sign_in_at=as_utc(user.last_sign_in_at),
        created_at=as_utc(user.created_at) or user.created_at,
    )

"""Users and the principals they act as: reads and small writes (MoU groups are in
:mod:`workforce.mou.service`).

Passwords are stored only as argon2id hashes (argon2-cffi); every change is audited in
the same transaction. Sign-in is in :mod:`workforce.auth.flows`, API tokens in
:mod:`workforce.auth.tokens`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from workforce.auth import audit, sessions
from workforce.auth.audit import Actor
from workforce.auth.models import (
    Role,
    User,
    UserCouncil,
    UserCreate,
    UserPublic,
    UserUpdate,
    normalise_email,
    password_problems,
)
from workforce.auth.passwords import hash_password
from workforce.auth.permissions import Principal
from workforce.councils.models import Council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.mou.models import MouGroup

# The MoU group functions live in workforce.mou.service; these names keep old callers working.
from workforce.mou.service import create_group as create_group
from workforce.mou.service import group_councils
from workforce.mou.service import list_groups as list_groups
from workforce.timeutils import as_utc

# --- users ---------------------------------------------------------------------------------


def get_user_by_email(*, session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFoundError(f"No user with email {email!r}.")
    return user


def user_councils(*, session: Session, user_id: int) -> list[str]:
    return list(
        session.exec(
            select(UserCouncil.council_code)
            .where(UserCouncil.user_id == user_id)
            .order_by(col(UserCouncil.council_code))
        ).all()
    )


def get_user(*, session: Session, user_id: int) -> User | None:
    """Return the user with ``user_id``, or None if there is none."""
    return session.get(User, user_id)


def principal_for(*, session: Session, user: User) -> Principal:
    """Return the principal (role and scope) that ``user`` acts as."""
    assert user.id is not None
    return Principal(
        user_id=user.id,
        email=user.email,
        role=Role(user.role),
        council_codes=frozenset(user_councils(session=session, user_id=user.id)),
        group_council_codes=frozenset(group_councils(session=session, group_name=user.group_name)),
        agency_name=user.agency_name,
    )


def create_user(
    *,
    session: Session,
    new: UserCreate | None = None,
    actor: Actor,
    password: str | None = None,
    **fields: Any,
) -> User:
    """Create the user ``new`` with the scope their role needs; refuse a scope that does
    not fit, with every problem at once.

    Without ``new``, the user is built from ``fields`` (``UserCreate``'s: email, role,
    councils, group, agency, name).
    """
    if new is None:
        new = UserCreate.checked(**fields)
    elif fields:
        raise TypeError("create_user takes a UserCreate or its fields, not both")
    problems = new.problems()
    for code in new.councils:
        council = session.get(Council, code)
        if council is None:
            problems.append(
                Problem("user.council", "no council with this code", column="councils", value=code)
            )
        elif council.last_year is not None:
            problems.append(
                Problem(
                    "user.council",
                    f"{council.name} no longer exists; choose its successor",
                    column="councils",
                    value=code,
                )
            )
    if new.group and session.get(MouGroup, new.group) is None:
        problems.append(
            Problem("user.group", "no MoU group with this name", column="group", value=new.group)
        )
    if session.exec(select(User.id).where(User.email == new.email)).first() is not None:
        problems.append(
            Problem(
                "user.duplicate", "a user with this email exists", column="email", value=new.email
            )
        )
    if password is not None:
        problems.extend(password_problems(password))
    if problems:
        raise InputDataError(problems)

    user = User(
        email=new.email,
        name=new.name,
        role=new.role,
        group_name=new.group,
        agency_name=new.agency,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for code in new.councils:
        session.add(UserCouncil(user_id=user.id, council_code=code))
    audit.record(
        session=session,
        actor=actor,
        action="create",
        entity="user",
        entity_id=user.id,
        summary=f"created {new.role.value} {new.email}",
        details={
            "email": new.email,
            "role": new.role.value,
            "councils": new.councils,
            "group": new.group,
            "agency": new.agency,
            "password_set": password is not None,
        },
    )
    return user


def list_users(*, session: Session) -> Sequence[User]:
    return session.exec(select(User).order_by(col(User.email))).all()


def set_active(*, session: Session, email: str, active: bool, actor: Actor) -> User:
    """Enable or disable a user; a disabled user's sessions end and their tokens stop working."""
    user = get_user_by_email(session=session, email=email)
    if user.is_active != active:
        user.is_active = active
        session.add(user)
        audit.record(
            session=session,
            actor=actor,
            action="enable" if active else "disable",
            entity="user",
            entity_id=user.id,
            summary=f"{'enabled' if active else 'disabled'} {user.email}",
        )
    if not active:
        # Enabling the user again must not bring these back.
        sessions.end_all(session=session, user=user, reason="user disabled", actor=actor)
    return user


def update_user(*, session: Session, email: str, changes: UserUpdate, actor: Actor) -> User:
    """Apply ``changes`` to the user with ``email``: a new password first, then enabling
    or disabling them. Refused whole if the change is not acceptable."""
    problems = changes.problems()
    if problems:
        raise InputDataError(problems)
    user = get_user_by_email(session=session, email=email)
    if changes.password is not None:
        user = set_password(session=session, email=email, password=changes.password, actor=actor)
    if changes.is_active is not None:
        user = set_active(session=session, email=email, active=changes.is_active, actor=actor)
    return user


# --- passwords --------------------------------------------------------------------------


def generate_password() -> str:
    """Return a random password of about 120 bits, easy to copy."""
    return secrets.token_urlsafe(15)


def set_password(*, session: Session, email: str, password: str, actor: Actor) -> User:
    """Set a user's password (and clear any lock-out); the old one stops working, and so
    does every web session signed in with it."""
    user = get_user_by_email(session=session, email=email)
    problems = password_problems(password)
    if problems:
        raise InputDataError(problems)
    user.password_hash = hash_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    session.add(user)
    audit.record(
        session=session,
        actor=actor,
        action="set_password",
        entity="user",
        entity_id=user.id,
        summary=f"password set for {user.email}",
    )
    sessions.end_all(session=session, user=user, reason="password changed", actor=actor)
    return user


def user_public(*, session: Session, user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        councils=user_councils(session=session, user_id=user.id),
        group=user.group_name,
        agency=user.agency_name,
        is_active=user.is_active,
        locked_until=as_utc(user.locked_until),
        last_sign_in_at=as_utc(user.last_sign_in_at),
        created_at=as_utc(user.created_at) or user.created_at,
    )

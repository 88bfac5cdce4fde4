"""Users, passwords, sign-in with lock-out, and API tokens.

Secrets are never stored or logged in clear: passwords as argon2id hashes (argon2-cffi),
tokens as their SHA-256 (a token is 256 random bits, so a fast hash is enough). Every
change is audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from workforce.auth import audit, sessions
from workforce.auth.audit import Actor
from workforce.auth.models import (
    ApiToken,
    MouGroup,
    MouGroupCouncil,
    Role,
    TokenPublic,
    User,
    UserCouncil,
    UserPublic,
)
from workforce.auth.passwords import (
    PasswordChecksBusy,
    hash_password,
    needs_rehash,
    verify_password,
)
from workforce.auth.permissions import Principal
from workforce.councils.models import Council
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.timeutils import as_utc, utcnow

TOKEN_PREFIX = "wf_"  # noqa: S105 (a marker, not a secret)
MAX_FAILED_SIGN_INS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_TOKEN_DAYS = 366
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The one answer to every refused sign-in: it says what to do without saying whether the
# account exists, or is locked.
REFUSED = (
    "The email address or password is not right. "
    f"After {MAX_FAILED_SIGN_INS} failed attempts an account is locked for "
    f"{int(LOCK_OUT_FOR.total_seconds() // 60)} minutes."
)

# Which scope each role needs: councils, an MoU group, an agency or none.
COUNCIL_ROLES = {Role.hr_lead, Role.intervention_lead}
SINGLE_COUNCIL_ROLES = {Role.intervention_lead}


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it does not say which part was wrong)."""


def _problem(rule: str, message: str, column: str, value: object) -> InputDataError:
    return InputDataError([Problem(rule=rule, message=message, column=column, value=str(value))])


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


# --- passwords and sign-in -----------------------------------------------------------------


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


def sign_in(session: Session, *, email: str, password: str, source: str) -> User:
    """Check ``email`` and ``password``; return the user, or refuse and count the failure.

    The password is checked against committed data in a short read of its own, so that
    no transaction, lock or connection is held while the hash is computed. The outcome is
    then written to the caller's transaction in single statements that count atomically
    (``failed_sign_ins = failed_sign_ins + 1 ... RETURNING``): concurrent wrong passwords
    each count, and a right password is refused if they locked the account meanwhile.
    The caller must commit even when :class:`SignInRefused` is raised (the API's session
    does). Every refusal (unknown email, no password, disabled, locked, wrong password)
    costs one password check and gets the same words, so neither the answer nor its
    timing says whether the account exists or is locked. Raises
    :class:`~workforce.auth.passwords.PasswordChecksBusy` (nothing recorded) if no password
    check was free within its wait.
    """
    email = normalise_email(email)
    now = utcnow()
    with Session(session.get_bind(), expire_on_commit=False) as reader:
        found = reader.exec(select(User).where(User.email == email)).first()
    user_id = found.id if found is not None else None
    actor = Actor(name=email[:254] or "(blank)", source=source, user_id=user_id)

    def refuse(reason: str) -> SignInRefused:
        audit.record(
            session, actor, "sign_in_failed", "user", user_id, summary=f"sign-in refused: {reason}"
        )
        return SignInRefused(REFUSED)

    if found is None or found.password_hash is None or not found.is_active:
        verify_password(None, password)
        raise refuse("unknown email" if found is None else "no password or disabled")
    locked_until = as_utc(found.locked_until)
    if locked_until is not None and locked_until > now:
        verify_password(None, password)
        raise refuse("locked")
    if not verify_password(found.password_hash, password):
        failures = session.execute(
            update(User)
            .where(col(User.id) == user_id)
            .values(failed_sign_ins=col(User.failed_sign_ins) + 1)
            .returning(col(User.failed_sign_ins))
            .execution_options(synchronize_session=False)
        ).scalar_one()
        locked = failures >= MAX_FAILED_SIGN_INS
        if locked:
            session.execute(
                update(User)
                .where(col(User.id) == user_id)
                .values(locked_until=now + LOCK_OUT_FOR, failed_sign_ins=0)
                .execution_options(synchronize_session=False)
            )
        raise refuse("wrong password" + ("; account locked" if locked else ""))
    signed_in = session.execute(
        update(User)
        .where(
            col(User.id) == user_id,
            or_(col(User.locked_until).is_(None), col(User.locked_until) <= now),
        )
        .values(failed_sign_ins=0, locked_until=None, last_sign_in_at=now)
        .returning(col(User.id))
        .execution_options(synchronize_session=False)
    ).first()
    if signed_in is None:
        raise refuse("locked by failed attempts at the same time")
    if needs_rehash(found.password_hash):
        # Made with older parameters: rehash with today's, if a check is free right now
        # (else at a later sign-in; the user is not kept waiting for it).
        try:
            new_hash = hash_password(password, wait_seconds=0)
        except PasswordChecksBusy:
            new_hash = None
        if new_hash is not None:
            session.execute(
                update(User)
                .where(col(User.id) == user_id)
                .values(password_hash=new_hash)
                .execution_options(synchronize_session=False)
            )
    audit.record(session, actor, "sign_in", "user", user_id, summary=f"{email} signed in")
    user = session.get(User, user_id, populate_existing=True)
    assert user is not None
    return user


# --- API tokens ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``secret`` is shown to its owner once and never stored."""

    token: ApiToken
    secret: str


def create_token(
    session: Session, *, email: str, actor: Actor, days: int = 90, name: str = ""
) -> IssuedToken:
    """Issue a bearer token for a user, valid for ``days`` days."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise _problem(
            "token.days", f"a token lasts between 1 and {MAX_TOKEN_DAYS} days", "days", days
        )
    user = get_user_by_email(session, email)
    assert user.id is not None
    if not user.is_active:
        raise _problem("token.user", "this user is disabled", "email", user.email)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_token_hash(secret),
        prefix=secret[:10],
        name=name.strip()[:200],
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "issue",
        "api_token",
        token.id,
        summary=f"token {token.prefix}... issued to {user.email} for {days} days",
        details={"user": user.email, "expires_at": token.expires_at.isoformat(), "name": name},
    )
    return IssuedToken(token=token, secret=secret)


def resolve_token(session: Session, secret: str) -> User | None:
    """Return the active user a token belongs to, or None if it is unknown, revoked or expired.

    Records the token's last use (at most once a minute, to spare the database).
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret))).first()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    expires_at = as_utc(token.expires_at)
    if expires_at is None or expires_at <= now:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    last_used = as_utc(token.last_used_at)
    if last_used is None or now - last_used > timedelta(minutes=1):
        token.last_used_at = now
        session.add(token)
    return user


def list_tokens(session: Session, *, user_id: int | None = None) -> Sequence[ApiToken]:
    statement = select(ApiToken).order_by(col(ApiToken.id))
    if user_id is not None:
        statement = statement.where(ApiToken.user_id == user_id)
    return session.exec(statement).all()


def revoke_token(
    session: Session, *, token_id: int, actor: Actor, owner_id: int | None = None
) -> ApiToken:
    """Revoke a token at once. With ``owner_id``, only that user's token may be revoked."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner_id is not None and token.user_id != owner_id):
        raise NotFoundError(f"No token with id {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        owner = session.get(User, token.user_id)
        audit.record(
            session,
            actor,
            "revoke",
            "api_token",
            token.id,
            summary=f"token {token.prefix}... of {owner.email if owner else '?'} revoked",
        )
    return token


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


def token_public(token: ApiToken) -> TokenPublic:
    assert token.id is not None
    return TokenPublic(
        id=token.id,
        user_id=token.user_id,
        prefix=token.prefix,
        name=token.name,
        created_at=as_utc(token.created_at) or token.created_at,
        expires_at=as_utc(token.expires_at) or token.expires_at,
        last_used_at=as_utc(token.last_used_at),
        revoked_at=as_utc(token.revoked_at),
    )

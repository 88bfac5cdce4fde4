"""Sign-in: the password check, failure counting and lock-out, in one flow.

Every refused sign-in costs one password check and gets the same words, so neither the
answer nor its timing says whether an account exists or is locked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import User
from workforce.auth.passwords import (
    PasswordChecksBusy,
    hash_password,
    needs_rehash,
    verify_password,
)
from workforce.auth.service import normalise_email
from workforce.timeutils import as_utc, utcnow

MAX_FAILED_SIGN_INS = 5
LOCK_OUT_FOR = timedelta(minutes=15)
# The one answer to every refused sign-in: it says what to do without saying whether the
# account exists, or is locked.
REFUSED = (
    "The email address or password is not right. "
    f"After {MAX_FAILED_SIGN_INS} failed attempts an account is locked for "
    f"{int(LOCK_OUT_FOR.total_seconds() // 60)} minutes."
)


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it does not say which part was wrong)."""


def sign_in(*, session: Session, email: str, password: str, source: str) -> User:
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
            session=session,
            actor=actor,
            action="sign_in_failed",
            entity="user",
            entity_id=user_id,
            summary=f"sign-in refused: {reason}",
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
    audit.record(
        session=session,
        actor=actor,
        action="sign_in",
        entity="user",
        entity_id=user_id,
        summary=f"{email} signed in",
    )
    user = session.get(User, user_id, populate_existing=True)
    assert user is not None
    return user

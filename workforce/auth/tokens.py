"""API tokens: issue, resolve, list and revoke.

A token is stored only as its SHA-256 (a token is 256 random bits, so a fast hash is
enough) and shown to its owner once. Every change is audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import ApiToken, TokenCreate, TokenPublic, User
from workforce.auth.service import get_user_by_email
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.timeutils import as_utc, utcnow

TOKEN_PREFIX = "wf_"  # noqa: S105 (a marker, not a secret)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``secret`` is shown to its owner once and never stored."""

    token: ApiToken
    secret: str


def create_token(
    *,
    session: Session,
    new: TokenCreate | None = None,
    email: str,
    actor: Actor,
    **fields: Any,
) -> IssuedToken:
    """Issue the token ``new`` for the user with ``email`` (without ``new``, one built from
    ``fields``: days, name)."""
    if new is None:
        new = TokenCreate.checked(**fields)
    elif fields:
        raise TypeError("create_token takes a TokenCreate or its fields, not both")
    user = get_user_by_email(session=session, email=email)
    assert user.id is not None
    if not user.is_active:
        raise InputDataError(
            [Problem("token.user", "this user is disabled", column="email", value=user.email)]
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_token_hash(secret),
        prefix=secret[:10],
        name=new.name,
        expires_at=utcnow() + timedelta(days=new.days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="issue",
        entity="api_token",
        entity_id=token.id,
        summary=f"token {token.prefix}... issued to {user.email} for {new.days} days",
        details={"user": user.email, "expires_at": token.expires_at.isoformat(), "name": new.name},
    )
    return IssuedToken(token=token, secret=secret)


def resolve_token(*, session: Session, secret: str) -> User | None:
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


def list_tokens(*, session: Session, user_id: int | None = None) -> Sequence[ApiToken]:
    statement = select(ApiToken).order_by(col(ApiToken.id))
    if user_id is not None:
        statement = statement.where(ApiToken.user_id == user_id)
    return session.exec(statement).all()


def revoke_token(
    *, session: Session, token_id: int, actor: Actor, owner_id: int | None = None
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
            session=session,
            actor=actor,
            action="revoke",
            entity="api_token",
            entity_id=token.id,
            summary=f"token {token.prefix}... of {owner.email if owner else '?'} revoked",
        )
    return token


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

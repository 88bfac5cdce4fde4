"""Administration: users, tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.deps import SessionDep
from api.formats import Format, FormatQuery, respond
from api.params import MAX_ID, RowId
from api.security import AuditReader, UserManager, actor_for
from workforce.auth import audit
from workforce.auth import service as auth_service
from workforce.auth import tokens as auth_tokens
from workforce.auth.models import AuditEventPublic, TokenPublic, UserCreate, UserPublic

router = APIRouter(prefix="/api", tags=["administration"])


@router.get("/users", response_model=list[UserPublic])
def list_users(session: SessionDep, _: UserManager) -> list[UserPublic]:
    """Every user with their role and scope."""
    return [
        auth_service.user_public(session=session, user=u)
        for u in auth_service.list_users(session=session)
    ]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(
    request: Request, session: SessionDep, principal: UserManager, body: UserCreate
) -> UserPublic:
    """Create a user. They sign in to the pages once a password is set (CLI), or use tokens."""
    user = auth_service.create_user(session=session, new=body, actor=actor_for(request, principal))
    return auth_service.user_public(session=session, user=user)


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(session: SessionDep, _: UserManager) -> list[TokenPublic]:
    """Every API token (prefixes only)."""
    return [auth_tokens.token_public(t) for t in auth_tokens.list_tokens(session=session)]


@router.delete("/tokens/{token_id}", response_model=TokenPublic)
def revoke_token(
    request: Request, session: SessionDep, principal: UserManager, token_id: RowId
) -> TokenPublic:
    """Revoke any user's token; it stops working at once."""
    token = auth_tokens.revoke_token(
        session=session, token_id=token_id, actor=actor_for(request, principal)
    )
    return auth_tokens.token_public(token)


@router.get("/audit", response_model=list[AuditEventPublic])
def read_audit(
    session: SessionDep,
    _: AuditReader,
    format: FormatQuery = Format.json,
    actor: Annotated[str | None, Query(description="Email, cli:<name> or scheduler.")] = None,
    action: Annotated[
        str | None, Query(description="create, import, sign_in, sign_in_failed, revoke ...")
    ] = None,
    entity: Annotated[str | None, Query(description="user, api_token, publication ...")] = None,
    entity_id: Annotated[str | None, Query()] = None,
    council: Annotated[str | None, Query(description="DfE council code.")] = None,
    since: Annotated[
        datetime | None, Query(description="ISO date-time, inclusive; UTC if it has no zone.")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="ISO date-time, exclusive; UTC if it has no zone.")
    ] = None,
    before_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Next page: entries older than this id."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> Any:
    """The audit log, newest first, filtered by any of its fields."""
    rows = audit.query(
        session=session,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        council_code=council,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    events = [AuditEventPublic.model_validate(r, from_attributes=True) for r in rows]
    return respond(events, format, "audit")

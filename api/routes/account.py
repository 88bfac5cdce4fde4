"""The signed-in user's own account and tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from api.deps import SessionDep
from api.params import RowId
from api.security import OwnAccount, actor_for
from workforce.auth import service as auth_service
from workforce.auth import tokens as auth_tokens
from workforce.auth.models import TokenPublic, User, UserPublic
from workforce.auth.permissions import PERMISSIONS, Action

router = APIRouter(prefix="/api", tags=["account"])


class Me(BaseModel):
    user: UserPublic
    may: dict[str, str] = {}


@router.get("/me", response_model=Me)
def me(session: SessionDep, principal: OwnAccount) -> Me:
    """Who you are signed in as, your scope, and what your role may do (and where)."""
    user = session.get(User, principal.user_id)
    assert user is not None
    return Me(
        user=auth_service.user_public(session=session, user=user),
        may={
            action.value: scope.value
            for action, scope in PERMISSIONS[principal.role].items()
            if isinstance(action, Action)
        },
    )


@router.get("/me/tokens", response_model=list[TokenPublic])
def my_tokens(session: SessionDep, principal: OwnAccount) -> list[TokenPublic]:
    """Your API tokens (prefixes only; a token is shown once, when issued)."""
    return [
        auth_tokens.token_public(t)
        for t in auth_tokens.list_tokens(session=session, user_id=principal.user_id)
    ]


@router.delete("/me/tokens/{token_id}", response_model=TokenPublic)
def revoke_my_token(
    request: Request, session: SessionDep, principal: OwnAccount, token_id: RowId
) -> TokenPublic:
    """Revoke one of your own tokens; it stops working at once."""
    token = auth_tokens.revoke_token(
        session=session,
        token_id=token_id,
        actor=actor_for(request, principal),
        owner_id=principal.user_id,
    )
    return auth_tokens.token_public(token)

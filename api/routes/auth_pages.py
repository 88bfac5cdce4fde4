"""Signing in and out of the pages, and the signed-in user's account page."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.account_words import role_in_words, what_you_can_do
from api.deps import SessionDep
from api.navigation import landing_path, reach_of
from api.params import RowId
from api.rendering import render
from api.security import (
    SESSION_ID,
    OwnAccount,
    actor_for,
    check_csrf,
    client_address,
    signed_in,
)
from workforce.auth import flows as sign_in_flow
from workforce.auth import service as auth_service
from workforce.auth import sessions as web_sessions
from workforce.auth import tokens as auth_tokens
from workforce.auth.audit import Actor
from workforce.auth.limits import SignInLimits
from workforce.auth.models import User
from workforce.auth.passwords import PasswordChecksBusy
from workforce.auth.permissions import Action, Decision, authorize

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it is a page of this service, else "" (the user's own start)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return ""


def _start_page(*, session: Session, user: User, asked: str) -> str:
    """Return where a user goes once signed in: the page they asked for, else their role's
    own start (``api.navigation.landing_path``)."""
    return _safe_next(asked) or landing_path(reach_of(session=session, user=user))


_limits_lock = threading.Lock()


def _sign_in_limits(request: Request) -> SignInLimits:
    """Return the app's sign-in rate limits (kept in this process), made on first use."""
    with _limits_lock:
        limits: SignInLimits | None = getattr(request.app.state, "sign_in_limits", None)
        if limits is None:
            settings = request.app.state.settings
            limits = SignInLimits(
                per_address=settings.sign_in_attempts_per_address,
                per_account=settings.sign_in_attempts_per_account,
                window_seconds=settings.sign_in_window_seconds,
            )
            request.app.state.sign_in_limits = limits
        return limits


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", next=_safe_next(next), email="", errors=[])


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    errors = []
    status_code, headers = 400, {}
    if not email.strip():
        errors.append({"field": "email", "text": "Enter your email address"})
    if not password:
        errors.append({"field": "password", "text": "Enter your password"})
    if not errors:
        # Counted before any password is checked: a burst costs no hashing past the limit.
        too_many = _sign_in_limits(request).admit(
            address=client_address(request), email=auth_service.normalise_email(email)
        )
        if too_many is not None:
            errors.append({"field": "email", "text": too_many.message})
            status_code, headers = 429, {"Retry-After": str(too_many.retry_after)}
    if not errors:
        try:
            user = sign_in_flow.sign_in(
                session=session, email=email, password=password, source=client_address(request)
            )
        except sign_in_flow.SignInRefused as exc:
            errors.append({"field": "email", "text": str(exc)})
        except PasswordChecksBusy as exc:
            errors.append({"field": "email", "text": str(exc)})
            status_code, headers = 503, {"Retry-After": str(exc.retry_after)}
        else:
            assert user.id is not None
            previous = signed_in(request)
            if previous is not None:
                web_sessions.sign_out(
                    session=session,
                    session_id=previous.id,
                    actor=Actor(previous.email, client_address(request), previous.user_id),
                )
            started = web_sessions.start(
                session=session,
                user_id=user.id,
                hours=request.app.state.settings.session_hours,
                source=client_address(request),
            )
            # A fresh cookie on sign-in holding only the new session's id: nothing from
            # before survives (session fixation), and nothing in it says who this is.
            request.session.clear()
            request.session[SESSION_ID] = started.secret
            return RedirectResponse(
                _start_page(session=session, user=user, asked=next), status_code=303
            )
    response = render(
        request,
        "sign_in.html",
        status_code=status_code,
        next=_safe_next(next),
        email=email,
        errors=errors,
    )
    response.headers.update(headers)
    return response


@router.post("/sign-out")
def sign_out(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
) -> Response:
    """Sign out: the session ends on the server (the guard has checked the CSRF token)."""
    current = signed_in(request)
    if current is not None:
        web_sessions.sign_out(
            session=session, session_id=current.id, actor=actor_for(request, principal)
        )
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: SessionDep, principal: OwnAccount) -> Response:
    """Your account: your role and scope in words, what you can do, your API tokens."""
    user = session.get(User, principal.user_id)
    assert user is not None
    reach = reach_of(session=session, user=user)
    return render(
        request,
        "account.html",
        user=auth_service.user_public(session=session, user=user),
        role_words=role_in_words(reach),
        you_can=what_you_can_do(reach),
        councils=reach.councils,
        start=landing_path(reach),
        tokens=[
            auth_tokens.token_public(t)
            for t in auth_tokens.list_tokens(session=session, user_id=principal.user_id)
        ],
        may_read_audit=authorize(principal, Action.read_audit) is Decision.allowed,
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_own_token(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    token_id: RowId,
) -> Response:
    """Revoke one of the user's own tokens (the guard has checked the CSRF token)."""
    auth_tokens.revoke_token(
        session=session,
        token_id=token_id,
        actor=actor_for(request, principal),
        owner_id=principal.user_id,
    )
    return RedirectResponse("/account", status_code=303)

"""Who is asking, and may they? Every route is either public (``api/public_routes.py``) or
guarded.

A request is authenticated by a bearer token (``Authorization: Bearer wf_...``) or by the
session cookie the sign-in page sets. The cookie (signed, HttpOnly) holds only the random
id of a session kept in the database (``workforce/auth/sessions.py``), which
:class:`WebSessions` looks up once per request; signing out, a new password or disabling
the user ends it there. Guards come from :func:`guard`; they ask
``workforce.auth.permissions.authorize`` and nothing else. ``tests/api/test_route_coverage``
walks the application's routes and fails on any route that is neither public nor guarded.

Cookie-authenticated requests that change something must carry the session's CSRF token
(a form field ``csrf_token`` or an ``X-CSRF-Token`` header); token-authenticated requests
need not, since a browser never sends a bearer token on its own. A signed-in session's
token is kept with it in the database and dies with it; before sign-in, the sign-in form's
token lives in the signed cookie.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import SessionDep
from api.public_routes import PUBLIC_MOUNTS
from workforce.auth import service as auth_service
from workforce.auth import sessions as web_sessions
from workforce.auth import tokens as auth_tokens
from workforce.auth.audit import Actor
from workforce.auth.models import Role, User
from workforce.auth.permissions import PERMISSIONS, Action, Decision, Principal, authorize
from workforce.councils.models import Council
from workforce.councils.service import find_council
from workforce.errors import NotFoundError
from workforce.returns.models import CouncilReturn
from workforce.timeutils import utcnow

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The signed cookie's keys: the session's random id once signed in, the sign-in form's
# CSRF token before.
SESSION_ID = "sid"
SESSION_CSRF = "csrf"

log = logging.getLogger("workforce.api")


class NotAuthenticated(Exception):
    """401: no credentials, or credentials that are not (or no longer) valid."""

    def __init__(self, message: str, error: str | None = None):
        super().__init__(message)
        self.error = error

    @property
    def www_authenticate(self) -> str:
        value = 'Bearer realm="workforce"'
        if self.error:
            value += f', error="{self.error}"'
        return value


class Forbidden(Exception):
    """403: signed in, but this role may not do this."""


class CsrfFailed(Exception):
    """403: a cookie-authenticated change without the session's CSRF token."""


def _resolve_web_session(engine: Engine, secret: str) -> web_sessions.ActiveSession | None:
    with Session(engine, expire_on_commit=False) as session:
        found = web_sessions.resolve(session=session, secret=secret)
        session.rollback()  # the read ends before any write (SQLite cannot upgrade it safely)
        if found is not None and found.due_for_touch(utcnow()):
            try:
                web_sessions.touch(session=session, session_id=found.id)
                session.commit()
            except SQLAlchemyError:
                # Only a note of the last use: never worth failing or holding up a request.
                session.rollback()
                log.debug("could not record the last use of web session %s", found.id)
    return found


class WebSessions:
    """Look up the web session a request's cookie names, once, before the route runs.

    Sits inside ``SessionMiddleware`` (which checks the cookie's signature) and uses a short
    database session of its own in a worker thread, closed before the route takes its own,
    so a request never holds two connections. An ended or unknown session is dropped from
    the cookie. Static files are not looked up.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(tuple(PUBLIC_MOUNTS)):
            cookie = scope.get("session")
            secret = cookie.get(SESSION_ID) if cookie else None
            if secret and isinstance(cookie, dict):
                found = await run_in_threadpool(
                    _resolve_web_session, scope["app"].state.engine, str(secret)
                )
                scope.setdefault("state", {})["web_session"] = found
                if found is None:
                    cookie.pop(SESSION_ID, None)
        await self.app(scope, receive, send)


def signed_in(request: Request) -> web_sessions.ActiveSession | None:
    """Return the live web session the request's cookie names (None: not signed in)."""
    found = getattr(request.state, "web_session", None)
    return found if isinstance(found, web_sessions.ActiveSession) else None


def signed_in_email(request: Request) -> str | None:
    """Return the email of whoever is signed in with the request's cookie (pages show it)."""
    found = signed_in(request)
    return found.email if found else None


def signed_in_may(request: Request, action: str) -> bool:
    """Whether the signed-in user's role may take ``action`` at all (for showing links: the
    route's guard still decides)."""
    found = signed_in(request)
    if found is None:
        return False
    try:
        return Action(action) in PERMISSIONS.get(Role(found.role), {})
    except ValueError:
        return False


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it if needed (templates call this)."""
    found = signed_in(request)
    if found is not None:
        return found.csrf_token
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise :class:`CsrfFailed` unless ``submitted`` is this session's CSRF token."""
    found = signed_in(request)
    expected = found.csrf_token if found is not None else request.session.get(SESSION_CSRF)
    if not expected or not submitted or not hmac.compare_digest(str(expected), submitted):
        raise CsrfFailed(
            "This form has expired or did not come from this service. "
            "Go back, reload the page and try again."
        )


def _user_from_request(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise NotAuthenticated(
                "Send an API token as 'Authorization: Bearer <token>' "
                "(`workforce tokens create --email ...` issues one).",
                error="invalid_request",
            )
        user = auth_tokens.resolve_token(session=session, secret=value.strip())
        if user is None:
            raise NotAuthenticated(
                "This API token is not valid: it is unknown, expired or revoked. "
                "Ask an administrator for a new one.",
                error="invalid_token",
            )
        request.state.auth_via = "token"
        return user
    found = signed_in(request)
    if found is None:
        return None
    user = session.get(User, found.user_id)
    if user is None or not user.is_active:
        return None
    request.state.auth_via = "cookie"
    return user


def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    """Return who is asking, or None for an anonymous request (public routes only)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    user = _user_from_request(request, session)
    if user is None:
        return None
    principal = auth_service.principal_for(session=session, user=user)
    request.state.principal = principal
    return principal


async def submitted_csrf_token(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> str | None:
    """Return the CSRF token a request carries, from its header or its form.

    The form (which may be an upload) is read only for a signed-in, cookie-authenticated
    change: nobody else can make the service read a large body.
    """
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if (
        principal is None
        or request.method in SAFE_METHODS
        or getattr(request.state, "auth_via", "") != "cookie"
    ):
        return None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def guard(action: Action) -> Callable[..., Awaitable[Principal]]:
    """Return a dependency that lets through only principals allowed ``action``."""

    async def dependency(
        request: Request,
        principal: Annotated[Principal | None, Depends(optional_principal)],
        submitted_csrf: Annotated[str | None, Depends(submitted_csrf_token)],
    ) -> Principal:
        if principal is None:
            raise NotAuthenticated(
                "Sign in to do this: send an API token as 'Authorization: Bearer <token>', "
                "or sign in at /sign-in."
            )
        if authorize(principal, action) is Decision.forbidden:
            raise Forbidden(
                f"Your role ({principal.role.value}) may not {action.value.replace('_', ' ')}. "
                "Ask an administrator if you need this."
            )
        if request.method not in SAFE_METHODS and getattr(request.state, "auth_via", "") == (
            "cookie"
        ):
            check_csrf(request, submitted_csrf)
        return principal

    dependency.__guard_action__ = action  # type: ignore[attr-defined]
    dependency.__name__ = f"guard_{action.value}"
    return dependency


def require_council(principal: Principal, action: Action, session: Session, code: str) -> Council:
    """Return the council ``code`` names if ``principal`` may do ``action`` to its data.

    A council outside the principal's reach is answered as not found, so that a user of
    one council cannot learn what another has (or has not) sent.
    """
    council = find_council(session=session, code=code)
    if authorize(principal, action, council.code) is not Decision.allowed:
        raise NotFoundError(
            f"Nothing found for council {code!r} that you can see: your account reaches "
            "only its own councils' data."
        )
    return council


def require_return(principal: Principal, session: Session, return_id: int) -> CouncilReturn:
    """Return the council return ``return_id`` if ``principal`` may read its council's data;
    one outside their reach is answered exactly as one that does not exist."""
    row = session.get(CouncilReturn, return_id)
    if row is None or (
        authorize(principal, Action.read_council_private, row.council_code) is not Decision.allowed
    ):
        raise NotFoundError(f"No return with id {return_id} that you can see.")
    return row


OwnAccount = Annotated[Principal, Depends(guard(Action.own_account))]
CouncilPrivateReader = Annotated[Principal, Depends(guard(Action.read_council_private))]
ReturnSubmitter = Annotated[Principal, Depends(guard(Action.submit_council_return))]
AuditReader = Annotated[Principal, Depends(guard(Action.read_audit))]
UserManager = Annotated[Principal, Depends(guard(Action.manage_users))]


def actor_for(request: Request, principal: Principal) -> Actor:
    """Return the audit actor for a request: the user, and the address they came from."""
    return Actor(name=principal.email, source=client_address(request), user_id=principal.user_id)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"

"""Where each kind of user starts, and the service navigation they see.

One place decides both, so that a user's landing page after signing in is always one of
the links in their navigation, marked there as the current page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from fastapi import Request
from sqlmodel import Session, col, select

from api.security import signed_in
from workforce.agencies.service import agency_of_user
from workforce.auth.models import Role, User
from workforce.auth.permissions import PERMISSIONS, Action
from workforce.auth.service import user_councils
from workforce.councils.models import Council


@dataclass(frozen=True)
class Reach:
    """The signed-in user's role and scope, with the names the pages show."""

    role: Role
    councils: dict[str, str] = field(default_factory=dict)  # code -> name
    group: str | None = None
    agency_name: str | None = None
    agency_id: int | None = None

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]

    @property
    def only_council(self) -> str | None:
        """The council's code when the user's scope is exactly one council."""
        return next(iter(self.councils)) if len(self.councils) == 1 else None


def reach_of(*, session: Session, user: User) -> Reach:
    """Return ``user``'s role and scope, with council names and their agency's register id."""
    assert user.id is not None
    codes = user_councils(session=session, user_id=user.id)
    names = {
        c.code: c.name for c in session.exec(select(Council).where(col(Council.code).in_(codes)))
    }
    agency = agency_of_user(session=session, user=user)
    return Reach(
        role=Role(user.role),
        councils={code: names.get(code, code) for code in codes},
        group=user.group_name,
        agency_name=user.agency_name,
        agency_id=agency.id if agency is not None else None,
    )


def group_path(name: str) -> str:
    return "/mou/groups/" + quote(name, safe="")


def landing_path(reach: Reach) -> str:
    """Return the page a user starts on after signing in (when no other page was asked for)."""
    if reach.role is Role.hr_lead and reach.only_council:
        return f"/councils/{reach.only_council}/returns"
    if reach.role is Role.mou_member and reach.group:
        return group_path(reach.group)
    if reach.role is Role.intervention_lead:
        return "/pool/requests"  # which leads to their council's requests
    if reach.role is Role.pool_coordinator:
        return "/pool"
    if reach.role is Role.kitemark_admin:
        return "/kitemarks"
    if reach.role is Role.agency_user and reach.agency_id is not None:
        return f"/kitemarks/{reach.agency_id}"
    return "/account"


@dataclass(frozen=True)
class NavItem:
    """A link of the service navigation; ``also`` are other paths that are this page (where
    a link redirects), ``under`` path prefixes of the pages within its section."""

    text: str
    href: str
    also: tuple[str, ...] = ()
    under: tuple[str, ...] = ()


PUBLIC_ITEMS = (
    NavItem("Councils", "/", under=("/councils/",)),
    NavItem("England", "/england"),
    NavItem("Early warnings", "/early-warnings"),
    NavItem("Methods", "/methods"),
    NavItem("Agency rates", "/rate-index"),
    NavItem("Kite-mark register", "/kitemarks", under=("/kitemarks/", "/kitemark/")),
    NavItem("API", "/docs"),
)


def own_items(reach: Reach) -> list[NavItem]:
    """The links a signed-in user's role and scope give them, before the public ones."""
    items = []
    code = reach.only_council
    if reach.role is Role.hr_lead and code:
        items.append(NavItem("Returns", f"/councils/{code}/returns", under=("/returns/",)))
    if reach.may(Action.manage_pool):
        items.append(NavItem("Emergency pool", "/pool"))
        items.append(NavItem("Pool report", "/pool/report"))
    elif reach.may(Action.request_pool_staff):
        also = (f"/councils/{code}/pool",) if code else ()
        items.append(NavItem("Pool requests", "/pool/requests", also=also))
    if reach.role is Role.mou_member and reach.group:
        home = group_path(reach.group)
        items.append(NavItem(reach.group, home, under=(unquote(home) + "/digests/",)))
        items.append(NavItem("Findings", home + "/findings"))
    elif reach.may(Action.read_mou_rates):
        items.append(NavItem("MoU groups", "/mou/groups", under=("/mou/groups/",)))
    if reach.may(Action.manage_kitemark):
        items.append(NavItem("Unmatched agency names", "/kitemark/unmatched"))
    if reach.role is Role.agency_user and reach.agency_id is not None:
        items.append(NavItem("Your agency", f"/kitemarks/{reach.agency_id}"))
    if reach.may(Action.read_audit):
        items.append(NavItem("Audit log", "/admin/audit"))
    return items


def _request_reach(request: Request) -> Reach | None:
    """The signed-in user's reach, looked up once per request (None: nobody signed in)."""
    if hasattr(request.state, "reach"):
        found: Reach | None = request.state.reach
        return found
    reach = None
    active = signed_in(request)
    if active is not None:
        with Session(request.app.state.engine) as session:
            user = session.get(User, active.user_id)
            if user is not None and user.is_active:
                reach = reach_of(session=session, user=user)
    request.state.reach = reach
    return reach


def service_navigation(request: Request) -> list[dict[str, object]]:
    """Return the navigation's items for GOV.UK's service navigation component: the page
    being shown marked ``current`` (aria-current="page"), its section ``active``."""
    reach = _request_reach(request)
    items = [*(own_items(reach) if reach else []), *PUBLIC_ITEMS]
    if reach is not None:
        email = signed_in(request)
        items.append(NavItem(email.email if email else "Your account", "/account"))
    else:
        items.append(NavItem("Sign in", "/sign-in"))
    path = request.url.path
    exact = [i for i in items if path in {unquote(i.href), *i.also}]
    within = [i for i in items if any(path.startswith(p) for p in i.under)]
    current = exact[0] if exact else None
    active = None if current else (within[0] if within else None)
    return [
        {"text": i.text, "href": i.href, "current": i is current, "active": i is active}
        for i in items
    ]

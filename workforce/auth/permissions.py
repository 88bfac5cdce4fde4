"""The one place that says which role may do what, to which council's data.

Every route and service asks :func:`authorize`; nothing else decides. Published
statistics, council reference data and the public kite-mark register need no permission
at all (see ``api.public_routes.PUBLIC_ROUTES``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from workforce.auth.models import Role


class Action(StrEnum):
    """Things a signed-in user may be allowed to do."""

    own_account = "own_account"
    read_council_private = "read_council_private"  # returns, worker-level data, dashboards
    submit_council_return = "submit_council_return"
    request_pool_staff = "request_pool_staff"
    manage_pool = "manage_pool"
    read_mou_rates = "read_mou_rates"
    manage_kitemark = "manage_kitemark"
    apply_for_kitemark = "apply_for_kitemark"
    read_audit = "read_audit"
    manage_users = "manage_users"


DESCRIPTIONS = {
    Action.own_account: "see their own account and revoke their own tokens",
    Action.read_council_private: "read a council's unpublished data (returns, worker records)",
    Action.submit_council_return: "upload a council's workforce return",
    Action.request_pool_staff: "request emergency pool staff for a council",
    Action.manage_pool: "onboard pool workers, run matching, manage placements",
    Action.read_mou_rates: "read member councils' agency rates against the MoU caps",
    Action.manage_kitemark: "assess, award, suspend and revoke kite-marks",
    Action.apply_for_kitemark: "apply for a kite-mark and supply evidence (own agency)",
    Action.read_audit: "read the audit log",
    Action.manage_users: "create users, set roles and scopes, revoke any token",
}


class Scope(StrEnum):
    """Which councils an allowed action reaches."""

    all_councils = "all councils"
    own_councils = "own councils"
    group_councils = "MoU group's councils"
    not_council = "-"


ALL = Scope.all_councils
OWN = Scope.own_councils
GROUP = Scope.group_councils
NONE = Scope.not_council

# role -> action -> the councils it reaches. An action absent for a role is refused.
PERMISSIONS: dict[Role, dict[Action, Scope]] = {
    Role.hr_lead: {
        Action.own_account: NONE,
        Action.read_council_private: OWN,
        Action.submit_council_return: OWN,
    },
    Role.intervention_lead: {
        Action.own_account: NONE,
        Action.read_council_private: OWN,
        Action.request_pool_staff: OWN,
    },
    Role.pool_coordinator: {
        Action.own_account: NONE,
        Action.manage_pool: NONE,
    },
    Role.mou_member: {
        Action.own_account: NONE,
        Action.read_mou_rates: GROUP,
    },
    Role.kitemark_admin: {
        Action.own_account: NONE,
        Action.manage_kitemark: NONE,
    },
    Role.agency_user: {
        Action.own_account: NONE,
        Action.apply_for_kitemark: NONE,
    },
    Role.analyst: {
        Action.own_account: NONE,
        Action.read_council_private: ALL,
        Action.read_mou_rates: ALL,
    },
    Role.admin: {
        action: (
            ALL
            if action
            in {
                Action.read_council_private,
                Action.submit_council_return,
                Action.request_pool_staff,
                Action.read_mou_rates,
            }
            else NONE
        )
        for action in Action
    },
}
# Actions that change something; an analyst, for one, holds none of them.
WRITES = {
    Action.submit_council_return,
    Action.request_pool_staff,
    Action.manage_pool,
    Action.manage_kitemark,
    Action.apply_for_kitemark,
    Action.manage_users,
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user with their role and scope."""

    user_id: int
    email: str
    role: Role
    council_codes: frozenset[str] = field(default_factory=frozenset)
    group_council_codes: frozenset[str] = field(default_factory=frozenset)
    agency_name: str | None = None


class Decision(StrEnum):
    allowed = "allowed"
    forbidden = "forbidden"  # 403: the role may never do this
    hidden = "hidden"  # 404: another council's private data; do not reveal it exists


def authorize(principal: Principal, action: Action, council_code: str | None = None) -> Decision:
    """Return whether ``principal`` may do ``action`` (to ``council_code``'s data, if given)."""
    scope = PERMISSIONS[principal.role].get(action)
    if scope is None:
        return Decision.forbidden
    if council_code is None or scope in (ALL, NONE):
        return Decision.allowed
    reach = principal.council_codes if scope is OWN else principal.group_council_codes
    return Decision.allowed if council_code in reach else Decision.hidden


def councils_in_reach(principal: Principal, action: Action) -> frozenset[str] | None:
    """Return the council codes ``action`` reaches for ``principal`` (None: every council)."""
    scope = PERMISSIONS[principal.role].get(action)
    if scope is None:
        return frozenset()
    if scope in (ALL, NONE):
        return None
    return principal.council_codes if scope is OWN else principal.group_council_codes


def permission_table(roles: Iterable[Role] = Role) -> str:
    """Return the role-by-action table as Markdown (the README's table is this, verbatim)."""
    roles = list(roles)
    header = "| action | " + " | ".join(role.value for role in roles) + " |"
    rule = "| --- |" + " --- |" * len(roles)
    lines = [header, rule]
    for action in Action:
        cells = []
        for role in roles:
            scope = PERMISSIONS[role].get(action)
            cells.append("no" if scope is None else ("yes" if scope is NONE else scope.value))
        lines.append(f"| {DESCRIPTIONS[action]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

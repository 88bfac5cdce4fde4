"""A user's role, scope and permissions in words, for their account page.

The permissions themselves come from ``workforce.auth.permissions`` (the one model every
route's guard asks); this module only says them to the user, in the second person.
"""

from __future__ import annotations

from api.navigation import Reach
from workforce.auth.models import Role
from workforce.auth.permissions import PERMISSIONS, Action, Scope

ROLE_NAMES = {
    Role.hr_lead: "HR lead",
    Role.intervention_lead: "Intervention lead",
    Role.pool_coordinator: "Emergency pool coordinator",
    Role.mou_member: "Member",
    Role.kitemark_admin: "Kite-mark administrator",
    Role.agency_user: "Agency user",
    Role.analyst: "Analyst",
    Role.admin: "Administrator",
}

# What each action lets "you" do; {reach} is the councils it reaches, in words.
YOU_CAN = {
    Action.own_account: "see this page and revoke your own API tokens",
    Action.read_council_private: (
        "read the figures not yet published (returns, worker records) of {reach}"
    ),
    Action.submit_council_return: "send and correct the quarterly workforce return of {reach}",
    Action.request_pool_staff: "ask the emergency pool for staff for {reach}",
    Action.manage_pool: "onboard pool workers, run matching and manage placements",
    Action.read_mou_rates: "read the agency rates paid by {reach} against the MoU caps",
    Action.manage_kitemark: "assess agencies and award, suspend or revoke kite-marks",
    Action.apply_for_kitemark: "apply for a kite-mark for {agency} and supply its evidence",
    Action.read_audit: "read the audit log",
    Action.manage_users: "create users, set their roles and scopes, and revoke any API token",
}


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def role_in_words(reach: Reach) -> str:
    """Return the role with its scope: "HR lead for Knowsley", "Member of the ... MoU"."""
    name = ROLE_NAMES[reach.role]
    if reach.role in (Role.hr_lead, Role.intervention_lead) and reach.councils:
        return f"{name} for {_and(list(reach.councils.values()))}"
    if reach.role is Role.mou_member and reach.group:
        return f"{name} of the {reach.group} group"
    if reach.role is Role.agency_user and reach.agency_name:
        return f"{name} for {reach.agency_name}"
    if reach.role is Role.analyst:
        return f"{name}, across every council"
    return name


def _reach_words(reach: Reach, scope: Scope) -> str:
    if scope is Scope.own_councils:
        return _and(list(reach.councils.values())) if reach.councils else "your councils"
    if scope is Scope.group_councils:
        return f"the councils in the {reach.group} group" if reach.group else "your group"
    return "every council"


def what_you_can_do(reach: Reach) -> list[str]:
    """Return, for each action the role holds, what it lets the user do: "You can ..."."""
    return [
        "You can "
        + YOU_CAN[action].format(
            reach=_reach_words(reach, scope), agency=reach.agency_name or "your agency"
        )
        + "."
        for action, scope in PERMISSIONS[reach.role].items()
    ]

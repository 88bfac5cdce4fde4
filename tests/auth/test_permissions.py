"""The permission model itself, and the README's table of it."""

from pathlib import Path

from workforce.auth.models import Role
from workforce.auth.permissions import (
    DESCRIPTIONS,
    PERMISSIONS,
    WRITES,
    Action,
    Decision,
    Principal,
    authorize,
    councils_in_reach,
    permission_table,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_role_table_is_the_permission_model() -> None:
    text = README.read_text(encoding="utf-8")
    table = permission_table()
    assert table in text, (
        "README.md's role table differs from the permission model; paste in the output of "
        "`python -c 'from workforce.auth.permissions import permission_table as t; print(t())'`"
    )


def test_every_role_has_an_entry_and_every_action_a_description() -> None:
    assert set(PERMISSIONS) == set(Role)
    table = permission_table()
    for action in Action:
        assert f"| {DESCRIPTIONS[action]} |" in table, action
    assert len(table.splitlines()) == 2 + len(Action)
    assert table.splitlines()[0].count("|") == len(Role) + 2


def test_analyst_reads_every_council_and_writes_nothing() -> None:
    analyst = Principal(user_id=1, email="a@x", role=Role.analyst)
    assert authorize(analyst, Action.read_council_private, "202") is Decision.allowed
    assert authorize(analyst, Action.read_council_private, "909") is Decision.allowed
    assert councils_in_reach(analyst, Action.read_council_private) is None
    for action in WRITES:
        assert authorize(analyst, action) is Decision.forbidden, action


def test_hr_lead_reaches_only_their_councils() -> None:
    lead = Principal(user_id=1, email="h@x", role=Role.hr_lead, council_codes=frozenset({"202"}))
    assert authorize(lead, Action.read_council_private, "202") is Decision.allowed
    assert authorize(lead, Action.submit_council_return, "202") is Decision.allowed
    assert authorize(lead, Action.read_council_private, "203") is Decision.hidden
    assert authorize(lead, Action.submit_council_return, "203") is Decision.hidden
    assert authorize(lead, Action.manage_users) is Decision.forbidden
    assert authorize(lead, Action.read_audit) is Decision.forbidden
    assert councils_in_reach(lead, Action.read_council_private) == {"202"}
    assert councils_in_reach(lead, Action.manage_pool) == frozenset()


def test_mou_member_reaches_their_group_only() -> None:
    member = Principal(
        user_id=1, email="m@x", role=Role.mou_member, group_council_codes=frozenset({"202", "204"})
    )
    assert authorize(member, Action.read_mou_rates, "204") is Decision.allowed
    assert authorize(member, Action.read_mou_rates, "203") is Decision.hidden
    assert authorize(member, Action.read_council_private, "202") is Decision.forbidden


def test_only_admins_read_the_audit_log_and_manage_users() -> None:
    for role in Role:
        allowed = authorize(Principal(1, "x@x", role), Action.read_audit) is Decision.allowed
        assert allowed == (role is Role.admin), role
        allowed = authorize(Principal(1, "x@x", role), Action.manage_users) is Decision.allowed
        assert allowed == (role is Role.admin), role

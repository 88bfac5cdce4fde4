"""Where each role starts after signing in, and the account page's words for its role."""

from __future__ import annotations

import pytest

from api.account_words import ROLE_NAMES, YOU_CAN, role_in_words, what_you_can_do
from api.navigation import Reach, landing_path, own_items
from workforce.auth.models import Role
from workforce.auth.permissions import Action

KNOWSLEY = {"340": "Knowsley"}


@pytest.mark.parametrize(
    ("reach", "start"),
    [
        (Reach(Role.hr_lead, councils=KNOWSLEY), "/councils/340/returns"),
        (Reach(Role.hr_lead, councils={"340": "Knowsley", "341": "Liverpool"}), "/account"),
        (Reach(Role.mou_member, group="North West MoU"), "/mou/groups/North%20West%20MoU"),
        (Reach(Role.intervention_lead, councils=KNOWSLEY), "/pool/requests"),
        (Reach(Role.pool_coordinator), "/pool"),
        (Reach(Role.kitemark_admin), "/kitemarks"),
        (Reach(Role.agency_user, agency_name="Acme", agency_id=7), "/kitemarks/7"),
        (Reach(Role.agency_user, agency_name="Not yet registered"), "/account"),
        (Reach(Role.analyst), "/account"),
        (Reach(Role.admin), "/account"),
    ],
)
def test_each_role_starts_on_its_own_page(reach: Reach, start: str) -> None:
    assert landing_path(reach) == start


@pytest.mark.parametrize(
    "reach",
    [
        Reach(Role.hr_lead, councils=KNOWSLEY),
        Reach(Role.mou_member, group="North West MoU"),
        Reach(Role.intervention_lead, councils=KNOWSLEY),
        Reach(Role.pool_coordinator),
        Reach(Role.agency_user, agency_name="Acme", agency_id=7),
    ],
)
def test_a_roles_start_page_is_one_of_its_navigation_links(reach: Reach) -> None:
    assert landing_path(reach) in {item.href for item in own_items(reach)}


def test_every_role_and_action_is_said_in_words() -> None:
    assert set(ROLE_NAMES) == set(Role)
    assert set(YOU_CAN) == set(Action)


def test_the_role_is_said_with_its_scope() -> None:
    assert role_in_words(Reach(Role.hr_lead, councils=KNOWSLEY)) == "HR lead for Knowsley"
    assert (
        role_in_words(Reach(Role.intervention_lead, councils={"1": "Camden", "2": "Greenwich"}))
        == "Intervention lead for Camden and Greenwich"
    )
    assert (
        role_in_words(Reach(Role.mou_member, group="North West MoU"))
        == "Member of the North West MoU group"
    )
    assert role_in_words(Reach(Role.agency_user, agency_name="Acme")) == "Agency user for Acme"


def test_what_you_can_do_follows_the_permission_model_in_the_second_person() -> None:
    said = what_you_can_do(Reach(Role.hr_lead, councils=KNOWSLEY))
    assert said == [
        "You can see this page and revoke your own API tokens.",
        "You can read the figures not yet published (returns, worker records) of Knowsley.",
        "You can send and correct the quarterly workforce return of Knowsley.",
    ]
    member = what_you_can_do(Reach(Role.mou_member, group="North West MoU"))
    assert member[-1] == (
        "You can read the agency rates paid by the councils in the North West MoU group "
        "against the MoU caps."
    )
    assert all(s.startswith("You can ") for s in what_you_can_do(Reach(Role.admin)))

"""The pool's vocabulary: roles and their grade ladder, specialisms, priority tiers.

Kept apart from the tables so the matcher (:mod:`workforce.pool.matching`), the importer
and the models share one list of codes and labels.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class PoolRole(StrEnum):
    social_worker = "social_worker"
    senior_social_worker = "senior_social_worker"
    advanced_practitioner = "advanced_practitioner"
    practice_lead = "practice_lead"
    team_manager = "team_manager"
    iro_cp_chair = "iro_cp_chair"


ROLE_LABELS: dict[PoolRole, str] = {
    PoolRole.social_worker: "social worker",
    PoolRole.senior_social_worker: "senior social worker",
    PoolRole.advanced_practitioner: "advanced practitioner",
    PoolRole.practice_lead: "practice lead",
    PoolRole.team_manager: "team manager",
    PoolRole.iro_cp_chair: "IRO/CP chair",
}

# The grade ladder a request's "a grade up or down" moves along. An IRO or child
# protection chair is an independent statutory role off the ladder: only an IRO/CP chair
# fills an IRO/CP chair post, and an IRO/CP chair fills no other.
GRADE: dict[PoolRole, int | None] = {
    PoolRole.social_worker: 1,
    PoolRole.senior_social_worker: 2,
    PoolRole.advanced_practitioner: 3,
    PoolRole.practice_lead: 4,
    PoolRole.team_manager: 5,
    PoolRole.iro_cp_chair: None,
}


class Specialism(StrEnum):
    child_protection = "child_protection"
    looked_after_children = "looked_after_children"
    front_door = "front_door"
    court_work = "court_work"
    leaving_care = "leaving_care"
    disabled_children = "disabled_children"
    fostering_adoption = "fostering_adoption"
    practice_supervision = "practice_supervision"


SPECIALISM_LABELS: dict[Specialism, str] = {
    Specialism.child_protection: "child protection",
    Specialism.looked_after_children: "looked-after children",
    Specialism.front_door: "front door/MASH",
    Specialism.court_work: "court work",
    Specialism.leaving_care: "leaving care",
    Specialism.disabled_children: "disabled children",
    Specialism.fostering_adoption: "fostering and adoption",
    Specialism.practice_supervision: "practice supervision",
}


class Tier(IntEnum):
    """A request's priority, 1 first. From the council's status on the day it is matched:
    a statutory direction or a commissioner, then an inadequate latest judgement, then
    requires improvement, then any other; a coordinator may raise it with a reason."""

    intervention = 1
    inadequate = 2
    requires_improvement = 3
    other = 4


TIER_LABELS: dict[Tier, str] = {
    Tier.intervention: "statutory direction or commissioner",
    Tier.inadequate: "inadequate",
    Tier.requires_improvement: "requires improvement",
    Tier.other: "other",
}

# Registration is current when Social Work England shows it registered and it was checked
# within this many days of the assignment's start.
REGISTRATION_CHECK_DAYS = 90
MIN_YEARS_QUALIFIED = 3
COOLING_OFF_MONTHS = 3

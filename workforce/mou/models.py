"""Regional MoU groups: members over time, rate caps by role, on-cost rates and findings.

A group's caps and the on-cost rates are dated and never overwritten: a new figure gets a
new effective-from date, and an assignment is judged against what was in force on the day
it started. Findings are what the assessment (``workforce/mou/flows.py``) found in the
agency assignments councils uploaded; each names the assignment, the rule, the figures and
the return it came from.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from workforce.timeutils import UTCDateTime, utcnow


class RoleCategory(StrEnum):
    """The DfE agency rules' capped role categories."""

    social_worker = "social_worker"
    senior_social_worker = "senior_social_worker"
    advanced_practitioner = "advanced_practitioner"
    team_manager = "team_manager"
    iro_cp_chair = "iro_cp_chair"


ROLE_CATEGORY_LABELS: dict[RoleCategory, str] = {
    RoleCategory.social_worker: "Social worker",
    RoleCategory.senior_social_worker: "Senior social worker",
    RoleCategory.advanced_practitioner: "Advanced practitioner (including assistant team "
    "managers and principal social workers)",
    RoleCategory.team_manager: "Team manager",
    RoleCategory.iro_cp_chair: "Independent reviewing officer / child-protection chair",
}

# The quarterly return's role groups and the capped category each falls in. Senior and
# middle managers are not capped by the rules.
ROLE_GROUP_CATEGORY: dict[str, RoleCategory | None] = {
    "social_worker": RoleCategory.social_worker,
    "senior_practitioner": RoleCategory.senior_social_worker,
    "advanced_practitioner": RoleCategory.advanced_practitioner,
    "team_manager": RoleCategory.team_manager,
    "iro_cp_chair": RoleCategory.iro_cp_chair,
    "senior_middle_manager": None,
}


class PayRoute(StrEnum):
    """How an agency worker is paid, which decides the employer on-costs on their pay."""

    paye = "paye"
    umbrella = "umbrella"
    limited_company = "limited_company"


PAY_ROUTE_LABELS: dict[PayRoute, str] = {
    PayRoute.paye: "PAYE through the agency",
    PayRoute.umbrella: "umbrella company",
    PayRoute.limited_company: "limited company",
}


class MouGroup(SQLModel, table=True):
    """A regional memorandum-of-understanding group of councils."""

    __tablename__ = "mou_group"

    name: str = Field(primary_key=True, max_length=100)
    description: str = Field(default="", max_length=500)
    cooling_off_months: int = Field(
        default=3,
        description="months after leaving a permanent post in a member council during which "
        "the worker may not be engaged as an agency worker in the group",
    )
    rules_from: date | None = Field(
        default=None,
        description="the day the group's caps first applied to new assignments; an "
        "assignment that started earlier is transitional",
    )
    is_example: bool = Field(
        default=False, description="made-up figures for the demonstration, labelled so"
    )


class MouGroupCouncil(SQLModel, table=True):
    """A council's membership of a group, from the day it joined to the day it left."""

    __tablename__ = "mou_group_council"

    group_name: str = Field(foreign_key="mou_group.name", primary_key=True, max_length=100)
    council_code: str = Field(foreign_key="council.code", primary_key=True, max_length=3)
    joined_on: date | None = Field(default=None, description="blank: a member from the start")
    left_on: date | None = Field(default=None, description="blank: still a member")


class RateCap(SQLModel, table=True):
    """A group's hourly cap for one role category from one day on (pay plus on-costs)."""

    __tablename__ = "mou_rate_cap"
    # The unique constraint's index serves the look-up of the cap in force.
    __table_args__ = (UniqueConstraint("group_name", "role_category", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    group_name: str = Field(foreign_key="mou_group.name", max_length=100)
    role_category: RoleCategory = Field(sa_type=String(30))
    effective_from: date
    hourly_cap: float = Field(description="pounds an hour: pay plus employer on-costs")
    is_example: bool = Field(default=False, description="made up for the demonstration")
    source: str = Field(default="", max_length=300, description="where the figure comes from")
    set_by: str = Field(default="", max_length=254)
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class OnCostRate(SQLModel, table=True):
    """Employer on-costs added to a worker's hourly pay for one pay route, from one day on.

    A rate is a share of pay (0.15 is 15%). The comparable rate judged against a cap is
    pay x (1 + employer NI + apprenticeship levy + other on-costs).
    """

    __tablename__ = "on_cost_rate"
    __table_args__ = (UniqueConstraint("pay_route", "effective_from"),)

    id: int | None = Field(default=None, primary_key=True)
    pay_route: PayRoute = Field(sa_type=String(20))
    effective_from: date
    employer_ni: float = 0.0
    apprenticeship_levy: float = 0.0
    other: float = Field(default=0.0, description="any further on-cost the rules count")
    source: str = Field(default="", max_length=300)
    set_by: str = Field(default="", max_length=254)
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class FindingStatus(StrEnum):
    breach = "breach"  # a rule was broken
    transitional = "transitional"  # started before the group's rules applied
    not_assessable = "not_assessable"  # the return does not hold what the check needs


class MouFinding(SQLModel, table=True):
    """One rule's finding on one agency assignment, for one group."""

    __tablename__ = "mou_finding"
    __table_args__ = (
        UniqueConstraint("group_name", "assignment_id", "rule"),
        Index("ix_mou_finding_group_council", "group_name", "council_code"),
        Index("ix_mou_finding_group_rule", "group_name", "rule"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_name: str = Field(foreign_key="mou_group.name", max_length=100)
    assignment_id: int = Field(foreign_key="agency_assignment.id", index=True)
    return_id: int = Field(foreign_key="council_return.id")
    council_code: str = Field(max_length=3)
    agency_name: str = Field(max_length=200)
    rule: str = Field(max_length=40)
    status: FindingStatus = Field(sa_type=String(20))
    role_category: RoleCategory | None = Field(default=None, sa_type=String(30))
    start_date: date
    comparable_rate: float | None = Field(default=None, description="pounds an hour")
    cap: float | None = None
    cap_effective_from: date | None = None
    excess: float | None = Field(default=None, description="pounds an hour above the cap")
    excess_share: float | None = Field(default=None, description="excess / cap")
    derivation: str = Field(default="", max_length=500, description="how the rate was found")
    message: str = Field(max_length=1000)
    first_found_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    last_found_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class MouDigest(SQLModel, table=True):
    """A digest written for a group: the files in the reports folder and what they cover."""

    __tablename__ = "mou_digest"

    id: int | None = Field(default=None, primary_key=True)
    group_name: str = Field(foreign_key="mou_group.name", max_length=100, index=True)
    period_start: date
    period_end: date
    html_path: str = Field(max_length=500)
    csv_path: str = Field(max_length=500)
    findings: int = 0
    new_findings: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())

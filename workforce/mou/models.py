"""Regional MoU groups: members over time, rate caps by role, on-cost rates and findings.

A group's caps and the on-cost rates are dated and never overwritten: a new figure gets a
new effective-from date, and an assignment is judged against what was in force on the day
it started. Findings are what the assessment (``workforce/mou/flows.py``) found in the
agency assignments councils uploaded; each names the assignment, the rule, the figures and
the return it came from.

Over 400 lines because it holds, as every domain's models.py does, the tables and every
shape the API and CLI validate with or answer in (26 classes of a few lines each); split,
a reader would have to look in two places for one table's input and output.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import field_validator
from sqlalchemy import Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from workforce.auth.models import AdminInput, GroupCreate
from workforce.errors import Problem
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
    """A council's membership of a group, from the day it joined to the day it left.

    A council that left may join again: each stay is its own row, the stays of a council in
    a group never overlap (the service checks, under the group's write lock), and at most
    one is open, with no ``left_on`` (the partial unique index makes sure).
    """

    __tablename__ = "mou_group_council"
    __table_args__ = (
        Index(
            "uq_mou_group_council_open",
            "group_name",
            "council_code",
            unique=True,
            sqlite_where=text("left_on IS NULL"),
            postgresql_where=text("left_on IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_name: str = Field(foreign_key="mou_group.name", index=True, max_length=100)
    council_code: str = Field(foreign_key="council.code", index=True, max_length=3)
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


# --- what an administrator asks to create or change, and what readers are shown -----------

MAX_HOURLY_FIGURE = 1000.0  # pounds an hour: anything above is a typing error
MAX_ON_COST_SHARE = 1.0  # an on-cost is a share of pay: 1.0 would double it


class MouGroupCreate(GroupCreate):
    """A new regional MoU group: its name, member councils, cooling-off months and the day
    its caps first applied to new assignments."""

    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "cooling_off_months": "cooling-off is a whole number of months between 0 and 60",
        "rules_from": "not a date (use YYYY-MM-DD)",
    }

    cooling_off_months: int = Field(default=3, ge=0, le=60)
    rules_from: date | None = None
    is_example: bool = False


class MembershipChange(AdminInput):
    """A council joining or leaving a group on a day (blank: today when leaving, from the
    start when joining)."""

    ENTITY: ClassVar[str] = "member"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {"on": "not a date (use YYYY-MM-DD)"}

    group_name: str = Field(max_length=100)
    council_code: str = Field(max_length=3)
    on: date | None = None

    @field_validator("group_name")
    @classmethod
    def _name(cls, name: str) -> str:
        return name.strip()

    @field_validator("council_code")
    @classmethod
    def _code(cls, code: str) -> str:
        return code.strip().upper()

    def problems(self) -> list[Problem]:
        problems = []
        if not self.group_name:
            problems.append(Problem("member.group", "name the group", column="group_name"))
        if not self.council_code:
            problems.append(Problem("member.council", "name the council", column="council_code"))
        return problems


class CapCreate(AdminInput):
    """A group's hourly cap for one role category from one day on."""

    ENTITY: ClassVar[str] = "cap"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "role_category": "unknown role category; choose one of "
        + ", ".join(category.value for category in RoleCategory),
        "effective_from": "not a date (use YYYY-MM-DD)",
        "hourly_cap": f"a cap is pounds and whole pence an hour, above 0 and at most "
        f"{MAX_HOURLY_FIGURE:.0f}",
    }

    group_name: str = Field(max_length=100)
    role_category: RoleCategory
    effective_from: date
    hourly_cap: float = Field(gt=0, le=MAX_HOURLY_FIGURE)
    is_example: bool = False
    source: str = Field(default="", max_length=300)

    @field_validator("group_name", "source")
    @classmethod
    def _text(cls, text: str) -> str:
        return text.strip()

    @field_validator("hourly_cap")
    @classmethod
    def _pence(cls, cap: float) -> float:
        if abs(cap * 100 - round(cap * 100)) > 1e-6:
            raise ValueError("a cap is in pounds and whole pence")
        return round(cap, 2)

    def problems(self) -> list[Problem]:
        problems = []
        if not self.group_name:
            problems.append(Problem("cap.group", "name the group", column="group_name"))
        if not self.source:
            problems.append(
                Problem("cap.source", "say where the figure comes from", column="source")
            )
        return problems


class OnCostRateCreate(AdminInput):
    """Employer on-cost rates (shares of pay) for one pay route from one day on."""

    ENTITY: ClassVar[str] = "on_cost"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "pay_route": "unknown pay route; choose one of "
        + ", ".join(route.value for route in PayRoute),
        "effective_from": "not a date (use YYYY-MM-DD)",
        "employer_ni": "a share of pay between 0 and 1 (0.15 is 15%)",
        "apprenticeship_levy": "a share of pay between 0 and 1 (0.005 is 0.5%)",
        "other": "a share of pay between 0 and 1",
    }

    pay_route: PayRoute
    effective_from: date
    employer_ni: float = Field(default=0.0, ge=0, le=MAX_ON_COST_SHARE)
    apprenticeship_levy: float = Field(default=0.0, ge=0, le=MAX_ON_COST_SHARE)
    other: float = Field(default=0.0, ge=0, le=MAX_ON_COST_SHARE)
    source: str = Field(default="", max_length=300)

    @field_validator("source")
    @classmethod
    def _text(cls, text: str) -> str:
        return text.strip()

    def problems(self) -> list[Problem]:
        if not self.source:
            return [Problem("on_cost.source", "say where the rates come from", column="source")]
        return []


class MouGroupPublic(SQLModel):
    name: str
    description: str
    cooling_off_months: int
    rules_from: date | None
    is_example: bool
    councils: list[str] = Field(description="members today")


class MembershipPublic(SQLModel):
    council_code: str
    joined_on: date | None
    left_on: date | None


class RateCapPublic(SQLModel):
    id: int
    group_name: str
    role_category: RoleCategory
    effective_from: date
    hourly_cap: float
    is_example: bool
    source: str
    set_by: str
    set_at: datetime


class OnCostRatePublic(SQLModel):
    id: int
    pay_route: PayRoute
    effective_from: date
    employer_ni: float
    apprenticeship_levy: float
    other: float
    source: str
    set_by: str
    set_at: datetime


class MouFindingPublic(SQLModel):
    id: int
    group_name: str
    assignment_id: int
    return_id: int
    council_code: str
    agency_name: str
    rule: str
    status: FindingStatus
    role_category: RoleCategory | None
    start_date: date
    comparable_rate: float | None
    cap: float | None
    cap_effective_from: date | None
    excess: float | None
    excess_share: float | None
    derivation: str
    message: str
    first_found_at: datetime
    last_found_at: datetime


# --- what the API answers (read models; the tables above are unchanged) -------------------


class CapHistoryPublic(RateCapPublic):
    """A cap as a group's page and API show it: labelled if made up, marked if in force."""

    label: str = Field(description='"example figure" for a made-up cap, else blank')
    in_force: bool = Field(description="the cap in force today for its role")


class RateCellPublic(SQLModel):
    """One group's rates for one role category in one quarter."""

    group_name: str
    role_category: RoleCategory
    quarter: str
    assignments: int
    councils: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    maximum: float | None
    basis: str = Field(description="comparable (pay plus on-costs) or pay (hourly pay only)")
    cap: float | None = Field(default=None, description="the cap in force at quarter end")
    cap_is_example: bool = False
    above_cap_spend_share: float | None = Field(
        default=None, description="share of the cell's agency spend on assignments above cap"
    )


class ComparisonCellPublic(SQLModel):
    """A group's median rate for one role and quarter, or why it is not shown."""

    group_name: str
    role_category: RoleCategory
    quarter: str
    median: float | None
    basis: str | None
    assignments: int | None
    suppressed: bool
    reason: str = ""


class RateIndexCellPublic(SQLModel):
    """The public index: a region's median agency rate for one role and quarter."""

    region_code: str
    region_name: str
    role_category: RoleCategory
    quarter: str
    median: float | None
    assignments: int | None
    basis: str | None
    suppressed: bool
    reason: str = ""


class FindingCountPublic(SQLModel):
    """How many findings one council or one agency has, by status."""

    name: str
    breaches: int
    transitional: int
    not_assessable: int
    total: int


class SpendAboveCapPublic(SQLModel):
    """A group's agency spend in one quarter and the share of it on assignments above cap."""

    group_name: str
    quarter: str
    spend_weight: float = Field(description="sum of charge rate x days in the quarter")
    above_cap_weight: float
    share: float | None
    rule: str


class MouDigestPublic(SQLModel):
    id: int
    group_name: str
    period_start: date
    period_end: date
    findings: int
    new_findings: int
    created_at: datetime
    html_file: str
    csv_file: str


class GroupRatesPublic(SQLModel):
    """A group's rates by role and quarter, its spend above cap and the cross-region
    comparison, with the rules they are built by."""

    group_name: str
    cells: list[RateCellPublic]
    spend_above_cap: list[SpendAboveCapPublic]
    comparison: list[ComparisonCellPublic]
    basis: dict[str, str] = Field(description="what each basis of a rate means")
    spend_rule: str
    suppression_rule: str

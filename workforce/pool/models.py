"""The emergency pool's tables and the shapes the API and CLI validate with and answer in.

- A **pool worker** holds only what matching needs (role, Social Work England number and
  registration, date qualified, specialisms, intervention experience, where they will work,
  availability, past permanent posts for cooling-off, references held, day rate) and a name
  for the coordinator to reach them by. Pool coordinators see workers; a council sees a
  worker only once placed with it.
- An **intervention** is a council's statutory direction or commissioner, with dates,
  recorded by an admin; it puts the council's requests in the first priority tier.
- A **request** is a council's call for posts; its **match runs** store each proposal with
  its score breakdown and each unfilled post with its reason and nearest miss.
- An **offer** turns a proposal into a question to the worker and the council; both
  accepting makes a **placement**. A worker never holds two overlapping placements: each
  acceptance locks the worker's row (PostgreSQL) or the database (SQLite) and checks.

Over 400 lines because it holds, as every domain's models.py does, the tables and every
shape the API and CLI validate with or answer in (29 classes of a few lines each); split,
a reader would have to look in two places for one table's input and output.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import model_validator
from sqlalchemy import JSON, CheckConstraint, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from workforce.auth.models import AdminInput
from workforce.errors import Problem
from workforce.pool.terms import PoolRole, Specialism, Tier
from workforce.timeutils import UTCDateTime, utcnow


class Registration(StrEnum):
    """A worker's Social Work England registration as last checked."""

    registered = "registered"
    suspended = "suspended"
    removed = "removed"
    not_found = "not_found"


class AreaKind(StrEnum):
    region = "region"
    council = "council"


class InterventionKind(StrEnum):
    statutory_direction = "statutory_direction"
    commissioner = "commissioner"


class RequestStatus(StrEnum):
    open = "open"
    filled = "filled"
    withdrawn = "withdrawn"


class OfferStatus(StrEnum):
    open = "open"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"


class Answer(StrEnum):
    accepted = "accepted"
    declined = "declined"


# --- workers ----------------------------------------------------------------------------------


class PoolWorker(SQLModel, table=True):
    __tablename__ = "pool_worker"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: PoolRole = Field(sa_type=String(30))
    swe_number: str = Field(max_length=12, unique=True, description="Social Work England")
    registration: Registration = Field(sa_type=String(20))
    registration_checked: date | None = None
    qualified_on: date
    intervention_experience: bool = False
    home_region: str = Field(foreign_key="region.code", max_length=9)
    remote: bool = Field(default=False, description="willing to work remotely")
    references_held: int = 0
    day_rate: float = Field(description="expected day rate, pounds")
    active: bool = True
    is_example: bool = Field(default=False, description="made up for the demonstration")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class PoolWorkerSpecialism(SQLModel, table=True):
    __tablename__ = "pool_worker_specialism"

    worker_id: int = Field(foreign_key="pool_worker.id", primary_key=True)
    specialism: Specialism = Field(sa_type=String(30), primary_key=True)


class PoolWorkerArea(SQLModel, table=True):
    """A region or a council the worker will work in."""

    __tablename__ = "pool_worker_area"

    worker_id: int = Field(foreign_key="pool_worker.id", primary_key=True)
    kind: AreaKind = Field(sa_type=String(10), primary_key=True)
    code: str = Field(max_length=9, primary_key=True)


class PoolAvailability(SQLModel, table=True):
    __tablename__ = "pool_availability"
    __table_args__ = (CheckConstraint("start_date <= end_date", name="availability_dates"),)

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="pool_worker.id", index=True)
    start_date: date
    end_date: date


class PoolPermanentPost(SQLModel, table=True):
    """A permanent post the worker held, for cooling-off."""

    __tablename__ = "pool_permanent_post"

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="pool_worker.id", index=True)
    council_code: str = Field(foreign_key="council.code", max_length=9)
    left_on: date


# --- councils' status and requests -------------------------------------------------------------


class Intervention(SQLModel, table=True):
    __tablename__ = "pool_intervention"

    id: int | None = Field(default=None, primary_key=True)
    council_code: str = Field(foreign_key="council.code", max_length=9, index=True)
    kind: InterventionKind = Field(sa_type=String(30))
    start_date: date
    end_date: date | None = None
    note: str = Field(default="", max_length=1000)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class PoolRequest(SQLModel, table=True):
    __tablename__ = "pool_request"
    __table_args__ = (
        CheckConstraint("posts >= 1", name="request_posts"),
        CheckConstraint("onsite_days BETWEEN 0 AND 5", name="request_onsite_days"),
        CheckConstraint("start_date <= end_date", name="request_dates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_code: str = Field(foreign_key="council.code", max_length=9, index=True)
    role: PoolRole = Field(sa_type=String(30))
    grade_flex: bool = Field(default=False, description="a grade up or down allowed")
    posts: int
    start_date: date
    end_date: date
    onsite_days: int = Field(description="days a week on site; 0: fully remote allowed")
    max_day_rate: float
    reason: str = Field(max_length=2000)
    status: RequestStatus = Field(default=RequestStatus.open, sa_type=String(20))
    tier_raised_to: int | None = Field(
        default=None, description="a coordinator's raise: the Tier (1 first) it is raised to"
    )
    tier_reason: str = Field(default="", max_length=1000)
    is_example: bool = False
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class PoolRequestSpecialism(SQLModel, table=True):
    __tablename__ = "pool_request_specialism"

    request_id: int = Field(foreign_key="pool_request.id", primary_key=True)
    specialism: Specialism = Field(sa_type=String(30), primary_key=True)
    required: bool = Field(description="required; otherwise preferred")


# --- match runs ------------------------------------------------------------------------------


class MatchRun(SQLModel, table=True):
    __tablename__ = "pool_match_run"

    id: int | None = Field(default=None, primary_key=True)
    run_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    run_by: str = Field(max_length=254)
    workers: int
    posts: int
    filled: int
    summary: str = Field(default="", max_length=2000)


class Proposal(SQLModel, table=True):
    __tablename__ = "pool_proposal"
    __table_args__ = (UniqueConstraint("run_id", "request_id", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="pool_match_run.id", index=True)
    request_id: int = Field(foreign_key="pool_request.id", index=True)
    slot: int
    worker_id: int = Field(foreign_key="pool_worker.id", index=True)
    tier: int
    score: float
    breakdown: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class Unfilled(SQLModel, table=True):
    __tablename__ = "pool_unfilled"
    __table_args__ = (UniqueConstraint("run_id", "request_id", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="pool_match_run.id", index=True)
    request_id: int = Field(foreign_key="pool_request.id", index=True)
    slot: int
    tier: int
    reason: str = Field(max_length=2000)
    nearest_worker_id: int | None = Field(default=None, foreign_key="pool_worker.id")
    nearest_failures: list[str] = Field(default_factory=list, sa_type=JSON)


# --- offers and placements -------------------------------------------------------------------


class Offer(SQLModel, table=True):
    __tablename__ = "pool_offer"
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="offer_dates"),
        Index("ix_pool_offer_worker_status", "worker_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="pool_request.id", index=True)
    worker_id: int = Field(foreign_key="pool_worker.id")
    proposal_id: int | None = Field(default=None, foreign_key="pool_proposal.id")
    start_date: date
    end_date: date
    day_rate: float
    status: OfferStatus = Field(default=OfferStatus.open, sa_type=String(20))
    worker_answer: Answer | None = Field(default=None, sa_type=String(20))
    council_answer: Answer | None = Field(default=None, sa_type=String(20))
    expires_at: datetime = Field(sa_type=UTCDateTime())
    created_by: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class Placement(SQLModel, table=True):
    __tablename__ = "pool_placement"
    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="placement_dates"),
        Index("ix_pool_placement_worker_dates", "worker_id", "start_date", "end_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="pool_offer.id", unique=True)
    request_id: int = Field(foreign_key="pool_request.id", index=True)
    worker_id: int = Field(foreign_key="pool_worker.id")
    council_code: str = Field(foreign_key="council.code", max_length=9, index=True)
    start_date: date
    end_date: date = Field(description="the end in force, after any extension or early end")
    planned_end: date = Field(description="the end agreed in the offer")
    ended_early_reason: str = Field(default="", max_length=1000)
    day_rate: float
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


# --- what the API and CLI validate with ----------------------------------------------------


class InterventionCreate(AdminInput):
    """A council's statutory direction or commissioner, recorded by an admin."""

    ENTITY: ClassVar[str] = "intervention"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "council": "the council's DfE 3-digit or ONS code",
        "kind": "the kind is statutory_direction or commissioner",
        "start_date": "not a date (use YYYY-MM-DD)",
        "end_date": "not a date (use YYYY-MM-DD)",
    }

    council: str = Field(min_length=1, max_length=9)
    kind: InterventionKind
    start_date: date
    end_date: date | None = None
    note: str = Field(default="", max_length=1000)

    def problems(self) -> list[Problem]:
        if self.end_date is not None and self.end_date < self.start_date:
            return [Problem("intervention.end_date", "the end is before the start")]
        return []


class RequestCreate(AdminInput):
    """A council's request for pool staff, made by its intervention lead."""

    ENTITY: ClassVar[str] = "request"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "role": "unknown role; choose one of " + ", ".join(r.value for r in PoolRole),
        "posts": "the number of posts is a whole number from 1 to 50",
        "required": "unknown specialism; choose from " + ", ".join(s.value for s in Specialism),
        "preferred": "unknown specialism; choose from " + ", ".join(s.value for s in Specialism),
        "start_date": "not a date (use YYYY-MM-DD)",
        "weeks": "the duration is a whole number of weeks from 1 to 104",
        "onsite_days": "on-site days are a whole number from 0 to 5",
        "max_day_rate": "the maximum day rate is a sum in pounds from 1 to 2000",
        "reason": "the reason is 1 to 2000 characters",
    }

    role: PoolRole
    grade_flex: bool = False
    posts: int = Field(ge=1, le=50)
    required: list[Specialism] = Field(default_factory=list, max_length=8)
    preferred: list[Specialism] = Field(default_factory=list, max_length=8)
    start_date: date
    weeks: int = Field(ge=1, le=104)
    onsite_days: int = Field(ge=0, le=5)
    max_day_rate: float = Field(gt=0, le=2000)
    reason: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _distinct(self) -> RequestCreate:
        self.required = sorted(set(self.required))
        self.preferred = sorted(set(self.preferred) - set(self.required))
        return self


class TierRaise(AdminInput):
    """A coordinator's raise of a request's priority tier, with the reason."""

    ENTITY: ClassVar[str] = "tier"
    tier: Tier
    reason: str = Field(min_length=1, max_length=1000)


class OfferCreate(AdminInput):
    """A coordinator's offer of a proposal (or of a worker directly) for a request."""

    ENTITY: ClassVar[str] = "offer"
    request_id: int
    worker_id: int
    proposal_id: int | None = None
    days_to_answer: int = Field(default=5, ge=1, le=30)


# --- what the API answers with ---------------------------------------------------------------


class WorkerPublic(SQLModel):
    """A pool worker as a coordinator (or, once placed, the receiving council) sees them."""

    id: int
    name: str
    role: PoolRole
    swe_number: str
    registration: Registration
    registration_checked: date | None
    qualified_on: date
    specialisms: list[Specialism]
    intervention_experience: bool
    home_region: str
    work_regions: list[str]
    work_councils: list[str]
    remote: bool
    availability: list[tuple[date, date]]
    permanent_posts: list[tuple[str, date]]
    references_held: int
    day_rate: float
    active: bool
    is_example: bool


class RequestPublic(SQLModel):
    id: int
    council_code: str
    council_name: str
    role: PoolRole
    grade_flex: bool
    posts: int
    filled: int
    required: list[Specialism]
    preferred: list[Specialism]
    start_date: date
    end_date: date
    onsite_days: int
    max_day_rate: float
    reason: str
    status: RequestStatus
    tier: Tier
    tier_reason: str
    is_example: bool
    created_by: str
    created_at: datetime


class ProposalPublic(SQLModel):
    """A proposal of a match run; ``id`` and ``run_id`` are blank for a dry run's."""

    id: int | None
    run_id: int | None
    request_id: int
    slot: int
    worker_id: int
    tier: int
    score: float
    breakdown: dict[str, Any]


class UnfilledPublic(SQLModel):
    """An unfilled post of a match run; ``run_id`` is blank for a dry run's."""

    run_id: int | None
    request_id: int
    slot: int
    tier: int
    reason: str
    nearest_worker_id: int | None
    nearest_failures: list[str]


class OfferPublic(SQLModel):
    id: int
    request_id: int
    worker_id: int
    proposal_id: int | None
    start_date: date
    end_date: date
    day_rate: float
    status: OfferStatus
    worker_answer: Answer | None
    council_answer: Answer | None
    expires_at: datetime
    created_by: str
    created_at: datetime


class PlacementPublic(SQLModel):
    id: int
    offer_id: int
    request_id: int
    worker_id: int
    council_code: str
    start_date: date
    end_date: date
    planned_end: date
    ended_early_reason: str
    day_rate: float

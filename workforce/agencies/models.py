"""The agency kite-mark registry: agencies, how councils' free-text agency names match them,
versioned criteria, applications and assessments, sampled file audits, complaints and
the history of each agency's kite-mark status.

Records are kept as accreditation registers keep them: every decision is a dated row with
who made it, its reasons and its evidence; a status change is a new row in
``kitemark_status_change`` and is never rewritten, so a status can be shown as it was on
any date. Measured criteria come from the agency assignments councils upload
(``agency_assignment``), through the agency that each assignment's name matches.

Over 400 lines because it holds, as every domain's models.py does, the tables and every
shape the API and CLI validate with or answer in; split, a reader would look in two places
for one table's input and output.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import field_validator, model_validator
from sqlalchemy import Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from workforce.auth.models import EMAIL_PATTERN, AdminInput
from workforce.errors import Problem
from workforce.timeutils import UTCDateTime, utcnow


class NameKind(StrEnum):
    legal = "legal"
    trading = "trading"


class MatchMethod(StrEnum):
    """How a name in councils' returns came to be matched to an agency."""

    legal_name = "legal_name"  # the normalised legal name
    trading_name = "trading_name"  # a normalised trading name
    company_number = "company_number"  # the name carries the Companies House number
    manual = "manual"  # a kite-mark admin chose it
    no_agency = "no_agency"  # a kite-mark admin ruled it is no registered agency


class Evidence(StrEnum):
    """How a criterion is evidenced."""

    measured = "measured"  # from councils' returns
    audited = "audited"  # from the sampled file audit
    recorded = "recorded"  # from councils' complaints and incidents


class CriterionResultValue(StrEnum):
    met = "met"
    not_met = "not_met"
    too_few = "too_few"  # too few assignments or files to judge: never a pass
    not_assessed = "not_assessed"


class Outcome(StrEnum):
    passed = "pass"
    requires_improvement = "pass_requires_improvement"
    failed = "fail"


class KitemarkStatus(StrEnum):
    awarded = "awarded"
    requires_improvement = "requires_improvement"
    under_review = "under_review"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"
    reinstated = "reinstated"


class Agency(SQLModel, table=True):
    """A social-work agency on the register."""

    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    legal_name: str = Field(max_length=200)
    company_number: str | None = Field(
        default=None, max_length=8, unique=True, description="Companies House number"
    )
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    is_example: bool = Field(default=False, description="made up for the demonstration")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class AgencyPayRoute(SQLModel, table=True):
    """A pay route the agency uses for its workers (PAYE, umbrella, limited company)."""

    __tablename__ = "agency_pay_route"

    agency_id: int = Field(foreign_key="agency.id", primary_key=True)
    pay_route: str = Field(primary_key=True, max_length=20)


class AgencyName(SQLModel, table=True):
    """A legal or trading name of an agency, with its normalised form for matching."""

    __tablename__ = "agency_name"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)
    normalised: str = Field(max_length=200, unique=True)
    kind: NameKind = Field(sa_type=String(10))


class AgencyMatch(SQLModel, table=True):
    """The agency a name in councils' returns stands for, and who decided it.

    Keyed by the normalised name, so every assignment listing the name follows a re-match
    at once. A re-match replaces the row and the audit log keeps what it was before.
    """

    __tablename__ = "agency_match"

    normalised_name: str = Field(primary_key=True, max_length=200)
    agency_id: int | None = Field(
        default=None, foreign_key="agency.id", index=True, description="blank: no agency"
    )
    method: MatchMethod = Field(sa_type=String(20))
    matched_by: str = Field(max_length=254)
    matched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class CriteriaVersion(SQLModel, table=True):
    """A version of the kite-mark criteria; an assessment records the version it used."""

    __tablename__ = "kitemark_criteria_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    effective_from: date
    description: str = Field(default="", max_length=1000)


class Criterion(SQLModel, table=True):
    """One criterion of a version: how it is evidenced and the thresholds it is judged by."""

    __tablename__ = "kitemark_criterion"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="kitemark_criteria_version.id")
    number: int
    key: str = Field(max_length=40)
    title: str = Field(max_length=300)
    evidence: Evidence = Field(sa_type=String(20))
    min_cases: int = Field(default=10, description="fewer assignments or files: too few")
    pass_at: float = Field(description="the share (0-1) a pass needs, in the criterion's sense")
    higher_is_better: bool = True
    review_at: float | None = Field(
        default=None, description="an awarded agency past this share is put under review"
    )
    suspend_at: float | None = Field(
        default=None, description="an awarded agency past this share is suspended"
    )


class Application(SQLModel, table=True):
    """An agency's application for the kite-mark (or its renewal) for a period."""

    __tablename__ = "kitemark_application"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    period_start: date
    period_end: date
    status: str = Field(default="submitted", max_length=20)
    submitted_by: str = Field(max_length=254)
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class EvidenceFile(SQLModel, table=True):
    """A file an agency supplied with an application, archived byte for byte."""

    __tablename__ = "kitemark_evidence"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="kitemark_application.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    file_name: str = Field(max_length=255)
    description: str = Field(default="", max_length=500)
    sha256: str = Field(max_length=64)
    size_bytes: int
    archive_path: str = Field(max_length=500)
    uploaded_by: str = Field(max_length=254)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class Assessment(SQLModel, table=True):
    """An assessment of an application against one criteria version, and its decision."""

    __tablename__ = "kitemark_assessment"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="kitemark_application.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    criteria_version_id: int = Field(foreign_key="kitemark_criteria_version.id")
    assessor: str = Field(max_length=254)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    outcome: Outcome | None = Field(default=None, sa_type=String(30))
    reasons: str = Field(default="", max_length=4000)
    actions: str = Field(default="", max_length=4000, description="for requires improvement")
    action_deadline: date | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class CriterionResult(SQLModel, table=True):
    """What an assessment found for one criterion, with the figures behind it."""

    __tablename__ = "kitemark_criterion_result"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_key"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="kitemark_assessment.id")
    criterion_key: str = Field(max_length=40)
    result: CriterionResultValue = Field(sa_type=String(20))
    numerator: int | None = None
    denominator: int | None = None
    share: float | None = None
    detail: str = Field(default="", max_length=2000)


class AuditSample(SQLModel, table=True):
    """The random, reproducible sample of placed workers whose files an assessor checks."""

    __tablename__ = "kitemark_audit_sample"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="kitemark_assessment.id", unique=True)
    seed: int = Field(description="recorded so the same sample can be drawn again")
    rule: str = Field(max_length=500, description="how the sample's size was set")
    population: int = Field(description="workers placed in the period")
    population_digest: str = Field(max_length=64, description="SHA-256 of the population")
    size: int
    drawn_by: str = Field(max_length=254)
    drawn_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class SampledFile(SQLModel, table=True):
    """One sampled worker's file and the assessor's checks of it (blank: not yet checked)."""

    __tablename__ = "kitemark_sampled_file"
    __table_args__ = (UniqueConstraint("sample_id", "swe_number"),)

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="kitemark_audit_sample.id", index=True)
    position: int
    swe_number: str = Field(max_length=12)
    identity: bool | None = None
    right_to_work: bool | None = None
    registration: bool | None = None
    qualifications: bool | None = None
    employment_history: bool | None = Field(default=None, description="gaps explained")
    references: bool | None = Field(default=None, description="two, practice-based, template")
    criminal_record_check: bool | None = None
    notes: str = Field(default="", max_length=1000)
    checked_by: str | None = Field(default=None, max_length=254)
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class Complaint(SQLModel, table=True):
    """A complaint or incident a council recorded about an agency, with its response."""

    __tablename__ = "kitemark_complaint"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    council_code: str = Field(foreign_key="council.code", max_length=3)
    kind: str = Field(max_length=20, description="complaint or incident")
    received_on: date
    summary: str = Field(max_length=2000)
    agency_response: str = Field(default="", max_length=2000)
    responded_on: date | None = None
    upheld: bool | None = None
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class KitemarkStatusChange(SQLModel, table=True):
    """A change of an agency's kite-mark status: appended, never rewritten."""

    __tablename__ = "kitemark_status_change"
    __table_args__ = (Index("ix_kitemark_status_change_agency_at", "agency_id", "effective_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    status: KitemarkStatus = Field(sa_type=String(30))
    effective_at: datetime = Field(sa_type=UTCDateTime())
    valid_until: date | None = Field(default=None, description="an award's expiry")
    reason: str = Field(max_length=2000)
    figures: str = Field(default="", max_length=2000, description="the figures behind it")
    assessment_id: int | None = Field(default=None, foreign_key="kitemark_assessment.id")
    decided_by: str = Field(max_length=254)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


# --- what a kite-mark admin or an agency asks to create or change, and what readers see ----

# A Companies House number: 8 characters, either 8 digits or two letters and 6 digits
# (SC123456 in Scotland, NI..., OC... for an LLP).
COMPANY_NUMBER = re.compile(r"^(?:[A-Z]{2}\d{6}|\d{8})$")
PAY_ROUTES = ("paye", "umbrella", "limited_company")  # as workforce.mou.models.PayRoute


def _clean(text: str) -> str:
    return " ".join(text.split())


class AgencyCreate(AdminInput):
    """A new agency on the register: its legal name, any trading names, its Companies
    House number, a contact and the pay routes it uses."""

    ENTITY: ClassVar[str] = "agency"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "legal_name": "the legal name is text of at most 200 characters",
        "trading_names": "trading names are a list of names of at most 200 characters each",
        "company_number": "the Companies House number is 8 characters",
        "contact_email": "the contact email is at most 254 characters",
        "pay_routes": "pay routes are a list: " + ", ".join(PAY_ROUTES),
    }

    legal_name: str = Field(max_length=200)
    trading_names: list[str] = Field(default_factory=list, max_length=50)
    company_number: str | None = Field(default=None, max_length=20)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    pay_routes: list[str] = Field(default_factory=list, max_length=3)
    is_example: bool = False

    @field_validator("legal_name", "contact_name")
    @classmethod
    def _text(cls, text: str) -> str:
        return _clean(text)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, email: str) -> str:
        return email.strip().lower()

    @field_validator("company_number")
    @classmethod
    def _number(cls, number: str | None) -> str | None:
        return "".join((number or "").split()).upper() or None

    @field_validator("trading_names")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        return [name for name in (_clean(n) for n in names) if name]

    @model_validator(mode="after")
    def _distinct_names(self) -> AgencyCreate:
        """A trading name that is the legal name or an earlier trading name once case,
        punctuation and Ltd/Limited are set aside is the same name: it is kept once."""
        from workforce.agencies.names import normalise

        seen = {normalise(self.legal_name)}
        kept = []
        for name in self.trading_names:
            key = normalise(name)
            if key not in seen or not key:
                seen.add(key)
                kept.append(name)
        self.trading_names = kept
        return self

    @field_validator("pay_routes")
    @classmethod
    def _routes(cls, routes: list[str]) -> list[str]:
        return sorted({r.strip().lower() for r in routes if r.strip()})

    def problems(self) -> list[Problem]:
        from workforce.agencies.names import normalise

        problems = []
        if not normalise(self.legal_name):
            problems.append(
                Problem(
                    "agency.legal_name",
                    "an agency needs its legal name",
                    column="legal_name",
                    value=self.legal_name,
                )
            )
        for name in self.trading_names:
            if len(name) > 200 or not normalise(name):
                problems.append(
                    Problem(
                        "agency.trading_name",
                        "a trading name needs letters or digits and at most 200 characters",
                        column="trading_names",
                        value=name,
                    )
                )
        if self.company_number is not None and not COMPANY_NUMBER.match(self.company_number):
            problems.append(
                Problem(
                    "agency.company_number",
                    "a Companies House number is 8 characters: 8 digits, or two letters "
                    "and 6 digits (e.g. 01234567 or SC123456)",
                    column="company_number",
                    value=self.company_number,
                )
            )
        if self.contact_email and not EMAIL_PATTERN.match(self.contact_email):
            problems.append(
                Problem(
                    "agency.contact_email",
                    "the contact email is not an email address",
                    column="contact_email",
                    value=self.contact_email,
                )
            )
        for route in self.pay_routes:
            if route not in PAY_ROUTES:
                problems.append(
                    Problem(
                        "agency.pay_route",
                        "unknown pay route; choose one of " + ", ".join(PAY_ROUTES),
                        column="pay_routes",
                        value=route,
                    )
                )
        return problems


class ContactUpdate(AdminInput):
    """An agency's new contact: blank fields are left as they are."""

    ENTITY: ClassVar[str] = "contact"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "contact_name": "the contact name is at most 200 characters",
        "contact_email": "the contact email is at most 254 characters",
    }

    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)

    @field_validator("contact_name")
    @classmethod
    def _text(cls, text: str | None) -> str | None:
        return _clean(text) if text is not None else None

    @field_validator("contact_email")
    @classmethod
    def _email(cls, email: str | None) -> str | None:
        return email.strip().lower() if email is not None else None

    def problems(self) -> list[Problem]:
        problems = []
        if not self.contact_name and not self.contact_email:
            problems.append(Problem("contact.empty", "give a contact name or email to change"))
        if self.contact_email and not EMAIL_PATTERN.match(self.contact_email):
            problems.append(
                Problem(
                    "contact.contact_email",
                    "the contact email is not an email address",
                    column="contact_email",
                    value=self.contact_email,
                )
            )
        return problems


class MatchSet(AdminInput):
    """A kite-mark admin's decision on a name in councils' returns: the agency it stands
    for, or none (no registered agency)."""

    ENTITY: ClassVar[str] = "match"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "name": "the agency name as a return gives it, at most 200 characters",
        "agency_id": "the agency's id (a whole number), or blank for no registered agency",
    }

    name: str = Field(max_length=200)
    agency_id: int | None = None


class AgencyNamePublic(SQLModel):
    name: str
    normalised: str
    kind: NameKind


class AgencyPublic(SQLModel):
    id: int
    legal_name: str
    trading_names: list[str]
    company_number: str | None
    contact_name: str
    contact_email: str
    pay_routes: list[str]
    is_example: bool
    created_at: datetime
    names: list[AgencyNamePublic] = Field(description="legal and trading names, normalised")
    matched_names: list[str] = Field(
        default_factory=list, description="normalised names in councils' returns matched to it"
    )


class AgencyMatchPublic(SQLModel):
    normalised_name: str
    agency_id: int | None = Field(description="blank: no registered agency")
    method: MatchMethod
    matched_by: str
    matched_at: datetime


class UnmatchedNamePublic(SQLModel):
    """A name in accepted returns no match covers yet: the kite-mark admin's queue."""

    normalised_name: str
    spellings: list[str]
    assignments: int = Field(description="assignment rows in accepted returns listing it")
    councils: list[str]
    first_seen: date | None = Field(description="the earliest quarter end it was listed in")
    last_seen: date | None
    candidates: list[int] = Field(description="agencies it could be: two or more, ambiguous")


# --- the kite-mark's assessments, samples and status history: inputs and what readers see ---


class DecisionCreate(AdminInput):
    """An assessor's decision on an assessment (blank outcome: the proposed one)."""

    ENTITY: ClassVar[str] = "decision"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "outcome": "unknown outcome; choose one of " + ", ".join(o.value for o in Outcome),
        "deadline": "not a date (use YYYY-MM-DD)",
    }

    outcome: Outcome | None = None
    reasons: str = Field(default="", max_length=2000)
    actions: str = Field(default="", max_length=2000)
    deadline: date | None = None


class FileChecksCreate(AdminInput):
    """An assessor's checks of one sampled worker's file (blank: not recorded now)."""

    ENTITY: ClassVar[str] = "file"

    identity: bool | None = None
    right_to_work: bool | None = None
    registration: bool | None = None
    qualifications: bool | None = None
    employment_history: bool | None = None
    references: bool | None = None
    criminal_record_check: bool | None = None
    notes: str = Field(default="", max_length=1000)

    def checks(self) -> dict[str, bool]:
        return {
            name: value
            for name, value in self.model_dump(exclude={"notes"}).items()
            if value is not None
        }


class CriterionResultPublic(SQLModel):
    criterion_key: str
    result: CriterionResultValue
    numerator: int | None
    denominator: int | None
    share: float | None
    detail: str


class AssessmentPublic(SQLModel):
    id: int
    application_id: int
    agency_id: int
    criteria_version: int
    assessor: str
    started_at: datetime
    outcome: Outcome | None
    reasons: str
    actions: str
    action_deadline: date | None
    decided_at: datetime | None
    results: list[CriterionResultPublic] = Field(default_factory=list)


class SampledFilePublic(SQLModel):
    """A sampled file's checks, for the assessor and the agency (never the public)."""

    position: int
    swe_number: str
    identity: bool | None
    right_to_work: bool | None
    registration: bool | None
    qualifications: bool | None
    employment_history: bool | None
    references: bool | None
    criminal_record_check: bool | None
    notes: str
    checked_by: str | None
    checked_at: datetime | None


class AuditSamplePublic(SQLModel):
    id: int
    assessment_id: int
    seed: int
    rule: str
    population: int
    population_digest: str
    size: int
    drawn_by: str
    drawn_at: datetime
    files: list[SampledFilePublic] = Field(default_factory=list)


class KitemarkStatusChangePublic(SQLModel):
    """A status change as the public register shows it: no worker's data."""

    agency_id: int
    status: KitemarkStatus
    effective_at: datetime
    valid_until: date | None
    reason: str
    figures: str
    assessment_id: int | None


class ComplaintCreate(AdminInput):
    """A complaint or incident a council records about an agency."""

    ENTITY: ClassVar[str] = "complaint"
    FIELD_MESSAGES: ClassVar[dict[str, str]] = {
        "council_code": "the council's DfE 3-digit or ONS code",
        "kind": "the kind is complaint or incident",
        "received_on": "not a date (use YYYY-MM-DD)",
        "summary": "the summary is 1 to 2000 characters",
    }

    council_code: str = Field(min_length=1, max_length=9)
    kind: str = Field(default="complaint")
    received_on: date
    summary: str = Field(min_length=1, max_length=2000)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in ("complaint", "incident"):
            raise ValueError("the kind is complaint or incident")
        return value


class ComplaintResponse(AdminInput):
    """The agency's response to a complaint or incident."""

    ENTITY: ClassVar[str] = "response"
    response: str = Field(min_length=1, max_length=2000)


class ComplaintRuling(AdminInput):
    """The kite-mark admin's ruling: upheld or not."""

    ENTITY: ClassVar[str] = "ruling"
    upheld: bool


class ComplaintPublic(SQLModel):
    id: int
    agency_id: int
    council_code: str
    kind: str
    received_on: date
    summary: str
    agency_response: str
    responded_on: date | None
    upheld: bool | None
    recorded_by: str
    recorded_at: datetime

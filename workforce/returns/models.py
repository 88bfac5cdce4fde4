"""Councils' returns: each uploaded file, its version, its outcome and what it held.

A return is one file a council sent for one period: the quarterly return (this service's
template) or the DfE CSWW worker-level census. Every upload is kept, accepted or not, with
its validation report; for each council, kind and period at most one version is current
(``status = accepted``), enforced by a partial unique index.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, text
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

from workforce.ingest.problems import Problem, Severity
from workforce.mou.models import PayRoute
from workforce.timeutils import UTCDateTime, utcnow


class ReturnStatus(StrEnum):
    accepted = "accepted"  # the current version: its measures count
    rejected = "rejected"  # had errors: kept with its report, changes nothing
    superseded = "superseded"  # an accepted version replaced by newer content


class ReturnKind(StrEnum):
    quarterly = "quarterly"
    census = "census"


class CouncilReturn(SQLModel, table=True):
    """A workforce return a council sent: unpublished, visible only within its scope."""

    __tablename__ = "council_return"
    __table_args__ = (
        Index(
            "uq_council_return_current",
            "council_code",
            "kind",
            "period_end",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_code: str = Field(foreign_key="council.code", max_length=3, index=True)
    kind: str = Field(max_length=30, description="quarterly or census; unknown if unreadable")
    period_end: date | None = Field(default=None, description="quarter end or census date")
    status: ReturnStatus = Field(sa_type=String(20))
    version: int = 1
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    size_bytes: int
    file_type: str = Field(default="", max_length=20, description="csv, xlsx or xml")
    archive_path: str = Field(default="", max_length=500)
    source: str = Field(default="upload", max_length=20, description="upload, cli or inbox")
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id")
    uploaded_by_name: str = Field(default="", max_length=254)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    error_count: int = 0
    warning_count: int = 0
    # The issues are loaded on demand (readers of many returns ask with selectinload); the
    # few measures and counts with the return, in one query for however many are read.
    issue_rows: list["ReturnIssue"] = Relationship(
        sa_relationship=relationship("ReturnIssue", order_by="ReturnIssue.position")
    )
    figure_rows: list["ReturnMeasure"] = Relationship(
        sa_relationship=relationship(
            "ReturnMeasure",
            order_by="(ReturnMeasure.kind, ReturnMeasure.position)",
            lazy="selectin",
        )
    )

    @property
    def issues(self) -> list[dict[str, Any]]:
        """The validation report, each issue as the API and the inbox report show it."""
        return [issue.as_dict() for issue in self.issue_rows]

    @property
    def measures(self) -> dict[str, float | None]:
        """The measures worked out from the return (none if it was rejected)."""
        return {f.measure: f.value for f in self.figure_rows if f.kind == MEASURE}

    @property
    def counts(self) -> dict[str, float | None]:
        """The counts the measures are worked out from (none if it was rejected)."""
        return {f.measure: f.value for f in self.figure_rows if f.kind == COUNT}


class ReturnIssue(SQLModel, table=True):
    """One problem found in a return: an error refuses it, a warning is for checking."""

    __tablename__ = "return_issue"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="council_return.id", index=True)
    position: int = Field(description="the issue's place in the report, from 1")
    severity: str = Field(max_length=10, description="error or warning")
    rule: str = Field(max_length=100)
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    file: str | None = None
    cell: str | None = Field(
        default=None, max_length=80, description="the cell, as a spreadsheet names it: Workforce!K3"
    )

    def problem(self) -> Problem:
        """The stored issue as the problem every importer reports with."""
        return Problem(
            rule=self.rule,
            message=self.message,
            file=self.file,
            row=self.row,
            column=self.column,
            value=self.value,
            severity=Severity(self.severity),
            sheet=self.sheet,
        )

    def as_dict(self) -> dict[str, Any]:
        """The stored issue as the problem's dict, with its cell where it has one."""
        out = self.problem().as_dict()
        if self.cell is not None:
            out["cell"] = self.cell
        return out


# A return_measure row's kind: a published measure, worked out from the counts; or a count
# or FTE total the measures are worked out from.
MEASURE, COUNT = "measure", "count"


class ReturnMeasure(SQLModel, table=True):
    """One measure or count of a return, as worked out when it was taken in."""

    __tablename__ = "return_measure"

    return_id: int = Field(foreign_key="council_return.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=10, description="measure or count")
    measure: str = Field(primary_key=True, max_length=60, index=True)
    position: int = Field(description="its place among the return's figures of its kind")
    value: float | None = None


class ReturnRoleGroup(SQLModel, table=True):
    """One role group's figures in a quarterly return."""

    __tablename__ = "return_role_group"

    return_id: int = Field(foreign_key="council_return.id", primary_key=True)
    role_group: str = Field(primary_key=True, max_length=40)
    establishment_fte: float | None = None
    inpost_fte: float | None = None
    inpost_headcount: int | None = None
    agency_fte: float | None = None
    agency_headcount: int | None = None
    vacancy_fte: float | None = None
    starters_fte: float | None = None
    leavers_fte: float | None = None
    leavers_resignation_fte: float | None = None
    leavers_retirement_fte: float | None = None
    leavers_redundancy_fte: float | None = None
    leavers_dismissal_fte: float | None = None
    leavers_other_fte: float | None = None
    leavers_not_known_fte: float | None = None
    case_holders_fte: float | None = None
    cases: int | None = None
    working_days_lost: float | None = None


class AgencyAssignment(SQLModel, table=True):
    """An agency worker's assignment at a council, as listed in a quarterly return.

    The columns from ``pay_route`` on come with version 2 of the assignments sheet; a row
    from a version 1 sheet leaves them empty.
    """

    __tablename__ = "agency_assignment"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="council_return.id", index=True)
    council_code: str = Field(max_length=3, index=True)
    row: int
    agency_name: str = Field(max_length=200)
    role_group: str = Field(max_length=40)
    swe_number: str | None = Field(
        default=None,
        max_length=12,
        description="Social Work England number; empty only for an unnamed project-team worker",
    )
    start_date: date
    end_date: date | None = None
    hourly_charge_rate: float
    hourly_pay_rate: float
    project_team: bool = False
    above_cap_signoff_ref: str | None = Field(default=None, max_length=100)
    template_version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": text("1")},
        description="the version of the assignments sheet the row was read from",
    )
    pay_route: PayRoute | None = Field(
        default=None, sa_type=String(20), description="paye, umbrella or limited_company"
    )
    date_qualified: date | None = Field(
        default=None, description="the day the worker qualified as a social worker"
    )
    notice_given_on: date | None = Field(
        default=None, description="the day notice to end the assignment was given"
    )
    early_end_reason: str | None = Field(
        default=None,
        max_length=30,
        description="why it ended before its agreed end (returns.quarterly_template."
        "EARLY_END_REASONS); empty if it did not",
    )
    project_costs_itemised: bool | None = Field(
        default=None, description="for a project-team row: whether its costs are itemised"
    )


class CensusWorker(SQLModel, table=True):
    """One worker record of a CSWW census return (no personal fields are kept)."""

    __tablename__ = "census_worker"

    return_id: int = Field(foreign_key="council_return.id", primary_key=True)
    record_no: int = Field(primary_key=True, description="position in the file, from 1")
    agency_worker: bool
    swe_number: str = Field(max_length=12)
    fte: float | None = None
    org_role: int | None = None
    role_start_date: date | None = None
    role_end_date: date | None = None
    reason_leave: int | None = None
    fte30: float | None = None
    cases30: int | None = None
    working_days_lost: float | None = None


class CouncilReturnPublic(SQLModel):
    id: int
    council_code: str
    kind: str
    period_end: date | None
    status: ReturnStatus
    version: int
    file_name: str
    sha256: str
    size_bytes: int
    file_type: str
    source: str
    uploaded_by_name: str
    uploaded_at: datetime
    error_count: int
    warning_count: int
    measures: dict[str, float | None]


class CouncilReturnDetail(CouncilReturnPublic):
    counts: dict[str, float | None]
    issues: list[dict[str, Any]]

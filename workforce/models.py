"""Every table module, imported in one place for Alembic and for tests."""

from sqlmodel import SQLModel

from workforce.agencies.models import (
    Agency,
    AgencyMatch,
    AgencyName,
    AgencyPayRoute,
    Application,
    Assessment,
    AuditSample,
    Complaint,
    CriteriaVersion,
    Criterion,
    CriterionResult,
    EvidenceFile,
    KitemarkStatusChange,
    SampledFile,
)
from workforce.auth.models import (
    ApiToken,
    AuditEvent,
    User,
    UserCouncil,
    WebSession,
)
from workforce.councils.models import (
    Council,
    CouncilSuccession,
    Region,
    ReportingUnit,
    StatisticalNeighbour,
)
from workforce.forecasting.models import ForecastRun, ForecastValue
from workforce.inspections.models import Judgement
from workforce.mou.models import (
    MouDigest,
    MouFinding,
    MouGroup,
    MouGroupCouncil,
    OnCostRate,
    RateCap,
)
from workforce.pool.models import (
    Intervention,
    MatchRun,
    Offer,
    Placement,
    PoolAvailability,
    PoolPermanentPost,
    PoolRequest,
    PoolRequestSpecialism,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
    Proposal,
    Unfilled,
)
from workforce.returns.models import (
    AgencyAssignment,
    CensusWorker,
    CouncilReturn,
    ReturnRoleGroup,
)
from workforce.runs.models import JobRun
from workforce.statistics.models import (
    FigureRevision,
    Publication,
    PublishedFigure,
    PublishedRow,
)

metadata = SQLModel.metadata

__all__ = [
    "Agency",
    "AgencyAssignment",
    "AgencyMatch",
    "AgencyName",
    "AgencyPayRoute",
    "ApiToken",
    "Application",
    "Assessment",
    "AuditEvent",
    "AuditSample",
    "CensusWorker",
    "Complaint",
    "Council",
    "CouncilReturn",
    "CouncilSuccession",
    "CriteriaVersion",
    "Criterion",
    "CriterionResult",
    "EvidenceFile",
    "FigureRevision",
    "ForecastRun",
    "ForecastValue",
    "Intervention",
    "JobRun",
    "Judgement",
    "KitemarkStatusChange",
    "MatchRun",
    "MouDigest",
    "MouFinding",
    "MouGroup",
    "MouGroupCouncil",
    "Offer",
    "OnCostRate",
    "Placement",
    "PoolAvailability",
    "PoolPermanentPost",
    "PoolRequest",
    "PoolRequestSpecialism",
    "PoolWorker",
    "PoolWorkerArea",
    "PoolWorkerSpecialism",
    "Proposal",
    "Publication",
    "PublishedFigure",
    "PublishedRow",
    "RateCap",
    "Region",
    "ReportingUnit",
    "ReturnRoleGroup",
    "SampledFile",
    "StatisticalNeighbour",
    "Unfilled",
    "User",
    "UserCouncil",
    "WebSession",
    "metadata",
]

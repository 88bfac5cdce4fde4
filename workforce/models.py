"""Every table module, imported in one place for Alembic and for tests."""

from sqlmodel import SQLModel

from workforce.councils.models import (
    Council,
    CouncilSuccession,
    Region,
    ReportingUnit,
    StatisticalNeighbour,
)
from workforce.runs.models import JobRun

metadata = SQLModel.metadata

__all__ = [
    "Council",
    "CouncilSuccession",
    "JobRun",
    "Region",
    "ReportingUnit",
    "StatisticalNeighbour",
    "metadata",
]

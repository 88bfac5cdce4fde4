"""Every table module, imported in one place for Alembic and for tests."""

from sqlmodel import SQLModel

from workforce.councils.models import (
    Council,
    CouncilSuccession,
    Region,
    ReportingUnit,
    StatisticalNeighbour,
)
from workforce.inspections.models import Judgement
from workforce.runs.models import JobRun
from workforce.statistics.models import FigureRevision, Publication, PublishedRow

metadata = SQLModel.metadata

__all__ = [
    "Council",
    "CouncilSuccession",
    "FigureRevision",
    "JobRun",
    "Judgement",
    "Publication",
    "PublishedRow",
    "Region",
    "ReportingUnit",
    "StatisticalNeighbour",
    "metadata",
]

"""Reference tables: regions, councils, combined reporting units, statistical neighbours."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

DFE_CODE_PATTERN = r"^\d{3}$"
ONS_CODE_PATTERN = r"^E\d{8}$"


class RegionKind(StrEnum):
    country = "country"
    region = "region"
    london_subregion = "london_subregion"


class Closeness(StrEnum):
    """DfE's closeness rating of a statistical neighbour, closest first."""

    extremely_close = "Extremely close"
    very_close = "Very close"
    close = "Close"
    somewhat_close = "Somewhat close"
    not_close = "Not close"

    @classmethod
    def parse(cls, label: str) -> Closeness:
        """Return the rating for a published label, ignoring case and spacing."""
        wanted = " ".join(label.split()).casefold()
        for member in cls:
            if member.value.casefold() == wanted:
                return member
        raise ValueError(f"unknown closeness rating {label!r}")


class RegionBase(SQLModel):
    code: str = Field(primary_key=True, max_length=9, schema_extra={"pattern": r"^E\d{8}$"})
    name: str = Field(max_length=100, min_length=1)
    kind: RegionKind = Field(sa_type=String(20))
    parent_code: str | None = Field(default=None, foreign_key="region.code", max_length=9)


class Region(RegionBase, table=True):
    __tablename__ = "region"


class ReportingUnitBase(SQLModel):
    """A row DfE publishes for councils that report together (e.g. ``314 / 318``)."""

    code: str = Field(
        primary_key=True, max_length=40, schema_extra={"pattern": r"^\d{3}( / \d{3})+$"}
    )
    ons_code: str = Field(max_length=80)
    name: str = Field(max_length=200, min_length=1)
    # The council that makes the return for the others, where one does (Kingston for Richmond).
    lead_council_code: str | None = Field(default=None, max_length=3)
    first_year: int | None = None
    last_year: int | None = None


class ReportingUnit(ReportingUnitBase, table=True):
    __tablename__ = "reporting_unit"


class CouncilBase(SQLModel):
    code: str = Field(primary_key=True, max_length=3, schema_extra={"pattern": DFE_CODE_PATTERN})
    ons_code: str = Field(max_length=9, unique=True, schema_extra={"pattern": ONS_CODE_PATTERN})
    name: str = Field(max_length=100, min_length=1, index=True)
    region_code: str = Field(foreign_key="region.code", max_length=9, index=True)
    london_subregion_code: str | None = Field(default=None, foreign_key="region.code", max_length=9)
    # DfE census years (counted at 30 September) in which the council existed.
    first_year: int | None = None
    last_year: int | None = None
    reporting_unit_code: str | None = Field(
        default=None, foreign_key="reporting_unit.code", max_length=40, index=True
    )


class Council(CouncilBase, table=True):
    __tablename__ = "council"


class CouncilSuccession(SQLModel, table=True):
    """A council replaced, wholly or in part, by another in a reorganisation."""

    __tablename__ = "council_succession"

    predecessor_code: str = Field(foreign_key="council.code", primary_key=True, max_length=3)
    successor_code: str = Field(foreign_key="council.code", primary_key=True, max_length=3)


class StatisticalNeighbour(SQLModel, table=True):
    """One of a council's ten DfE statistical neighbours, ranked nearest first."""

    __tablename__ = "statistical_neighbour"
    __table_args__ = (UniqueConstraint("council_code", "neighbour_code"),)

    council_code: str = Field(foreign_key="council.code", primary_key=True, max_length=3)
    rank: int = Field(primary_key=True, ge=1, le=10)
    neighbour_code: str = Field(foreign_key="council.code", max_length=3, index=True)
    closeness: Closeness = Field(sa_type=String(20))
    source: str = Field(max_length=200)


class RegionPublic(SQLModel):
    code: str
    name: str
    kind: RegionKind
    parent_code: str | None


class ReportingUnitPublic(SQLModel):
    code: str
    name: str
    ons_code: str
    lead_council_code: str | None
    lead_council_name: str | None
    member_codes: list[str]


class CouncilPublic(SQLModel):
    code: str
    ons_code: str
    name: str
    region_code: str
    region_name: str
    london_subregion_code: str | None
    london_subregion_name: str | None
    current: bool
    first_year: int | None
    last_year: int | None
    reporting_unit_code: str | None


class NeighbourPublic(SQLModel):
    rank: int
    code: str
    name: str
    closeness: Closeness
    current: bool


class CouncilDetail(CouncilPublic):
    reporting_unit: ReportingUnitPublic | None
    predecessor_codes: list[str]
    successor_codes: list[str]
    statistical_neighbours: list[NeighbourPublic]
    neighbours_source: str | None

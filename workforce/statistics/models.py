"""Tables for published statistics: each release imported, each figure, each revision;
and a figure and a revision as the API shows them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from workforce.timeutils import UTCDateTime, utcnow


class GeographicLevel(StrEnum):
    national = "national"
    regional = "regional"
    local_authority = "local_authority"


class Publication(SQLModel, table=True):
    """One imported release file, recognised again by its content hash."""

    __tablename__ = "publication"

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, unique=True)
    layout: str = Field(max_length=40)
    first_year: int
    last_year: int = Field(index=True)
    rows: int
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    kept_newer: int = 0


class PublishedRow(SQLModel, table=True):
    """One area's row for one census year, as the newest release holding it has it.

    A release publishes a row per area and year; its figures are :class:`PublishedFigure`
    rows. ``publication_id`` is the newest release holding the row.
    """

    __tablename__ = "published_row"
    __table_args__ = (
        UniqueConstraint("area_code", "year"),
        Index("ix_published_row_level_year", "level", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    level: GeographicLevel = Field(sa_type=String(20))
    # DfE 3-digit code (or combined "314 / 318") for councils; ONS code for regions, England.
    area_code: str = Field(max_length=40)
    area_name: str = Field(max_length=200)
    year: int
    publication_id: int = Field(foreign_key="publication.id")


class PublishedFigure(SQLModel, table=True):
    """One published figure: an area's measure for one census year.

    ``value`` is None where suppressed, and ``suppression`` then holds DfE's code (``z``
    not applicable, ``x`` not available, ``u`` low reliability, ``c`` confidential,
    ``low`` rounds to zero); a suppressed figure is never zero. A figure is from its
    row's release, unless that release lacks the measure: the figure is then carried, and
    ``carried_from_id`` names the older release it is from (so the release of a figure is
    ``coalesce(carried_from_id, published_row.publication_id)``; a release confirming its
    rows' figures writes only the rows). ``area_code`` and ``year`` name the row (a
    foreign key to it), so figures are filtered by area, year and measure alone.
    """

    __tablename__ = "published_figure"
    __table_args__ = (
        UniqueConstraint("area_code", "year", "measure"),
        ForeignKeyConstraint(
            ["area_code", "year"], ["published_row.area_code", "published_row.year"]
        ),
        Index("ix_published_figure_measure_year", "measure", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    area_code: str = Field(max_length=40)
    year: int
    measure: str = Field(max_length=60)
    value: float | None = None
    suppression: str | None = Field(default=None, max_length=8)
    carried_from_id: int | None = Field(default=None, foreign_key="publication.id")


class FigureRevision(SQLModel, table=True):
    """A published figure replaced by a newer release: old value, new value, source, when."""

    __tablename__ = "figure_revision"

    id: int | None = Field(default=None, primary_key=True)
    figure_id: int = Field(foreign_key="published_figure.id", index=True)
    old_value: float | None = None
    old_suppression: str | None = Field(default=None, max_length=8)
    new_value: float | None = None
    new_suppression: str | None = Field(default=None, max_length=8)
    old_publication_id: int = Field(foreign_key="publication.id")
    new_publication_id: int = Field(foreign_key="publication.id", index=True)
    revised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class FigurePublic(SQLModel):
    """A published figure as the API shows it, with the release it comes from."""

    area_code: str
    area_name: str
    level: GeographicLevel
    year: int
    measure: str
    value: float | None
    suppression: str | None
    release: str
    release_last_year: int


class RevisionPublic(SQLModel):
    """A figure that a later release changed: what it was, and what it became."""

    area_code: str
    area_name: str
    level: GeographicLevel
    year: int
    measure: str
    old_value: float | None
    old_suppression: str | None
    new_value: float | None
    new_suppression: str | None
    old_release: str
    new_release: str
    revised_at: datetime

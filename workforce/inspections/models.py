"""The judgement timeline: one row per inspection of a council's children's services;
and a judgement as the API shows it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from workforce.timeutils import UTCDateTime, utcnow


class Grade(StrEnum):
    """Ofsted's overall effectiveness grades, best first (``adequate`` is pre-2013)."""

    outstanding = "outstanding"
    good = "good"
    adequate = "adequate"
    requires_improvement = "requires improvement to be good"
    inadequate = "inadequate"


class Framework(StrEnum):
    sif = "SIF"
    sif_reinspection = "SIF re-inspection"
    ilacs_standard = "ILACS standard"
    ilacs_short = "ILACS short"
    ilacs_focused_visit = "ILACS focused visit"
    ilacs_monitoring_visit = "ILACS monitoring visit"
    lscb_review = "LSCB review"
    looked_after_pre_2013 = "looked after children inspection (pre-2013)"


class Judgement(SQLModel, table=True):
    """An inspection and its outcome. Later imports add or complete rows, never erase them."""

    __tablename__ = "judgement"
    __table_args__ = (UniqueConstraint("council_code", "inspection_start"),)

    id: int | None = Field(default=None, primary_key=True)
    council_code: str = Field(foreign_key="council.code", max_length=3, index=True)
    framework: Framework = Field(sa_type=String(60))
    inspection_start: date
    inspection_end: date | None = None
    published: date | None = None
    # None for visits and reviews that carry no overall grade.
    grade: Grade | None = Field(default=None, sa_type=String(40))
    impact_of_leaders: Grade | None = Field(default=None, sa_type=String(40))
    help_and_protection: Grade | None = Field(default=None, sa_type=String(40))
    in_care: Grade | None = Field(default=None, sa_type=String(40))
    care_leavers: Grade | None = Field(default=None, sa_type=String(40))
    urn: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=1000)
    source: str = Field(max_length=255)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class JudgementPublic(SQLModel):
    """One inspection of a council's children's services and what Ofsted judged."""

    council_code: str
    framework: Framework
    inspection_start: date
    inspection_end: date | None
    published: date | None
    grade: Grade | None
    # False for visits and reviews, which carry no overall effectiveness grade.
    graded: bool
    impact_of_leaders: Grade | None
    help_and_protection: Grade | None
    in_care: Grade | None
    care_leavers: Grade | None
    urn: str | None
    note: str | None

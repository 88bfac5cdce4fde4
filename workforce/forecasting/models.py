"""Stored forecast runs: what was fitted, on which data, and what it predicted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from workforce.timeutils import UTCDateTime, utcnow


class ForecastRun(SQLModel, table=True):
    """One refit: the model version, the data it saw, its backtest and its outputs."""

    __tablename__ = "forecast_run"

    id: int | None = Field(default=None, primary_key=True)
    model_version: str = Field(max_length=40)
    data_cutoff: int = Field(description="the last census year the fit saw")
    data_fingerprint: str = Field(max_length=64, index=True)
    fitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    seconds: float = 0.0
    trigger: str = Field(default="", max_length=20)
    models: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    backtest: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    event_studies: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    early_warnings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    warnings_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class ForecastValue(SQLModel, table=True):
    """A forecast of one measure for one council and year, kept with its run."""

    __tablename__ = "forecast_value"

    run_id: int = Field(foreign_key="forecast_run.id", primary_key=True)
    council_code: str = Field(max_length=3, primary_key=True)
    measure: str = Field(max_length=40, primary_key=True)
    origin: int = Field(primary_key=True)
    target: int = Field(primary_key=True)
    kind: str = Field(default="forecast", max_length=12, description="forecast or backtest")
    point: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    actual: float | None = Field(default=None, description="backtest rows: what was published")

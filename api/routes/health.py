"""Health check: is the service up, and can it use its database?"""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import workforce
from api.deps import EngineDep
from workforce import migrations
from workforce.db import backend_name

router = APIRouter(tags=["health"])
log = logging.getLogger("workforce.api")


class DatabaseHealth(BaseModel):
    reachable: bool
    backend: str
    revision: str | None = None
    expected_revision: str | None = None
    up_to_date: bool = False
    error: str | None = None


class Health(BaseModel):
    status: str
    version: str
    database: DatabaseHealth


@router.get("/api/health", response_model=Health, responses={503: {"model": Health}})
def health(engine: EngineDep) -> JSONResponse:
    """Say whether the database answers and its schema is the one this code expects."""
    expected = migrations.head_revision()
    database = DatabaseHealth(
        reachable=False, backend=backend_name(engine), expected_revision=expected
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        database.reachable = True
        database.revision = migrations.current_revision(engine)
        database.up_to_date = database.revision == expected
        if not database.up_to_date:
            database.error = (
                f"database schema is at {database.revision or 'none'}, this code needs {expected}: "
                "run `workforce db upgrade`"
            )
    except SQLAlchemyError as exc:
        log.error("health check: database unreachable: %s", exc.__class__.__name__)
        database.error = f"database unreachable ({exc.__class__.__name__})"
    ok = database.reachable and database.up_to_date
    body = Health(
        status="ok" if ok else "unavailable", version=workforce.__version__, database=database
    )
    return JSONResponse(status_code=200 if ok else 503, content=body.model_dump())

"""The emergency pool: its workers.

Pool coordinators and administrators list the workers and import them (multipart
``file``: CSV or XLSX, refused whole with every problem, 422, if any row is wrong). A
worker's record holds personal data: a council's intervention lead sees it only once the
worker is placed with their council (``workforce.pool.access.worker_for``). Anyone else
signed in is answered 404, never confirming that anything exists; signed out, 401.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api.deps import SessionDep
from api.params import RowId
from api.security import OwnAccount, actor_for
from api.uploads import ReceivedFile, read_upload_form
from workforce.auth.audit import Actor
from workforce.auth.permissions import Principal
from workforce.db import session_scope
from workforce.errors import NotFoundError
from workforce.pool import access
from workforce.pool import workers as pool_workers
from workforce.pool.models import WorkerPublic
from workforce.pool.terms import PoolRole
from workforce.pool.worker_file import COLUMNS
from workforce.pool.workers_import import import_workers

router = APIRouter(prefix="/api/pool", tags=["pool"])

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV or XLSX; columns: " + ", ".join(COLUMNS),
                        }
                    },
                }
            }
        },
    }
}


class WorkerImportPublic(SQLModel):
    """What an import stored."""

    file_name: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int


def _coordinator(principal: Principal) -> None:
    if not access.manages_pool(principal):
        raise NotFoundError("Nothing found here that you can see.")


@router.get("/workers", response_model=list[WorkerPublic])
def list_workers(
    session: SessionDep,
    principal: OwnAccount,
    role: Annotated[PoolRole | None, Query(description="only workers of this role")] = None,
    include_inactive: Annotated[bool, Query(description="inactive workers too")] = False,
) -> list[WorkerPublic]:
    """The pool's workers by name: pool coordinators and administrators only."""
    _coordinator(principal)
    found = pool_workers.list_workers(
        session=session, role=role, active=None if include_inactive else True
    )
    return pool_workers.workers_public(session=session, workers=found)


def store_import(engine: Engine, file: ReceivedFile, actor: Actor) -> WorkerImportPublic:
    """Import the file in one committed transaction (runs in a worker thread)."""
    with session_scope(engine) as session:
        report = import_workers(
            session=session, data=file.data, file_name=file.file_name, actor=actor
        )
    return WorkerImportPublic(
        file_name=report.file_name,
        sha256=report.sha256,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )


@router.post(
    "/workers/import",
    response_model=WorkerImportPublic,
    openapi_extra=IMPORT_BODY,
    responses={
        413: {"description": "The file is larger than the limit; nothing was read past it."},
        422: {"description": "Refused, nothing stored: every problem with its rule and place."},
    },
)
async def import_workers_file(request: Request, session: SessionDep, principal: OwnAccount) -> Any:
    """Add or update workers from a CSV or XLSX file by Social Work England number; all or
    nothing. Pool coordinators and administrators only. Audited with its counts."""
    _coordinator(principal)
    # The guard's read is done: give its connection back before the file is read.
    await run_in_threadpool(session.close)
    form = await read_upload_form(
        request, file_fields=("file",), limit_mb=request.app.state.settings.max_upload_mb
    )
    file = form.files.get("file")
    if file is None:
        return JSONResponse(
            status_code=400,
            content={"detail": "Send the workers file as a multipart form field named 'file'."},
        )
    return await run_in_threadpool(
        store_import, request.app.state.engine, file, actor_for(request, principal)
    )


@router.get("/workers/{worker_id}", response_model=WorkerPublic)
def get_worker(session: SessionDep, principal: OwnAccount, worker_id: RowId) -> WorkerPublic:
    """One worker: pool coordinators and administrators; a council's intervention lead
    once the worker is placed with their council (404 otherwise)."""
    worker = access.worker_for(session=session, principal=principal, worker_id=worker_id)
    return pool_workers.worker_public(session=session, worker=worker)

"""Councils' own returns: upload, reports, versions and files, within each user's scope."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from api.deps import SessionDep
from api.formats import Format, FormatQuery, csv_response
from api.params import RowId
from api.security import (
    CouncilPrivateReader,
    ReturnSubmitter,
    actor_for,
    require_council,
    require_return,
)
from api.uploads import ReceivedFile, read_upload_form
from workforce.auth.audit import Actor
from workforce.auth.permissions import Action, Principal, councils_in_reach
from workforce.config import Settings
from workforce.db import session_scope
from workforce.errors import NotFoundError
from workforce.ingest.problems import ISSUE_COLUMNS
from workforce.returns import flows as returns_flows
from workforce.returns import quarterly
from workforce.returns import service as returns_service
from workforce.returns.models import CouncilReturnDetail, CouncilReturnPublic
from workforce.returns.reading import Upload

router = APIRouter(prefix="/api", tags=["returns"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
MEDIA_TYPES = {"xml": "application/xml", "xlsx": XLSX, "ods": ODS, "csv": "text/csv"}


class UploadOutcome(CouncilReturnDetail):
    created: bool
    message: str


@router.get("/returns/template.xlsx", response_class=Response)
def template_xlsx() -> Response:
    """The blank quarterly return: a Workforce sheet, an Agency assignments sheet, guidance."""
    return Response(
        content=quarterly.template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="quarterly-return.xlsx"'},
    )


@router.get("/returns/template.csv", response_class=Response)
def template_csv(
    part: Annotated[
        str, Query(pattern="^(workforce|assignments)$", description="workforce or assignments")
    ] = "workforce",
) -> Response:
    """The blank quarterly return as CSV: the workforce table, or the assignments table."""
    return Response(
        content=quarterly.template_csv(part),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="quarterly-return-{part}.csv"'},
    )


def _only_council(principal: Principal) -> str | None:
    """The council an upload is for when the user can send for exactly one."""
    reach = councils_in_reach(principal, Action.submit_council_return)
    return next(iter(reach)) if reach is not None and len(reach) == 1 else None


UPLOAD_BODY = {
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
                            "description": "The return: quarterly template (XLSX or CSV) "
                            "or CSWW census (XML or CSV).",
                        },
                        "assignments": {
                            "type": "string",
                            "format": "binary",
                            "description": "The agency assignments CSV, with a CSV template.",
                        },
                        "council": {
                            "type": "string",
                            "maxLength": 9,
                            "description": "The council's DfE code (needed when your "
                            "account can send for more than one council).",
                        },
                    },
                }
            }
        },
    }
}


def ingest_upload(
    engine: Engine,
    *,
    principal: Principal,
    council_code: str,
    upload: Upload,
    assignments: Upload | None,
    actor: Actor,
    settings: Settings,
) -> returns_flows.IngestResult:
    """Return the stored outcome of one upload, committed (runs in a worker thread).

    The caller's reach is checked in a short read of its own, so the write transaction
    that follows starts with nothing read and holds its locks only while it stores.
    """
    with Session(engine, expire_on_commit=False) as session:
        code = require_council(principal, Action.submit_council_return, session, council_code).code
    with session_scope(engine) as session:
        return returns_flows.ingest(
            session=session,
            upload=upload,
            assignments=assignments,
            council_code=code,
            actor=actor,
            source="upload",
            settings=settings,
        )


async def store_upload(
    request: Request,
    principal: Principal,
    council_code: str,
    file: ReceivedFile,
    assignments: ReceivedFile | None,
    settings: Settings,
) -> returns_flows.IngestResult:
    """Return the committed outcome of an upload, stored in a worker thread."""
    return await run_in_threadpool(
        functools.partial(
            ingest_upload,
            request.app.state.engine,
            principal=principal,
            council_code=council_code,
            upload=Upload(file.data, file.file_name),
            assignments=(
                Upload(assignments.data, assignments.file_name) if assignments is not None else None
            ),
            actor=actor_for(request, principal),
            settings=settings,
        )
    )


@router.post(
    "/returns",
    response_model=UploadOutcome,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    responses={
        200: {"description": "The same content was received before; nothing new was stored."},
        409: {
            "description": "Another upload for the same council and period was still being "
            "stored after the wait; nothing was stored. Retry-After says when to send again."
        },
        413: {"description": "The file is larger than the limit; nothing was read past it."},
        422: {"description": "The return was stored as rejected; the issues say why."},
        503: {
            "description": "The database was busy for longer than the wait; nothing was "
            "stored. Retry-After says when to send again."
        },
    },
)
async def upload_return(request: Request, session: SessionDep, principal: ReturnSubmitter) -> Any:
    """Upload a council's return: the quarterly template (XLSX, or CSV with an optional
    assignments CSV) or the CSWW census (XML or CSV). The answer is the validation report:
    201 accepted, 422 rejected (stored with its issues), 200 already received."""
    settings: Settings = request.app.state.settings
    # The guard's read is done: give its connection back before a long upload is read.
    await run_in_threadpool(session.close)
    form = await read_upload_form(
        request,
        file_fields=("file", "assignments"),
        text_fields=("council",),
        limit_mb=settings.max_upload_mb,
    )
    file = form.files.get("file")
    code = form.fields.get("council") or _only_council(principal)
    if file is None:
        return JSONResponse(
            status_code=400,
            content={"detail": "Send the return as a multipart form field named 'file'."},
        )
    if code is None or len(code) > 9:
        return JSONResponse(
            status_code=400,
            content={
                "detail": "Say which council this return is for: send a 'council' form "
                "field with its DfE code."
            },
        )
    result = await store_upload(
        request, principal, code, file, form.files.get("assignments"), settings
    )
    # Committed: the answer below reports only what is stored.
    row = result.council_return
    if not result.created:
        status, message = (
            200,
            (
                f"This content was received before, as return {row.id} ({row.status}); "
                "nothing new was stored."
            ),
        )
    elif result.accepted:
        status, message = (
            201,
            (
                f"Accepted as version {row.version}"
                + (f", with {row.warning_count} warning(s) to check." if row.warning_count else ".")
            ),
        )
    else:
        status, message = (
            422,
            (
                f"Rejected: {row.error_count} error(s) to fix, listed in issues. "
                "The return was kept, and nothing it holds counts until a corrected file is sent."
            ),
        )
    body = UploadOutcome(
        **CouncilReturnDetail.model_validate(row, from_attributes=True).model_dump(),
        created=result.created,
        message=message,
    )
    return JSONResponse(
        status_code=status,
        content=body.model_dump(mode="json"),
        headers={"Location": f"/api/returns/{row.id}"},
    )


@router.get("/returns", response_model=list[CouncilReturnPublic])
def list_returns(
    session: SessionDep,
    principal: CouncilPrivateReader,
    council: Annotated[str | None, Query(description="DfE or ONS council code.")] = None,
    format: FormatQuery = Format.json,
) -> Any:
    """Returns you can see, newest first; one council's with ``council``."""
    if council:
        codes: list[str] | None = [
            require_council(principal, Action.read_council_private, session, council).code
        ]
    else:
        reach = councils_in_reach(principal, Action.read_council_private)
        codes = None if reach is None else sorted(reach)
    rows = [
        CouncilReturnPublic.model_validate(r, from_attributes=True)
        for r in returns_service.list_returns(session=session, council_codes=codes)
    ]
    if format is Format.csv:
        records = [r.model_dump(mode="json", exclude={"measures"}) for r in rows]
        columns = [c for c in CouncilReturnPublic.model_fields if c != "measures"]
        return csv_response(records, columns, "returns")
    return rows


@router.get("/returns/{return_id}", response_model=CouncilReturnDetail)
def get_return(
    session: SessionDep, principal: CouncilPrivateReader, return_id: RowId
) -> CouncilReturnDetail:
    """One return: its status, version, measures, counts and every issue found."""
    row = require_return(principal, session, return_id)
    return CouncilReturnDetail.model_validate(row, from_attributes=True)


@router.get("/returns/{return_id}/issues")
def return_issues(
    session: SessionDep,
    principal: CouncilPrivateReader,
    return_id: RowId,
    format: FormatQuery = Format.json,
) -> Any:
    """The return's issues, as JSON or as a CSV to work through in a spreadsheet."""
    row = require_return(principal, session, return_id)
    if format is Format.csv:
        # The cell last: readers of the CSV from before it was added keep their columns.
        return csv_response(row.issues, (*ISSUE_COLUMNS, "cell"), f"return-{row.id}-issues")
    return row.issues


@router.get("/returns/{return_id}/file", response_class=FileResponse)
def return_file(
    request: Request, session: SessionDep, principal: CouncilPrivateReader, return_id: RowId
) -> Response:
    """The original file, byte for byte as it was received."""
    row = require_return(principal, session, return_id)
    path = Path(row.archive_path) if row.archive_path else None
    if path is None or not path.is_file():
        raise NotFoundError(
            f"Return {return_id}'s file is not in the archive (files over the size limit "
            "are not kept)."
        )
    return FileResponse(
        path,
        media_type=MEDIA_TYPES.get(row.file_type, "application/octet-stream"),
        filename=row.file_name,
    )


@router.get("/councils/{code}/returns", response_model=list[CouncilReturnPublic])
def council_returns(
    session: SessionDep, principal: CouncilPrivateReader, code: str
) -> list[CouncilReturnPublic]:
    """Every return a council has sent, newest period first (its own users and analysts)."""
    council = require_council(principal, Action.read_council_private, session, code)
    rows = returns_service.council_returns(session=session, council_code=council.code)
    return [CouncilReturnPublic.model_validate(r, from_attributes=True) for r in rows]


class SeriesPointPublic(SQLModel):
    measure: str
    period_end: date
    year: int
    value: float | None
    source: str
    detail: str


@router.get("/councils/{code}/own-series", response_model=list[SeriesPointPublic])
def council_own_series(
    session: SessionDep, principal: CouncilPrivateReader, code: str
) -> list[SeriesPointPublic]:
    """The council's published figures with its accepted returns' measures beside them,
    each marked ``published`` or ``return``."""
    council = require_council(principal, Action.read_council_private, session, code)
    return [
        SeriesPointPublic.model_validate(p, from_attributes=True)
        for p in returns_service.own_series(session=session, council_code=council.code)
    ]

"""Councils' own returns: upload, reports, versions and files, within each user's scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlmodel import SQLModel, col, select

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
from workforce.auth.permissions import Action, Principal, councils_in_reach
from workforce.config import Settings
from workforce.errors import NotFoundError
from workforce.returns import quarterly
from workforce.returns import service as returns_service
from workforce.returns.issues import ISSUE_COLUMNS
from workforce.returns.models import CouncilReturn, CouncilReturnDetail, CouncilReturnPublic

router = APIRouter(prefix="/api", tags=["returns"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"xml": "application/xml", "xlsx": XLSX, "csv": "text/csv"}


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


async def _read_limited(upload: UploadFile, limit: int) -> bytes | None:
    """Return the upload's bytes, or None as soon as it passes ``limit``."""
    chunks, size = [], 0
    while chunk := await upload.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _only_council(principal: Principal) -> str | None:
    """The council an upload is for when the user can send for exactly one."""
    reach = councils_in_reach(principal, Action.submit_council_return)
    return next(iter(reach)) if reach is not None and len(reach) == 1 else None


@router.post(
    "/returns",
    response_model=UploadOutcome,
    status_code=201,
    responses={
        200: {"description": "The same content was received before; nothing new was stored."},
        413: {"description": "The file is larger than the limit."},
        422: {"description": "The return was stored as rejected; the issues say why."},
    },
)
async def upload_return(
    request: Request,
    session: SessionDep,
    principal: ReturnSubmitter,
    file: UploadFile,
    assignments: UploadFile | None = None,
    council: Annotated[str | None, Form(max_length=9)] = None,
) -> Any:
    """Upload a council's return: the quarterly template (XLSX, or CSV with an optional
    assignments CSV) or the CSWW census (XML or CSV). The answer is the validation report:
    201 accepted, 422 rejected (stored with its issues), 200 already received."""
    settings: Settings = request.app.state.settings
    code = council or _only_council(principal)
    if code is None:
        return JSONResponse(
            status_code=400,
            content={
                "detail": "Say which council this return is for: send a 'council' form "
                "field with its DfE code."
            },
        )
    target = require_council(principal, Action.submit_council_return, session, code)
    limit = int(settings.max_upload_mb * 1024 * 1024)
    data = await _read_limited(file, limit)
    extra = await _read_limited(assignments, limit) if assignments is not None else b""
    if data is None or extra is None:
        return JSONResponse(
            status_code=413,
            content={
                "detail": f"The file is larger than the {settings.max_upload_mb:g} MB limit; "
                "nothing was stored. Split it, or ask for the limit to be raised.",
                "problems": [{"rule": "file.too_large", "severity": "error"}],
            },
        )
    result = returns_service.ingest(
        session,
        upload=returns_service.Upload(data, file.filename or "upload"),
        assignments=(
            returns_service.Upload(extra, assignments.filename or "assignments.csv")
            if assignments is not None
            else None
        ),
        council_code=target.code,
        actor=actor_for(request, principal),
        source="upload",
        settings=settings,
    )
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
        for r in returns_service.list_returns(session, council_codes=codes)
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
        return csv_response(row.issues, ISSUE_COLUMNS, f"return-{row.id}-issues")
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
    rows = session.exec(
        select(CouncilReturn)
        .where(CouncilReturn.council_code == council.code)
        .order_by(col(CouncilReturn.period_end).desc(), col(CouncilReturn.version).desc())
    ).all()
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
        for p in returns_service.own_series(session, council.code)
    ]

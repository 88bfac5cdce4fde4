"""An agency's kite-mark applications and evidence files; what councils see of the kite-mark.

Applications and evidence: an agency user applies and supplies evidence for their own
agency only, and gets 404 for any other agency's applications and files, as if they did not
exist; a kite-mark admin and an administrator see and act for every agency; any other
signed-in role sees none (404), as the own-account guard's permission model lets them ask
(``workforce.agencies.evidence``). An evidence file is read only after the guard, never
past the size limit, and archived and recorded off the event loop in a worker thread with
sessions of its own, as returns are.

Councils (their own users, analysts and administrators): the kite-mark status today of the
agency behind each assignment a return lists, and the council's agency spend by kite-mark
status per quarter (``workforce.agencies.councils``).
"""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.deps import SessionDep
from api.formats import Format, FormatQuery, csv_response
from api.params import RowId
from api.security import CouncilPrivateReader, OwnAccount, actor_for, require_council
from api.security import require_return as require_council_return
from api.uploads import ReceivedFile, read_upload_form
from workforce.agencies import councils, evidence
from workforce.auth.audit import Actor
from workforce.auth.permissions import Action, Principal
from workforce.config import Settings
from workforce.db import begin_write, session_scope
from workforce.errors import InputDataError

router = APIRouter(prefix="/api", tags=["kitemark"])

EVIDENCE_BODY = {
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
                            "description": "The evidence file; archived byte for byte.",
                        },
                        "description": {
                            "type": "string",
                            "maxLength": 500,
                            "description": "What the file shows, for the assessor.",
                        },
                    },
                }
            }
        },
    }
}


# --- applications ---------------------------------------------------------------------------


@router.get("/agencies/{agency_id}/applications", response_model=list[evidence.ApplicationPublic])
def list_applications(
    session: SessionDep, principal: OwnAccount, agency_id: RowId
) -> list[evidence.ApplicationPublic]:
    """The agency's kite-mark applications, newest first. An agency user sees only their
    own agency's (404 for another); a kite-mark admin any agency's."""
    agency = evidence.agency_in_reach(session=session, principal=principal, agency_id=agency_id)
    assert agency.id is not None
    return evidence.applications_of(session=session, agency_id=agency.id)


@router.post(
    "/agencies/{agency_id}/applications",
    response_model=evidence.ApplicationPublic,
    status_code=201,
)
def create_application(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    body: evidence.ApplicationCreate,
) -> evidence.ApplicationPublic:
    """Apply for the kite-mark for a period of the agency's placements: an agency user for
    their own agency (404 for another), a kite-mark admin for any. Audited."""
    agency = evidence.agency_in_reach(session=session, principal=principal, agency_id=agency_id)
    assert agency.id is not None
    application = evidence.apply(
        session=session, agency_id=agency.id, new=body, actor=actor_for(request, principal)
    )
    return evidence.application_public(application)


# --- evidence ------------------------------------------------------------------------------


def store_evidence(
    engine: Engine,
    *,
    principal: Principal,
    agency_id: int,
    application_id: int,
    file: ReceivedFile,
    description: str,
    actor: Actor,
    settings: Settings,
) -> evidence.EvidenceFilePublic:
    """Archive and record one evidence file, committed (runs in a worker thread).

    The caller's reach is checked in a short read of its own; the file is archived with no
    transaction open; the write that follows holds its locks only while it records."""
    with Session(engine, expire_on_commit=False) as session:
        application = evidence.application_in_reach(
            session=session,
            principal=principal,
            agency_id=agency_id,
            application_id=application_id,
        )
        problems = evidence.evidence_problems(
            application=application, data=file.data, description=description, settings=settings
        )
    if problems:
        raise InputDataError(problems)  # nothing archived
    evidence.archive_evidence(settings, agency_id, file.data, evidence.clean_name(file.file_name))
    with session_scope(engine) as session:
        begin_write(session=session, what=f"the evidence file {file.file_name!r}")
        row = evidence.add_evidence(
            session=session,
            agency_id=agency_id,
            application_id=application_id,
            file_name=file.file_name,
            data=file.data,
            description=description,
            actor=actor,
            settings=settings,
        )
        return evidence.evidence_public(row)


@router.post(
    "/agencies/{agency_id}/applications/{application_id}/evidence",
    response_model=evidence.EvidenceFilePublic,
    status_code=201,
    openapi_extra=EVIDENCE_BODY,
    responses={
        413: {"description": "The file is larger than the limit; nothing was read past it."},
    },
)
async def upload_evidence(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    application_id: RowId,
) -> Any:
    """Supply an evidence file with an application (multipart: ``file`` and a
    ``description``): archived byte for byte, recorded with its SHA-256 and size, audited.
    An agency user for their own agency only (404 for another's)."""
    settings: Settings = request.app.state.settings
    # The guard's read is done: give its connection back before the file is read.
    await run_in_threadpool(session.close)
    # Nothing is read from the body before the caller is known to reach the application.
    await run_in_threadpool(
        _check_reach, request.app.state.engine, principal, agency_id, application_id
    )
    form = await read_upload_form(
        request,
        file_fields=("file",),
        text_fields=("description",),
        limit_mb=settings.max_upload_mb,
    )
    file = form.files.get("file")
    if file is None:
        return JSONResponse(
            status_code=400,
            content={"detail": "Send the evidence as a multipart form field named 'file'."},
        )
    stored = await run_in_threadpool(
        functools.partial(
            store_evidence,
            request.app.state.engine,
            principal=principal,
            agency_id=agency_id,
            application_id=application_id,
            file=file,
            description=form.fields.get("description", ""),
            actor=actor_for(request, principal),
            settings=settings,
        )
    )
    return JSONResponse(
        status_code=201,
        content=stored.model_dump(mode="json"),
        headers={
            "Location": f"/api/agencies/{agency_id}/applications/{application_id}/evidence/"
            f"{stored.id}/file"
        },
    )


def _check_reach(engine: Engine, principal: Principal, agency_id: int, application_id: int) -> None:
    with Session(engine, expire_on_commit=False) as session:
        evidence.application_in_reach(
            session=session,
            principal=principal,
            agency_id=agency_id,
            application_id=application_id,
        )


@router.get(
    "/agencies/{agency_id}/applications/{application_id}/evidence",
    response_model=list[evidence.EvidenceFilePublic],
)
def list_evidence(
    session: SessionDep, principal: OwnAccount, agency_id: RowId, application_id: RowId
) -> list[evidence.EvidenceFilePublic]:
    """The application's evidence files with their SHA-256 and size, as supplied."""
    application = evidence.application_in_reach(
        session=session, principal=principal, agency_id=agency_id, application_id=application_id
    )
    assert application.id is not None
    return evidence.evidence_of(session=session, application_id=application.id)


@router.get(
    "/agencies/{agency_id}/applications/{application_id}/evidence/{evidence_id}/file",
    response_class=FileResponse,
)
def evidence_file(
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    application_id: RowId,
    evidence_id: RowId,
) -> Response:
    """The evidence file, byte for byte as it was received (checked against its SHA-256),
    as a download."""
    row = evidence.evidence_in_reach(
        session=session,
        principal=principal,
        agency_id=agency_id,
        application_id=application_id,
        evidence_id=evidence_id,
    )
    return FileResponse(
        evidence.archived_file(row),
        media_type="application/octet-stream",
        filename=row.file_name,
        headers={"X-Content-Type-Options": "nosniff"},
    )


# --- what councils see of the kite-mark ------------------------------------------------------


@router.get(
    "/returns/{return_id}/agency-kitemarks",
    response_model=list[councils.AssignmentKitemark],
    tags=["returns"],
)
def return_agency_kitemarks(
    session: SessionDep,
    principal: CouncilPrivateReader,
    return_id: RowId,
    format: FormatQuery = Format.json,
) -> Any:
    """Each agency assignment the return lists with its agency's kite-mark status today:
    the registered agency its name is matched to and that agency's status, or "not
    matched" / "not registered"."""
    row = require_council_return(principal, session, return_id)
    assert row.id is not None
    found = councils.return_assignments(session=session, return_id=row.id)
    if format is Format.csv:
        return csv_response(
            [f.model_dump(mode="json") for f in found],
            list(councils.AssignmentKitemark.model_fields),
            f"return-{row.id}-agency-kitemarks",
        )
    return found


@router.get(
    "/councils/{code}/agency-spend",
    response_model=councils.AgencySpendPublic,
    tags=["councils"],
)
def council_agency_spend(session: SessionDep, principal: CouncilPrivateReader, code: str) -> Any:
    """The council's agency spend per quarter by its agencies' kite-mark status at the
    quarter's end, from its accepted quarterly returns (the assumption is stated with it)."""
    council = require_council(principal, Action.read_council_private, session, code)
    return councils.agency_spend(session=session, council_code=council.code)

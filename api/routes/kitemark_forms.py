"""The kite-mark's forms on an agency's page: which of them its reader may use, and applying
and supplying evidence (the complaint forms are ``api.routes.kitemark_complaint_forms``).

Each form is shown only to those the API's route lets do the same thing, and its post asks
the same checks (``api.routes.kitemark_applications``, ``api.routes.kitemark_complaints``):
anyone else is answered 404 as the API answers them, signed out sent to sign in, a post
without the session's CSRF token refused (403) by the guard. A refused input re-renders the
page with the GOV.UK error summary, built from the service's ``InputDataError.problems``;
success redirects (303) after the request's transaction has committed (``api.deps``) or,
for evidence, after the upload's own transactions have (as the API's upload does).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SessionDep
from api.forms import date_from_parts, date_input_errors, date_parts
from api.params import RowId
from api.rendering import render
from api.routes.kitemark_applications import store_evidence
from api.security import NotAuthenticated, OwnAccount, actor_for, optional_principal
from api.uploads import BodyTooLarge, read_upload_form
from workforce.agencies import complaints, evidence, register, service
from workforce.agencies.models import Agency
from workforce.auth.models import Role
from workforce.auth.permissions import Principal
from workforce.councils.models import Council
from workforce.councils.service import council_names, find_council
from workforce.errors import InputDataError, NotFoundError, Problem

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
# A field's message when what was typed is not even of the right kind (the service's own
# problems say what is wrong with a value that is).
APPLICATION_MESSAGES = {
    "period_start": "The first day of the period must be a real date, for example 1 4 2025",
    "period_end": "The last day of the period must be a real date, for example 31 3 2026",
}


def _viewer(request: Request, session: SessionDep) -> Principal | None:
    """Who is looking at a public page (None: nobody signed in, or a token not valid)."""
    try:
        return optional_principal(request, session)
    except NotAuthenticated:
        return None


Viewer = Annotated[Principal | None, Depends(_viewer)]


# --- errors ---------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def form_errors(
    problems: Iterable[Problem], fields: dict[str, str], default: str
) -> list[dict[str, str]]:
    """The GOV.UK error summary's entries for ``problems``: each links to the form field
    (``fields``: the problem's column to the field's id; ``default`` for any other)."""
    return [
        {"field": fields.get(p.column or "", default), "text": _sentence(p.message)}
        for p in problems
    ]


def _kind_problems(exc: ValidationError, messages: dict[str, str]) -> list[Problem]:
    return [
        Problem(
            f"input.{field}",
            messages.get(field, str(error["msg"])),
            column=field,
        )
        for error in exc.errors()
        for field in [str(error["loc"][0]) if error["loc"] else ""]
    ]


# --- the agency's page ----------------------------------------------------------------------


def _complaint_councils(session: Session, principal: Principal | None) -> list[Council]:
    """The councils ``principal`` may record complaints for (their own council's users)."""
    if principal is None:
        return []
    found = []
    for code in sorted(principal.council_codes):
        if complaints.council_user_of(principal, code):
            try:
                found.append(find_council(session=session, code=code))
            except NotFoundError:
                continue
    return found


def agency_forms(
    *, session: Session, principal: Principal | None, agency: Agency
) -> dict[str, Any]:
    """What the agency's page shows ``principal`` beyond the public entry: the applications
    and the apply form (the agency's own user, a kite-mark admin, an administrator), the
    complaints they may read, and which complaint forms they may use."""
    assert agency.id is not None
    shown: dict[str, Any] = {
        "applications": None,
        "complaints": None,
        "complaint_councils": [],
        "may_respond": False,
        "may_rule": False,
    }
    if principal is None:
        return shown
    try:
        evidence.agency_in_reach(session=session, principal=principal, agency_id=agency.id)
        shown["applications"] = evidence.applications_of(session=session, agency_id=agency.id)
    except NotFoundError:
        pass
    try:
        councils = complaints.visible_councils(
            session=session, principal=principal, agency_id=agency.id
        )
        shown["complaints"] = complaints.complaints_of(
            session=session, agency_id=agency.id, councils=councils
        )
    except NotFoundError:
        pass
    shown["complaint_councils"] = _complaint_councils(session, principal)
    shown["may_respond"] = complaints.own_agency_user(
        session=session, principal=principal, agency_id=agency.id
    )
    shown["may_rule"] = principal.role is Role.kitemark_admin
    return shown


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def render_agency_page(
    request: Request,
    session: Session,
    *,
    agency_id: int,
    principal: Principal | None,
    on: date | None = None,
    errors: list[dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The agency's register entry, with the forms ``principal`` may use (and, after a
    refused post, the errors and what was typed)."""
    agency = service.get_agency(session=session, agency_id=agency_id)
    errors = errors or []
    return render(
        request,
        "kitemark_agency.html",
        status_code=400 if errors else 200,
        e=register.entry(session=session, agency=agency, on=on),
        on=on,
        share=_share,
        agency_id=agency_id,
        errors=errors,
        field_errors={e["field"]: e["text"] for e in reversed(errors)},
        typed=typed or {},
        council_names=council_names(session=session),
        **agency_forms(session=session, principal=principal, agency=agency),
    )


def refused_on_agency_page(
    request: Request,
    session: Session,
    principal: Principal,
    agency_id: int,
    errors: list[dict[str, str]],
    typed: dict[str, str],
) -> Response:
    session.rollback()  # nothing of the refused write is kept
    return render_agency_page(
        request, session, agency_id=agency_id, principal=principal, errors=errors, typed=typed
    )


# --- applying -------------------------------------------------------------------------------


@router.post("/kitemarks/{agency_id}/applications", response_class=HTMLResponse)
def apply_page(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    period_start: FormText = "",
    period_end: FormText = "",
    start_day: Annotated[str, Form(alias="period_start-day")] = "",
    start_month: Annotated[str, Form(alias="period_start-month")] = "",
    start_year: Annotated[str, Form(alias="period_start-year")] = "",
    end_day: Annotated[str, Form(alias="period_end-day")] = "",
    end_month: Annotated[str, Form(alias="period_end-month")] = "",
    end_year: Annotated[str, Form(alias="period_end-year")] = "",
) -> Response:
    """Apply for the kite-mark, as the API's application does; then the application."""
    agency = evidence.agency_in_reach(session=session, principal=principal, agency_id=agency_id)
    assert agency.id is not None
    typed = {
        "period_start": date_from_parts(period_start, start_day, start_month, start_year),
        "period_end": date_from_parts(period_end, end_day, end_month, end_year),
    }
    fields = {"period_start": "period_start", "period_end": "period_end"}
    try:
        try:
            new = evidence.ApplicationCreate.model_validate(typed)
        except ValidationError as exc:
            raise InputDataError(_kind_problems(exc, APPLICATION_MESSAGES)) from None
        application = evidence.apply(
            session=session, agency_id=agency.id, new=new, actor=actor_for(request, principal)
        )
    except InputDataError as exc:
        errors = date_input_errors(
            form_errors(exc.problems, fields, "period_end"),
            {"period_start": "The first day of the period", "period_end": "The last day"},
        )
        shown = (
            typed
            | date_parts("period_start", period_start, start_day, start_month, start_year)
            | date_parts("period_end", period_end, end_day, end_month, end_year)
        )
        return refused_on_agency_page(request, session, principal, agency_id, errors, shown)
    return RedirectResponse(
        f"/kitemarks/{agency_id}/applications/{application.id}", status_code=303
    )


# --- an application and its evidence --------------------------------------------------------


def _render_application(
    request: Request,
    session: Session,
    principal: Principal,
    agency_id: int,
    application_id: int,
    errors: list[dict[str, str]] | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    application = evidence.application_in_reach(
        session=session, principal=principal, agency_id=agency_id, application_id=application_id
    )
    errors = errors or []
    return render(
        request,
        "kitemark_application.html",
        status_code=400 if errors else 200,
        agency=service.get_agency(session=session, agency_id=agency_id),
        application=application,
        files=evidence.evidence_of(session=session, application_id=application_id),
        may_upload=application.status in evidence.OPEN_STATUSES,
        max_upload_mb=f"{request.app.state.settings.max_upload_mb:g}",
        errors=errors,
        field_errors={e["field"]: e["text"] for e in reversed(errors)},
        typed=typed or {},
    )


@router.get("/kitemarks/{agency_id}/applications/{application_id}", response_class=HTMLResponse)
def application_page(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    application_id: RowId,
) -> Response:
    """An application with its evidence files and, while it is open, the upload form."""
    return _render_application(request, session, principal, agency_id, application_id)


@router.post(
    "/kitemarks/{agency_id}/applications/{application_id}/evidence",
    response_class=HTMLResponse,
)
async def upload_evidence_page(
    request: Request,
    session: SessionDep,
    principal: OwnAccount,
    agency_id: RowId,
    application_id: RowId,
) -> Response:
    """Supply an evidence file, checked and archived as the API's upload is; then the
    application."""
    settings = request.app.state.settings
    # Nothing of the file is looked at before the caller is known to reach the application.
    await run_in_threadpool(
        functools.partial(
            evidence.application_in_reach,
            session=session,
            principal=principal,
            agency_id=agency_id,
            application_id=application_id,
        )
    )
    await run_in_threadpool(session.close)  # the guard's read is done
    errors: list[dict[str, str]] = []
    description = ""
    try:
        form = await read_upload_form(
            request,
            file_fields=("file",),
            text_fields=("description",),
            limit_mb=settings.max_upload_mb,
        )
        file = form.files.get("file")
        description = form.fields.get("description", "")
        if file is None:
            errors.append({"field": "file", "text": "Choose the evidence file to upload"})
    except BodyTooLarge:
        file = None
        errors.append(
            {
                "field": "file",
                "text": f"The file is larger than {settings.max_upload_mb:g} MB: "
                "nothing was stored",
            }
        )
    if file is not None:
        try:
            await run_in_threadpool(
                functools.partial(
                    store_evidence,
                    request.app.state.engine,
                    principal=principal,
                    agency_id=agency_id,
                    application_id=application_id,
                    file=file,
                    description=description,
                    actor=actor_for(request, principal),
                    settings=settings,
                )
            )
        except InputDataError as exc:
            fields = {"file": "file", "description": "description"}
            errors = form_errors(exc.problems, fields, "file")
        else:
            return RedirectResponse(
                f"/kitemarks/{agency_id}/applications/{application_id}#evidence",
                status_code=303,
            )
    return await run_in_threadpool(
        _render_application,
        request,
        session,
        principal,
        agency_id,
        application_id,
        errors,
        {"description": description},
    )

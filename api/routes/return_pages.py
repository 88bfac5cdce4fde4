"""Pages for a council's returns: upload with an instant report, versions, own figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.charts import Line, line_chart_svg
from api.deps import SessionDep
from api.params import RowId
from api.rendering import render
from api.routes.returns import store_upload
from api.security import (
    CouncilPrivateReader,
    ReturnSubmitter,
    require_council,
    require_return,
)
from api.uploads import BodyTooLarge, ReceivedFile, read_upload_form
from workforce.agencies import councils as agency_councils
from workforce.auth.permissions import Action, Decision, Principal, authorize
from workforce.councils.models import Council
from workforce.measures import MEASURES
from workforce.returns import quarterly_template
from workforce.returns import service as returns_service
from workforce.returns.models import CouncilReturn
from workforce.timeutils import utcnow

router = APIRouter(include_in_schema=False)
LABELS = {
    **{name: m.label for name, m in MEASURES.items()},
    "quarterly_turnover_rate_fte": "Turnover in the quarter",
}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A return's measure -> the published measure it is compared with, where not the same.
COMPARED_WITH = {"quarterly_turnover_rate_fte": "turnover_rate_fte"}
UNITS = {"quarterly_turnover_rate_fte": "%"}


@dataclass(frozen=True)
class MeasureRow:
    """One measure of a return, in its unit, beside the council's published figure."""

    measure: str
    label: str
    unit: str
    value: float | None
    published: returns_service.SeriesPoint | None
    published_label: str


def measure_rows(session: Session, row: CouncilReturn) -> list[MeasureRow]:
    """Each measure the return gives, with its unit and the published figure to compare."""
    published = returns_service.published_comparisons(
        session=session, council_code=row.council_code, period_end=row.period_end
    )
    rows = []
    for name, value in row.measures.items():
        compared = COMPARED_WITH.get(name, name)
        unit = UNITS.get(name) or (MEASURES[name].unit if name in MEASURES else "")
        rows.append(
            MeasureRow(
                measure=name,
                label=LABELS.get(name, name),
                unit=unit,
                value=value,
                published=published.get(compared),
                published_label=LABELS.get(compared, compared),
            )
        )
    return rows


@dataclass(frozen=True)
class OwnChart:
    measure: str
    label: str
    points: list[returns_service.SeriesPoint]  # published and own, by measure and date
    svg: str


def own_charts(series: list[returns_service.SeriesPoint]) -> list[OwnChart]:
    """A chart per measure the council's returns give: its published series as a line and
    each accepted return's figure as a marker at the return's period end, with the points
    of both as a table."""
    charts: list[OwnChart] = []
    for measure in returns_service.COMPARABLE:
        points = [p for p in series if p.measure == measure]
        own = tuple(
            (p.period_end, p.value) for p in points if p.source == "return" and p.value is not None
        )
        if not own:
            continue
        published = tuple((p.year, p.value) for p in points if p.source == "published")
        label = LABELS.get(measure, measure)
        charts.append(
            OwnChart(
                measure=measure,
                label=label,
                points=points,
                svg=line_chart_svg(
                    chart_id=f"own-{measure}",
                    title=f"{label}: published figures and the council's own returns",
                    unit=MEASURES[measure].unit,
                    lines=(Line("council", "Published (DfE)", published),),
                    own=own,
                ),
            )
        )
    return charts


def _may_submit(principal: Principal, code: str) -> bool:
    return authorize(principal, Action.submit_council_return, code) is Decision.allowed


@router.get("/councils/{code}/returns", response_class=HTMLResponse)
def council_returns_page(
    request: Request, session: SessionDep, principal: CouncilPrivateReader, code: str
) -> Response:
    council = require_council(principal, Action.read_council_private, session, code)
    returns = returns_service.list_returns(session=session, council_codes=[council.code])
    series = returns_service.own_series(session=session, council_code=council.code)
    return render(
        request,
        "returns.html",
        council=council,
        returns=returns,
        series=series,
        charts=own_charts(series),
        labels=LABELS,
        may_submit=_may_submit(principal, council.code),
        quarter_end=quarterly_template.last_quarter_end(utcnow().date()),
        errors=[],
    )


QuarterEnd = Annotated[
    date | None, Query(description="the quarter end to fill in (the last ended, if not given)")
]


def _quarter_end(period_end: date | None) -> date:
    return period_end or quarterly_template.last_quarter_end(utcnow().date())


@router.get("/councils/{code}/returns/template.xlsx", response_class=Response)
def council_template_xlsx(
    session: SessionDep, principal: CouncilPrivateReader, code: str, period_end: QuarterEnd = None
) -> Response:
    """The quarterly return's XLSX template with the council and quarter end filled in."""
    council = require_council(principal, Action.read_council_private, session, code)
    quarter = _quarter_end(period_end)
    content = quarterly_template.template_xlsx(
        council_code=council.code, council_name=council.name, period_end=quarter
    )
    name = f"quarterly-return-{council.code}-{quarter.isoformat()}.xlsx"
    return Response(
        content=content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/councils/{code}/returns/template.csv", response_class=Response)
def council_template_csv(
    session: SessionDep, principal: CouncilPrivateReader, code: str, period_end: QuarterEnd = None
) -> Response:
    """The quarterly return's workforce CSV with the council and quarter end filled in."""
    council = require_council(principal, Action.read_council_private, session, code)
    quarter = _quarter_end(period_end)
    name = f"quarterly-return-{council.code}-{quarter.isoformat()}-workforce.csv"
    return Response(
        content=quarterly_template.template_csv(council_code=council.code, period_end=quarter),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _form_file(request: Request, missing: str) -> tuple[ReceivedFile | None, list[str]]:
    """The form's ``file`` field, streamed within the upload limit, and what is wrong with
    it for the error summary: ``missing`` when none was chosen, or the limit it passed."""
    limit_mb = request.app.state.settings.max_upload_mb
    try:
        form = await read_upload_form(request, file_fields=("file",), limit_mb=limit_mb)
    except BodyTooLarge:
        return None, [f"The file is larger than {limit_mb:g} MB: nothing was stored"]
    file = form.files.get("file")
    return file, [] if file is not None else [missing]


@router.post("/councils/{code}/returns", response_class=HTMLResponse)
async def upload_return_page(
    request: Request,
    session: SessionDep,
    principal: ReturnSubmitter,
    code: str,
) -> Response:
    settings = request.app.state.settings
    file, errors = await _form_file(request, "Choose the file to upload")
    if errors or file is None:
        return await run_in_threadpool(
            _upload_form_again, request, session, principal, code, errors
        )
    await run_in_threadpool(session.close)  # the guard's read is done
    result = await store_upload(request, principal, code, file, None, settings)
    return RedirectResponse(f"/returns/{result.council_return.id}", status_code=303)


def _upload_form_again(
    request: Request, session: Session, principal: Principal, code: str, errors: list[str]
) -> Response:
    council = require_council(principal, Action.submit_council_return, session, code)
    return render(
        request,
        "returns.html",
        status_code=400,
        council=council,
        returns=returns_service.list_returns(session=session, council_codes=[council.code]),
        series=(series := returns_service.own_series(session=session, council_code=council.code)),
        charts=own_charts(series),
        labels=LABELS,
        may_submit=True,
        quarter_end=quarterly_template.last_quarter_end(utcnow().date()),
        errors=errors,
    )


@router.get("/returns/{return_id}", response_class=HTMLResponse)
def return_page(
    request: Request, session: SessionDep, principal: CouncilPrivateReader, return_id: RowId
) -> Response:
    row = require_return(principal, session, return_id)
    return _report(request, session, principal, row, [])


def _report(
    request: Request,
    session: Session,
    principal: Principal,
    row: CouncilReturn,
    form_errors: list[str],
) -> Response:
    """The return's report page; ``form_errors`` are the corrected-file form's, shown at
    its file field and in the error summary."""
    assert row.id is not None
    errors = [(n, i) for n, i in enumerate(row.issues, start=1) if i["severity"] == "error"]
    warnings = [(n, i) for n, i in enumerate(row.issues, start=1) if i["severity"] == "warning"]
    council = session.get(Council, row.council_code)
    return render(
        request,
        "return.html",
        status_code=400 if form_errors else 200,
        row=row,
        council=council,
        council_name=council.name if council else row.council_code,
        errors=errors,
        warnings=warnings,
        form_errors=form_errors,
        labels=LABELS,
        headings=quarterly_template.heading,
        role_groups=quarterly_template.ROLE_GROUPS,
        measure_rows=measure_rows(session, row),
        may_submit=_may_submit(principal, row.council_code),
        # Each listed assignment with its agency's kite-mark status today.
        assignments=agency_councils.return_assignments(session=session, return_id=row.id),
    )


def _return_to_correct(principal: Principal, session: Session, return_id: int) -> CouncilReturn:
    """The return ``return_id`` if ``principal`` may send its council a new version; one
    outside their reach is answered as not found."""
    row = require_return(principal, session, return_id)
    require_council(principal, Action.submit_council_return, session, row.council_code)
    return row


@router.post("/returns/{return_id}/corrected-file", response_class=HTMLResponse)
async def corrected_file_page(
    request: Request, session: SessionDep, principal: ReturnSubmitter, return_id: RowId
) -> Response:
    """A corrected file sent from a return's report page, stored as the council's next
    version; without a file, the report page again with the error at its file field."""
    settings = request.app.state.settings
    row = await run_in_threadpool(_return_to_correct, principal, session, return_id)
    file, errors = await _form_file(request, "Choose the corrected file to send")
    if errors or file is None:
        return await run_in_threadpool(_report, request, session, principal, row, errors)
    council_code = row.council_code
    await run_in_threadpool(session.close)  # the guard's read is done
    result = await store_upload(request, principal, council_code, file, None, settings)
    return RedirectResponse(f"/returns/{result.council_return.id}", status_code=303)

"""Regional MoU groups: caps, rates, findings, the DfE agency return and the rate index.

A group's routes answer only the groups the caller may read: an MoU member reads their own
group and gets 404 for any other (as if it did not exist), analysts and administrators
read every group. The aggregate views take no council, agency or date filter: each figure
is a whole group x role x quarter (see ``workforce.mou.views``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from api.deps import SessionDep
from api.formats import Format, FormatQuery, respond
from api.security import CouncilPrivateReader, guard, require_council
from workforce.auth.permissions import Action, Principal
from workforce.cache import VersionedCache
from workforce.errors import InputDataError, Problem
from workforce.mou import caps as cap_service
from workforce.mou import comparisons, dfe_return, service, views
from workforce.mou.models import (
    CapHistoryPublic,
    FindingStatus,
    GroupRatesPublic,
    MouFindingPublic,
    MouGroupPublic,
    RateCapPublic,
    RateIndexCellPublic,
    RoleCategory,
)
from workforce.timeutils import utcnow

router = APIRouter(prefix="/api", tags=["mou"])
MouReader = Annotated[Principal, Depends(guard(Action.read_mou_rates))]
EXAMPLE_LABEL = "example figure"
SUPPRESSION_RULE = (
    f"Another group's figure, and every cell of the public index, is shown only when it "
    f"holds at least {views.MIN_ASSIGNMENTS} assignments from at least {views.MIN_COUNCILS} "
    "councils and does not differ from another figure shown for the same role and quarter "
    "by fewer than that."
)


def no_filters(*allowed: str) -> Any:
    """Return a dependency that refuses any query parameter but ``allowed``: an aggregate
    is a whole cell, so it never takes a council, agency or date filter."""

    def check(request: Request) -> None:
        extra = sorted(set(request.query_params) - set(allowed))
        if extra:
            raise InputDataError(
                [
                    Problem(
                        "mou.no_filters",
                        "this view is of whole groups by role and quarter and takes no "
                        "filters (council, agency, dates)",
                        column=name,
                    )
                    for name in extra
                ]
            )

    return Depends(check)


@router.get("/mou/groups", response_model=list[MouGroupPublic])
def list_groups(session: SessionDep, principal: MouReader) -> Any:
    """The MoU groups you may read, with their members today."""
    return [
        service.group_public(session=session, group=g)
        for g in views.visible_groups(session=session, principal=principal)
    ]


@router.get("/mou/groups/{name}/caps", response_model=list[CapHistoryPublic])
def group_caps(session: SessionDep, principal: MouReader, name: str) -> Any:
    """The group's caps by role, every one ever set, marking those in force today."""
    group = views.group_for(session=session, principal=principal, name=name)
    return cap_history(session=session, group_name=group.name)


def cap_history(*, session: Any, group_name: str) -> list[CapHistoryPublic]:
    """The group's caps, each labelled if it is an example and marked if in force today."""
    caps = cap_service.caps(session=session, group_name=group_name)
    today = utcnow().date()
    in_force = {}
    for cap in caps:  # by role and day: the last on or before today is in force
        if cap.effective_from <= today:
            in_force[cap.role_category] = cap.id
    return [
        CapHistoryPublic.model_validate(
            {
                **{name: getattr(cap, name) for name in RateCapPublic.model_fields},
                "role_category": RoleCategory(cap.role_category),
                "label": EXAMPLE_LABEL if cap.is_example else "",
                "in_force": in_force.get(cap.role_category) == cap.id,
            }
        )
        for cap in caps
    ]


@router.get(
    "/mou/groups/{name}/rates", response_model=GroupRatesPublic, dependencies=[no_filters()]
)
def group_rates(session: SessionDep, principal: MouReader, name: str) -> Any:
    """The group's rates by role and quarter against the cap, spend above cap, and the
    cross-region comparison of medians."""
    group = views.group_for(session=session, principal=principal, name=name)
    return GroupRatesPublic(
        group_name=group.name,
        cells=views.group_rates(session=session, group=group),
        spend_above_cap=views.spend_above_cap(session=session, group=group),
        comparison=comparisons.cross_region(session=session, own_group=group),
        basis=views.BASIS_LABELS,
        spend_rule=views.SPEND_RULE,
        suppression_rule=SUPPRESSION_RULE,
    )


@router.get("/mou/groups/{name}/findings", response_model=list[MouFindingPublic])
def group_findings(
    session: SessionDep,
    principal: MouReader,
    name: str,
    format: FormatQuery = Format.json,
    council: Annotated[str | None, Query(max_length=9)] = None,
    rule: Annotated[str | None, Query(max_length=40)] = None,
    status: FindingStatus | None = None,
) -> Any:
    """The group's findings, newest first; of one council, rule or status when asked."""
    group = views.group_for(session=session, principal=principal, name=name)
    found = views.list_findings(
        session=session, group=group, council=council, rule=rule, status=status
    )
    return respond(found, format, f"mou-findings-{group.name}")


class ReturnFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@router.get("/councils/{code}/dfe-agency-return", response_model=None)
def dfe_agency_return(
    session: SessionDep,
    principal: CouncilPrivateReader,
    code: str,
    quarter: Annotated[str, Query(pattern=r"^\d{4}-Q[1-4]$", description="e.g. 2025-Q4")],
    format: ReturnFormat = ReturnFormat.json,
) -> Any:
    """The council's DfE quarterly agency return, drafted from its accepted returns, with
    what is missing listed (JSON, CSV or XLSX)."""
    council = require_council(principal, Action.read_council_private, session, code)
    drafted = dfe_return.draft_return(
        session=session, council_code=council.code, quarter=views.Quarter.parse(quarter)
    )
    filename = f"dfe-agency-return-{council.code}-{quarter}"
    if format is ReturnFormat.csv:
        return Response(
            content=dfe_return.to_csv(drafted),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    if format is ReturnFormat.xlsx:
        return Response(
            content=dfe_return.to_xlsx(drafted),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
        )
    return drafted.as_json()


def cached_rate_index(request: Request, session: Session) -> list[RateIndexCellPublic]:
    """The public index, worked out once per data version (returns, caps, members and
    assessments all change the version) and shared by the API and the page."""
    cache: VersionedCache = request.app.state.answers
    return cache.get(session, ("rate-index",), lambda: comparisons.rate_index(session=session))


@router.get(
    "/rate-index", response_model=list[RateIndexCellPublic], dependencies=[no_filters("format")]
)
def rate_index(request: Request, session: SessionDep, format: FormatQuery = Format.json) -> Any:
    """The public agency-rate index: each region's median hourly rate by role and quarter,
    shown only for cells of at least 5 assignments from at least 3 councils."""
    return respond(cached_rate_index(request, session), format, "agency-rate-index")

"""Pages for regional MoU groups (their members, analysts, administrators) and the public
agency-rate index: charts with their figures in a table under each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from matplotlib.figure import Figure

from api.charts import COLOURS, _as_svg
from api.deps import SessionDep
from api.rendering import render
from api.routes.mou import EXAMPLE_LABEL, SUPPRESSION_RULE, cached_rate_index, cap_history
from api.security import guard
from workforce.auth.permissions import Action, Principal
from workforce.councils.service import council_names
from workforce.errors import NotFoundError
from workforce.mou import comparisons, digest, service, views
from workforce.mou.models import ROLE_CATEGORY_LABELS, FindingStatus, MouDigest, RoleCategory
from workforce.mou.rules import RULE_LABELS
from workforce.timeutils import utcnow

router = APIRouter(include_in_schema=False)
MouReader = Annotated[Principal, Depends(guard(Action.read_mou_rates))]
# Distinct, colour-blind-safe-leaning colours for the regions' lines on the index chart.
SERIES_COLOURS = (
    "#1d70b8",
    "#f47738",
    "#00703c",
    "#912b88",
    "#d4351c",
    "#0b0c0c",
    "#5694ca",
    "#85994b",
    "#b58840",
    "#505a5f",
)


@dataclass(frozen=True)
class RoleChart:
    role: RoleCategory
    label: str
    svg: str
    rows: list[dict[str, object]]


@lru_cache(maxsize=256)
def quarter_chart_svg(
    *,
    chart_id: str,
    title: str,
    quarters: tuple[str, ...],
    series: tuple[tuple[str, tuple[float | None, ...]], ...],
    cap: tuple[float | None, ...] = (),
    cap_label: str = "cap in force at quarter end",
) -> str:
    """Return an SVG chart of hourly rates by quarter: one line per series, and the cap as
    a dashed step line. Cached like the other charts."""
    figure = Figure(figsize=(6.4, 3.2), dpi=100)
    axes = figure.add_subplot()
    xs = list(range(len(quarters)))
    for number, (label, values) in enumerate(series):
        points = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
        if points:
            axes.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                "-",
                marker="o",
                markersize=4,
                color=SERIES_COLOURS[number % len(SERIES_COLOURS)],
                linewidth=2,
                label=label,
            )
    cap_points = [(x, v) for x, v in zip(xs, cap, strict=False) if v is not None]
    if cap_points:
        axes.step(
            [p[0] for p in cap_points],
            [p[1] for p in cap_points],
            "--",
            where="post",
            color=COLOURS["england"],
            linewidth=1.5,
            label=cap_label,
        )
    axes.set_xticks(xs, list(quarters), rotation=45 if len(quarters) > 6 else 0)
    axes.set_ylabel("pounds an hour")
    axes.grid(axis="y", color="#e6e6e6")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    figure.tight_layout()
    return _as_svg(figure, chart_id, title)


def _money(value: float | None) -> str:
    return "" if value is None else f"£{value:,.2f}"


@router.get("/mou/groups", response_class=HTMLResponse)
def groups_page(request: Request, session: SessionDep, principal: MouReader) -> Response:
    """The MoU groups you may read, each linking to its page."""
    groups = views.visible_groups(session=session, principal=principal)
    return render(
        request,
        "mou_groups.html",
        groups=[service.group_public(session=session, group=g) for g in groups],
    )


@router.get("/mou/groups/{name}", response_class=HTMLResponse)
def group_page(request: Request, session: SessionDep, principal: MouReader, name: str) -> Response:
    """A group's page: caps with their history, rates by role and quarter against the cap,
    findings summary, spend above cap, comparison with other groups and past digests."""
    group = views.group_for(session=session, principal=principal, name=name)
    caps = cap_history(session=session, group_name=group.name)
    cells = views.group_rates(session=session, group=group)
    quarters = sorted({c.quarter for c in cells})
    charts = []
    for role in RoleCategory:
        mine = {c.quarter: c for c in cells if c.role_category == role}
        if not mine:
            continue
        label = ROLE_CATEGORY_LABELS[role]
        example = any(c.cap_is_example for c in mine.values())
        svg = quarter_chart_svg(
            chart_id=f"rates-{role.value}",
            title=f"{label}: median hourly rate by quarter in {group.name}, with the cap",
            quarters=tuple(quarters),
            series=(
                ("median rate", tuple(mine[q].median if q in mine else None for q in quarters)),
            ),
            cap=tuple(mine[q].cap if q in mine else None for q in quarters),
            cap_label="cap (example figure)" if example else "cap in force at quarter end",
        )
        charts.append(RoleChart(role, label, svg, [c.model_dump() for c in mine.values()]))
    comparison = comparisons.cross_region(session=session, own_group=group)
    return render(
        request,
        "mou_group.html",
        group=group,
        members=service.memberships(session=session, group_name=group.name),
        caps=caps,
        charts=charts,
        spend=views.spend_above_cap(session=session, group=group),
        by_council=views.findings_by_council(session=session, group=group),
        by_agency=views.findings_by_agency(session=session, group=group),
        comparison=comparison,
        digests=digest.list_digests(session=session, group_name=group.name),
        role_labels=ROLE_CATEGORY_LABELS,
        basis_labels=views.BASIS_LABELS,
        spend_rule=views.SPEND_RULE,
        suppression_rule=SUPPRESSION_RULE,
        example_label=EXAMPLE_LABEL,
        money=_money,
        today=utcnow().date(),
        council_names=council_names(session=session),
    )


@router.get("/mou/groups/{name}/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    session: SessionDep,
    principal: MouReader,
    name: str,
    council: Annotated[str | None, Query(max_length=9)] = None,
    rule: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """A group's findings, filterable by council, rule and status."""
    group = views.group_for(session=session, principal=principal, name=name)
    chosen = FindingStatus(status) if status in set(FindingStatus) else None
    every = views.list_findings(session=session, group=group)
    found = views.list_findings(
        session=session, group=group, council=council or None, rule=rule or None, status=chosen
    )
    return render(
        request,
        "mou_findings.html",
        group=group,
        findings=found,
        councils=sorted({f.council_code for f in every}),
        rules=sorted({f.rule for f in every}),
        statuses=list(FindingStatus),
        council=council or "",
        rule=rule or "",
        status=chosen.value if chosen else "",
        money=_money,
        council_names=council_names(session=session),
        rule_labels=RULE_LABELS,
    )


@router.get("/mou/groups/{name}/digests/{digest_id}", response_class=FileResponse)
def digest_file(
    session: SessionDep,
    principal: MouReader,
    name: str,
    digest_id: int,
    format: Annotated[str, Query(pattern="^(html|csv)$")] = "html",
) -> Response:
    """One of the group's past digests, as HTML or CSV."""
    group = views.group_for(session=session, principal=principal, name=name)
    row = session.get(MouDigest, digest_id)
    if row is None or row.group_name != group.name:
        raise NotFoundError(f"No digest {digest_id} for {group.name}.")
    path = Path(row.html_path if format == "html" else row.csv_path)
    if not path.is_file():
        raise NotFoundError(f"The digest file {path.name} is no longer in the reports folder.")
    media = "text/html; charset=utf-8" if format == "html" else "text/csv; charset=utf-8"
    return FileResponse(path, media_type=media, filename=path.name)


@router.get("/rate-index", response_class=HTMLResponse)
def rate_index_page(request: Request, session: SessionDep) -> Response:
    """The public agency-rate index: regional median rates by role and quarter."""
    cells = cached_rate_index(request, session)
    quarters = sorted({c.quarter for c in cells})
    charts = []
    for role in RoleCategory:
        mine = [c for c in cells if c.role_category == role]
        if not mine:
            continue
        by_region: dict[str, dict[str, float | None]] = defaultdict(dict)
        for c in mine:
            by_region[c.region_name][c.quarter] = c.median
        series = tuple(
            (region, tuple(values.get(q) for q in quarters))
            for region, values in sorted(by_region.items())
            if any(v is not None for v in values.values())
        )
        label = ROLE_CATEGORY_LABELS[role]
        svg = quarter_chart_svg(
            chart_id=f"index-{role.value}",
            title=f"{label}: regional median agency hourly rate by quarter",
            quarters=tuple(quarters),
            series=series,
        )
        charts.append(RoleChart(role, label, svg, [c.model_dump() for c in mine]))
    return render(
        request,
        "mou_rate_index.html",
        charts=charts,
        basis_labels=views.BASIS_LABELS,
        suppression_rule=SUPPRESSION_RULE,
        money=_money,
    )

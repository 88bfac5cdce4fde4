"""The pool's report: fill rate by tier and region, days from request to placement, unfilled
posts and why, pool capacity by role and specialism, placements ending soon. Each part is a
function returning typed rows; :func:`section_csv` writes any part as a CSV download.

A request's tier is the one it has on the report's day: its council's
(:func:`workforce.pool.tiers.tiers_of`), or a coordinator's raise where that is better, as
the requests' pages show it. Withdrawn requests are left out of the fill rate. A placement
counts as placed even if it later ended early.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from statistics import median
from typing import Any

from sqlmodel import Session, col, select

from workforce.councils.models import Council, Region
from workforce.errors import InputDataError, Problem
from workforce.exports import to_csv
from workforce.pool.models import (
    MatchRun,
    Placement,
    PoolAvailability,
    PoolRequest,
    PoolWorker,
    PoolWorkerSpecialism,
    RequestStatus,
    Unfilled,
)
from workforce.pool.terms import ROLE_LABELS, TIER_LABELS, PoolRole, Tier
from workforce.pool.tiers import tiers_of

ENDING_SOON_DAYS = 28
CAPACITY_HORIZON_DAYS = 90


@dataclass(frozen=True)
class FillRateRow:
    tier: int
    tier_label: str
    region_code: str
    region_name: str
    requests: int
    posts_requested: int
    posts_placed: int
    fill_rate: float | None  # placed / requested, 0..1


@dataclass(frozen=True)
class TimeToPlacementRow:
    tier: int | None
    tier_label: str
    placements: int
    median_days: float | None


@dataclass(frozen=True)
class UnfilledRow:
    run_id: int
    request_id: int
    council_code: str
    council_name: str
    role: str
    slot: int
    tier: int
    reason: str
    nearest_worker_id: int | None
    nearest_failures: str


@dataclass(frozen=True)
class CapacityRow:
    role: str
    specialism: str  # "all" for every worker of the role
    active_workers: int
    available_now: int
    available_within_90_days: int


@dataclass(frozen=True)
class EndingRow:
    placement_id: int
    council_code: str
    council_name: str
    worker_id: int
    worker_name: str
    role: str
    start_date: date
    end_date: date
    planned_end: date
    days_left: int


def _tier_label(tier: int | None) -> str:
    return "all" if tier is None else TIER_LABELS[Tier(tier)]


def request_tiers(*, session: Session, on: date) -> dict[int, Tier]:
    """Each request's tier on ``on``: its council's, or the coordinator's raise if better."""
    requests = session.exec(
        select(PoolRequest.id, PoolRequest.council_code, PoolRequest.tier_raised_to)
    ).all()
    councils = tiers_of(session=session, council_codes={r[1] for r in requests}, on=on)
    return {
        request_id: councils[code] if raised is None else min(councils[code], Tier(raised))
        for request_id, code, raised in requests
        if request_id is not None
    }


def _placed_counts(session: Session) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for request_id in session.exec(select(Placement.request_id)).all():
        counts[request_id] += 1
    return counts


def fill_rates(*, session: Session, on: date) -> list[FillRateRow]:
    """Posts requested and placed, by tier (on ``on``) and the council's region."""
    tiers = request_tiers(session=session, on=on)
    placed = _placed_counts(session)
    regions = {r.code: r.name for r in session.exec(select(Region)).all()}
    rows = session.exec(
        select(PoolRequest, Council.region_code)
        .join(Council, Council.code == PoolRequest.council_code)  # type: ignore[arg-type]
        .where(PoolRequest.status != RequestStatus.withdrawn)
    ).all()
    groups: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for request, region in rows:
        assert request.id is not None
        g = groups[(int(tiers[request.id]), region)]
        g[0] += 1
        g[1] += request.posts
        g[2] += min(placed.get(request.id, 0), request.posts)
    return [
        FillRateRow(
            tier=tier,
            tier_label=_tier_label(tier),
            region_code=region,
            region_name=regions.get(region, region),
            requests=n,
            posts_requested=posts,
            posts_placed=filled,
            fill_rate=round(filled / posts, 4) if posts else None,
        )
        for (tier, region), (n, posts, filled) in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1])
        )
    ]


def time_to_placement(*, session: Session, on: date) -> list[TimeToPlacementRow]:
    """Median days from a request to each of its placements, overall then by tier (on
    ``on``)."""
    tiers = request_tiers(session=session, on=on)
    rows = session.exec(
        select(Placement.created_at, PoolRequest.created_at, PoolRequest.id).join(
            PoolRequest,
            PoolRequest.id == Placement.request_id,  # type: ignore[arg-type]
        )
    ).all()
    by_tier: dict[int, list[float]] = defaultdict(list)
    every: list[float] = []
    for placed_at, asked_at, request_id in rows:
        days = round((placed_at - asked_at).total_seconds() / 86400, 2)
        every.append(days)
        assert request_id is not None
        by_tier[int(tiers[request_id])].append(days)
    out = [
        TimeToPlacementRow(
            tier=None,
            tier_label="all",
            placements=len(every),
            median_days=median(every) if every else None,
        )
    ]
    for tier in sorted(by_tier):
        days_list = by_tier[tier]
        out.append(
            TimeToPlacementRow(
                tier=tier,
                tier_label=_tier_label(tier),
                placements=len(days_list),
                median_days=median(days_list),
            )
        )
    return out


def unfilled_posts(*, session: Session) -> list[UnfilledRow]:
    """The latest match run's unfilled posts, each with its reason and nearest miss."""
    run = session.exec(select(MatchRun).order_by(col(MatchRun.id).desc())).first()
    if run is None:
        return []
    rows = session.exec(
        select(Unfilled, PoolRequest, Council)
        .join(PoolRequest, PoolRequest.id == Unfilled.request_id)  # type: ignore[arg-type]
        .join(Council, Council.code == PoolRequest.council_code)  # type: ignore[arg-type]
        .where(Unfilled.run_id == run.id)
        .order_by(col(Unfilled.tier), col(Unfilled.request_id), col(Unfilled.slot))
    ).all()
    return [
        UnfilledRow(
            run_id=u.run_id,
            request_id=u.request_id,
            council_code=c.code,
            council_name=c.name,
            role=ROLE_LABELS[PoolRole(r.role)],
            slot=u.slot,
            tier=u.tier,
            reason=u.reason,
            nearest_worker_id=u.nearest_worker_id,
            nearest_failures="; ".join(u.nearest_failures or []),
        )
        for u, r, c in rows
    ]


def _free_days(
    windows: Sequence[tuple[date, date]],
    booked: Sequence[tuple[date, date]],
    start: date,
    end: date,
) -> int:
    """How many days in ``start``..``end`` fall in an availability window and no placement."""
    free = 0
    day = start
    while day <= end:
        if any(a <= day <= b for a, b in windows) and not any(a <= day <= b for a, b in booked):
            free += 1
        day += timedelta(days=1)
    return free


def capacity(*, session: Session, on: date) -> list[CapacityRow]:
    """Active workers by role and specialism ("all": the role's total), how many are
    available on ``on`` and how many have a free day within the next 90 days."""
    workers = session.exec(select(PoolWorker).where(col(PoolWorker.active).is_(True))).all()
    windows: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for a in session.exec(select(PoolAvailability)).all():
        windows[a.worker_id].append((a.start_date, a.end_date))
    booked: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for p in session.exec(select(Placement).where(col(Placement.end_date) >= on)).all():
        booked[p.worker_id].append((p.start_date, p.end_date))
    specialisms: dict[int, list[str]] = defaultdict(list)
    for sp in session.exec(select(PoolWorkerSpecialism)).all():
        specialisms[sp.worker_id].append(str(sp.specialism))
    horizon = on + timedelta(days=CAPACITY_HORIZON_DAYS)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for w in workers:
        assert w.id is not None
        now = _free_days(windows[w.id], booked[w.id], on, on) > 0
        soon = _free_days(windows[w.id], booked[w.id], on, horizon) > 0
        for specialism in ["all", *sorted(specialisms[w.id])]:
            c = counts[(str(w.role), specialism)]
            c[0] += 1
            c[1] += now
            c[2] += soon
    order = {role.value: i for i, role in enumerate(PoolRole)}
    return [
        CapacityRow(
            role=ROLE_LABELS[PoolRole(role)],
            specialism=specialism,
            active_workers=n,
            available_now=now_n,
            available_within_90_days=soon_n,
        )
        for (role, specialism), (n, now_n, soon_n) in sorted(
            counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1] != "all", kv[0][1])
        )
    ]


def ending_soon(*, session: Session, on: date, days: int = ENDING_SOON_DAYS) -> list[EndingRow]:
    """Placements in force whose end falls within ``days`` days of ``on``, soonest first."""
    rows = session.exec(
        select(Placement, PoolWorker, Council)
        .join(PoolWorker, PoolWorker.id == Placement.worker_id)  # type: ignore[arg-type]
        .join(Council, Council.code == Placement.council_code)  # type: ignore[arg-type]
        .where(
            col(Placement.end_date) >= on,
            col(Placement.end_date) <= on + timedelta(days=days),
        )
        .order_by(col(Placement.end_date), col(Placement.id))
    ).all()
    return [
        EndingRow(
            placement_id=p.id,  # type: ignore[arg-type]
            council_code=c.code,
            council_name=c.name,
            worker_id=w.id,  # type: ignore[arg-type]
            worker_name=w.name,
            role=ROLE_LABELS[PoolRole(w.role)],
            start_date=p.start_date,
            end_date=p.end_date,
            planned_end=p.planned_end,
            days_left=(p.end_date - on).days,
        )
        for p, w, c in rows
    ]


# --- the whole report, and CSV -----------------------------------------------------------------

SECTIONS: dict[str, tuple[type, Callable[..., Sequence[Any]]]] = {
    "fill_rate": (FillRateRow, lambda session, on: fill_rates(session=session, on=on)),
    "time_to_placement": (
        TimeToPlacementRow,
        lambda session, on: time_to_placement(session=session, on=on),
    ),
    "unfilled": (UnfilledRow, lambda session, on: unfilled_posts(session=session)),
    "capacity": (CapacityRow, lambda session, on: capacity(session=session, on=on)),
    "ending_soon": (EndingRow, lambda session, on: ending_soon(session=session, on=on)),
}


def _section(section: str) -> tuple[type, Callable[..., Sequence[Any]]]:
    if section not in SECTIONS:
        raise InputDataError(
            [
                Problem(
                    "report.section", f"no section {section!r}; choose from {', '.join(SECTIONS)}"
                )
            ]
        )
    return SECTIONS[section]


def report_section(*, session: Session, section: str, on: date) -> list[dict[str, Any]]:
    """One section's rows as dicts (for the API and the CLI)."""
    _, rows = _section(section)
    return [asdict(row) for row in rows(session, on)]


def report(*, session: Session, on: date) -> dict[str, list[dict[str, Any]]]:
    """Every section's rows as dicts, by section name."""
    return {name: report_section(session=session, section=name, on=on) for name in SECTIONS}


def section_columns(section: str) -> list[str]:
    """A section's columns, in order (its CSV header)."""
    shape, _ = _section(section)
    return [f.name for f in fields(shape)]


def section_csv(*, session: Session, section: str, on: date) -> str:
    """One section of the report as CSV text (safe to open in a spreadsheet)."""
    return to_csv(report_section(session=session, section=section, on=on), section_columns(section))

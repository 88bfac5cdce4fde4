"""The emergency pool's workers, import files, interventions and requests, for tests.

``worker_row`` is one valid row of an import file (override any column); ``workers_csv``
and ``workers_xlsx`` make the file. ``worker``, ``intervention`` and ``request`` store rows
directly (no audit), for tests that need them present rather than imported or requested.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from workforce.pool.models import (
    AreaKind,
    Intervention,
    InterventionKind,
    PoolAvailability,
    PoolPermanentPost,
    PoolRequest,
    PoolRequestSpecialism,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
    Registration,
)
from workforce.pool.terms import PoolRole, Specialism
from workforce.pool.worker_file import COLUMNS

LONDON = "E12000007"
NORTH_WEST = "E12000002"
CAMDEN, GREENWICH = "202", "203"
_numbers = itertools.count(1)


def swe_number() -> str:
    """A fresh Social Work England number, as the pool stores it."""
    return f"SW{next(_numbers) + 9_000_000:010d}"


def worker_row(**overrides: Any) -> dict[str, Any]:
    """One valid row of a workers file: a team manager in London, available all of 2027."""
    row: dict[str, Any] = {
        "name": "A. Example",
        "role": "team_manager",
        "swe_number": swe_number(),
        "registration": "registered",
        "registration_checked": "2026-10-01",
        "qualified_on": "2012-07-01",
        "specialisms": "child_protection; court work",
        "intervention_experience": "Y",
        "home_region": "London",
        "work_regions": LONDON,
        "work_councils": "",
        "remote": "N",
        "availability": "2027-01-04..2027-12-31",
        "permanent_posts": "",
        "references_held": "2",
        "day_rate": "450",
        "active": "Y",
    }
    row.update(overrides)
    return row


def workers_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    """A workers CSV file with ``columns`` (default: every column) and ``rows``."""
    columns = columns or list(COLUMNS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def workers_xlsx(
    rows: list[dict[str, Any]], *, sheet: str = "workers", formulas: dict[str, str] | None = None
) -> bytes:
    """A workers workbook (one sheet named ``sheet``); ``formulas`` puts a formula in the
    first row's cells (column -> formula) as a hostile file would."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    columns = list(COLUMNS)
    ws.append(columns)
    for number, row in enumerate(rows):
        values = [row.get(c, "") for c in columns]
        if number == 0 and formulas:
            values = [formulas.get(c, v) for c, v in zip(columns, values, strict=True)]
        ws.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def worker(
    session: Session,
    *,
    name: str = "A. Worker",
    role: PoolRole = PoolRole.team_manager,
    specialisms: tuple[Specialism, ...] = (Specialism.child_protection,),
    home_region: str = LONDON,
    work_regions: tuple[str, ...] = (LONDON,),
    work_councils: tuple[str, ...] = (),
    availability: tuple[tuple[date, date], ...] = ((date(2027, 1, 1), date(2027, 12, 31)),),
    permanent_posts: tuple[tuple[str, date], ...] = (),
    day_rate: float = 450.0,
    **fields: Any,
) -> PoolWorker:
    """A worker stored as the import would store them (flushed, not committed)."""
    row = PoolWorker(
        name=name,
        role=role,
        swe_number=fields.pop("swe_number", None) or swe_number(),
        registration=fields.pop("registration", Registration.registered),
        registration_checked=fields.pop("registration_checked", date(2026, 10, 1)),
        qualified_on=fields.pop("qualified_on", date(2012, 7, 1)),
        home_region=home_region,
        day_rate=day_rate,
        **fields,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add_all(PoolWorkerSpecialism(worker_id=row.id, specialism=s) for s in specialisms)
    session.add_all(
        PoolWorkerArea(worker_id=row.id, kind=kind, code=code)
        for kind, codes in ((AreaKind.region, work_regions), (AreaKind.council, work_councils))
        for code in codes
    )
    session.add_all(
        PoolAvailability(worker_id=row.id, start_date=s, end_date=e) for s, e in availability
    )
    session.add_all(
        PoolPermanentPost(worker_id=row.id, council_code=c, left_on=d) for c, d in permanent_posts
    )
    session.flush()
    return row


def intervention(
    session: Session,
    council_code: str = CAMDEN,
    *,
    kind: InterventionKind = InterventionKind.statutory_direction,
    start_date: date = date(2026, 1, 1),
    end_date: date | None = None,
) -> Intervention:
    """A council's intervention, stored (flushed)."""
    row = Intervention(
        council_code=council_code,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        recorded_by="test-setup",
    )
    session.add(row)
    session.flush()
    return row


def request(
    session: Session,
    council_code: str = CAMDEN,
    *,
    role: PoolRole = PoolRole.team_manager,
    posts: int = 1,
    start_date: date = date(2027, 3, 1),
    weeks: int = 12,
    required: tuple[Specialism, ...] = (),
    preferred: tuple[Specialism, ...] = (),
    **fields: Any,
) -> PoolRequest:
    """A council's open request, stored as the service stores one (flushed)."""
    row = PoolRequest(
        council_code=council_code,
        role=role,
        posts=posts,
        start_date=start_date,
        end_date=start_date + timedelta(days=weeks * 7 - 1),
        onsite_days=fields.pop("onsite_days", 3),
        max_day_rate=fields.pop("max_day_rate", 600.0),
        reason=fields.pop("reason", "Caseloads above 30 after the inadequate judgement."),
        created_by=fields.pop("created_by", "test-setup"),
        **fields,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for specialisms, is_required in ((required, True), (preferred, False)):
        session.add_all(
            PoolRequestSpecialism(request_id=row.id, specialism=s, required=is_required)
            for s in specialisms
        )
    session.flush()
    return row


def request_body(**overrides: Any) -> dict[str, Any]:
    """A valid request as the API takes it (JSON)."""
    body: dict[str, Any] = {
        "role": "team_manager",
        "posts": 2,
        "required": ["court_work"],
        "preferred": ["child_protection"],
        "start_date": (date.today() + timedelta(days=30)).isoformat(),
        "weeks": 12,
        "onsite_days": 3,
        "max_day_rate": 550,
        "reason": "Two team managers left after the inadequate judgement.",
    }
    body.update(overrides)
    return body

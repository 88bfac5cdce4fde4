"""Importing the pool's workers from a CSV or XLSX file: every row checked, all or nothing.

The file is read by :mod:`workforce.pool.worker_file` (its columns are
:data:`~workforce.pool.worker_file.COLUMNS`) and checked by :mod:`workforce.pool.worker_rows`.
A file with any error stores nothing and is refused with every problem at once
(:class:`~workforce.errors.InputDataError`, each with its sheet, row, column, value and rule
id). A valid file adds or updates workers by their Social Work England number, replacing
each one's specialisms, work areas, availability and past permanent posts with the file's,
under the pool's ``workers`` write lock, and the import is audited with its counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError
from workforce.ingest.problems import ErrorLimitReached, Issues
from workforce.pool.locking import lock_for_writing
from workforce.pool.models import (
    AreaKind,
    PoolAvailability,
    PoolPermanentPost,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
)
from workforce.pool.worker_file import read_table
from workforce.pool.worker_rows import WorkerRow, check_rows
from workforce.timeutils import utcnow


@dataclass
class ImportReport:
    """What an import stored: how many workers it added, changed and found as they were."""

    file_name: str
    sha256: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    worker_ids: list[int] = field(default_factory=list)


# --- storing -------------------------------------------------------------------------------


def _snapshot(worker: PoolWorker, children: dict[str, list[Any]]) -> tuple[Any, ...]:
    return (
        worker.name,
        str(worker.role),
        str(worker.registration),
        worker.registration_checked,
        worker.qualified_on,
        worker.intervention_experience,
        worker.home_region,
        worker.remote,
        worker.references_held,
        float(worker.day_rate),
        worker.active,
        *(sorted(children[k]) for k in ("specialisms", "regions", "councils", "windows", "posts")),
    )


def _row_snapshot(row: WorkerRow) -> tuple[Any, ...]:
    return (
        row.name,
        row.role.value,
        row.registration.value,
        row.registration_checked,
        row.qualified_on,
        row.intervention_experience,
        row.home_region,
        row.remote,
        row.references_held,
        float(row.day_rate),
        row.active,
        sorted(s.value for s in row.specialisms),
        sorted(row.work_regions),
        sorted(row.work_councils),
        sorted(row.availability),
        sorted(row.permanent_posts),
    )


def _children(session: Session, worker_ids: list[int]) -> dict[int, dict[str, list[Any]]]:
    out: dict[int, dict[str, list[Any]]] = {
        i: {"specialisms": [], "regions": [], "councils": [], "windows": [], "posts": []}
        for i in worker_ids
    }
    for chunk in _chunks(worker_ids):
        for s in session.exec(
            select(PoolWorkerSpecialism).where(col(PoolWorkerSpecialism.worker_id).in_(chunk))
        ):
            out[s.worker_id]["specialisms"].append(str(s.specialism))
        for a in session.exec(
            select(PoolWorkerArea).where(col(PoolWorkerArea.worker_id).in_(chunk))
        ):
            out[a.worker_id]["regions" if a.kind == AreaKind.region else "councils"].append(a.code)
        for w in session.exec(
            select(PoolAvailability).where(col(PoolAvailability.worker_id).in_(chunk))
        ):
            out[w.worker_id]["windows"].append((w.start_date, w.end_date))
        for p in session.exec(
            select(PoolPermanentPost).where(col(PoolPermanentPost.worker_id).in_(chunk))
        ):
            out[p.worker_id]["posts"].append((p.council_code, p.left_on))
    return out


def _chunks(ids: list[Any], size: int = 500) -> list[list[Any]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _store(session: Session, rows: list[WorkerRow], report: ImportReport) -> None:
    existing: dict[str, PoolWorker] = {}
    for chunk in _chunks([r.swe_number for r in rows]):
        query = select(PoolWorker).where(col(PoolWorker.swe_number).in_(chunk))
        existing.update((w.swe_number, w) for w in session.exec(query))
    before = _children(session, [w.id for w in existing.values() if w.id is not None])
    changed: list[tuple[PoolWorker, WorkerRow]] = []
    for row in rows:
        worker = existing.get(row.swe_number)
        if worker is not None:
            assert worker.id is not None
            if _snapshot(worker, before[worker.id]) == _row_snapshot(row):
                report.unchanged += 1
                report.worker_ids.append(worker.id)
                continue
            report.updated += 1
        else:
            worker = PoolWorker(
                swe_number=row.swe_number,
                name=row.name,
                role=row.role,
                registration=row.registration,
                qualified_on=row.qualified_on,
                home_region=row.home_region,
                day_rate=row.day_rate,
            )
            report.created += 1
        for name in (
            "name",
            "role",
            "registration",
            "registration_checked",
            "qualified_on",
            "intervention_experience",
            "home_region",
            "remote",
            "references_held",
            "day_rate",
            "active",
        ):
            setattr(worker, name, getattr(row, name))
        worker.updated_at = utcnow()
        session.add(worker)
        changed.append((worker, row))
    session.flush()
    ids = [w.id for w, _ in changed if w.id is not None]
    for model in (PoolWorkerSpecialism, PoolWorkerArea, PoolAvailability, PoolPermanentPost):
        for chunk in _chunks(ids):
            session.execute(delete(model).where(col(model.worker_id).in_(chunk)))
    for worker, row in changed:
        assert worker.id is not None
        report.worker_ids.append(worker.id)
        session.add_all(
            [PoolWorkerSpecialism(worker_id=worker.id, specialism=s) for s in row.specialisms]
        )
        session.add_all(
            PoolWorkerArea(worker_id=worker.id, kind=kind, code=code)
            for kind, codes in (
                (AreaKind.region, row.work_regions),
                (AreaKind.council, row.work_councils),
            )
            for code in codes
        )
        session.add_all(
            PoolAvailability(worker_id=worker.id, start_date=start, end_date=end)
            for start, end in row.availability
        )
        session.add_all(
            PoolPermanentPost(worker_id=worker.id, council_code=code, left_on=left_on)
            for code, left_on in row.permanent_posts
        )
    session.flush()


def import_workers(
    *, session: Session, data: bytes, file_name: str, actor: Actor, today: date | None = None
) -> ImportReport:
    """Add or update the pool's workers from a CSV or XLSX file and return the counts;
    refused whole (:class:`InputDataError`, every problem listed) if any row is wrong."""
    today = today or utcnow().date()
    issues = Issues()
    rows: list[WorkerRow] = []
    try:
        table = read_table(data, file_name, issues)
        # The lock comes before the first read, so a second import waits and then sees this one.
        lock_for_writing(
            session=session, subjects=["workers"], what=f"the workers of {file_name!r}"
        )
        if table is not None and not any(p.rule.startswith("structure.") for p in issues.errors):
            rows = check_rows(session=session, table=table, issues=issues, today=today)
    except ErrorLimitReached:
        pass  # the last problem listed says where checking stopped
    issues.end_reading()
    if issues.errors:
        raise InputDataError(list(issues.errors))
    report = ImportReport(
        file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), rows=len(rows)
    )
    _store(session, rows, report)
    audit.record(
        session=session,
        actor=actor,
        action="import",
        entity="pool_worker",
        summary=f"imported pool workers from {file_name}: {report.created} added, "
        f"{report.updated} updated, {report.unchanged} unchanged",
        details={
            "file_name": file_name,
            "sha256": report.sha256,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return report

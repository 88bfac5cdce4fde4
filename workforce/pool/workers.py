"""The pool's workers as they are read: lists, one worker, and the shape the API shows.

Workers are added and changed only by the import (:mod:`workforce.pool.workers_import`);
who may read a worker's record is :func:`workforce.pool.access.worker_for`'s to say.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, select

from workforce.errors import NotFoundError
from workforce.pool.models import (
    AreaKind,
    PoolAvailability,
    PoolPermanentPost,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
    WorkerPublic,
)
from workforce.pool.terms import PoolRole, Specialism


def list_workers(
    *,
    session: Session,
    role: PoolRole | None = None,
    region: str | None = None,
    active: bool | None = None,
) -> list[PoolWorker]:
    """Return the pool's workers by name, of a role, home region or activity if given."""
    query = select(PoolWorker).order_by(col(PoolWorker.name), col(PoolWorker.id))
    if role is not None:
        query = query.where(PoolWorker.role == role)
    if region is not None:
        query = query.where(PoolWorker.home_region == region)
    if active is not None:
        query = query.where(PoolWorker.active == active)
    return list(session.exec(query))


def get_worker(*, session: Session, worker_id: int) -> PoolWorker:
    """Return the worker ``worker_id``."""
    worker = session.get(PoolWorker, worker_id)
    if worker is None:
        raise NotFoundError(f"No pool worker with id {worker_id}.")
    return worker


def workers_public(*, session: Session, workers: list[PoolWorker]) -> list[WorkerPublic]:
    """Return the workers as the API shows them, with their specialisms, areas,
    availability and past permanent posts (read in a few queries, not one per worker)."""
    ids = [w.id for w in workers if w.id is not None]
    specialisms: dict[int, list[Specialism]] = defaultdict(list)
    regions: dict[int, list[str]] = defaultdict(list)
    councils: dict[int, list[str]] = defaultdict(list)
    windows: dict[int, list[tuple[date, date]]] = defaultdict(list)
    posts: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for s in session.exec(
            select(PoolWorkerSpecialism).where(col(PoolWorkerSpecialism.worker_id).in_(chunk))
        ):
            specialisms[s.worker_id].append(Specialism(s.specialism))
        for a in session.exec(
            select(PoolWorkerArea).where(col(PoolWorkerArea.worker_id).in_(chunk))
        ):
            (regions if a.kind == AreaKind.region else councils)[a.worker_id].append(a.code)
        for w in session.exec(
            select(PoolAvailability).where(col(PoolAvailability.worker_id).in_(chunk))
        ):
            windows[w.worker_id].append((w.start_date, w.end_date))
        for p in session.exec(
            select(PoolPermanentPost).where(col(PoolPermanentPost.worker_id).in_(chunk))
        ):
            posts[p.worker_id].append((p.council_code, p.left_on))
    out = []
    for worker in workers:
        assert worker.id is not None
        out.append(
            WorkerPublic(
                id=worker.id,
                name=worker.name,
                role=PoolRole(worker.role),
                swe_number=worker.swe_number,
                registration=worker.registration,
                registration_checked=worker.registration_checked,
                qualified_on=worker.qualified_on,
                specialisms=sorted(specialisms[worker.id]),
                intervention_experience=worker.intervention_experience,
                home_region=worker.home_region,
                work_regions=sorted(regions[worker.id]),
                work_councils=sorted(councils[worker.id]),
                remote=worker.remote,
                availability=sorted(windows[worker.id]),
                permanent_posts=sorted(posts[worker.id]),
                references_held=worker.references_held,
                day_rate=worker.day_rate,
                active=worker.active,
                is_example=worker.is_example,
            )
        )
    return out


def worker_public(*, session: Session, worker: PoolWorker) -> WorkerPublic:
    """Return one worker as the API shows them (see :func:`workers_public`)."""
    return workers_public(session=session, workers=[worker])[0]

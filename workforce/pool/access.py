"""Who sees and changes what in the emergency pool, from the one permission model.

Pool coordinators and administrators (``Action.manage_pool``) see every worker, request and
intervention. A council's intervention lead (``Action.request_pool_staff``, own council)
sees and makes their council's requests, and sees a worker only once placed with their
council. A council's other users (``Action.read_council_private``) read their councils'
interventions; only an administrator records them. Anything outside a caller's reach is
answered exactly as if it did not exist (404).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from workforce.auth.models import Role
from workforce.auth.permissions import Action, Decision, Principal, authorize, councils_in_reach
from workforce.errors import NotFoundError
from workforce.pool.models import Placement, PoolRequest, PoolWorker


def manages_pool(principal: Principal) -> bool:
    """Whether ``principal`` sees every worker and request: a pool coordinator or an admin."""
    return authorize(principal, Action.manage_pool) is Decision.allowed


def is_admin(principal: Principal) -> bool:
    """Whether ``principal`` is an administrator (who records and ends interventions)."""
    return principal.role is Role.admin


def worker_for(*, session: Session, principal: Principal, worker_id: int) -> PoolWorker:
    """Return the worker ``worker_id`` if ``principal`` may see them: a coordinator or an
    administrator always, a council's intervention lead once the worker is placed with
    their council; anyone else is answered as if the worker did not exist."""
    worker = session.get(PoolWorker, worker_id)
    if worker is not None and manages_pool(principal):
        return worker
    reach = councils_in_reach(principal, Action.request_pool_staff)
    if worker is not None and reach:
        placed = session.exec(
            select(Placement.id).where(
                Placement.worker_id == worker_id, col(Placement.council_code).in_(sorted(reach))
            )
        ).first()
        if placed is not None:
            return worker
    raise NotFoundError(f"No pool worker with id {worker_id} that you can see.")


def request_councils(principal: Principal) -> frozenset[str] | None:
    """The councils whose requests ``principal`` sees (None: every council): coordinators
    and administrators all, a council's intervention lead their own, anyone else none."""
    if manages_pool(principal):
        return None
    return councils_in_reach(principal, Action.request_pool_staff)


def request_for(*, session: Session, principal: Principal, request_id: int) -> PoolRequest:
    """Return the request if ``principal`` sees it; another council's is answered exactly
    as one that does not exist."""
    row = session.get(PoolRequest, request_id)
    reach = request_councils(principal)
    if row is None or (reach is not None and row.council_code not in reach):
        raise NotFoundError(f"No pool request with id {request_id} that you can see.")
    return row


def intervention_councils(principal: Principal) -> frozenset[str] | None:
    """The councils whose interventions ``principal`` reads (None: every council): a pool
    coordinator and an administrator all; a council's own users theirs."""
    if manages_pool(principal):
        return None
    reaches = [
        councils_in_reach(principal, action)
        for action in (Action.read_council_private, Action.request_pool_staff)
    ]
    if any(reach is None for reach in reaches):
        return None
    return frozenset().union(*(r for r in reaches if r is not None))

"""The audit log as a page for administrators: filter it, page back, download it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.params import MAX_ID
from api.rendering import render
from api.security import AuditReader
from workforce.auth import audit

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TEXT = Annotated[str, Query(max_length=200)]


def _day(value: str, field: str, label: str, errors: list[dict[str, str]]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append({"field": field, "text": f"{label} must be a date like 2026-11-24"})
        return None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    _: AuditReader,
    actor: TEXT = "",
    action: TEXT = "",
    entity: TEXT = "",
    council: TEXT = "",
    since: TEXT = "",
    until: TEXT = "",
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Who did what, newest first, PAGE_SIZE at a time; days are whole days in UTC."""
    errors: list[dict[str, str]] = []
    first = _day(since, "since", "From", errors)
    last = _day(until, "until", "To", errors)
    if first and last and last < first:
        errors.append({"field": "until", "text": "To must be on or after From"})
    filters = {
        "actor": actor.strip(),
        "action": action.strip(),
        "entity": entity.strip(),
        "council": council.strip(),
        "since": since.strip(),
        "until": until.strip(),
    }
    events = []
    if not errors:
        events = list(
            audit.query(
                session=session,
                actor=filters["actor"] or None,
                action=filters["action"] or None,
                entity=filters["entity"] or None,
                council_code=filters["council"] or None,
                since=datetime.combine(first, time(), UTC) if first else None,
                until=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
                before_id=before_id,
                limit=PAGE_SIZE + 1,
            )
        )
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    kept = {k: v for k, v in filters.items() if v}
    api_filters = {
        **{k: v for k, v in kept.items() if k not in ("since", "until")},
        **({"since": f"{first.isoformat()}T00:00:00Z"} if first else {}),
        **({"until": f"{(last + timedelta(days=1)).isoformat()}T00:00:00Z"} if last else {}),
    }
    return render(
        request,
        "audit.html",
        status_code=400 if errors else 200,
        events=events,
        filters=filters,
        errors=errors,
        older=("?" + urlencode({**kept, "before_id": events[-1].id}) if more and events else None),
        newest="?" + urlencode(kept) if before_id else None,
        download="/api/audit?" + urlencode({**api_filters, "format": "csv", "limit": 5000}),
    )

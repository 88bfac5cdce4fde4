"""Job ``returns_inbox``: ingest councils' returns dropped in ``<inbox>/<council code>/``.

A file is taken only once it is complete: names ending ``.part`` or starting with ``.``
or ``~$`` are left alone, and so is anything modified in the last
``WORKFORCE_INBOX_SETTLE_SECONDS``. Each file is ingested in its own transaction, then
moved with its validation report beside it to ``<inbox>/<code>/archive/`` (accepted, or
already received) or ``<inbox>/<code>/rejected/``. Nothing is ever deleted: a crash
before the move leaves the file in the inbox, and the next run recognises it by its hash.
A quarterly return's assignments CSV named ``<name>.assignments.csv`` travels with
``<name>.csv``.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.auth.audit import Actor
from workforce.config import Settings, get_settings
from workforce.councils.models import Council
from workforce.db import session_scope
from workforce.ingest.problems import ISSUE_COLUMNS
from workforce.returns.flows import ingest
from workforce.returns.reading import Upload

log = logging.getLogger("workforce.jobs.returns_inbox")
SKIP_PREFIXES = (".", "~$")
SKIP_SUFFIXES = (".part", ".tmp", ".crdownload", ".report.json")
ASSIGNMENTS_SUFFIX = ".assignments.csv"
OUTCOME_FOLDERS = ("archive", "rejected")


def _is_assignments(path: Path) -> bool:
    return path.name.lower().endswith(ASSIGNMENTS_SUFFIX)


def _is_candidate(path: Path) -> bool:
    name = path.name.lower()
    return (
        path.is_file() and not name.startswith(SKIP_PREFIXES) and not name.endswith(SKIP_SUFFIXES)
    )


def partner_of(path: Path) -> Path | None:
    """The assignments CSV that travels with a workforce CSV, or the other way round
    (names compared without regard to case)."""
    lower = path.name.lower()
    if lower.endswith(ASSIGNMENTS_SUFFIX):
        wanted = lower[: -len(ASSIGNMENTS_SUFFIX)] + ".csv"
    elif lower.endswith(".csv"):
        wanted = lower[: -len(".csv")] + ASSIGNMENTS_SUFFIX
    else:
        return None
    return next(
        (p for p in path.parent.iterdir() if p.name.lower() == wanted and _is_candidate(p)),
        None,
    )


def ready_files(folder: Path, settle_seconds: float, now: float | None = None) -> list[Path]:
    """Files in ``folder`` that are complete (with their partner, if any) to ingest."""
    now = time.time() if now is None else now

    def settled(path: Path) -> bool:
        return now - path.stat().st_mtime >= settle_seconds

    ready = []
    for path in sorted(folder.iterdir()):
        if not _is_candidate(path) or not settled(path):
            continue
        partner = partner_of(path)
        if partner is not None and _is_assignments(path):
            continue  # ingested with its workforce CSV
        if partner is not None and not settled(partner):
            continue  # wait until both are complete
        ready.append(path)
    return ready


def _move(path: Path, folder: Path, stamp: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stamp}_{path.name}"
    counter = 1
    while target.exists():
        target = folder / f"{stamp}_{counter}_{path.name}"
        counter += 1
    path.rename(target)
    return target


def ingest_inbox_file(
    settings: Settings, engine_session: Session, council_code: str, path: Path
) -> str:
    """Ingest one inbox file (and its assignments partner); return a line for the log."""
    partner = None if _is_assignments(path) else partner_of(path)
    with session_scope(engine_session.get_bind()) as session:  # type: ignore[arg-type]
        result = ingest(
            session=session,
            upload=Upload(path.read_bytes(), path.name),
            assignments=Upload(partner.read_bytes(), partner.name) if partner else None,
            council_code=council_code,
            actor=Actor.job("returns_inbox"),
            source="inbox",
            settings=settings,
        )
        row = result.council_return
        report = {
            "return_id": row.id,
            "council_code": row.council_code,
            "file": path.name,
            "status": row.status,
            "already_received": not result.created,
            "version": row.version,
            "kind": row.kind,
            "period_end": row.period_end.isoformat() if row.period_end else None,
            "sha256": row.sha256,
            "measures": row.measures,
            "issues": [{k: i.get(k) for k in ISSUE_COLUMNS} for i in row.issues],
        }
        status = row.status
    # Moved only after the transaction committed: a crash above leaves the file to retry.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = path.parent / ("rejected" if status == "rejected" else "archive")
    moved = _move(path, folder, stamp)
    if partner is not None:
        _move(partner, folder, stamp)
    moved.with_name(moved.name + ".report.json").write_text(
        json.dumps(report, indent=2, default=str), encoding="utf-8"
    )
    return f"{council_code}/{path.name}: {status}" + (
        " (already received)" if report["already_received"] else ""
    )


@job(
    "returns_inbox",
    description="Ingest councils' returns dropped in <inbox>/<council code>/ (every 5 minutes)",
    cron={"minute": "*/5"},
)
def returns_inbox(*, session: Session) -> JobOutcome:
    """Return how many files were taken in, and what became of each."""
    settings = get_settings()
    assert settings.inbox_dir is not None
    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    lines, taken, failed = [], 0, 0
    for folder in sorted(p for p in settings.inbox_dir.iterdir() if p.is_dir()):
        if folder.name == "published":
            continue  # DfE releases: the published_statistics_import job's folder
        if session.get(Council, folder.name) is None:
            log.warning("Inbox folder %s is not a council's DfE code; its files wait", folder)
            continue
        for path in ready_files(folder, settings.inbox_settle_seconds):
            try:
                lines.append(ingest_inbox_file(settings, session, folder.name, path))
                taken += 1
            except Exception:
                # Left in the inbox to retry next run; the next files still go ahead.
                failed += 1
                log.exception("Could not ingest %s; it stays in the inbox", path)
    if failed:
        raise RuntimeError(
            f"{failed} file(s) could not be ingested and stay in the inbox; {taken} taken: "
            + "; ".join(lines)
        )
    return JobOutcome(rows=taken, summary="; ".join(lines) or "no new files")

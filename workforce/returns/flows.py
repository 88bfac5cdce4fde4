"""Taking in a council's return: archive, read, check, store, version, audit.

The order matters and is the promise to the council:

1. the file is archived byte for byte (named by its SHA-256) before anything reads it;
2. it is read and checked, every problem collected with its rule and location;
3. one transaction stores the outcome: a rejected return with its report and nothing
   else, or an accepted one with its figures, superseding the previous version for the
   same council and period. On PostgreSQL a transaction-level advisory lock per council
   and period makes concurrent uploads queue; a partial unique index guarantees at most
   one current version on both backends.

Uploading content already received for the same council is recognised by its hash and
creates nothing.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.config import Settings, get_settings
from workforce.councils.models import Council, StatisticalNeighbour
from workforce.db import begin_write
from workforce.errors import Busy, NotFoundError
from workforce.ingest import files
from workforce.ingest.problems import Issues
from workforce.locks import return_lock_key, wait_for_transaction_lock
from workforce.measures import MEASURES
from workforce.returns import service, storage
from workforce.returns.models import CouncilReturn, ReturnStatus
from workforce.returns.reading import Parsed, Upload, parse_upload
from workforce.statistics import service as statistics_service
from workforce.timeutils import utcnow

# Rates and caseloads that vary less than this are compared against this spread instead,
# so that a council with a very steady history is not warned about a normal wobble.
MIN_SPREAD = {"%": 2.0, "cases": 1.5}


@dataclass
class IngestResult:
    council_return: CouncilReturn
    created: bool  # False: the same content was already received; nothing new was stored

    @property
    def accepted(self) -> bool:
        return self.council_return.status == ReturnStatus.accepted


def archive_upload(settings: Settings, council_code: str, upload: Upload, suffix: str) -> Path:
    """Write the file, byte for byte, to the archive (atomically; once per content)."""
    assert settings.archive_dir is not None
    digest = upload.sha256
    folder = settings.archive_dir / "returns" / council_code / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{suffix}"
    if target.exists() and target.stat().st_size == len(upload.data):
        return target
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(upload.data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def plausibility(
    *,
    session: Session,
    council_code: str,
    measures: dict[str, float | None],
    settings: Settings,
    year: int,
) -> list[tuple[str, str]]:
    """Return (measure, message) for each measure far outside the council's own history
    or its neighbours' latest figures. Warnings only: unusual is not wrong."""
    found: list[tuple[str, str]] = []
    wanted = [m for m in service.COMPARABLE if measures.get(m) is not None]
    if not wanted:
        return found
    threshold = settings.plausibility_sd
    council = session.get(Council, council_code)
    own = statistics_service.council_series(
        session=session, code=council_code, measures=wanted, year_from=year - 7
    )
    best = statistics_service.best_figures(own, council_code)
    neighbour_codes = list(
        session.exec(
            select(StatisticalNeighbour.neighbour_code).where(
                StatisticalNeighbour.council_code == council_code
            )
        ).all()
    )
    by_neighbour: dict[str, dict[str, list[Any]]] = {}
    if neighbour_codes:
        for figure in statistics_service.figures(
            session=session, area_codes=neighbour_codes, measures=wanted, year_from=year - 3
        ):
            by_neighbour.setdefault(figure.measure, {}).setdefault(figure.area_code, []).append(
                figure
            )
    place = council.name if council else council_code
    for measure in wanted:
        value = measures[measure]
        assert value is not None
        unit = MEASURES[measure].unit
        shown = f"{MEASURES[measure].label.lower()} {value:g}{'%' if unit == '%' else ''}"
        history = sorted(
            (f.year, f.value) for (_, m), f in best.items() if m == measure and f.value is not None
        )[-6:]
        if len(history) >= 3:
            far = _far_from(value, [v for _, v in history if v is not None], unit, threshold)
            if far:
                found.append(
                    (
                        measure,
                        (
                            f"{shown} is {far[0]} {place}'s published "
                            f"{history[0][0]}-{history[-1][0]} mean of {far[1]:.1f}: check it"
                        ),
                    )
                )
        latest = [
            values[-1]
            for values in (
                [f.value for f in sorted(figures, key=lambda f: f.year) if f.value is not None]
                for figures in by_neighbour.get(measure, {}).values()
            )
            if values
        ]
        if len(latest) >= 5:
            far = _far_from(value, latest, unit, threshold)
            if far:
                found.append(
                    (
                        measure,
                        (
                            f"{shown} is {far[0]} the mean of its {len(latest)} statistical "
                            f"neighbours' latest figures ({far[1]:.1f})"
                        ),
                    )
                )
    return found


def _far_from(
    value: float, sample: list[float], unit: str, threshold: float
) -> tuple[str, float] | None:
    """If ``value`` lies more than ``threshold`` spreads from the sample's mean, return how
    far in words ("4.1 standard deviations above") and the mean; else None."""
    mean = statistics.fmean(sample)
    spread = max(statistics.stdev(sample), MIN_SPREAD.get(unit, 1.0))
    distance = (value - mean) / spread
    if abs(distance) <= threshold:
        return None
    direction = "above" if distance > 0 else "below"
    return f"{abs(distance):.1f} standard deviations {direction}", mean


def _lock(
    *, session: Session, council_code: str, kind: str, period_end: date | None, wait_seconds: float
) -> None:
    """Queue concurrent writers for the same council and period, for at most ``wait_seconds``.

    On PostgreSQL a transaction-level advisory lock; on SQLite the transaction already
    holds the database's one write lock (begin_write).
    """
    key = return_lock_key(council_code, kind, period_end)
    if not wait_for_transaction_lock(session=session, key=key, wait_seconds=wait_seconds):
        raise Busy(
            f"Another return for council {council_code} and the period ending "
            f"{period_end or 'unknown'} is being stored, and it was still going after "
            f"{wait_seconds:g} seconds; nothing was stored from this upload. "
            "Send it again shortly: if it holds the same content, it will be recognised.",
            retry_after=max(1, round(wait_seconds)),
            conflict=True,
        )


def ingest(
    *,
    session: Session,
    upload: Upload,
    council_code: str,
    actor: Actor,
    source: str,
    assignments: Upload | None = None,
    settings: Settings | None = None,
    today: date | None = None,
) -> IngestResult:
    """Take in one return for ``council_code`` (the caller has checked the actor may)."""
    settings = settings or get_settings()
    today = today or utcnow().date()
    fresh = not session.in_transaction()
    council = session.get(Council, council_code)
    if council is None:
        raise NotFoundError(f"No council with code {council_code!r}.")
    if fresh:
        # End this read before the file is parsed, so the write below begins as a writer
        # (see begin_write) and holds its locks only while it stores.
        session.commit()
    issues = Issues()
    limit = int(settings.max_upload_mb * 1024 * 1024)
    too_large = len(upload.data) > limit or (
        assignments is not None and len(assignments.data) > limit
    )
    if too_large:
        issues.error(
            "file.too_large",
            f"the file is {len(upload.data) / 1048576:.1f} MB; the limit is "
            f"{settings.max_upload_mb:g} MB",
        )
        parsed = Parsed()
        archive_path = ""
    else:
        try:
            kind_for_name = files.sniff(upload.data)
        except files.Unreadable:
            kind_for_name = "bin"
        suffixes = {"xml": ".xml", "xlsx": ".xlsx", "ods": ".ods", "csv": ".csv"}
        suffix = suffixes.get(kind_for_name, ".bin")
        archive_path = str(archive_upload(settings, council_code, upload, suffix))
        if assignments is not None:
            archive_upload(settings, council_code, assignments, ".csv")
        parsed = parse_upload(issues, upload, today, assignments)

    # From here on the session writes: on SQLite it waits its turn for the write lock now,
    # rather than failing later because another upload committed first.
    begin_write(session=session, what=f"the return {Path(upload.file_name).name!r}")
    if parsed.council_code is not None and parsed.council_code != council_code:
        named = session.get(Council, parsed.council_code)
        described = f"{named.name} ({named.code})" if named else f"council {parsed.council_code}"
        issues.error(
            "scope.council",
            f"this file is for {described}, but it was sent for {council.name} "
            f"({council_code}): send it for the council it describes",
            column="council_code" if parsed.kind == "quarterly" else "LEA",
            value=parsed.council_code,
        )
    measures: dict[str, float | None] = {}
    counts: dict[str, float | None] = {}
    source_data = parsed.census or parsed.quarterly
    # Without errors, parse_upload has read both (it reports either missing as an error).
    if not issues.errors and source_data is not None and parsed.period_end is not None:
        counts = source_data.counts()
        measures = source_data.measures()
        year = parsed.period_end.year
        for measure, message in plausibility(
            session=session,
            council_code=council_code,
            measures=measures,
            settings=settings,
            year=year,
        ):
            issues.warning(
                "plausibility." + measure, message, column=measure, value=measures[measure]
            )

    digest = (
        upload.sha256
        if assignments is None
        else hashlib.sha256(upload.data + b"\0" + assignments.data).hexdigest()
    )
    _lock(
        session=session,
        council_code=council_code,
        kind=parsed.kind,
        period_end=parsed.period_end,
        wait_seconds=settings.write_wait_seconds,
    )
    existing = session.exec(
        select(CouncilReturn)
        .where(CouncilReturn.council_code == council_code, CouncilReturn.sha256 == digest)
        .options(*service.WITH_DETAIL)
    ).first()
    if existing is not None:
        return IngestResult(existing, created=False)

    accepted = not issues.errors
    version = 1
    previous = None
    if parsed.period_end is not None:
        same_period = session.exec(
            select(CouncilReturn).where(
                CouncilReturn.council_code == council_code,
                CouncilReturn.kind == parsed.kind,
                CouncilReturn.period_end == parsed.period_end,
            )
        ).all()
        version = 1 + max((r.version for r in same_period), default=0)
        previous = next((r for r in same_period if r.status == ReturnStatus.accepted), None)
    if accepted and previous is not None:
        previous.status = ReturnStatus.superseded
        session.add(previous)
        session.flush()  # the partial unique index sees one current version at a time
    row = CouncilReturn(
        council_code=council_code,
        kind=parsed.kind,
        period_end=parsed.period_end,
        status=ReturnStatus.accepted if accepted else ReturnStatus.rejected,
        version=version,
        file_name=Path(upload.file_name).name[:255] or "upload",
        sha256=digest,
        size_bytes=len(upload.data) + (len(assignments.data) if assignments else 0),
        file_type=parsed.file_type,
        archive_path=archive_path,
        source=source,
        uploaded_by=actor.user_id,
        uploaded_by_name=actor.name,
        error_count=issues.error_count,
        warning_count=issues.warning_count,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    report = [{**issue, "cell": parsed.cell(issue)} for issue in issues.as_dicts()]
    row.issue_rows = storage.issue_rows(row.id, report)
    row.figure_rows = storage.figure_rows(row.id, measures=measures, counts=counts)
    if accepted:
        storage.store_rows(
            session=session, return_id=row.id, council_code=council_code, parsed=parsed
        )
    audit.record(
        session=session,
        actor=actor,
        action="upload",
        entity="council_return",
        entity_id=row.id,
        council_code=council_code,
        summary=(
            f"{row.kind} return for {parsed.period_end or 'unknown period'} from "
            f"{row.file_name}: {row.status}, version {version}, {row.error_count} error(s), "
            f"{row.warning_count} warning(s)"
            + (f"; supersedes return {previous.id}" if accepted and previous else "")
        ),
        details={"sha256": digest, "source": source, "file": row.file_name},
    )
    return IngestResult(row, created=True)

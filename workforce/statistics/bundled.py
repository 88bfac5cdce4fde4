"""Loading the public data bundled with the service (``workforce demo`` and its jobs)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.councils.reference import load_reference_data
from workforce.data import CSWW_DIR, OFSTED_DIR
from workforce.ingest.files import Unreadable
from workforce.ingest.tables import csv_rows
from workforce.statistics.flows import CswwImportReport, import_release_file

JUDGEMENT_FILES = (
    OFSTED_DIR / "ofsted_judgement_history.csv",
    OFSTED_DIR / "ofsted_csc_ilacs_overview.xlsx",
)


def release_span(path: Path) -> tuple[int, int]:
    """Return the first and last census years a release file covers (0, 0 if unreadable)."""
    years: set[int] = set()
    try:
        rows = csv_rows(path.read_bytes(), path.name, 1_000_000)
    except (OSError, Unreadable):
        return (0, 0)
    header = [h.strip() for h in rows[0][1]]
    if "time_period" in header:
        column = header.index("time_period")
        for _, row in rows[1:]:
            period = row[column].strip() if column < len(row) else ""
            if period.isdigit():
                years.add(int(period))
    return (min(years), max(years)) if years else (0, 0)


def oldest_first(paths: Iterable[Path]) -> list[Path]:
    """Return release files in publication order, so each newer one records its revisions."""
    return sorted(paths, key=lambda p: (release_span(p)[1], release_span(p)[0], p.name))


def newest_census_year() -> int:
    """Return the last census year the bundled releases cover (forecasts start after it)."""
    return max(release_span(path)[1] for path in CSWW_DIR.glob("*.csv"))


def load_public_data(*, session: Session, actor: Actor = audit.SYSTEM) -> list[str]:
    """Return one summary line per bundled data set loaded (idempotent; each audited)."""
    from workforce.inspections.importers import import_judgements

    reference = load_reference_data(session=session)
    audit.record_import(
        session=session, actor=actor, entity="reference_data", report=reference, entity_id="bundled"
    )
    lines = [f"Reference data: {reference.summary()}"]
    for path in oldest_first(CSWW_DIR.glob("*.csv")):
        report: CswwImportReport = import_release_file(session=session, path=path)
        audit.record_import(session=session, actor=actor, entity="publication", report=report)
        lines.append(f"Workforce statistics: {report.summary()}")
    for path in JUDGEMENT_FILES:
        judgements = import_judgements(session=session, path=path)
        audit.record_import(
            session=session,
            actor=actor,
            entity="judgements",
            report=judgements,
            entity_id=path.name,
        )
        lines.append(f"Judgements: {judgements.summary()}")
    return lines

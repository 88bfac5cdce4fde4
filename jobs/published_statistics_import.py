"""Job ``published_statistics_import``: import new DfE release files dropped in a folder."""

from __future__ import annotations

import hashlib
import shutil

from sqlalchemy import select
from sqlmodel import Session, col

from jobs.registry import JobOutcome, job
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.config import get_settings
from workforce.statistics.bundled import oldest_first
from workforce.statistics.flows import import_release
from workforce.statistics.models import Publication


@job(
    "published_statistics_import",
    description="Import any new DfE workforce release dropped in <inbox>/published (once each)",
    cron={"minute": "*/30"},
)
def published_statistics_import(*, session: Session) -> JobOutcome:
    """Return how many figures new release files added or revised.

    Each file is recognised by its content hash, so it is imported once however long it
    stays in the folder; an imported file is also copied to the archive. An invalid file
    fails the run with every problem listed, and nothing of it is written.
    """
    settings = get_settings()
    assert settings.inbox_dir and settings.archive_dir
    folder = settings.inbox_dir / "published"
    folder.mkdir(parents=True, exist_ok=True)
    known = set(session.scalars(select(col(Publication.sha256))))
    changed, lines = 0, []
    for path in oldest_first(folder.glob("*.csv")):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in known:
            continue
        report = import_release(session=session, data=data, source_name=path.name)
        audit.record_import(
            session=session,
            actor=Actor.job("published_statistics_import"),
            entity="publication",
            report=report,
        )
        archive = settings.archive_dir / "published"
        archive.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, archive / f"{digest[:16]}_{path.name}")
        known.add(digest)
        changed += report.added + report.revised
        lines.append(report.summary())
    return JobOutcome(rows=changed, summary="; ".join(lines) or "no new release files")

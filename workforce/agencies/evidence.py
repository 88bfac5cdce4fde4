"""An agency's applications for the kite-mark and the evidence files it supplies with them.

Who sees what: an agency user works with their own agency's applications and evidence only
(the agency their account's agency name matches, :func:`workforce.agencies.service.
agency_of_user`); a kite-mark admin and an administrator with every agency's. Anyone else,
and an agency user asking about another agency, is answered as if nothing were there
(``NotFoundError``: 404, never a 403 that would confirm it exists).

An evidence file is archived byte for byte before its row is written, named by its SHA-256
under ``<archive>/kitemark-evidence/<agency id>/`` (written atomically, once per content),
refused past the upload size limit, and recorded with its hash, size, description and who
sent it; the upload is audited in the same transaction as the row.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import date, datetime
from pathlib import Path, PurePath

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from workforce.agencies import flows, service
from workforce.agencies.locking import lock_for_writing
from workforce.agencies.models import Agency, Application, EvidenceFile
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.auth.models import Role
from workforce.auth.permissions import Principal
from workforce.config import Settings
from workforce.errors import InputDataError, NotFoundError, Problem

# Roles that work with any agency's applications and evidence.
ANY_AGENCY_ROLES = frozenset({Role.kitemark_admin, Role.admin})
# Applications a file may still be added to (a decided one's evidence is settled).
OPEN_STATUSES = frozenset({"submitted", "assessing"})
RULE_TOO_LARGE = "file.too_large"
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class ApplicationCreate(BaseModel):
    """An agency's application for the kite-mark for a period of its placements."""

    period_start: date = Field(description="first day of the period assessed (YYYY-MM-DD)")
    period_end: date = Field(description="last day of the period assessed (YYYY-MM-DD)")


class EvidenceFilePublic(BaseModel):
    """An evidence file as the agency and the kite-mark admin see it (not where it is kept)."""

    id: int
    application_id: int
    agency_id: int
    file_name: str
    description: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime


class ApplicationPublic(BaseModel):
    id: int
    agency_id: int
    period_start: date
    period_end: date
    status: str
    submitted_by: str
    submitted_at: datetime
    evidence_files: int = Field(description="evidence files supplied with it")


# --- who may see which agency's -----------------------------------------------------------


def agency_in_reach(*, session: Session, principal: Principal, agency_id: int) -> Agency:
    """The agency ``agency_id`` if ``principal`` works with its applications and evidence:
    a kite-mark admin or an administrator any agency, an agency user only their own;
    everything else is answered as not found."""
    if principal.role in ANY_AGENCY_ROLES:
        return service.get_agency(session=session, agency_id=agency_id)
    own = service.agency_of_user(session=session, user=principal)
    if own is None or own.id != agency_id:
        raise NotFoundError(f"No agency with id {agency_id} that you can see.")
    return own


def application_in_reach(
    *, session: Session, principal: Principal, agency_id: int, application_id: int
) -> Application:
    """The agency's application ``application_id`` if ``principal`` may see it; an
    application of another agency is answered as one that does not exist."""
    agency_in_reach(session=session, principal=principal, agency_id=agency_id)
    application = session.get(Application, application_id)
    if application is None or application.agency_id != agency_id:
        raise NotFoundError(f"No application {application_id} of agency {agency_id}.")
    return application


def evidence_in_reach(
    *,
    session: Session,
    principal: Principal,
    agency_id: int,
    application_id: int,
    evidence_id: int,
) -> EvidenceFile:
    """One evidence file of the application, if ``principal`` may see it."""
    application_in_reach(
        session=session, principal=principal, agency_id=agency_id, application_id=application_id
    )
    row = session.get(EvidenceFile, evidence_id)
    if row is None or row.application_id != application_id or row.agency_id != agency_id:
        raise NotFoundError(f"No evidence file {evidence_id} with application {application_id}.")
    return row


# --- applications -------------------------------------------------------------------------


def apply(*, session: Session, agency_id: int, new: ApplicationCreate, actor: Actor) -> Application:
    """The agency's application for ``new``'s period (audited by :func:`flows.apply`)."""
    return flows.apply(
        session=session,
        agency_id=agency_id,
        period_start=new.period_start,
        period_end=new.period_end,
        actor=actor,
    )


def applications_of(*, session: Session, agency_id: int) -> list[ApplicationPublic]:
    """The agency's applications, newest first, each with how many files it holds."""
    counts = dict(
        session.exec(
            select(col(EvidenceFile.application_id), func.count())
            .where(EvidenceFile.agency_id == agency_id)
            .group_by(col(EvidenceFile.application_id))
        ).all()
    )
    rows = session.exec(
        select(Application)
        .where(Application.agency_id == agency_id)
        .order_by(col(Application.submitted_at).desc(), col(Application.id).desc())
    ).all()
    return [application_public(a, counts.get(a.id or 0, 0)) for a in rows]


def application_public(application: Application, files: int = 0) -> ApplicationPublic:
    assert application.id is not None
    return ApplicationPublic(
        id=application.id,
        agency_id=application.agency_id,
        period_start=application.period_start,
        period_end=application.period_end,
        status=application.status,
        submitted_by=application.submitted_by,
        submitted_at=application.submitted_at,
        evidence_files=files,
    )


# --- evidence -----------------------------------------------------------------------------


def _suffix(file_name: str) -> str:
    suffix = PurePath(file_name).suffix
    return suffix.lower() if _SUFFIX.match(suffix) else ".bin"


def archive_evidence(settings: Settings, agency_id: int, data: bytes, file_name: str) -> Path:
    """Write the file, byte for byte, to the archive (atomically; once per content)."""
    assert settings.archive_dir is not None
    digest = hashlib.sha256(data).hexdigest()
    folder = settings.archive_dir / "kitemark-evidence" / str(agency_id) / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}{_suffix(file_name)}"
    if target.exists() and target.stat().st_size == len(data):
        return target
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def clean_name(file_name: str) -> str:
    name = PurePath(file_name.replace("\\", "/")).name.strip() or "evidence"
    return "".join(ch for ch in name if ch.isprintable())[:255] or "evidence"


def evidence_problems(
    *, application: Application, data: bytes, description: str, settings: Settings
) -> list[Problem]:
    """Why a file cannot be added to the application: past the size limit or empty, a
    description over 500 characters, or an application already decided."""
    problems = []
    limit = int(settings.max_upload_mb * 1024 * 1024)
    if len(data) > limit:
        problems.append(
            Problem(
                RULE_TOO_LARGE,
                f"the file is {len(data) / 1048576:.1f} MB; the limit is "
                f"{settings.max_upload_mb:g} MB",
                column="file",
            )
        )
    elif not data:
        problems.append(Problem("evidence.empty", "the file is empty", column="file"))
    text = " ".join(description.split())
    if len(text) > 500:
        problems.append(
            Problem(
                "evidence.description",
                "the description is at most 500 characters",
                column="description",
            )
        )
    if application.status not in OPEN_STATUSES:
        problems.append(
            Problem(
                "evidence.application_decided",
                f"application {application.id} is {application.status}: evidence can be "
                "added only before the decision (apply again for a new period)",
            )
        )
    return problems


def add_evidence(
    *,
    session: Session,
    agency_id: int,
    application_id: int,
    file_name: str,
    data: bytes,
    description: str,
    actor: Actor,
    settings: Settings,
) -> EvidenceFile:
    """Archive ``data`` and record it as evidence for the agency's application; audited.

    Refused (nothing archived) when the application is not the agency's (not found), is
    already decided, when the file is empty or past the upload size limit, or the
    description is over 500 characters."""
    lock_for_writing(session=session, agency_id=agency_id, what=f"the file {file_name!r}")
    # Read again after the lock: the caller may have read it before, and a decision since.
    application = session.get(Application, application_id, populate_existing=True)
    if application is None or application.agency_id != agency_id:
        raise NotFoundError(f"No application {application_id} of agency {agency_id}.")
    problems = evidence_problems(
        application=application, data=data, description=description, settings=settings
    )
    if problems:
        raise InputDataError(problems)
    text = " ".join(description.split())
    name = clean_name(file_name)
    path = archive_evidence(settings, agency_id, data, name)
    row = EvidenceFile(
        application_id=application_id,
        agency_id=agency_id,
        file_name=name,
        description=text,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        archive_path=str(path),
        uploaded_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.evidence",
        entity="kitemark_evidence",
        entity_id=row.id,
        summary=f"agency {agency_id} supplied {name!r} ({len(data)} bytes) with application "
        f"{application_id}",
        details={
            "agency_id": agency_id,
            "application_id": application_id,
            "file_name": name,
            "sha256": row.sha256,
            "size_bytes": row.size_bytes,
            "description": text,
        },
    )
    return row


def evidence_of(*, session: Session, application_id: int) -> list[EvidenceFilePublic]:
    """The application's evidence files, in the order they were supplied."""
    rows = session.exec(
        select(EvidenceFile)
        .where(EvidenceFile.application_id == application_id)
        .order_by(col(EvidenceFile.id))
    ).all()
    return [evidence_public(r) for r in rows]


def evidence_public(row: EvidenceFile) -> EvidenceFilePublic:
    return EvidenceFilePublic.model_validate(row, from_attributes=True)


def archived_file(row: EvidenceFile) -> Path:
    """Where the file is kept, checked against its recorded size and SHA-256."""
    path = Path(row.archive_path) if row.archive_path else None
    if path is None or not path.is_file():
        raise NotFoundError(f"Evidence file {row.id} is not in the archive.")
    data = path.read_bytes()
    if len(data) != row.size_bytes or hashlib.sha256(data).hexdigest() != row.sha256:
        raise RuntimeError(
            f"evidence file {row.id} in the archive ({path}) no longer matches its recorded "
            "size and SHA-256"
        )
    return path

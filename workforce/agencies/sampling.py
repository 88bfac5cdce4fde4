"""The sampled file audit: a random, reproducible sample of the workers an agency placed in
the assessment's period, whose files an assessor checks.

- **Population**: the distinct valid Social Work England numbers (one form: ``SW`` and the
  digits without leading zeros) of the agency's assignments active in the period, sorted.
  A row without a valid number cannot be audited by name; the registration criterion
  counts it.
- **Size** (:data:`SIZE_RULE`): every worker when there are at most 10; otherwise 10% of
  them rounded up, at least 10 and at most 50.
- **Seed**: given, or a new one from the operating system (``random.SystemRandom``, 1 to
  2**31 - 1); it is recorded with the sample.
- **Draw**: ``random.Random(seed).sample(population, size)``, in that order.
- **Digest**: SHA-256 of the sorted population joined by newlines, recorded so a redraw
  can tell whether the population is still the one drawn from.

The same seed and population give the same sample (:func:`redraw`); a changed population
changes the digest and, generally, the sample.

A file passes when every check is recorded as passed; the audited criterion is the share
of sampled files that pass (:func:`file_figures`), stored as the assessment's result for
that criterion by :func:`audited_result`.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.agencies import criteria as crit
from workforce.agencies.criterion_figures import swe_key
from workforce.agencies.locking import is_unique_violation, lock_agency_of
from workforce.agencies.match_listing import assignments_of
from workforce.agencies.models import (
    Application,
    Assessment,
    AuditSample,
    Criterion,
    CriterionResult,
    CriterionResultValue,
    SampledFile,
)
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.timeutils import utcnow

ALL_UP_TO = 10
SHARE = 0.10
AT_LEAST = 10
AT_MOST = 50
SIZE_RULE = (
    f"all workers placed if {ALL_UP_TO} or fewer; otherwise {SHARE:.0%} of them rounded up, "
    f"at least {AT_LEAST} and at most {AT_MOST}"
)
CHECKS = (
    "identity",
    "right_to_work",
    "registration",
    "qualifications",
    "employment_history",
    "references",
    "criminal_record_check",
)


def sample_size(population: int) -> int:
    """The sample's size for a population of ``population`` workers (:data:`SIZE_RULE`)."""
    if population <= ALL_UP_TO:
        return population
    return min(AT_MOST, max(AT_LEAST, math.ceil(population * SHARE)), population)


def digest(population: Sequence[str]) -> str:
    """SHA-256 (hex) of the sorted population, one number a line."""
    return hashlib.sha256("\n".join(sorted(population)).encode()).hexdigest()


def draw(population: Sequence[str], seed: int) -> list[str]:
    """The sample drawn from the sorted ``population`` with ``seed``, in drawing order."""
    ordered = sorted(population)
    # Reproducible by design, not for secrecy: the seed is recorded and published.
    return random.Random(seed).sample(ordered, sample_size(len(ordered)))  # noqa: S311


def new_seed() -> int:
    """A fresh seed from the operating system's randomness, from 1 to 2**31 - 1 (the
    recorded column is a 32-bit integer on PostgreSQL)."""
    return random.SystemRandom().randrange(1, 2**31)


def population_of(*, session: Session, application: Application) -> list[str]:
    """The distinct valid registration numbers the agency placed in the period, sorted."""
    rows = assignments_of(
        session=session,
        agency_id=application.agency_id,
        start=application.period_start,
        end=application.period_end,
    )
    return sorted({key for a in rows if (key := swe_key(a.swe_number)) is not None})


def _assessment(*, session: Session, assessment_id: int) -> tuple[Assessment, Application]:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    application = session.get(Application, assessment.application_id)
    assert application is not None
    return assessment, application


def sample_of(*, session: Session, assessment_id: int) -> AuditSample | None:
    return session.exec(
        select(AuditSample).where(AuditSample.assessment_id == assessment_id)
    ).first()


def files_of(*, session: Session, sample_id: int) -> list[SampledFile]:
    return list(
        session.exec(
            select(SampledFile)
            .where(SampledFile.sample_id == sample_id)
            .order_by(col(SampledFile.position))
        ).all()
    )


def draw_sample(
    *, session: Session, assessment_id: int, actor: Actor, seed: int | None = None
) -> AuditSample:
    """Draw and store the assessment's sample (one per assessment) with a file row for each
    sampled worker, unchecked; audited with the seed, rule, population and digest."""
    lock_agency_of(session=session, model=Assessment, row_id=assessment_id, what="the sample")
    assessment, application = _assessment(session=session, assessment_id=assessment_id)
    if sample_of(session=session, assessment_id=assessment_id) is not None:
        raise InputDataError(
            [Problem("sample.exists", f"assessment {assessment_id} already has its sample")]
        )
    if assessment.decided_at is not None:
        raise InputDataError(
            [Problem("sample.decided", f"assessment {assessment_id} is already decided")]
        )
    if seed is not None and not 0 <= seed < 2**31:
        raise InputDataError(
            [Problem("sample.seed", "a seed is a whole number from 0 to 2**31 - 1")]
        )
    population = population_of(session=session, application=application)
    seed = new_seed() if seed is None else seed
    chosen = draw(population, seed)
    sample = AuditSample(
        assessment_id=assessment_id,
        seed=seed,
        rule=SIZE_RULE,
        population=len(population),
        population_digest=digest(population),
        size=len(chosen),
        drawn_by=actor.name,
    )
    session.flush()  # the savepoint holds these inserts alone
    try:
        with session.begin_nested():
            session.add(sample)
            session.flush()
            assert sample.id is not None
            for position, number in enumerate(chosen, start=1):
                session.add(SampledFile(sample_id=sample.id, position=position, swe_number=number))
            session.flush()
    except IntegrityError as exc:
        if sample_of(session=session, assessment_id=assessment_id) is None or not (
            is_unique_violation(exc)
        ):
            raise
        raise InputDataError(
            [Problem("sample.exists", f"assessment {assessment_id} already has its sample")]
        ) from None
    assert sample.id is not None
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.sample",
        entity="kitemark_audit_sample",
        entity_id=sample.id,
        summary=f"drew {len(chosen)} of {len(population)} workers for assessment "
        f"{assessment_id} with seed {seed}",
        details={
            "assessment_id": assessment_id,
            "seed": seed,
            "rule": SIZE_RULE,
            "population": len(population),
            "population_digest": sample.population_digest,
        },
    )
    session.flush()
    return sample


@dataclass(frozen=True)
class Redraw:
    """A sample drawn again from its recorded seed and the period's population now."""

    sample: list[str]
    same_population: bool  # the digest matches the recorded one
    same_sample: bool  # the same workers in the same order as stored


def redraw(*, session: Session, sample_id: int) -> Redraw:
    """Draw the sample again from its seed and the period's population as it is now."""
    sample = session.get(AuditSample, sample_id)
    if sample is None:
        raise NotFoundError(f"no audit sample {sample_id}")
    _, application = _assessment(session=session, assessment_id=sample.assessment_id)
    population = population_of(session=session, application=application)
    again = draw(population, sample.seed)
    stored = [f.swe_number for f in files_of(session=session, sample_id=sample_id)]
    return Redraw(again, digest(population) == sample.population_digest, again == stored)


def record_checks(
    *,
    session: Session,
    sample_id: int,
    swe_number: str,
    checks: dict[str, bool],
    actor: Actor,
    notes: str = "",
    at: datetime | None = None,
) -> SampledFile:
    """Record an assessor's checks of one sampled file (each of :data:`CHECKS`, passed or
    not); a check not given keeps what was recorded. Audited with the checks."""
    lock_agency_of(
        session=session, model=AuditSample, row_id=sample_id, what="the checks of the file"
    )
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise InputDataError(
            [
                Problem("file.check", f"unknown check {name}; checks: {', '.join(CHECKS)}")
                for name in unknown
            ]
        )
    key = swe_key(swe_number) or swe_number.strip().upper()
    row = session.exec(
        select(SampledFile).where(SampledFile.sample_id == sample_id, SampledFile.swe_number == key)
    ).first()
    if row is None:
        raise NotFoundError(f"{key} is not in audit sample {sample_id}")
    sample = session.get(AuditSample, sample_id)
    assert sample is not None
    assessment = session.get(Assessment, sample.assessment_id)
    if assessment is not None and assessment.decided_at is not None:
        raise InputDataError(
            [Problem("file.decided", f"assessment {assessment.id} is already decided")]
        )
    for name, passed in checks.items():
        setattr(row, name, bool(passed))
    if notes:
        row.notes = notes[:1000]
    row.checked_by = actor.name
    row.checked_at = at or utcnow()
    session.add(row)
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.check_file",
        entity="kitemark_sampled_file",
        entity_id=row.id,
        summary=f"checked sampled file {row.position} of sample {sample_id}: "
        + ("passed" if file_passes(row) else "not passed"),
        details={"sample_id": sample_id, "checks": {c: getattr(row, c) for c in CHECKS}},
    )
    session.flush()
    return row


def file_passes(row: SampledFile) -> bool:
    """Every check recorded and passed."""
    return all(getattr(row, name) is True for name in CHECKS)


def file_checked(row: SampledFile) -> bool:
    """Every check recorded, passed or not."""
    return all(getattr(row, name) is not None for name in CHECKS)


@dataclass(frozen=True)
class FileFigures:
    size: int
    checked: int
    passed: int
    failed_positions: list[int]


def file_figures(files: Sequence[SampledFile]) -> FileFigures:
    checked = [f for f in files if file_checked(f)]
    passed = [f for f in checked if file_passes(f)]
    return FileFigures(
        len(files),
        len(checked),
        len(passed),
        [f.position for f in checked if not file_passes(f)],
    )


def audited_result(
    *, session: Session, assessment: Assessment, criterion: Criterion
) -> CriterionResult:
    """The audited criterion's result: the share of the sample's checked files with every
    check passed (no sample or unchecked files: ``not_assessed``; fewer checked files than
    ``min_cases``: ``too_few``)."""
    assert assessment.id is not None
    sample = sample_of(session=session, assessment_id=assessment.id)
    aid, key = assessment.id, criterion.key
    if sample is None:
        return CriterionResult(
            assessment_id=aid,
            criterion_key=key,
            result=CriterionResultValue.not_assessed,
            detail="no audit sample drawn",
        )
    assert sample.id is not None
    f = file_figures(files_of(session=session, sample_id=sample.id))
    words = (
        f"sample {sample.id} (seed {sample.seed}): {f.size} of {sample.population} workers "
        f"placed; {f.checked} files checked, {f.passed} with every check passed"
        + (
            f"; failed: files {', '.join(map(str, f.failed_positions))}"
            if f.failed_positions
            else ""
        )
        + f"; {crit.threshold_words(criterion)}."
    )
    share = round(f.passed / f.checked, 4) if f.checked else None
    if f.checked < f.size:
        value = CriterionResultValue.not_assessed
        words = f"{f.size - f.checked} sampled files not yet checked; " + words
    elif f.checked < criterion.min_cases or share is None:
        value = CriterionResultValue.too_few
        words = f"too few files to judge (fewer than {criterion.min_cases}); " + words
    else:
        value = (
            CriterionResultValue.met
            if crit.passes(criterion, share)
            else CriterionResultValue.not_met
        )
    return CriterionResult(
        assessment_id=aid,
        criterion_key=key,
        result=value,
        numerator=f.passed,
        denominator=f.checked,
        share=share,
        detail=words[:2000],
    )

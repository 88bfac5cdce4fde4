"""The kite-mark criteria, versioned: what each criterion measures, how it is evidenced and
the thresholds it is judged by.

Version 1 (effective 2026-01-01). Every figure is a share between 0 and 1; for a criterion
where higher is better a pass needs ``share >= pass_at`` and an awarded agency is put under
review when ``share < review_at`` and suspended when ``share < suspend_at``; where lower is
better a pass needs ``share <= pass_at``, review when ``share > review_at``, suspension when
``share > suspend_at``. At assessment, a share past ``suspend_at`` fails the criterion
outright (it would suspend an awarded agency); a share that misses ``pass_at`` but is not
past ``suspend_at`` needs improvement. Fewer cases than ``min_cases`` is ``too_few``: never
met.

====  ================  ========  =====  ======  ======  =======  ==========================
 no.  key               evidence  min    pass    review  suspend  share of
====  ================  ========  =====  ======  ======  =======  ==========================
 1    worker_files      audited    5     >=0.90  --      <0.70    sampled files with every
                                                                  check passed
 2    registration      measured  10     >=0.98  <0.95   <0.90    distinct workers with a
                                                                  valid SWE number
 3    experience        measured  10     <=0.02  >0.05   >0.10    assessable workers under 3
                                                                  years post-qualified
 4    rates             measured  10     <=0.02  >0.05   >0.10    cap-judged assignments
                                                                  above cap without sign-off
 5    cooling_off       measured  10     <=0.00  >0.02   >0.05    assignments in breach of
                                                                  cooling-off
 6    stability         measured  10     <=0.10  >0.15   >0.25    assignments ended early by
                                                                  the worker or agency, on
                                                                  short notice, or left for
                                                                  another agency at more pay
 7    complaints        recorded  10     <=0.02  >0.05   >0.10    upheld complaints and
                                                                  incidents per assignment
====  ================  ========  =====  ======  ======  =======  ==========================

The audited criterion is judged at assessment only (the daily review recomputes the
measured ones). How each figure is worked out: :mod:`workforce.agencies.measures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workforce.agencies.locking import is_unique_violation
from workforce.agencies.models import CriteriaVersion, Criterion, Evidence
from workforce.errors import NotFoundError

CURRENT_VERSION = 1

WORKER_FILES = "worker_files"
REGISTRATION = "registration"
EXPERIENCE = "experience"
RATES = "rates"
COOLING_OFF = "cooling_off"
STABILITY = "stability"
COMPLAINTS = "complaints"


@dataclass(frozen=True)
class CriterionSpec:
    number: int
    key: str
    title: str
    evidence: Evidence
    min_cases: int
    pass_at: float
    higher_is_better: bool
    review_at: float | None
    suspend_at: float | None


VERSION_1 = (
    CriterionSpec(
        1,
        WORKER_FILES,
        "Worker files complete: identity, right to work, registration, qualifications, "
        "employment history with gaps explained, two practice-based references on the "
        "standard template, criminal record check (sampled file audit)",
        Evidence.audited,
        5,
        0.90,
        True,
        None,
        0.70,
    ),
    CriterionSpec(
        2,
        REGISTRATION,
        "Social Work England registration: workers placed with a valid registration number",
        Evidence.measured,
        10,
        0.98,
        True,
        0.95,
        0.90,
    ),
    CriterionSpec(
        3,
        EXPERIENCE,
        "Experience: workers placed with under 3 years post-qualified",
        Evidence.measured,
        10,
        0.02,
        False,
        0.05,
        0.10,
    ),
    CriterionSpec(
        4,
        RATES,
        "Rates: assignments above the cap in force without sign-off",
        Evidence.measured,
        10,
        0.02,
        False,
        0.05,
        0.10,
    ),
    CriterionSpec(
        5,
        COOLING_OFF,
        "Cooling-off: assignments starting within the cooling-off period after a permanent post",
        Evidence.measured,
        10,
        0.0,
        False,
        0.02,
        0.05,
    ),
    CriterionSpec(
        6,
        STABILITY,
        "Stability: early endings, short notice, and workers moved to another agency at a "
        "higher rate",
        Evidence.measured,
        10,
        0.10,
        False,
        0.15,
        0.25,
    ),
    CriterionSpec(
        7,
        COMPLAINTS,
        "Complaints and incidents recorded by councils, upheld, per assignment",
        Evidence.recorded,
        10,
        0.02,
        False,
        0.05,
        0.10,
    ),
)

VERSIONS: dict[int, tuple[date, str, tuple[CriterionSpec, ...]]] = {
    1: (
        date(2026, 1, 1),
        "The first criteria: a sampled file audit, five measures from councils' agency "
        "returns and councils' complaints and incidents.",
        VERSION_1,
    )
}


def ensure_criteria(*, session: Session) -> CriteriaVersion:
    """Store every known criteria version that is not yet stored (an existing version and
    its criteria are never changed) and return the current one. Safe to repeat."""
    current: CriteriaVersion | None = None
    for number, (effective_from, description, specs) in sorted(VERSIONS.items()):
        version = session.exec(
            select(CriteriaVersion).where(CriteriaVersion.version == number)
        ).first()
        if version is None:
            version = _store_version(
                session=session,
                version=CriteriaVersion(
                    version=number, effective_from=effective_from, description=description
                ),
                specs=specs,
            )
        if number == CURRENT_VERSION:
            current = version
    assert current is not None
    return current


def _store_version(
    *, session: Session, version: CriteriaVersion, specs: Sequence[CriterionSpec]
) -> CriteriaVersion:
    """Store ``version`` with its criteria, or, if another transaction stored it first (two
    agencies' first assessments at once hold different agencies' locks), the one it stored."""
    session.flush()  # the savepoint holds these inserts alone
    try:
        with session.begin_nested():
            session.add(version)
            session.flush()
            assert version.id is not None
            for spec in specs:
                session.add(
                    Criterion(
                        version_id=version.id,
                        number=spec.number,
                        key=spec.key,
                        title=spec.title,
                        evidence=spec.evidence,
                        min_cases=spec.min_cases,
                        pass_at=spec.pass_at,
                        higher_is_better=spec.higher_is_better,
                        review_at=spec.review_at,
                        suspend_at=spec.suspend_at,
                    )
                )
            session.flush()
    except IntegrityError as exc:
        stored = session.exec(
            select(CriteriaVersion).where(CriteriaVersion.version == version.version)
        ).first()
        if stored is None or not is_unique_violation(exc):
            raise
        return stored
    return version


def criteria_of(*, session: Session, version_id: int) -> list[Criterion]:
    """A version's criteria in their order."""
    rows = list(
        session.exec(
            select(Criterion)
            .where(Criterion.version_id == version_id)
            .order_by(col(Criterion.number))
        ).all()
    )
    if not rows:
        raise NotFoundError(f"no criteria stored for criteria version id {version_id}")
    return rows


# --- judging a share against a criterion's thresholds -----------------------------------------


def _past(share: float, line: float | None, higher_is_better: bool) -> bool:
    if line is None:
        return False
    return share < line if higher_is_better else share > line


def passes(criterion: Criterion, share: float) -> bool:
    """Whether ``share`` meets the criterion's pass threshold."""
    if criterion.higher_is_better:
        return share >= criterion.pass_at
    return share <= criterion.pass_at


def past_review(criterion: Criterion, share: float) -> bool:
    """Whether an awarded agency with ``share`` is to be put under review."""
    return _past(share, criterion.review_at, criterion.higher_is_better)


def past_suspend(criterion: Criterion, share: float) -> bool:
    """Whether an awarded agency with ``share`` is to be suspended (and an assessment fails
    the criterion outright)."""
    return _past(share, criterion.suspend_at, criterion.higher_is_better)


def threshold_words(criterion: Criterion) -> str:
    """The criterion's thresholds in words, e.g. 'pass <= 2.0%, review > 5.0%, ...'."""
    good, bad = (">=", "<") if criterion.higher_is_better else ("<=", ">")
    parts = [f"pass {good} {criterion.pass_at:.1%}"]
    if criterion.review_at is not None:
        parts.append(f"review {bad} {criterion.review_at:.1%}")
    if criterion.suspend_at is not None:
        parts.append(f"suspend {bad} {criterion.suspend_at:.1%}")
    parts.append(f"at least {criterion.min_cases} cases")
    return ", ".join(parts)

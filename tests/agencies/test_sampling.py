"""The sampled file audit: its size rule, its recorded seed, its reproducibility."""

from datetime import date

import pytest
from sqlmodel import Session, select

from tests.builders import kitemark as build
from tests.builders.people import TEST_ACTOR
from workforce.agencies import flows, sampling
from workforce.agencies.models import AuditSample, SampledFile
from workforce.auth.models import AuditEvent
from workforce.errors import InputDataError, NotFoundError

START, END = date(2026, 1, 1), date(2026, 6, 30)


@pytest.mark.parametrize(
    ("population", "size"),
    [(0, 0), (1, 1), (10, 10), (11, 10), (100, 10), (101, 11), (250, 25), (500, 50), (900, 50)],
)
def test_the_size_rule(population: int, size: int) -> None:
    assert sampling.sample_size(population) == size


def test_a_draw_is_reproducible_from_its_seed_and_the_sorted_population() -> None:
    population = [f"SW{n}" for n in range(1, 40)]
    first = sampling.draw(population, 42)
    assert sampling.draw(list(reversed(population)), 42) == first
    assert len(first) == 10 and len(set(first)) == 10
    assert sampling.draw(population, 43) != first
    assert sampling.digest(population) == sampling.digest(list(reversed(population)))
    assert sampling.digest([*population, "SW99"]) != sampling.digest(population)


@pytest.fixture
def s(reference_session: Session) -> Session:
    build.group(reference_session)
    return reference_session


def _assessment(s: Session, agency_id: int | None) -> int:
    assert agency_id is not None
    application = flows.apply(
        session=s, agency_id=agency_id, period_start=START, period_end=END, actor=TEST_ACTOR
    )
    assert application.id is not None
    assessment = flows.start_assessment(session=s, application_id=application.id, actor=TEST_ACTOR)
    assert assessment.id is not None
    return assessment.id


def test_the_sample_is_recorded_reproducible_and_changes_with_the_placements(s: Session) -> None:
    agency = build.make_agency(s, "Sampled Agency Ltd")
    q1 = build.quarter(s, build.CAMDEN, date(2026, 3, 31))
    rows = build.place(s, q1, agency, 30, start_date=date(2026, 1, 5))
    # The same worker twice, and a project-team row without a number: 30 workers.
    build.place(s, q1, agency, swe_number=rows[0].swe_number, start_date=date(2026, 3, 2))
    build.place(s, q1, agency, swe_number=None, project_team=True)
    assessment_id = _assessment(s, agency.id)

    sample = sampling.draw_sample(session=s, assessment_id=assessment_id, actor=TEST_ACTOR)
    assert sample.id is not None
    assert sample.population == 30 and sample.size == 10
    assert sample.rule == sampling.SIZE_RULE
    assert "at least 10 and at most 50" in sample.rule
    population = sorted(build.swe_numbers(rows))
    population = sorted(f"SW{int(n[2:])}" for n in population)
    assert sample.population_digest == sampling.digest(population)
    stored = [f.swe_number for f in sampling.files_of(session=s, sample_id=sample.id)]
    assert stored == sampling.draw(population, sample.seed)  # from the recorded seed alone
    again = sampling.redraw(session=s, sample_id=sample.id)
    assert again.same_population and again.same_sample and again.sample == stored
    event = s.exec(select(AuditEvent).where(AuditEvent.action == "kitemark.sample")).one()
    assert event.details["seed"] == sample.seed
    assert event.details["population_digest"] == sample.population_digest
    with pytest.raises(InputDataError, match="already has its sample"):
        sampling.draw_sample(session=s, assessment_id=assessment_id, actor=TEST_ACTOR)

    # A council's later return adds placements in the period: the population changes.
    q2 = build.quarter(s, build.GREENWICH, date(2026, 6, 30))
    build.place(s, q2, agency, 5, start_date=date(2026, 4, 6))
    changed = sampling.redraw(session=s, sample_id=sample.id)
    assert not changed.same_population
    assert not changed.same_sample and changed.sample != stored
    assert len(changed.sample) == 10  # 35 workers: still 10


def test_the_same_seed_and_placements_give_the_same_sample_in_another_assessment(
    s: Session,
) -> None:
    agency = build.make_agency(s, "Seeded Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 25)
    first = sampling.draw_sample(
        session=s, assessment_id=_assessment(s, agency.id), actor=TEST_ACTOR, seed=7
    )
    second = sampling.draw_sample(
        session=s, assessment_id=_assessment(s, agency.id), actor=TEST_ACTOR, seed=7
    )
    assert first.id is not None and second.id is not None
    assert first.population_digest == second.population_digest
    numbers = [
        [f.swe_number for f in sampling.files_of(session=s, sample_id=x)]
        for x in (first.id, second.id)
    ]
    assert numbers[0] == numbers[1]


def test_each_file_s_checks_are_recorded_and_audited(s: Session) -> None:
    agency = build.make_agency(s, "Checked Agency Ltd")
    rows = build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 3)
    sample = sampling.draw_sample(
        session=s, assessment_id=_assessment(s, agency.id), actor=TEST_ACTOR, seed=1
    )
    assert sample.id is not None and sample.size == 3  # all of a small population
    files = sampling.files_of(session=s, sample_id=sample.id)
    everything = dict.fromkeys(sampling.CHECKS, True)
    sampling.record_checks(
        session=s,
        sample_id=sample.id,
        swe_number=files[0].swe_number,
        checks=everything,
        actor=TEST_ACTOR,
    )
    # A number as the council typed it (leading zeros) finds the file.
    typed = next(r.swe_number for r in rows if f"SW{int(r.swe_number[2:])}" == files[1].swe_number)  # type: ignore[index]
    assert typed is not None and typed != files[1].swe_number
    sampling.record_checks(
        session=s,
        sample_id=sample.id,
        swe_number=typed,
        checks={**everything, "references": False},
        actor=TEST_ACTOR,
        notes="one reference",
    )
    figures = sampling.file_figures(sampling.files_of(session=s, sample_id=sample.id))
    assert (figures.size, figures.checked, figures.passed) == (3, 2, 1)
    assert figures.failed_positions == [2]
    checked = s.exec(select(SampledFile).where(SampledFile.position == 2)).one()
    assert checked.references is False and checked.checked_by == TEST_ACTOR.name
    assert (
        len(s.exec(select(AuditEvent).where(AuditEvent.action == "kitemark.check_file")).all()) == 2
    )
    with pytest.raises(InputDataError, match="unknown check"):
        sampling.record_checks(
            session=s,
            sample_id=sample.id,
            swe_number=files[2].swe_number,
            checks={"shoe_size": True},
            actor=TEST_ACTOR,
        )
    with pytest.raises(NotFoundError):
        sampling.record_checks(
            session=s,
            sample_id=sample.id,
            swe_number="SW999999",
            checks=everything,
            actor=TEST_ACTOR,
        )
    assert s.get(AuditSample, sample.id) is not None

"""Job published_statistics_import: a release dropped in the folder is imported once."""

import shutil

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.runner import run_job
from workforce.config import Settings
from workforce.data import BUNDLED_DATA
from workforce.statistics.models import Publication, PublishedRow


def test_a_dropped_release_is_imported_once_and_archived(
    reference_settings: Settings, reference_engine: Engine
) -> None:
    assert reference_settings.inbox_dir and reference_settings.archive_dir
    folder = reference_settings.inbox_dir / "published"
    empty = run_job(
        "published_statistics_import", engine=reference_engine, settings=reference_settings
    )
    assert (empty.status, empty.rows, empty.summary) == ("succeeded", 0, "no new release files")
    for name in ("csww_indicators_2017_to_2023.csv", "csww_headline_measures_2017_to_2022.csv"):
        shutil.copyfile(BUNDLED_DATA / "csww" / name, folder / name)
    first = run_job(
        "published_statistics_import", engine=reference_engine, settings=reference_settings
    )
    assert first.status == "succeeded", first.error
    # Imported oldest first, so the newer release's revisions are recorded.
    assert first.summary and first.summary.index("2017_to_2022") < first.summary.index(
        "2017_to_2023"
    )
    assert "2502 revised" in first.summary
    again = run_job(
        "published_statistics_import", engine=reference_engine, settings=reference_settings
    )
    assert (again.status, again.rows) == ("succeeded", 0)
    with Session(reference_engine) as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == 2
        assert session.scalar(select(func.count()).select_from(PublishedRow)) == 1137 + 12
        # (the 2017-2023 rows, plus rows only the older release has: 314 alone for
        # 2017-2022, and 318, 940 and 941 alone for 2021-2022)
    assert len(list((reference_settings.archive_dir / "published").iterdir())) == 2


def test_an_invalid_release_fails_the_run_and_writes_nothing(
    reference_settings: Settings, reference_engine: Engine
) -> None:
    assert reference_settings.inbox_dir
    folder = reference_settings.inbox_dir / "published"
    folder.mkdir(parents=True)
    (folder / "broken.csv").write_text("time_period,geographic_level\n2023,National\n")
    run = run_job(
        "published_statistics_import", engine=reference_engine, settings=reference_settings
    )
    assert run.status == "failed"
    assert run.error and "lacks column(s)" in run.error and "broken.csv" in run.error
    with Session(reference_engine) as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == 0

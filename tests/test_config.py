from pathlib import Path

import pytest

from workforce.config import DEFAULT_SECRET_KEY, Settings, normalise_database_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///var/x.db", "sqlite:///var/x.db"),
    ],
)
def test_database_urls_are_normalised_to_psycopg3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected
    assert Settings(database_url=given, environment="development").database_url == expected


def test_defaults_put_everything_under_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="", environment="development")
    assert settings.database_url == f"sqlite:///{tmp_path.as_posix()}/workforce.db"
    assert settings.inbox_dir == tmp_path / "inbox"
    assert settings.archive_dir == tmp_path / "archive"
    assert settings.reports_dir == tmp_path / "reports"
    settings.ensure_folders()
    assert all(folder.is_dir() for folder in settings.folders().values())


def test_environment_variables_are_read_with_the_prefix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WORKFORCE_DATABASE_URL", "postgresql://someone@db/workforce")
    monkeypatch.setenv("WORKFORCE_LOG_LEVEL", "debug")
    monkeypatch.setenv("WORKFORCE_INBOX_DIR", str(tmp_path / "drop"))
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://someone@db/workforce"
    assert settings.log_level == "DEBUG"
    assert settings.inbox_dir == tmp_path / "drop"


@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_built_in_secret_key_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValueError, match="WORKFORCE_SECRET_KEY"):
        Settings(environment=environment, secret_key=DEFAULT_SECRET_KEY)
    with pytest.raises(ValueError, match="at least 32"):
        Settings(environment=environment, secret_key="short")
    assert Settings(environment=environment, secret_key="k" * 40).secret_key == "k" * 40


def test_the_built_in_secret_key_is_accepted_in_development() -> None:
    assert Settings(environment="development", secret_key=DEFAULT_SECRET_KEY)


def test_a_dotenv_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKFORCE_LOG_LEVEL", raising=False)
    (tmp_path / ".env").write_text("WORKFORCE_LOG_LEVEL=WARNING\nWORKFORCE_PORT=8123\n")
    settings = Settings()
    assert settings.log_level == "WARNING"
    assert settings.port == 8123


def test_an_unknown_time_zone_is_refused_with_advice() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Lundun'"):
        Settings(timezone="Europe/Lundun")
    with pytest.raises(ValueError, match="IANA name"):
        Settings(timezone="../../etc/passwd")
    assert Settings(timezone="UTC").timezone == "UTC"


def test_pages_show_stored_moments_on_the_service_clock() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from api.templating import local_time

    show = local_time(ZoneInfo("Europe/London"))
    assert show(datetime(2026, 7, 1, 8, 30, tzinfo=UTC)) == "01 Jul 2026 09:30 BST"
    assert show(datetime(2026, 12, 1, 8, 30, tzinfo=UTC)) == "01 Dec 2026 08:30 GMT"
    assert show(datetime(2026, 7, 1, 8, 30), "%H:%M") == "09:30"  # naive: stored UTC
    assert show(None) == ""

"""An unexpected error in a command: one clear line on stderr, no traceback, exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import pytest

from workforce import migrations
from workforce.cli import app
from workforce.config import Settings

WORKFORCE = str(Path(sys.executable).with_name("workforce"))

# The same command as a real process, with the error planted where `db current` looks.
CHILD = """
import sys
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError
from workforce import migrations
from workforce.cli import app

def damaged():
    # As ElementTree's parser raises it for a truncated worksheet: msg is the ExpatError.
    raise ParseError(ExpatError("unclosed token: line 1, column 156463"))

migrations.head_revision = damaged
sys.argv = ["workforce", "db", "current"]
app()
"""


def _assert_told_plainly(stderr: str, what: str) -> None:
    assert what in stderr
    assert "Traceback" not in stderr
    assert "sys.excepthook" not in stderr
    assert ".py" not in stderr  # no source paths or frames
    assert "WORKFORCE_LOG_LEVEL=DEBUG" in stderr  # where the operators find the detail


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_unexpected_error_is_one_line_and_exit_1(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def damaged() -> str:
        raise ParseError(ExpatError("unclosed token: line 1, column 156463"))

    monkeypatch.setattr(migrations, "head_revision", damaged)
    with pytest.raises(SystemExit) as exited:
        app(["db", "current"], prog_name="workforce")
    assert exited.value.code == 1
    _assert_told_plainly(
        capsys.readouterr().err, "ParseError: unclosed token: line 1, column 156463"
    )


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_error_the_traceback_printer_cannot_draw_is_still_told_plainly(
    settings: Settings,
) -> None:
    """A SyntaxError subclass (an XML parse error) crashed the pretty-traceback hook."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    _assert_told_plainly(result.stderr, "ParseError: unclosed token: line 1, column 156463")


def test_a_database_file_that_is_not_a_database_is_told_plainly(tmp_path: Path) -> None:
    damaged = tmp_path / "workforce.db"
    damaged.write_bytes(b"this is not an SQLite database, just text " * 200)
    env = {
        **os.environ,
        "WORKFORCE_DATABASE_URL": f"sqlite:///{damaged}",
        "WORKFORCE_DATA_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [WORKFORCE, "db", "current"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1, result.stderr
    _assert_told_plainly(result.stderr, "file is not a database")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_write_kept_waiting_says_so_and_what_was_not_stored(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from workforce.errors import Busy

    def held() -> str:
        raise Busy(
            "Another change to the group London was still going after 15 seconds; "
            "nothing was stored. Try again shortly.",
            retry_after=15,
            conflict=True,
        )

    monkeypatch.setattr(migrations, "head_revision", held)
    with pytest.raises(SystemExit) as exited:
        app(["db", "current"], prog_name="workforce")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Busy: Another change to the group London")
    assert "nothing was stored" in err and "Traceback" not in err

"""Long CLI work says what it is doing; the demo's sign-in address is the served one."""

from __future__ import annotations

import pytest

from workforce.cli.demo import sign_in_url
from workforce.cli.progress import step
from workforce.config import Settings


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000/sign-in"),
        ("0.0.0.0", 9090, "http://localhost:9090/sign-in"),
        ("workforce.example.gov.uk", 443, "http://workforce.example.gov.uk:443/sign-in"),
        ("::1", 8001, "http://[::1]:8001/sign-in"),
    ],
)
def test_the_demo_names_the_configured_host_and_port(host: str, port: int, url: str) -> None:
    assert sign_in_url(Settings(host=host, port=port)) == url


def test_off_a_terminal_progress_is_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    with step("Fitting the forecasts") as now:
        now("turnover_rate_fte, 1 year(s) ahead of 2022")
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "Fitting the forecasts…"
    assert lines[1] == "  turnover_rate_fte, 1 year(s) ahead of 2022"
    assert lines[2].startswith("Fitting the forecasts: done in ")
    assert "\x1b" not in err

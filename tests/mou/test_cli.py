"""``workforce mou``: groups, members, caps, on-costs, assessment and findings."""

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tests.builders import mou as build
from workforce.cli import app
from workforce.config import Settings

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [
        ["mou"],
        ["mou", "groups", "list"],
        ["mou", "groups", "create"],
        ["mou", "groups", "add-member"],
        ["mou", "groups", "remove-member"],
        ["mou", "caps", "set"],
        ["mou", "caps", "list"],
        ["mou", "oncosts", "set"],
        ["mou", "oncosts", "list"],
        ["mou", "assess"],
        ["mou", "findings"],
    ],
)
def test_every_mou_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_groups_caps_oncosts_assess_and_findings(
    reference_settings: Settings, reference_engine: Engine
) -> None:
    assert "Created MoU group 'London' with 2 councils" in _ok(
        "mou",
        "groups",
        "create",
        "London",
        "--council",
        "202",
        "--council",
        "203",
        "--cooling-off-months",
        "6",
        "--rules-from",
        "2025-10-01",
    )
    assert "204 is a member of London from 2026-01-01" in _ok(
        "mou", "groups", "add-member", "London", "204", "--on", "2026-01-01"
    )
    assert "203 left London on 2026-06-01" in _ok(
        "mou", "groups", "remove-member", "London", "203", "--on", "2026-06-01"
    )
    listed = _ok("mou", "groups", "list")
    assert "London: cooling-off 6 months, rules from 2025-10-01" in listed
    # `workforce groups` still lists the same groups.
    assert "London: 202" in _ok("groups", "list")

    _ok(
        "mou",
        "caps",
        "set",
        "London",
        "--role",
        "social_worker",
        "--from",
        "2016-01-01",
        "--cap",
        "28",
        "--source",
        "London MoU, 1 January 2016",
    )
    again = runner.invoke(
        app,
        [
            "mou",
            "caps",
            "set",
            "London",
            "--role",
            "social_worker",
            "--from",
            "2016-01-01",
            "--cap",
            "30",
            "--source",
            "x",
        ],
    )
    assert again.exit_code == 1
    assert "--from: a cap of 28.00 pounds an hour is in force from this day already" in (
        again.output
    )
    bad = runner.invoke(
        app,
        [
            "mou",
            "caps",
            "set",
            "London",
            "--role",
            "cook",
            "--from",
            "2016-01-01",
            "--cap",
            "28",
            "--source",
            "x",
        ],
    )
    assert bad.exit_code == 1 and "--role: unknown role category" in bad.output
    caps = _ok("mou", "caps", "list", "London")
    assert "social_worker" in caps and "28.00" in caps and "London MoU, 1 January 2016" in caps
    assert runner.invoke(app, ["mou", "caps", "list", "Nowhere"]).exit_code == 1

    assert "paye on-costs from 2025-04-06: employer NI 15.00%, apprenticeship levy 0.50%" in _ok(
        "mou",
        "oncosts",
        "set",
        "paye",
        "--from",
        "2025-04-06",
        "--employer-ni",
        "0.15",
        "--levy",
        "0.005",
        "--source",
        "HMRC",
    )
    assert "HMRC" in _ok("mou", "oncosts", "list", "--route", "paye")

    with Session(reference_engine) as session:
        ret = build.council_return(session, "202", date(2026, 3, 31))
        build.assignment(session, ret, row=4, hourly_pay_rate=30.0, start_date=date(2025, 11, 3))
        session.commit()
    assessed = _ok("mou", "assess", "London")
    assert "London: 1 assignments assessed, 1 findings (1 new" in assessed
    found = _ok("mou", "findings", "London", "--council", "202")
    assert "above_cap_without_sign_off breach" in found and "row 4" in found
    assert "comparable rate = hourly pay 30.00 x (1 + employer NI 0.15" in found
    assert "0 finding(s)" in _ok("mou", "findings", "London", "--rule", "cooling_off")
    unknown = runner.invoke(app, ["mou", "findings", "London", "--rule", "nonsense"])
    assert unknown.exit_code == 1 and "cooling_off" in unknown.output
    assert runner.invoke(app, ["mou", "assess", "Nowhere"]).exit_code == 1

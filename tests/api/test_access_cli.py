"""``workforce users``, ``tokens``, ``groups`` and ``audit`` against a real database."""

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from workforce.cli import app

runner = CliRunner()


def _ok(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_users_tokens_groups_and_audit_from_the_command_line(client: TestClient) -> None:
    assert "Created MoU group 'London'" in _ok(
        ["groups", "create", "London", "--council", "202", "--council", "203"]
    )
    assert "London: 202 203" in _ok(["groups", "list"])
    _ok(
        [
            "users",
            "create",
            "--email",
            "Lead@Camden.gov.uk",
            "--role",
            "hr_lead",
            "--council",
            "202",
        ]
    )
    _ok(
        ["users", "create", "--email", "m@example.org", "--role", "mou_member", "--group", "London"]
    )
    listed = _ok(["users", "list"])
    assert re.search(r"lead@camden\.gov\.uk\s+hr_lead\s+202\s+active", listed)
    assert re.search(r"m@example\.org\s+mou_member\s+London", listed)

    refused = runner.invoke(
        app, ["users", "create", "--email", "x@example.org", "--role", "hr_lead", "--council", "9"]
    )
    assert refused.exit_code == 1
    assert "no council with this code (value '9') [user.council]" in refused.output

    issued = _ok(["tokens", "create", "--email", "lead@camden.gov.uk", "--days", "7"])
    token = re.search(r"^(wf_\S+)$", issued, re.M)
    assert token, issued
    headers = {"Authorization": f"Bearer {token[1]}"}
    assert client.get("/api/councils/202/returns", headers=headers).status_code == 200
    token_id = re.search(r"Token (\d+) for", issued)
    assert token_id
    assert "active" in _ok(["tokens", "list", "--email", "lead@camden.gov.uk"])
    assert "is revoked" in _ok(["tokens", "revoke", token_id[1]])
    assert client.get("/api/me", headers=headers).status_code == 401
    assert "revoked" in _ok(["tokens", "list"])
    assert runner.invoke(app, ["tokens", "revoke", "999"]).exit_code == 1

    password = re.search(
        r"New password for lead@camden.gov.uk: (\S+)",
        _ok(["users", "reset-password", "--email", "lead@camden.gov.uk"]),
    )
    assert password
    assert "disabled" in _ok(["users", "disable", "--email", "lead@camden.gov.uk"])

    tail = _ok(["audit", "tail", "--limit", "50"])
    for expected in (
        "create mou_group:London",
        "create user:1",
        "issue api_token:1",
        "revoke api_token:1",
        "set_password user:1",
        "disable user:1",
    ):
        assert expected in tail, expected
    assert token[1] not in tail and password[1] not in tail
    only = _ok(["audit", "tail", "--action", "revoke"])
    assert len(only.strip().splitlines()) == 1

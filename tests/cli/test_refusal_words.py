"""The same refusal, told to an API caller in the service's words and to an operator with
the command line's options."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from api.main import create_app
from tests.builders.people import TEST_ACTOR
from workforce.auth import service, tokens
from workforce.auth.models import Role, UserCreate
from workforce.cli import app
from workforce.config import Settings
from workforce.db import make_engine

runner = CliRunner()


@pytest.fixture
def admin_client(reference_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client on the reference database, and the headers of an administrator's token."""
    engine = make_engine(reference_settings.database_url)
    with Session(engine) as session:
        service.create_user(
            session=session,
            new=UserCreate(email="admin@example.org", role=Role.admin),
            actor=TEST_ACTOR,
        )
        issued = tokens.create_token(session=session, email="admin@example.org", actor=TEST_ACTOR)
        session.commit()
    headers = {"Authorization": f"Bearer {issued.secret}"}
    with TestClient(create_app(settings=reference_settings, engine=engine)) as client:
        yield client, headers
    engine.dispose()


def test_the_api_says_a_council_lead_needs_a_council_without_naming_an_option(
    admin_client: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = admin_client
    refused = client.post(
        "/api/users", headers=headers, json={"email": "lead@example.org", "role": "hr_lead"}
    )
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert problems == [
        {
            "rule": "user.scope",
            "message": "a council HR lead needs at least one council",
            "column": "councils",
            "severity": "error",
        }
    ]
    assert "--" not in refused.text

    refused = client.post(
        "/api/users",
        headers=headers,
        json={"email": "m@example.org", "role": "mou_member", "group": "Nowhere"},
    )
    assert refused.status_code == 422
    assert [p["message"] for p in refused.json()["problems"]] == ["no MoU group with this name"]
    assert "--" not in refused.text and "workforce groups" not in refused.text


def test_the_command_line_says_it_with_its_option(reference_settings: Settings) -> None:
    refused = runner.invoke(
        app, ["users", "create", "--email", "lead@example.org", "--role", "hr_lead"]
    )
    assert refused.exit_code == 1
    assert (
        "error: --council: a council HR lead needs at least one council [user.scope]"
        in refused.output
    )

    refused = runner.invoke(
        app,
        ["users", "create", "--email", "m@example.org", "--role", "mou_member", "--group", "X"],
    )
    assert refused.exit_code == 1
    assert "--group: no MoU group with this name (value 'X')" in refused.output
    assert "create it with `workforce groups create`" in refused.output

    refused = runner.invoke(app, ["users", "create", "--email", "x@example.org", "--role", "boss"])
    assert refused.exit_code == 1
    assert "error: --role: unknown role; choose one of hr_lead," in refused.output

    refused = runner.invoke(app, ["groups", "create", "London", "--council", "9"])
    assert refused.exit_code == 1
    assert "--council: no council with this code (value '9') [group.council]" in refused.output

    refused = runner.invoke(app, ["tokens", "create", "--email", "nobody@example.org"])
    assert refused.exit_code == 1
    assert "No user with email 'nobody@example.org': see `workforce users list`." in (
        refused.output
    )

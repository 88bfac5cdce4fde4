"""Every answer carries the security headers; private answers are never stored by a cache."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.main import create_app
from api.templating import TEMPLATES_DIR
from tests.builders.people import Person, make_people
from workforce.config import Settings
from workforce.db import make_engine

# The headers are the same whatever the database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


@pytest.fixture
def people(reference_engine: Engine) -> dict[str, Person]:
    return make_people(reference_engine)


def _csp(response: object) -> dict[str, str]:
    header = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in header.split(";"))
    }


def _assert_everywhere(response: object) -> None:
    for name, value in EVERYWHERE.items():
        assert response.headers.get(name) == value, name  # type: ignore[attr-defined]
    assert _csp(response)["frame-ancestors"] == "'none'"


def test_a_public_page_is_framed_by_no_one_and_may_be_cached(client: TestClient) -> None:
    response = client.get("/councils/202")
    assert response.status_code == 200
    _assert_everywhere(response)
    assert "no-store" not in response.headers.get("cache-control", "")
    policy = _csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]


def test_a_public_api_answer_carries_the_headers_and_may_be_cached(client: TestClient) -> None:
    response = client.get("/api/councils")
    assert response.status_code == 200
    _assert_everywhere(response)
    assert _csp(response)["default-src"] == "'none'"
    assert "no-store" not in response.headers.get("cache-control", "")


def test_a_private_api_answer_is_never_stored(
    client: TestClient, people: dict[str, Person]
) -> None:
    response = client.get("/api/me", headers=people["analyst"].headers)
    assert response.status_code == 200
    _assert_everywhere(response)
    assert response.headers["cache-control"] == "no-store"


def test_a_refusal_of_a_private_route_is_never_stored(client: TestClient) -> None:
    response = client.get("/api/returns")
    assert response.status_code == 401
    _assert_everywhere(response)
    assert response.headers["cache-control"] == "no-store"


def test_a_public_page_asked_for_with_credentials_is_never_stored(
    client: TestClient, people: dict[str, Person]
) -> None:
    """A signed-in person's copy of a public page names them: it must not be kept."""
    response = client.get("/councils/202", headers=people["analyst"].headers)
    assert response.status_code == 200
    _assert_everywhere(response)
    assert response.headers["cache-control"] == "no-store"


def test_a_static_file_carries_the_headers_and_may_be_cached(
    client: TestClient, people: dict[str, Person]
) -> None:
    for headers in ({}, people["analyst"].headers):
        response = client.get("/static/app.css", headers=headers)
        assert response.status_code == 200
        _assert_everywhere(response)
        assert "no-store" not in response.headers.get("cache-control", "")


def test_an_unknown_path_carries_the_headers(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    _assert_everywhere(response)


def test_the_api_documentation_loads_swagger_ui_from_the_service_itself(
    client: TestClient,
) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    _assert_everywhere(response)
    # A council's closed network reaches no CDN: every asset is the service's own.
    assert re.findall(r'(?:src|href)="(https?://[^"]+)"', response.text) == []
    assert "/static/swagger/swagger-ui-bundle.js" in response.text
    assert "https:" not in response.headers["content-security-policy"]


def test_every_inline_script_in_the_templates_is_allowed_by_its_hash(
    client: TestClient,
) -> None:
    policy = _csp(client.get("/"))["script-src"]
    scripts = []
    for template in TEMPLATES_DIR.glob("*.html"):
        scripts += re.findall(r"<script>(.*?)</script>", template.read_text(), flags=re.S)
    assert scripts, "base.html's GOV.UK snippet should be found"
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, script


@pytest.fixture
def failing_client(reference_settings: Settings) -> Iterator[TestClient]:
    engine = make_engine(reference_settings.database_url)
    app = create_app(settings=reference_settings, engine=engine)

    @app.get("/api/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("unexpected")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    engine.dispose()


def test_an_unexpected_error_carries_the_headers_too(failing_client: TestClient) -> None:
    response = failing_client.get("/api/boom")
    assert response.status_code == 500
    _assert_everywhere(response)
    assert response.headers["cache-control"] == "no-store"


def test_strict_transport_security_is_sent_only_where_cookies_are_https_only(
    reference_settings: Settings, client: TestClient
) -> None:
    assert "strict-transport-security" not in client.get("/api/health").headers
    secure = reference_settings.model_copy(update={"secure_cookies": True})
    engine = make_engine(secure.database_url)
    with TestClient(create_app(settings=secure, engine=engine)) as https_client:
        answer = https_client.get("/api/health")
    engine.dispose()
    assert answer.headers["strict-transport-security"] == "max-age=31536000"

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from workforce import migrations
from workforce.config import Settings
from workforce.db import make_engine


def test_health_says_ok_with_backend_and_revision(empty_client: TestClient, backend: str) -> None:
    response = empty_client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {
        "reachable": True,
        "backend": backend,
        "revision": migrations.head_revision(),
        "expected_revision": migrations.head_revision(),
        "up_to_date": True,
        "error": None,
    }


def test_health_is_503_when_the_schema_is_not_migrated(
    blank_database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=blank_database_url, data_dir=tmp_path, environment="development"
    )
    engine = make_engine(blank_database_url)
    response = TestClient(create_app(settings=settings, engine=engine)).get("/api/health")
    engine.dispose()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "workforce db upgrade" in response.json()["database"]["error"]


def test_health_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=1"
    settings = Settings(database_url=url, data_dir=tmp_path, environment="development")
    engine = make_engine(url)
    response = TestClient(create_app(settings=settings, engine=engine)).get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["reachable"] is False
    assert body["database"]["error"].startswith("database unreachable")
    assert "nobody" not in response.text  # no connection details leak


def test_openapi_is_published(empty_client: TestClient) -> None:
    assert empty_client.get("/docs").status_code == 200
    spec = empty_client.get("/api/openapi.json").json()
    assert {"/api/health", "/api/councils", "/api/councils/{code}", "/api/regions"} <= set(
        spec["paths"]
    )

"""Docker cannot run here: check by reading that the files say what the deployment needs."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_runs_postgres_a_one_off_migrate_the_api_and_one_scheduler() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "api", "scheduler"}
    assert "healthcheck" in services["db"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    assert "workforce db upgrade" in " ".join(services["migrate"]["command"])
    for name in ("api", "scheduler"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
        assert services[name]["environment"]["WORKFORCE_ENVIRONMENT"] == "production"
        assert services[name]["environment"]["WORKFORCE_DATABASE_URL"].startswith("postgresql://")
    assert services["scheduler"]["command"] == ["workforce", "scheduler"]
    assert services["scheduler"]["deploy"]["replicas"] == 1
    api_command = services["api"]["command"]
    assert int(api_command[api_command.index("--workers") + 1]) > 1


def test_the_image_builds_assets_with_npm_and_runs_unprivileged() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    stages = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and stages[0].startswith("FROM node:")
    assert "npm ci" in dockerfile
    assert "COPY --from=assets" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    # Everything COPY'd from the repository exists, so the build context is complete.
    for line in dockerfile.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source

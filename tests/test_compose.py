"""docker-compose.yml validated by the docker-compose client (no Docker engine needed)."""

import json
import os
import subprocess

import pytest
import yaml

from tests.processes import ROOT

pytestmark = pytest.mark.compose

REQUIRED = {
    "SECRET_KEY": "s" * 50,
    "ALLOWED_HOSTS": "portal.example",
    "POSTGRES_PASSWORD": "pw",
    "EMAIL_URL": "smtp://mailcatcher:1025",
    "SITE_URL": "https://portal.example",
}
APP_SERVICES = ["migrate", "web", "worker", "webhooks", "beat"]


def compose(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose("--profile", "dev", "config", env=REQUIRED)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_file_validates():
    result = compose("config", "-q", env=REQUIRED)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_compose_refuses_to_start_without_secret(missing):
    env = {name: value for name, value in REQUIRED.items() if name != missing}

    result = compose("config", "-q", env=env)

    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def test_compose_services(config):
    assert sorted(config["services"]) == sorted(
        ["db", "redis", "mailcatcher", "migrate", "web", "worker", "webhooks", "beat"]
    )
    assert config["services"]["mailcatcher"]["profiles"] == ["dev"]


def test_compose_app_services_share_one_definition(config):
    services = config["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    environments = [services[name]["environment"] for name in APP_SERVICES]

    assert images == {"start-alliance-portal:latest"}
    assert all(env == environments[0] for env in environments)
    assert environments[0]["DJANGO_ENV"] == "production"
    assert environments[0]["REDIS_URL"] == "redis://redis:6379"


def test_compose_waits_for_healthy_dependencies(config):
    services = config["services"]
    for name in ["db", "redis", "web", "mailcatcher"]:
        assert "test" in services[name]["healthcheck"], name
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    for name in ["web", "worker", "webhooks", "beat"]:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_compose_runs_exactly_one_beat_and_gunicorn(config):
    services = config["services"]

    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["beat"]["deploy"]["placement"]["max_replicas_per_node"] == 1
    assert services["beat"]["command"][:4] == ["celery", "-A", "alliance", "beat"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "alliance", "worker"]
    # Every queue the settings route to has a worker consuming it.
    queues = {
        services[name]["command"][services[name]["command"].index("-Q") + 1]
        for name in ["worker", "webhooks"]
    }
    assert queues == {"celery", "webhooks"}
    assert "--maxmemory-policy" in services["redis"]["command"]
    assert (
        services["redis"]["command"][services["redis"]["command"].index("--maxmemory-policy") + 1]
        == "noeviction"
    )


def test_dockerfile_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert 'CMD ["gunicorn", "alliance.wsgi"' in dockerfile
    assert "collectstatic --noinput" in dockerfile


def test_the_web_server_keeps_no_access_log():
    # Its request lines would keep one-time tokens (a password reset link's key, an
    # invitation's) and every client's address.
    dockerfile = (ROOT / "Dockerfile").read_text()
    (command,) = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]

    arguments = json.loads(command.removeprefix("CMD "))
    assert arguments[0] == "gunicorn"
    assert not [argument for argument in arguments if argument.startswith("--access-log")]

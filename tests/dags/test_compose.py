"""docker-compose.yml, checked as data (Docker cannot run on the CI machines)."""

from __future__ import annotations

import re

import pytest
import yaml

from livingreview.config import PROJECT_ROOT

AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-api-server",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}
LONG_RUNNING = AIRFLOW_SERVICES - {"airflow-init"} | {"postgres"}
MOUNTED_FOLDERS = ("dags", "dbt_project", "expectations", "review", "data")
SECRET_NAMES = re.compile(r"(PASSWORD|SECRET|SECRET_KEY|FERNET_KEY|SQL_ALCHEMY_CONN|TOKEN)$", re.IGNORECASE)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def test_has_every_service(services: dict) -> None:
    assert set(services) == AIRFLOW_SERVICES | {"postgres"}


def test_airflow_services_use_local_executor_and_the_image_built_here(services: dict) -> None:
    for name in AIRFLOW_SERVICES:
        assert services[name]["build"] == ".", name
        assert services[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
    assert (PROJECT_ROOT / "Dockerfile").is_file()
    assert "requirements.lock" in (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_commands_start_each_airflow_component(services: dict) -> None:
    for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
        assert services[f"airflow-{component}"]["command"] == [component]
    assert "livingreview.airflow_setup" in services["airflow-init"]["entrypoint"]


def test_project_folders_are_mounted(services: dict) -> None:
    for name in AIRFLOW_SERVICES:
        targets = {volume.split(":")[0]: volume.split(":")[1] for volume in services[name]["volumes"]}
        for folder in MOUNTED_FOLDERS:
            assert targets.get(f"./{folder}") == f"/opt/livingreview/{folder}", (name, folder)
            assert (PROJECT_ROOT / folder).exists() or folder == "data", folder


def test_named_volumes_are_declared(compose: dict, services: dict) -> None:
    used = {
        volume.split(":")[0]
        for service in services.values()
        for volume in service.get("volumes", [])
        if not volume.startswith(".")
    }
    assert used <= set(compose["volumes"])
    assert "postgres-data" in used


def test_long_running_services_have_healthchecks(services: dict) -> None:
    for name in LONG_RUNNING:
        check = services[name]["healthcheck"]
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert check["interval"] and check["retries"] >= 3, name


def test_services_wait_for_a_healthy_database_and_a_finished_init(services: dict) -> None:
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
    assert "airflow-init" not in services["airflow-init"]["depends_on"]


def test_secrets_come_only_from_env_file(services: dict) -> None:
    for name, service in services.items():
        assert service["env_file"] == ".env", name
        inline = service.get("environment", {})
        leaked = [key for key in inline if SECRET_NAMES.search(key)]
        assert not leaked, f"{name} sets secrets inline: {leaked}"


def test_env_example_names_every_secret_without_real_values() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    settings = dict(line.split("=", 1) for line in example.splitlines() if line and not line.startswith("#"))
    for required in (
        "POSTGRES_PASSWORD",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW_ADMIN_PASSWORD",
    ):
        assert "CHANGE-ME" in settings[required], required
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").split()

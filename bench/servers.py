"""gunicorn servers for the app and the bare-Flask baseline, and their worker processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from .client import Client, free_port
from .common import BIN, WORKERS, BenchError


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(stat.parent.name))
        return children


class Server:
    """A gunicorn server in its own process group: 2 sync workers, no access log."""

    def __init__(self, name: str, app: str, chdir: Path, env: dict[str, str], log_path: Path):
        self.name, self.app, self.chdir, self.env, self.log_path = name, app, chdir, env, log_path
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        command = [
            str(BIN / "gunicorn"),
            "--workers", str(WORKERS),
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120",
            "--chdir", str(self.chdir),
            "--error-logfile", str(self.log_path),
            "--log-level", "warning",
            self.app,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} server exited at start-up:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                # "/" answers on both servers: the hello app's page, the app's redirect to its only course.
                if Client(self.port).request("GET", "/").status in (200, 302) and len(self.workers()) == WORKERS:
                    return
            time.sleep(0.2)
        raise BenchError(f"{self.name} server did not answer within 60 s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

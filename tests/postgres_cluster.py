"""A private PostgreSQL server for tests that stop and start it (outages, backups)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lms import create_app

from .ports import free_port

MINI_PACK = Path(__file__).parent / "data" / "mini_pack"


class Cluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1, run by the postgres user when the tests run as root."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="lms-test-pg-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            postgres = pwd.getpwnam("postgres")
            os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, tool: str, *args: str, as_server: bool = True) -> subprocess.CompletedProcess:
        """Run one of the cluster's binaries (as the server's user, or as us for client tools); raise if it fails."""
        command = [*(self.as_user if as_server else []), str(self.bin_dir / tool), *args]
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}{result.stderr}")
        return result

    def initdb(self) -> None:
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--encoding=UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def client(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        """Run a client tool (createdb, pg_restore...) against this server, as the current user."""
        return self.run(tool, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *args, as_server=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def server_binaries() -> Path | None:
    """Return the newest /usr/lib/postgresql/<version>/bin holding initdb, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[Cluster]:
    """Start a private PostgreSQL cluster for this module; skip where the server binaries are missing."""
    bin_dir = server_binaries()
    if bin_dir is None:
        pytest.skip(
            "needs PostgreSQL server binaries in /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root needs a 'postgres' user to run the PostgreSQL server as")
    cluster = Cluster(bin_dir)
    try:
        cluster.initdb()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def app_on(cluster: Cluster, **config) -> Flask:
    """An app on the private cluster with the mini pack: cheap hashing, no rate limits, a 2 s connect timeout."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": cluster.url(),
            "SECRET_KEY": "test-secret-key",
            "COURSE_PACK_PATH": str(MINI_PACK),
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            "DATABASE_CONNECT_TIMEOUT": 2,  # an outage fails fast
            **config,
        }
    )

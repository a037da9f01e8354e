"""A throw-away PostgreSQL server for the tests that need real PostgreSQL (concurrency).

pytest-postgresql would be the natural choice, but PostgreSQL refuses to run as root and the
CI machine runs as root; so this starts `initdb`/`pg_ctl` directly, as the `postgres` system
user when we are root, in a temporary directory, and stops it afterwards.

The server listens on a unix socket in that private directory and on no TCP port: no other
process can take its address between choosing it and the server binding it (a free TCP port
picked first and bound later can be), and two test runs never meet.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# The socket is `<directory>/.s.PGSQL.<port>`: the port only names the file here.
SOCKET_PORT = 5432


@dataclass(frozen=True)
class PgServer:
    host: str  # the socket's directory, which libpq and Django take as HOST
    port: int
    user: str

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@/{dbname}?host={self.host}&port={self.port}"


def _bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None
    )
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def running_postgres() -> Iterator[PgServer]:
    workdir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    datadir = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    subprocess.run(
        _as_server_user(
            [_bin("initdb"), "-D", str(datadir), "-U", user, "-A", "trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {SOCKET_PORT} -k {workdir} -c listen_addresses='' -c fsync=off -c max_connections=300"
    )
    subprocess.run(
        _as_server_user(
            [
                _bin("pg_ctl"),
                "-D",
                str(datadir),
                "-o",
                options,
                "-w",
                "-l",
                str(workdir / "log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield PgServer(host=str(workdir), port=SOCKET_PORT, user=user)
    finally:
        subprocess.run(
            _as_server_user([_bin("pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)

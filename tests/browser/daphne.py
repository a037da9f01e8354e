"""The portal served by a real daphne (websockets need an ASGI server) on a copy of a SQLite
file that tests/browser/conftest.py migrated, and seeded, once per session.

A module that needs daphne starts one server for all its tests: `serve(source, work)` copies
`source` into `work`, runs the module's own starting data (`setup`, Python run by `manage.py
shell` on the copy) and serves the copy, so nothing one module writes reaches another.
"""

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import servers


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, pages still in its write-ahead log included."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def manage_shell(env: dict, code: str) -> None:
    """Run `code` in `manage.py shell` against the database of `env`."""
    done = subprocess.run(
        [servers.PYTHON, "manage.py", "shell", "-c", code],
        cwd=servers.ROOT, env=env, timeout=120, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@contextmanager
def serve(source: Path, work: Path, *, setup: str = "", **env_extra) -> Iterator[tuple[str, dict]]:
    """daphne (DEBUG=1, so static files come from the finders) on a copy of `source` in
    `work`, after `setup`; yields its base URL and the server's environment."""
    db = work / "db.sqlite3"
    copy_db(source, db)
    env = servers.server_env(db, debug=True, **env_extra)
    if setup:
        manage_shell(env, setup)
    proc = servers.start_daphne("portal.asgi:application", env=env, log=work / "daphne.log")
    try:
        yield f"http://127.0.0.1:{proc.port}", env
    finally:
        servers.stop(proc)

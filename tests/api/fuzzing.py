"""The API fuzzing passes (tests/api/test_schemathesis.py), started beside the rest of the suite.

The three roles' passes take one to three minutes of both cores, and their tests only wait for
them. `fuzz_runs` starts them in a background thread as soon as the session's first test runs
(tests/conftest.py asks for it when a selected test does), and tests/api/conftest.py runs
their tests last among the tests without a browser, so the fuzzing shares the machine with
pytest's one busy core rather than the session waiting for it. In `make test`'s pytest-xdist
workers the passes start when the worker given their tests reaches them, and those come
first: that worker waits while the other runs the rest. The fuzzers run at a lower
priority than pytest (`nice`), so the tests beside them are slowed less; their daphnes do not:
niced too, a daphne was starved by other work on this machine and took more than schemathesis'
10 s to answer the first request for the schema.

Each pass runs against its own daphne on its own copy of the seeded database (the demo,
tokens, collected static files), so a pass starts from the seed whatever ran before it, and
its server's log is its own.
"""

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from bench import servers

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = str(ROOT / ".venv" / "bin" / "schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"  # noqa: E501
EXPLORING = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "200" if EXPLORING else "20")
SEED = os.environ.get("SCHEMATHESIS_SEED", "" if EXPLORING else "20260311")
# How much lower than pytest's the fuzzers' priority is.
NICENESS = "10"
# `make test` runs the suite in pytest-xdist workers (docs/testing.md, "Two workers").
IN_XDIST_WORKER = "PYTEST_XDIST_WORKER" in os.environ


class FuzzRuns:
    """The passes of the selected roles, being set up and run by a background thread."""

    def __init__(self, roles: list[str], migrated_db: Path, work: dict[str, Path]):
        self.roles = roles
        self.runs: dict[str, dict] = {}
        self.processes: list[subprocess.Popen] = []
        self.error: BaseException | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._start, args=(migrated_db, work), name="api-fuzzing", daemon=True
        )
        self._thread.start()

    def _start(self, migrated_db: Path, work: dict[str, Path]) -> None:
        try:
            seed, extra = _seed(migrated_db, work["seed"])
            for role in self.roles:
                if self._stopping.is_set():
                    return
                self._start_role(role, seed, extra, work[role])
        except BaseException as error:  # reported by `run()`, in the test
            self.error = error

    def _start_role(self, role: str, seed: dict, extra: dict, work: Path) -> None:
        db = work / "db.sqlite3"
        shutil.copy(seed["db"], db)
        env = servers.server_env(db, **extra)
        log = work / "server.log"
        server = servers.start_daphne("portal.asgi:application", env=env, log=log)
        self.processes.append(server)
        run = _start_pass(role, seed["seed"], f"http://127.0.0.1:{server.port}", work)
        self.processes.append(run["proc"])
        self.runs[role] = {**run, "log": log}

    def run(self, role: str) -> dict:
        """The pass of `role` (its process, output files and server log), once started."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.runs[role]

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()
        for proc in reversed(self.processes):
            servers.stop(proc)


def _seed(migrated_db: Path, tmp: Path) -> tuple[dict, dict]:
    """A seeded copy of the session's migrated SQLite file (`migrated_db`) and the static files
    the servers need: the database and the seed, and the server environment's extras."""
    db = tmp / "db.sqlite3"
    shutil.copy(migrated_db, db)
    # DEBUG is off, as in production: pages (the CSRF failure page too) need the manifest.
    extra = {"STATIC_ROOT": str(tmp / "static")}
    env = servers.server_env(db, **extra)
    subprocess.run(
        [servers.PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    seeded = subprocess.run(
        [servers.PYTHON, str(ROOT / "tests" / "api" / "seed.py")],
        cwd=ROOT, env=env, check=True, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    return {"db": db, "seed": json.loads(seeded.stdout)}, extra


def _start_pass(role: str, seed: dict, origin: str, work: Path) -> dict:
    """One schemathesis pass as `role`, writing its output to files in `work`."""
    config = work / "schemathesis.toml"
    config.write_text(_config(seed))
    headers = []
    if role != "anonymous":
        headers = ["-H", f"Authorization: Bearer {seed['tokens'][role]}"]
    seed_args = ["--seed", SEED] if SEED else []
    out, err = work / "stdout.txt", work / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            ["nice", "-n", NICENESS, SCHEMATHESIS, "--no-color", "--config-file", str(config),
             "run",
             f"{origin}/api/openapi.json", *headers, *seed_args,
             "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
             "--max-examples", EXAMPLES, "--workers", "2", "--generation-database", "none",
             "--request-timeout", "30", "--output-truncate", "true"],
            cwd=work, stdout=stdout, stderr=stderr,
        )  # fmt: skip
    return {"proc": proc, "stdout": out, "stderr": err}


def _config(seed: dict) -> str:
    """Known identifiers for the path parameters, each used half the time."""
    lines = ["[dictionaries.slugs]", f"values = {json.dumps(seed['slugs'])}"]
    for name, ids in seed["ids"].items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(ids or [1])}"]
    lines.append("[parameters]")
    for name in ("slug", "group", "event"):
        lines.append(f'"path.{name}" = {{ dictionary = "slugs", probability = 0.5 }}')
    for name in seed["ids"]:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}')
    return "\n".join(lines) + "\n"


def selected_roles(session: pytest.Session) -> list[str]:
    """The roles of the selected tests that ask for `fuzz_runs`, in their order."""
    roles = [
        item.callspec.params["role"]
        for item in session.items
        if "fuzz_runs" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    ]  # fmt: skip
    return list(dict.fromkeys(roles))


@pytest.fixture(scope="session")
def fuzz_runs(request, migrated_db, tmp_path_factory):
    """The selected roles' fuzzing passes, started at once in the background (see the module's
    docstring); one after the other they took 134 to 151 s, side by side 88 to 92 s
    (docs/testing.md, "Suite time"). `fuzz_runs.run(role)` waits until they are started."""
    roles = selected_roles(request.session)
    work = {"seed": tmp_path_factory.mktemp("schemathesis")}
    work |= {role: tmp_path_factory.mktemp(f"schemathesis-{role}") for role in roles}
    runs = FuzzRuns(roles, migrated_db, work)
    yield runs
    runs.stop()

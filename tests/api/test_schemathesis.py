"""Schemathesis over `/api/openapi.json` on a real daphne, as a stranger would send it.

Every operation, as anonymous, a member (Bearer token) and an organiser (Bearer token), on a
database seeded with the demo data: path parameters are drawn half the time from the
identifiers that exist (so requests reach the code behind "not found") and half the time
generated. Checks: no 5xx, every status and body the schema declares, the declared content
type. Derandomised (a fixed seed) and bounded, so it is the same run every time; a finding is
fixed in the code, never excluded (docs/fuzzing.md). `make test-explore` runs it longer with a
fresh seed (SCHEMATHESIS_EXAMPLES, SCHEMATHESIS_SEED).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bench import servers

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = str(ROOT / ".venv" / "bin" / "schemathesis")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"  # noqa: E501
EXPLORING = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "200" if EXPLORING else "20")
SEED = os.environ.get("SCHEMATHESIS_SEED", "" if EXPLORING else "20260311")

# The server's own log must stay free of tracebacks too: a 4xx that logs one is a finding.
TRACEBACK = "Traceback (most recent call last)"

# One fuzzing pass each, as a stranger, a member and an organiser would send.
ROLES = ["anonymous", "member", "organiser"]


@pytest.fixture(scope="module")
def api_seed(migrated_db, tmp_path_factory):
    """A seeded copy of the session's migrated SQLite file (`migrated_db`) and the static files
    the servers need: the database, the seed and the server environment's extras."""
    tmp = tmp_path_factory.mktemp("schemathesis")
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
    return {"db": db, "seed": json.loads(seeded.stdout), "extra": extra}


@pytest.fixture(scope="module")
def fuzz_runs(request, api_seed, tmp_path_factory):
    """The three roles' fuzzing passes started at once, each against its own daphne on its own
    copy of the seeded database, so a pass starts from the seed whatever ran before it and its
    server's log is its own. One after the other they took 134 to 151 s, side by side 88 to
    92 s (docs/testing.md, "Suite time"). Only the roles whose test was selected are started.
    Yields, per role, the pass's process, its output files and its server's log."""
    selected = [
        item.callspec.params["role"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    ]  # fmt: skip
    started, runs = [], {}
    try:
        for role in dict.fromkeys(selected):
            work = tmp_path_factory.mktemp(f"schemathesis-{role}")
            db = work / "db.sqlite3"
            shutil.copy(api_seed["db"], db)
            env = servers.server_env(db, **api_seed["extra"])
            log = work / "server.log"
            server = servers.start_daphne("portal.asgi:application", env=env, log=log)
            started.append(server)
            runs[role] = _start_pass(
                role, api_seed["seed"], f"http://127.0.0.1:{server.port}", work
            )
            runs[role]["log"] = log
            started.append(runs[role]["proc"])
        yield runs
    finally:
        for proc in reversed(started):
            servers.stop(proc)


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
            [SCHEMATHESIS, "--no-color", "--config-file", str(config), "run",
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


@pytest.mark.hypothesis
@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_finds_no_server_error_and_no_schema_break(fuzz_runs, role):
    run = fuzz_runs[role]
    returncode = run["proc"].wait(timeout=600)
    stdout = run["stdout"].read_text(errors="replace")
    stderr = run["stderr"].read_text(errors="replace")
    summary = stdout[stdout.rfind("SUMMARY") :]
    print(summary)  # the figures: operations, cases generated, failures
    assert returncode == 0, stdout[-12000:] + stderr[-2000:]
    log = run["log"].read_bytes().decode(errors="replace")
    assert log.count(TRACEBACK) == 0, log[log.find(TRACEBACK) - 2000 :][:6000]

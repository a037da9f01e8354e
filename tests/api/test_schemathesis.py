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


@pytest.fixture(scope="module")
def api_server(migrated_db, tmp_path_factory):
    """A daphne on a seeded copy of the session's migrated SQLite file (`migrated_db`);
    yields its origin, the seed and its log."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    db = tmp / "db.sqlite3"
    shutil.copy(migrated_db, db)
    # DEBUG is off, as in production: pages (the CSRF failure page too) need the manifest.
    env = servers.server_env(db, STATIC_ROOT=str(tmp / "static"))
    subprocess.run(
        [servers.PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    seeded = subprocess.run(
        [servers.PYTHON, str(ROOT / "tests" / "api" / "seed.py")],
        cwd=ROOT, env=env, check=True, timeout=300, capture_output=True, text=True,
    )  # fmt: skip
    log = tmp / "server.log"
    proc = servers.start_daphne("portal.asgi:application", env=env, log=log)
    try:
        origin = f"http://127.0.0.1:{proc.port}"
        yield {"origin": origin, "seed": json.loads(seeded.stdout), "log": log}
    finally:
        servers.stop(proc)


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
@pytest.mark.parametrize("role", ["anonymous", "member", "organiser"])
def test_api_fuzz_finds_no_server_error_and_no_schema_break(api_server, role, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(api_server["seed"]))
    headers = []
    if role != "anonymous":
        headers = ["-H", f"Authorization: Bearer {api_server['seed']['tokens'][role]}"]
    seed = ["--seed", SEED] if SEED else []
    log_start = api_server["log"].stat().st_size
    result = subprocess.run(
        [SCHEMATHESIS, "--no-color", "--config-file", str(config), "run",
         f"{api_server['origin']}/api/openapi.json", *headers, *seed,
         "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
         "--max-examples", EXAMPLES, "--workers", "2", "--generation-database", "none",
         "--request-timeout", "30", "--output-truncate", "true"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    summary = result.stdout[result.stdout.rfind("SUMMARY") :]
    print(summary)  # the figures: operations, cases generated, failures
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    with api_server["log"].open("rb") as log_file:
        log_file.seek(log_start)
        log = log_file.read().decode(errors="replace")
    assert log.count(TRACEBACK) == 0, log[log.find(TRACEBACK) - 2000 :][:6000]

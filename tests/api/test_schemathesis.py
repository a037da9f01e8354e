"""Schemathesis over `/api/openapi.json` on a real daphne, as a stranger would send it.

Every operation, as anonymous, a member (Bearer token) and an organiser (Bearer token), on a
database seeded with the demo data: path parameters are drawn half the time from the
identifiers that exist (so requests reach the code behind "not found") and half the time
generated. Checks: no 5xx, every status and body the schema declares, the declared content
type. Derandomised (a fixed seed) and bounded, so it is the same run every time; a finding is
fixed in the code, never excluded (docs/fuzzing.md). `make test-explore` runs it longer with a
fresh seed (SCHEMATHESIS_EXAMPLES, SCHEMATHESIS_SEED).
"""

import pytest

# The passes themselves are started by `fuzz_runs` (tests/api/fuzzing.py) beside the rest of the
# suite; these tests wait for them and check what they found.

# The server's own log must stay free of tracebacks too: a 4xx that logs one is a finding.
TRACEBACK = "Traceback (most recent call last)"

# One fuzzing pass each, as a stranger, a member and an organiser would send.
ROLES = ["anonymous", "member", "organiser"]


@pytest.mark.hypothesis
@pytest.mark.parametrize("role", ROLES)
def test_api_fuzz_finds_no_server_error_and_no_schema_break(fuzz_runs, role):
    run = fuzz_runs.run(role)
    returncode = run["proc"].wait(timeout=600)
    stdout = run["stdout"].read_text(errors="replace")
    stderr = run["stderr"].read_text(errors="replace")
    summary = stdout[stdout.rfind("SUMMARY") :]
    print(summary)  # the figures: operations, cases generated, failures
    assert returncode == 0, stdout[-12000:] + stderr[-2000:]
    log = run["log"].read_bytes().decode(errors="replace")
    assert log.count(TRACEBACK) == 0, log[log.find(TRACEBACK) - 2000 :][:6000]

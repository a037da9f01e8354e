"""`ON_EACH_DATABASE`: a test runs once on each database the portal supports, SQLite in the
main pass and PostgreSQL in the `postgres` pass (tests/conftest.py). The test takes the
`database` argument and asserts it is the vendor it runs on, so neither run passes by
accident on the other database."""

import os

import pytest

# The run's database: PostgreSQL in the `postgres` pass (the Makefile sets it), else SQLite.
USE_POSTGRES = os.environ.get("PORTAL_TEST_DB") == "postgres"

ON_EACH_DATABASE = pytest.mark.parametrize(
    "database",
    [
        # A whole-suite run on PostgreSQL (PORTAL_TEST_DB=postgres without `-m postgres`)
        # skips the SQLite case rather than failing it.
        pytest.param(
            "sqlite",
            marks=pytest.mark.skipif(USE_POSTGRES, reason="the SQLite pass runs it"),
        ),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
)

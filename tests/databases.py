"""`ON_EACH_DATABASE`: a test runs once on each database the portal supports, SQLite in the
main pass and PostgreSQL in the `postgres` pass (tests/conftest.py). The test takes the
`database` argument and asserts it is the vendor it runs on, so neither run passes by
accident on the other database."""

import pytest

ON_EACH_DATABASE = pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)

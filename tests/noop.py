"""Asserting that a no-op write wrote nothing and took no write lock (tests of #11, item 5)."""

import re
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

# On SQLite the portal's transactions are IMMEDIATE: BEGIN (or, inside a test's transaction,
# a SAVEPOINT) is where the write lock is taken.
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|BEGIN|SAVEPOINT|REPLACE)\b", re.IGNORECASE)


@contextmanager
def no_write():
    with CaptureQueriesContext(connection) as captured:
        yield captured
    writes = [q["sql"] for q in captured.captured_queries if WRITE.match(q["sql"])]
    assert writes == []
    # ... and nothing locked a row for update (PostgreSQL; SQLite has no FOR UPDATE).
    assert [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]] == []

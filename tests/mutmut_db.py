"""pytest plugin for `make mutation` only (tests/mutmut_run.py): one test database for all runs.

mutmut starts a fresh pytest session for every mutant, forked from one warmed-up process.
Building the test database (SQLite in memory, every migration) would be most of a short run;
instead the warm-up runs `test_database_is_built` below once, and every run forked afterwards
inherits a copy of that database and of its open connection. `django_db_setup` then only hands
it out. A forked run writes to its own copy, so nothing one mutant's tests write (a
transactional test's flush included) reaches another's.

Loaded with `-p tests.mutmut_db` from `[tool.mutmut] pytest_add_cli_args`; never part of
`make test`.
"""

from types import ModuleType

import pytest

_built = False


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    global _built
    if not _built:
        from django.test.utils import setup_databases

        with django_db_blocker.unblock():
            setup_databases(verbosity=0, interactive=False, aliases={"default"})
        _built = True
    yield  # never torn down: the processes forked from this one use it


@pytest.mark.django_db
def test_database_is_built():
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.count() == 0


def pytest_configure(config):
    # `-p` plugins are registered before the installed ones, and of two plugins' fixtures with
    # one name the last registered wins: without this, pytest-django's django_db_setup runs
    # `migrate` again in every forked run (a third of a one-test run; docs/testing.md).
    last = ModuleType("mutmut_db_last")
    last.django_db_setup = django_db_setup
    config.pluginmanager.register(last, "mutmut-db-last")

"""Races made on purpose: another request's write committed at a chosen point of this one."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def just_before(statement: str, action, *, reading: str = "", nth: int = 1):
    """Run `action` once, right before the `nth` SQL statement that starts with `statement`
    (and mentions `reading`): another request committing between this one's check and its
    write, or while it waits its turn. Yields a list that holds True once `action` ran."""
    fired = []
    seen = []

    def wrapper(execute, sql, params, many, context):
        if not fired and sql.lstrip().startswith(statement) and reading in sql:
            seen.append(sql)
            if len(seen) == nth:
                fired.append(True)
                action()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fired

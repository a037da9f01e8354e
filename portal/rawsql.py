"""Rows of written-out SQL made into model instances the way the ORM makes them.

For the few statements of a hot path written out because the ORM took longer to build them
than the database to answer (docs/benchmarks.md, "RSVP rush"). Each column goes through the
backend's and the field's converters, as in the ORM's own reads (SQLite hands datetimes back
as naive text; the ORM makes them aware), then `Model.from_db`. Identifiers come from the
model; values are always parameters.
"""

from django.db import connection
from django.db.models import Model


class Columns:
    """All concrete columns of `model` under a table alias, in `_meta` order."""

    def __init__(self, model: type[Model], alias: str):
        quote = connection.ops.quote_name
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self._converters = []
        for position, field in enumerate(fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self._converters.append((position, found, col))

    def __len__(self) -> int:
        return len(self.attnames)

    def instance(self, values) -> Model:
        """The model instance of one row's values for these columns (as the ORM loads it)."""
        values = list(values)
        for position, converters, col in self._converters:
            for converter in converters:
                values[position] = converter(values[position], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def one_row(sql: str, params: list, *parts: Columns) -> list[tuple] | None:
    """The one row `sql` answers (None for none), cut into the values of each of `parts` in
    turn: the statement selects their columns in that order."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    cut, start = [], 0
    for part in parts:
        cut.append(row[start : start + len(part)])
        start += len(part)
    return cut

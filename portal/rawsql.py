"""Rows of written-out SQL made into model instances the way the ORM makes them.

For the few statements of a hot path written out because the ORM took longer to build them
than the database to answer (docs/benchmarks.md, "RSVP rush"). Each column goes through the
backend's and the field's converters, as in the ORM's own reads (SQLite hands datetimes back
as naive text; the ORM makes them aware), then `Model.from_db`. Identifiers come from the
model; values are always parameters.

`PreparedValues` goes the other way for a read the ORM may keep writing: it builds and
compiles the query once, then only runs it. `insert_new` writes a new row by a statement
built once per model.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import NOT_PROVIDED, Field, Model, QuerySet
from django.db.models.signals import post_save, pre_save


class Columns:
    """All concrete columns of `model` under a table alias, in `_meta` order."""

    def __init__(self, model: type[Model], alias: str):
        quote = connection.ops.quote_name
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self._converters = []
        self._by_attname = {}
        for position, field in enumerate(fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                self._converters.append((position, found, col))
            self._by_attname[field.attname] = (position, found, col)

    def __len__(self) -> int:
        return len(self.attnames)

    def instance(self, values) -> Model:
        """The model instance of one row's values for these columns (as the ORM loads it)."""
        values = list(values)
        for position, converters, col in self._converters:
            for converter in converters:
                values[position] = converter(values[position], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values)

    def value(self, values, attname: str):
        """One field's value from a row's values for these columns, converted as `instance`
        converts it: for a row that needs a field or two and no instance."""
        position, converters, col = self._by_attname[attname]
        value = values[position]
        for converter in converters:
            value = converter(value, col, connection)
        return value


def one_row(sql: str, params: list, *parts: Columns | int) -> list[tuple] | None:
    """The one row `sql` answers (None for none), cut into the values of each of `parts` in
    turn: the statement selects their columns in that order. A part given as a number is that
    many plain columns, handed back as the database gave them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else _cut(row, parts)


def all_rows(sql: str, params: list, *parts: Columns | int) -> list[list[tuple]]:
    """Every row `sql` answers, in its order, each cut as `one_row` cuts its row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [_cut(row, parts) for row in rows]


def _cut(row: tuple, parts: tuple[Columns | int, ...]) -> list[tuple]:
    cut, start = [], 0
    for part in parts:
        size = part if isinstance(part, int) else len(part)
        cut.append(row[start : start + size])
        start += size
    return cut


class PreparedValues:
    """A `.values()` query the ORM builds and compiles once per database, then runs with
    another value of its one parameter: for a hot read the ORM took longer to build than the
    database to answer (the attendance counts: 3.9 ms to build each time, 0.4 ms to run;
    docs/benchmarks.md). The ORM still defines the query and converts the values.

    `build(value)` must return the same query for every value, differing only in that
    parameter: nothing else may depend on the moment, the time zone or the caller.
    """

    # The compiled statement's parameter equal to this is the one each call fills in.
    PLACEHOLDER = -7_036_874_417_766

    def __init__(self, build: Callable[[int], QuerySet]):
        self._build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, using: str) -> "_Compiled":
        queryset = self._build(self.PLACEHOLDER).using(using)
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        slots = [i for i, p in enumerate(params) if type(p) is int and p == self.PLACEHOLDER]
        if len(slots) != 1:
            raise ValueError(f"a prepared query needs its value once in its parameters: {sql}")
        expressions = [selected[0] for selected in compiler.select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            names=(*query.extra_select, *query.values_select, *query.annotation_select),
            converters=tuple(compiler.get_converters(expressions).items()),
        )

    def first(self, value: int, using: str = DEFAULT_DB_ALIAS) -> dict | None:
        """The first row for `value`, as `.values()` gives it (None for none)."""
        db = connections[using]
        key = (using, db.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        params = list(compiled.params)
        params[compiled.slot] = operator.index(value)  # an int, as the ORM would have sent
        with db.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for position, (converters, expression) in compiled.converters:
            for converter in converters:
                values[position] = converter(values[position], expression, db)
        return dict(zip(compiled.names, values, strict=True))


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slot: int  # the index in `params` of the value each call fills in
    names: tuple[str, ...]  # of the row's columns, in order
    converters: tuple  # (position, (converters, expression)), as the compiler applies them


_INSERTS: dict[tuple[type[Model], str, str], tuple[list[Field], str]] = {}


def insert_new(instance: Model, using: str = DEFAULT_DB_ALIAS) -> None:
    """Save `instance`, new and with its primary key set, as `save(force_insert=True)` would:
    `pre_save` and `post_save` sent, each field's `pre_save` and database preparation, one
    INSERT (a failure marks the surrounding `atomic` block for rollback). The statement is
    built once per model and database: for a row written on a hot path where the ORM took
    longer to build the INSERT than the database to run it (the confirmation email's task row
    on every RSVP, docs/benchmarks.md).

    Refuses what it would write differently from the ORM: a primary key the database makes,
    a parent model's table (multi-table inheritance), a field the database fills in
    (`db_default`, generated), a value that is an SQL expression."""
    model = type(instance)
    meta = model._meta
    db = connections[using]
    key = (model, using, db.vendor)
    built = _INSERTS.get(key)
    if built is None:
        fields = list(meta.concrete_fields)
        if meta.parents or any(f.generated or f.db_default is not NOT_PROVIDED for f in fields):
            raise ValueError(f"insert_new cannot write {meta.label} as the ORM would")
        quote = db.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        slots = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({slots})"  # noqa: S608
        built = _INSERTS[key] = (fields, sql)
    if instance.pk is None:
        raise ValueError(f"insert_new needs the primary key of the new {meta.label} set")
    fields, sql = built
    instance._prepare_related_fields_for_save(operation_name="save")  # as save() does first
    pre_save.send(sender=model, instance=instance, raw=False, using=using, update_fields=None)
    values = [field.pre_save(instance, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        raise ValueError(f"insert_new writes values, not SQL expressions ({meta.label})")
    params = [
        field.get_db_prep_save(value, db) for field, value in zip(fields, values, strict=True)
    ]
    with transaction.mark_for_rollback_on_error(using), db.cursor() as cursor:
        cursor.execute(sql, params)
    instance._state.adding = False
    instance._state.db = using
    post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using
    )

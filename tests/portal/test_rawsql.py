"""portal.rawsql: rows of written-out SQL become the instances the ORM would have loaded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetups.models import Event
from portal.rawsql import Columns, PreparedValues, all_rows, one_row
from rsvp.models import Rsvp, RsvpSettings
from rsvp.services.seats import _lock_event, _own_rsvp
from tests.factories import make_event, make_user


def _row(columns: Columns, table: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {table} e WHERE e.id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


@pytest.mark.django_db
def test_an_instance_from_a_row_equals_the_one_the_orm_loads_field_by_field():
    """Breaks if a converter is skipped: SQLite hands datetimes back naive (or as text), the
    ORM makes them aware; a mismatch also fails on a column out of `_meta` order."""
    event = make_event()
    columns = Columns(Event, "e")
    loaded = columns.instance(_row(columns, Event._meta.db_table, event.pk))
    expected = Event.objects.get(pk=event.pk)
    for field in Event._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.starts_at.tzinfo is not None
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


@pytest.mark.django_db
def test_the_locked_event_knows_it_has_no_settings_without_another_query():
    """Breaks if a missing settings row is left unknown: `rsvp_settings_get` would then ask the
    database again, under the event's lock."""
    event = make_event()
    locked = _lock_event(event.pk)
    with CaptureQueriesContext(connection) as queries, pytest.raises(RsvpSettings.DoesNotExist):
        locked.rsvp_settings  # noqa: B018
    assert len(queries) == 0


@pytest.mark.django_db
def test_the_locked_event_carries_its_settings_as_saved():
    event = make_event()
    saved = RsvpSettings.objects.create(event=event, guests_allowed=2, opens_at=event.starts_at)
    locked = _lock_event(event.pk)
    with CaptureQueriesContext(connection) as queries:
        settings = locked.rsvp_settings
    assert len(queries) == 0
    assert (settings.pk, settings.guests_allowed, settings.opens_at) == (
        saved.pk,
        2,
        event.starts_at,
    )
    assert settings.event is locked


@pytest.mark.django_db
def test_the_own_rsvp_read_equals_the_orms_field_by_field_or_is_none():
    """Breaks if the person's RSVP is read with a column out of place or unconverted (every
    RSVP reads it first: a repeat is answered from it, a cancelled one is reopened)."""
    event, user, other = make_event(), make_user(), make_user()
    now = event.starts_at
    saved = Rsvp.objects.create(
        event=event, user=user, guests=1, status=Rsvp.Status.CANCELLED, queued_at=now,
        cancelled_at=now, listed=False,
    )  # fmt: skip
    Rsvp.objects.create(event=event, user=other, status=Rsvp.Status.GOING, queued_at=now)
    loaded = _own_rsvp(event.pk, user.pk)
    expected = Rsvp.objects.get(pk=saved.pk)
    for field in Rsvp._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.queued_at.tzinfo is not None
    assert (loaded._state.adding, loaded._state.db) == (False, "default")
    assert _own_rsvp(event.pk, make_user().pk) is None


@pytest.mark.django_db
def test_one_row_is_cut_between_its_parts_in_order_or_none():
    """Breaks if a part gets another's columns (an off-by-one in the cut) or a missing row
    reads as an empty one."""
    event = make_event()
    columns = Columns(Event, "e")
    sql = f"SELECT {columns.sql}, {columns.sql} FROM {Event._meta.db_table} e WHERE e.id = %s"  # noqa: S608
    first, second = one_row(sql, [event.pk], columns, columns)
    assert first == second
    assert len(first) == len(columns)
    assert columns.instance(second).pk == event.pk
    assert one_row(sql, [event.pk + 1000], columns, columns) is None


@pytest.mark.django_db
def test_a_plain_part_is_handed_back_as_is_and_one_value_converted_as_the_instance():
    """Breaks if a numbered part is cut wrong, or `value` skips a converter `instance` runs
    (on SQLite a datetime comes back naive, or as text)."""
    event = make_event()
    columns = Columns(Event, "e")
    sql = f"SELECT {columns.sql}, e.title, e.id FROM {Event._meta.db_table} e WHERE e.id = %s"  # noqa: S608
    ((values, plain),) = all_rows(sql, [event.pk], columns, 2)
    assert plain == (event.title, event.pk)
    instance = columns.instance(values)
    for name in ("starts_at", "id", "status", "group_id"):
        assert columns.value(values, name) == getattr(instance, name), name
    assert columns.value(values, "starts_at").tzinfo is not None


# --- PreparedValues ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_prepared_query_is_built_and_compiled_once_then_only_run(monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    builds = []
    prepared = PreparedValues(
        lambda pk: builds.append(pk) or Event.objects.filter(pk=pk).values("title", "starts_at")
    )
    first, second = make_event(title="First"), make_event(title="Second", slug="second")
    assert prepared.first(first.pk)["title"] == "First"
    compiles = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiles.append(1) or original(self, *a, **k)
    )
    with CaptureQueriesContext(connection) as queries:
        row = prepared.first(second.pk)
    assert row == {"title": "Second", "starts_at": second.starts_at}
    assert row["starts_at"].tzinfo is not None  # converted as the ORM does (SQLite: text)
    assert (builds, compiles, len(queries)) == ([PreparedValues.PLACEHOLDER], [], 1)
    assert prepared.first(second.pk + 1000) is None


@pytest.mark.django_db
def test_a_prepared_query_refuses_what_it_cannot_fill_in():
    never = PreparedValues(lambda pk: Event.objects.filter(pk=1).values("title"))
    twice = PreparedValues(lambda pk: Event.objects.filter(pk=pk, group_id=pk).values("title"))
    for prepared in (never, twice):
        with pytest.raises(ValueError, match="its value once"):
            prepared.first(1)
    event = make_event()
    by_pk = PreparedValues(lambda pk: Event.objects.filter(pk=pk).values("title"))
    with pytest.raises(TypeError):
        by_pk.first(str(event.pk))  # a str is not quietly sent where the ORM would send an int

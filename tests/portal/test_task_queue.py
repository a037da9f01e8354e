"""portal.task_queue: django-tasks-db's backend with its task row written by one statement
built once (portal.rawsql.insert_new). The row must be the library's own, field by field."""

import uuid
from datetime import timedelta

import pytest
from django.apps.registry import Apps
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Value
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.compiler import SQLInsertCompiler
from django.tasks import task, task_backends
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from meetups.models import Event
from portal.rawsql import insert_new
from portal.task_queue import DatabaseBackend
from rsvp.models import Rsvp

PORTAL = {"default": {"BACKEND": "portal.task_queue.DatabaseBackend"}}


@task(priority=5, queue_name="default")
def greet(name: str, times: int = 1) -> str:
    """A task to queue."""
    return name * times


@pytest.fixture
def backend(settings):
    settings.TASKS = PORTAL
    found = task_backends["default"]
    assert type(found) is DatabaseBackend
    return found


def _fields(row: DBTaskResult) -> dict:
    return {f.attname: getattr(row, f.attname) for f in DBTaskResult._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.parametrize("run_after", [None, "later"])
def test_the_row_is_the_one_the_library_writes_field_by_field(backend, run_after):
    """Breaks if a field is left out, prepared differently (the JSON, the priority) or the
    library's pre_save receiver is skipped (it turns "no run_after" into its far date)."""
    when = timezone.now() + timedelta(hours=2) if run_after else None
    queued = greet.using(run_after=when) if when else greet
    ours = backend._task_to_db_task(queued, ("Ada",), {"times": 2})
    theirs = LibraryBackend._task_to_db_task(backend, queued, ("Ada",), {"times": 2})
    ours_read, theirs_read = (DBTaskResult.objects.get(pk=r.pk) for r in (ours, theirs))
    assert _fields(ours) == _fields(ours_read)  # the instance is what was stored
    mine, library = _fields(ours_read), _fields(theirs_read)
    assert mine.pop("id") != library.pop("id")
    assert abs(mine.pop("enqueued_at") - library.pop("enqueued_at")) < timedelta(seconds=5)
    assert mine == library
    assert ours_read.run_after == (when or get_date_max())
    assert (ours._state.adding, ours._state.db) == (False, "default")


@pytest.mark.django_db
def test_enqueue_writes_through_the_built_statement_and_the_worker_runs_it(backend, monkeypatch):
    """Breaks if the library's `enqueue` stops calling `_task_to_db_task` (a later version):
    the ORM would then build an INSERT again."""

    def no_orm_insert(*args, **kwargs):
        raise AssertionError("the ORM built an INSERT")

    greet.enqueue("Bo")  # the statement is built on first use
    monkeypatch.setattr(SQLInsertCompiler, "as_sql", no_orm_insert)
    with CaptureQueriesContext(connection) as queries:
        result = greet.enqueue("Ada", times=3)
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"
    assert (row.args_kwargs, row.task_path) == (
        {"args": ["Ada"], "kwargs": {"times": 3}},
        "tests.portal.test_task_queue.greet",
    )
    monkeypatch.undo()
    assert backend.get_result(result.id).status == "READY"
    row.claim("test-worker")
    assert row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]) == "AdaAdaAda"


@pytest.mark.django_db
def test_insert_new_refuses_what_it_would_write_unlike_the_orm():
    with pytest.raises(ValueError, match="primary key"):
        insert_new(DBTaskResult(id=None, args_kwargs={}, task_path="x", backend_name="x"))
    # Rsvp and Event have database-made primary keys: refused before anything is written.
    for unsaved in (Rsvp(), Event()):
        with pytest.raises(ValueError, match="primary key"):
            insert_new(unsaved)


def test_insert_new_refuses_a_field_the_database_fills_in_or_a_parent_table():
    registry = Apps()  # models of this test only, in no app the portal has
    options = {"app_label": "insert_new_test", "apps": registry}

    class Stamped(models.Model):  # noqa: DJ008
        made = models.DateTimeField(db_default=Now())
        Meta = type("Meta", (), options)

    class Parent(models.Model):  # noqa: DJ008
        Meta = type("Meta", (), options)

    class Child(Parent):  # noqa: DJ008
        Meta = type("Meta", (), options)

    for unsaved in (Stamped(id=1), Child(id=1)):
        with pytest.raises(ValueError, match="as the ORM would"):
            insert_new(unsaved)


@pytest.mark.django_db
def test_the_save_signals_go_out_as_for_the_orms_insert(backend):
    heard = []

    def listen(signal_name):
        def receiver(sender, instance, raw, using, update_fields, **extra):
            heard.append((signal_name, sender, raw, using, update_fields, extra.get("created")))

        return receiver

    before, after = listen("pre_save"), listen("post_save")
    pre_save.connect(before, sender=DBTaskResult)
    post_save.connect(after, sender=DBTaskResult)
    try:
        greet.enqueue("Ada")
    finally:
        pre_save.disconnect(before, sender=DBTaskResult)
        post_save.disconnect(after, sender=DBTaskResult)
    assert heard == [
        ("pre_save", DBTaskResult, False, "default", None, None),
        ("post_save", DBTaskResult, False, "default", None, True),
    ]


@pytest.mark.django_db
def test_a_failed_insert_marks_the_atomic_block_for_rollback_as_save_does(backend):
    first = backend._task_to_db_task(greet, ("Ada",), {})
    again = DBTaskResult(
        id=first.pk, args_kwargs={"args": [], "kwargs": {}}, task_path="x", backend_name="x"
    )
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert_new(again)  # the same primary key
        assert transaction.get_rollback() is True


@pytest.mark.django_db
def test_an_id_the_database_evaluates_is_left_to_the_librarys_own_insert(backend, monkeypatch):
    handed = []
    monkeypatch.setattr(backend, "id_function", lambda: Value(uuid.uuid4()))
    monkeypatch.setattr(
        LibraryBackend, "_task_to_db_task", lambda self, *args: handed.append(args) or "library"
    )
    assert backend._task_to_db_task(greet, ("Ada",), {}) == "library"
    assert handed == [(greet, ("Ada",), {})]
    with pytest.raises(ValueError, match="SQL expressions"):
        insert_new(DBTaskResult(id=Value(uuid.uuid4()), args_kwargs={}, backend_name="x"))

"""The task queue's backend in production (`TASKS_BACKEND=database`): django-tasks-db's, with
its task row written by `portal.rawsql.insert_new`, a statement built once.

Every RSVP queues its confirmation email after commit. Through the library's
`DBTaskResult.objects.create` that cost about 1 ms of CPU, most of it the ORM building the
INSERT (docs/benchmarks.md, "Less ORM on the RSVP and the signed-in event page"): a seventh
of the RSVP request. Everything else stays the library's: validation, the id, the
`task_enqueued` signal, the worker, results. tests/portal/test_task_queue.py checks the row
equals the library's own, field by field, and that enqueueing still goes through this method.
"""

from django.db import router
from django.db.models import Expression
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend as LibraryBackend

from .rawsql import insert_new


class DatabaseBackend(LibraryBackend):
    def _task_to_db_task(self, task, args, kwargs):
        # As the library's own method, with the row written by insert_new; models imported
        # here as the library does (the backend may load before the app registry is ready).
        from django_tasks_db.models import DBTaskResult

        result_id = self._get_id()
        if isinstance(result_id, Expression):  # an `id_function` the database evaluates
            return super()._task_to_db_task(task, args, kwargs)
        row = DBTaskResult(
            id=result_id,
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        insert_new(row, using=router.db_for_write(DBTaskResult, instance=row))
        return row

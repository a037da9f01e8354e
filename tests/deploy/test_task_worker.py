"""The task worker takes back what a killed run of itself left RUNNING, and only that."""

import pytest
from django.tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from portal.management.commands.task_worker import tasks_requeue_orphans


@task
def noop() -> None:
    """A task to queue."""


@pytest.mark.django_db
def test_only_this_worker_s_running_tasks_go_back_to_the_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "portal.task_queue.DatabaseBackend"}}
    mine, theirs, waiting, done = (noop.enqueue().id for _ in range(4))
    rows = {str(row.id): row for row in DBTaskResult.objects.all()}
    rows[mine].claim("stack-tasks-0")
    rows[theirs].claim("stack-tasks-1")
    rows[done].claim("stack-tasks-0")
    rows[done].set_successful(None)

    requeued = tasks_requeue_orphans(worker_id="stack-tasks-0")

    statuses = {str(row.id): row.status for row in DBTaskResult.objects.all()}
    assert requeued == 1
    assert statuses == {
        mine: TaskResultStatus.READY,
        theirs: TaskResultStatus.RUNNING,
        waiting: TaskResultStatus.READY,
        done: TaskResultStatus.SUCCESSFUL,
    }
    assert DBTaskResult.objects.get(id=mine).worker_ids == ["stack-tasks-0"]

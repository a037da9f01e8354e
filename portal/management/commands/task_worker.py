"""The task worker of a deployment: django-tasks-db's `db_worker`, after taking back the tasks
a previous run of this same worker was killed in the middle of.

`db_worker` marks a task RUNNING in one transaction and runs it afterwards. A worker killed
(SIGKILL, OOM, power) while running a task leaves that row RUNNING for ever: its email is
never sent. Each worker of a deployment has a fixed `--worker-id` (the stack's is
`stack-tasks-0`; a server's systemd unit uses the host name), so a task still RUNNING under
this id when the worker starts can only be an orphan of its own previous run: it goes back
to READY and runs again. (A task killed after its email left but before it was marked done
is sent twice; that window is the SMTP reply, milliseconds. See docs/deploy.md.)

Also exports the queue depth (`portal_tasks_queued`) on METRICS_PORT with the process's
other metrics.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY

from portal.observability import TaskQueueCollector


def tasks_requeue_orphans(*, worker_id: str) -> int:
    """Put this worker's RUNNING tasks back in the queue; returns how many."""
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        orphans = [t for t in running if t.worker_ids and t.worker_ids[-1] == worker_id]
        for task in orphans:
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
    return len(orphans)


class Command(BaseCommand):
    help = "Run the database task worker, first re-queuing what this worker id left running."

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", required=True, help="unique and stable per worker")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *, worker_id: str, interval: float, verbosity: int, **options):
        requeued = tasks_requeue_orphans(worker_id=worker_id)
        if requeued:
            self.stderr.write(
                f"task_worker: re-queued {requeued} task(s) left running by {worker_id}"
            )
        REGISTRY.register(TaskQueueCollector())
        call_command(
            "db_worker",
            worker_id=worker_id,
            interval=interval,
            reload=False,
            startup_delay=False,
            verbosity=verbosity,
        )

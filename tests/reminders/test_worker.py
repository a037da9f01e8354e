"""Exactly once, with real `task_worker` processes (db_worker) on PostgreSQL and a real SMTP
server: two workers at once, a worker killed mid-send, a cancelled RSVP, a cancelled event, a
moved event.

The clock: this process schedules with time-machine (publishing "three hours ago"), so the
tasks' `run_after` is already past on the real clock the workers read; the event itself starts
an hour from now, so to the workers a 2-hour reminder is due and the event has not started.
"""

import asyncio
import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meetups.models import Event
from organise.services.events import event_cancel
from reminders.models import Delivery, ReminderPlan
from reminders.tasks import send_event_recap, send_event_reminders
from rsvp.services.seats import rsvp_cancel
from tests import factories
from tests.deploy.stack import SmtpSink, free_port
from tests.reminders.conftest import make_rsvp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


class SlowSink(SmtpSink):
    """Takes a moment over each message, as a real mail server does, so two workers overlap."""

    delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def sink():
    sink = SlowSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def workers(pg_server, sink, tmp_path, db_tasks):
    """Starts `manage.py task_worker` processes against the test database; kills them all at
    the end of the test, before the database is flushed."""
    started: list[subprocess.Popen] = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "reminders-worker-test",
        "DEBUG": "0",
        "DATABASE_URL": pg_server.url(connection.settings_dict["NAME"]),
        "DATABASE_POOL_MAX_SIZE": "0",
        "TASKS_BACKEND": "database",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "0",
        "SITE_URL": "https://portal.example",
        "METRICS_PORT": "",
    }

    def start(worker_id: str) -> subprocess.Popen:
        log = open(tmp_path / f"{worker_id}.log", "a")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/python"),
                "manage.py",
                "task_worker",
                "--worker-id",
                worker_id,
                "--interval",
                "0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = tmp_path / f"{worker_id}.log"
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(10)


def wait_until(check, *, timeout: float = 60, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(interval)
    return found


def published_event(group, *, people: int, starts_in=timedelta(hours=1)):
    """An event starting `starts_in` from now, with `people` going and one 2-hour reminder,
    published three hours ago (so its reminder is due now)."""
    event = factories.make_event(group=group, status=Event.Status.DRAFT, starts_in=starts_in)
    ReminderPlan.objects.create(event=event, offsets_minutes=[120])
    rsvps = [make_rsvp(event=event) for _ in range(people)]
    with time_machine.travel(timezone.now() - timedelta(hours=3)):
        event.status = Event.Status.PUBLISHED
        event.save()
    return event, rsvps


def reminder_tasks(event, task="send_event_reminders") -> list[DBTaskResult]:
    return [
        row
        for row in DBTaskResult.objects.filter(task_path__endswith=task)
        if row.args_kwargs["kwargs"]["event_id"] == event.pk
    ]


def all_done(event, count: int, task="send_event_reminders") -> list[DBTaskResult] | None:
    rows = reminder_tasks(event, task)
    statuses = [row.status for row in rows]
    assert TaskResultStatus.FAILED not in statuses, [row.traceback for row in rows]
    done = len(rows) == count and set(statuses) == {TaskResultStatus.SUCCESSFUL}
    return rows if done else None


def subjects(sink, rsvps) -> dict[str, list[str]]:
    return {r.user.email: [m["subject"] for m in sink.received(to=r.user.email)] for r in rsvps}


def reminder_subject(event) -> str:
    local = timezone.localtime(event.starts_at, event.tzinfo)
    return f"Reminder: {event.title}, {local:%a %-d %b, %H:%M}"


def test_two_workers_send_one_reminder_per_person(workers, sink, group):
    sink.delay = 0.1
    event, rsvps = published_event(group, people=8)
    # The same send queued twice (as if two saves had raced past the scheduling record).
    send_event_reminders.using(run_after=timezone.now() - timedelta(minutes=1)).enqueue(
        event_id=event.pk, offset_minutes=120, for_time=event.starts_at.isoformat()
    )
    workers("reminders-a")
    workers("reminders-b")

    rows = wait_until(lambda: all_done(event, 2))
    time.sleep(1)  # anything sent twice would have arrived by now
    sink.delay = 0.0

    assert subjects(sink, rsvps) == {r.user.email: [reminder_subject(event)] for r in rsvps}
    assert sorted(row.return_value for row in rows) in ([0, 8], [1, 7], [2, 6], [3, 5], [4, 4])
    assert {row.worker_ids[-1] for row in rows} == {"reminders-a", "reminders-b"}
    assert Delivery.objects.filter(event=event).count() == 8


def test_a_worker_killed_mid_send_and_restarted_sends_the_rest_once(workers, sink, group):
    event, rsvps = published_event(group, people=6)
    held = sink.hold_next(after=3)
    first = workers("reminders-k")
    assert held.wait(60)  # the worker is in the middle of sending the fourth email
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    sink.release()
    assert Delivery.objects.filter(event=event).count() == 3

    again = workers("reminders-k")
    [row] = wait_until(lambda: all_done(event, 1))
    time.sleep(1)

    assert subjects(sink, rsvps) == {r.user.email: [reminder_subject(event)] for r in rsvps}
    assert row.return_value == 3
    assert "re-queued 1 task(s) left running by reminders-k" in again.log_path.read_text()
    assert Delivery.objects.filter(event=event).count() == 6


def test_no_reminder_after_an_rsvp_or_the_event_is_cancelled(workers, sink, group, organiser):
    event, (stays, leaves) = published_event(group, people=2)
    rsvp_cancel(rsvp_id=leaves.pk, user=leaves.user)
    called_off, (told,) = published_event(group, people=1)
    event_cancel(event=called_off, user=organiser, reason="The venue flooded.")
    workers("reminders-c")

    wait_until(lambda: all_done(event, 1) and all_done(called_off, 1))
    wait_until(lambda: sink.received(to=leaves.user.email) and sink.received(to=told.user.email))
    time.sleep(1)

    assert subjects(sink, [stays, leaves, told]) == {
        stays.user.email: [reminder_subject(event)],
        leaves.user.email: [f"RSVP cancelled: {event.title}"],
        told.user.email: [f"Cancelled: {called_off.title}"],
    }
    assert [r.return_value for r in reminder_tasks(event) + reminder_tasks(called_off)] == [1, 0]


def test_a_moved_event_is_reminded_at_its_new_time_only(workers, sink, group):
    event, rsvps = published_event(group, people=2)
    old = reminder_subject(event)
    # Moved later: the new 2-hour point is a few seconds away on the workers' clock.
    event.starts_at = timezone.now().replace(microsecond=0) + timedelta(hours=2, seconds=6)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    new_run_after = event.starts_at - timedelta(hours=2)
    workers("reminders-m")

    [stale] = wait_until(
        lambda: [r for r in reminder_tasks(event) if r.status == TaskResultStatus.SUCCESSFUL]
    )
    assert (stale.return_value, sink.received(to=rsvps[0].user.email)) == (0, [])
    rows = wait_until(lambda: all_done(event, 2))
    time.sleep(1)

    assert old != reminder_subject(event)
    assert subjects(sink, rsvps) == {r.user.email: [reminder_subject(event)] for r in rsvps}
    assert sorted(r.return_value for r in rows) == [0, 2]
    sent = Delivery.objects.filter(event=event)
    assert {d.for_time for d in sent} == {event.starts_at}
    assert min(d.sent_at for d in sent) >= new_run_after


def test_the_recap_goes_once_to_those_who_came(workers, sink, group):
    ended = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    event = factories.make_event(
        group=group, status=Event.Status.DRAFT, starts_at=ended - timedelta(hours=2), ends_at=ended
    )
    came = make_rsvp(event=event, checked_in_at=event.starts_at)
    stayed_home = make_rsvp(event=event)
    with time_machine.travel(ended - timedelta(days=3)):
        event.status = Event.Status.PUBLISHED
        event.save()
    # Queued twice, run by two workers: still one each.
    send_event_recap.using(run_after=timezone.now() - timedelta(minutes=1)).enqueue(
        event_id=event.pk, offset_minutes=120, for_time=event.ends_at.isoformat()
    )
    workers("reminders-r1")
    workers("reminders-r2")

    rows = wait_until(lambda: all_done(event, 2, task="send_event_recap"))
    time.sleep(1)

    assert subjects(sink, [came, stayed_home]) == {
        came.user.email: [f"Thanks for coming: {event.title}"],
        stayed_home.user.email: [],
    }
    assert sorted(r.return_value for r in rows) == [0, 1]

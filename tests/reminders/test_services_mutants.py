"""What the mutation run of reminders/services.py found untested (docs/testing.md, "Mutation
testing"): the most reminders one may choose, the refusal's message, a queue that is down when
the choice is saved, and a send due at this very instant.

Each test names the break it guards; each was checked against the mutant it was written for."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meetups.models import Event
from portal.errors import Kind, ServiceError
from reminders.models import OFFSETS_MAX_COUNT, ReminderPlan, ScheduledSend
from reminders.services import _wanted, offsets_check, reminder_plan_save, reminders_schedule
from tests import factories

pytestmark = pytest.mark.django_db


class _DownQueueThatDefers(BaseTaskBackend):
    """A queue that can run tasks later (as the database backend) but is down: enqueueing
    raises, as with a real queue whose database is unreachable."""

    supports_defer = True

    def enqueue(self, task, args, kwargs):
        raise ConnectionError("the task queue is down")


@pytest.fixture
def deferring_queue_down():
    previous = task_backends["default"]
    task_backends["default"] = _DownQueueThatDefers(alias="default", params={})
    yield
    task_backends["default"] = previous


def test_offsets_up_to_the_most_reminders_are_accepted():
    """Breaks: the count bound off by one (choosing exactly the most reminders refused)."""
    offsets = [15, 30, 60, 120][:OFFSETS_MAX_COUNT]

    assert offsets_check(offsets) == sorted(offsets, reverse=True)


def test_others_are_told_only_organisers_change_the_reminders(event, member):
    """Breaks: the message of the refusal changed or dropped."""
    with pytest.raises(ServiceError) as refused:
        reminder_plan_save(event=event, user=member, offsets_minutes=[60])

    assert (refused.value.kind, refused.value.message, refused.value.field) == (
        Kind.FORBIDDEN,
        "Only the group's organisers can change its reminders.",
        None,
    )
    assert ReminderPlan.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_saving_the_offsets_while_the_queue_is_down_keeps_the_choice(
    event, organiser, deferring_queue_down
):
    """Breaks: the after-commit scheduling not robust: the queue's error would reach the
    organiser as an error page although the choice was saved."""
    assert reminder_plan_save(event=event, user=organiser, offsets_minutes=[60]) == [60]

    assert ReminderPlan.objects.get(event=event).offsets_minutes == [60]
    assert ScheduledSend.objects.count() == 0


def test_a_send_due_this_very_instant_is_not_queued(db_tasks, event):
    """Breaks: a send whose time is now queued (`>=`): at the instant a reminder is due it is
    already being sent or past, so only later sends are queued."""
    ReminderPlan.objects.create(event=event, offsets_minutes=[60])

    with time_machine.travel(event.starts_at - timedelta(minutes=60), tick=False):
        queued = reminders_schedule(event_id=event.pk)

    assert queued == 1  # the recap only
    assert list(ScheduledSend.objects.values_list("kind", flat=True)) == ["recap"]


def test_schedule_is_for_the_event_asked_and_records_each_task(db_tasks, group):
    """Breaks: the event looked up without its id (the first published event would get the
    sends), or the task's id not recorded on its send."""
    factories.make_event(group=group, title="Earlier row")
    event = factories.make_event(group=group)

    assert reminders_schedule(event_id=event.pk) == 3  # the 24-hour and 2-hour reminders, recap

    sends = ScheduledSend.objects.all()
    assert {send.event_id for send in sends} == {event.pk}
    assert {send.task_id for send in sends} == {
        str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)
    }


def test_schedule_of_two_events_at_the_same_time_queues_both(db_tasks, group):
    """Breaks: the sends already queued looked up without their event (another event at the
    same time would count as this one's, and this one would get none)."""
    first = factories.make_event(group=group)
    second = factories.make_event(group=group, starts_at=first.starts_at)
    assert reminders_schedule(event_id=first.pk) == 3

    assert reminders_schedule(event_id=second.pk) == 3
    assert ScheduledSend.objects.filter(event=second).count() == 3


def test_schedule_after_the_end_moved_queues_the_new_recap(db_tasks, event):
    """Breaks: the first send already queued stopping the loop (`break` for `continue`): the
    sends after it would never be queued."""
    assert reminders_schedule(event_id=event.pk) == 3
    Event.objects.filter(pk=event.pk).update(ends_at=event.ends_at + timedelta(hours=1))

    assert reminders_schedule(event_id=event.pk) == 1
    assert ScheduledSend.objects.filter(kind="recap").count() == 2


def test_a_send_queued_meanwhile_by_another_process_skips_that_one_only(db_tasks, event):
    """Breaks: `break` for `continue` after the unique constraint refuses a send that another
    process (saving the same event) queued between this one's look-up and its INSERT: the
    sends after it would never be queued. The other process's INSERT is made to commit right
    after the look-up, where the race falls."""
    kind, minutes, for_time, run_after = _wanted(event, timezone.now())[0]
    raced = []

    def another_process_queues_the_first(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not raced and sql.startswith("SELECT") and '"reminders_scheduledsend"' in sql:
            raced.append(sql)
            ScheduledSend.objects.create(
                event=event, kind=kind, offset_minutes=minutes, for_time=for_time,
                run_after=run_after,
            )  # fmt: skip
        return result

    with connection.execute_wrapper(another_process_queues_the_first):
        queued = reminders_schedule(event_id=event.pk)

    assert len(raced) == 1
    assert queued == 2  # the other two sends; the raced one is the other process's
    assert ScheduledSend.objects.filter(event=event).count() == 3

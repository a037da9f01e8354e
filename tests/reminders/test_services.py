"""Queueing the sends an event needs, and the organiser's choice of reminder offsets."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from meetups.models import Event
from portal.errors import ServiceError
from reminders.models import ReminderPlan, ScheduledSend
from reminders.services import offsets_check, reminder_plan_save, reminders_schedule
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _queued(event):
    """(task, offset, run_after) of every task queued for the event, by run_after."""
    rows = DBTaskResult.objects.order_by("run_after")
    return [
        (row.task_path.rsplit(".", 1)[1], kwargs["offset_minutes"], row.run_after)
        for row in rows
        if (kwargs := row.args_kwargs["kwargs"])["event_id"] == event.pk
    ]


def test_publishing_queues_both_reminders_and_the_recap(db_tasks, group):
    event = factories.make_event(group=group, status=Event.Status.DRAFT)
    assert _queued(event) == []

    event.status = Event.Status.PUBLISHED
    event.save()

    start, end = event.starts_at, event.ends_at
    assert _queued(event) == [
        ("send_event_reminders", 1440, start - timedelta(days=1)),
        ("send_event_reminders", 120, start - timedelta(hours=2)),
        ("send_event_recap", 120, end + timedelta(hours=2)),
    ]
    assert ScheduledSend.objects.filter(event=event).count() == 3


def test_saving_again_queues_nothing_more(db_tasks, event):
    event.title = "Renamed"
    event.save()
    event.save()
    assert len(_queued(event)) == 3


def test_a_new_time_queues_new_sends_and_keeps_the_old_tasks_to_find_it_moved(db_tasks, event):
    old_start = event.starts_at
    event.starts_at = old_start + timedelta(days=1)
    event.ends_at = event.ends_at + timedelta(days=1)
    event.save()

    queued = _queued(event)
    assert len(queued) == 6
    kwargs = [
        row.args_kwargs["kwargs"]["for_time"]
        for row in DBTaskResult.objects.filter(task_path__endswith="send_event_reminders")
    ]
    assert sorted(kwargs) == [old_start.isoformat()] * 2 + [event.starts_at.isoformat()] * 2


def test_sends_whose_time_has_passed_are_not_queued(db_tasks, group):
    event = factories.make_event(group=group, starts_in=timedelta(hours=3))
    assert [(task, offset) for task, offset, _ in _queued(event)] == [
        ("send_event_reminders", 120),
        ("send_event_recap", 120),
    ]


def test_the_immediate_backend_queues_nothing(event):
    assert reminders_schedule(event_id=event.pk) == 0
    assert ScheduledSend.objects.count() == 0


def test_a_cancelled_event_queues_nothing(db_tasks, group):
    event = factories.make_event(group=group, status=Event.Status.CANCELLED)
    assert reminders_schedule(event_id=event.pk) == 0
    assert _queued(event) == []


def test_a_save_rolled_back_queues_nothing(db_tasks, group):
    event = factories.make_event(group=group, status=Event.Status.DRAFT)
    with pytest.raises(RuntimeError), transaction.atomic():
        event.status = Event.Status.PUBLISHED
        event.save()
        raise RuntimeError
    assert _queued(event) == []


def test_organisers_set_the_offsets_and_the_new_ones_are_queued(db_tasks, event, organiser):
    with time_machine.travel(event.starts_at - timedelta(days=6), tick=False):
        assert reminder_plan_save(event=event, user=organiser, offsets_minutes=[60, 2880, 60]) == [
            2880,
            60,
        ]
    assert ReminderPlan.objects.get(event=event).offsets_minutes == [2880, 60]
    reminders = [offset for task, offset, _ in _queued(event) if task == "send_event_reminders"]
    assert sorted(reminders) == [60, 120, 1440, 2880]


def test_others_may_not_set_the_offsets(event, member):
    with pytest.raises(ServiceError) as refused:
        reminder_plan_save(event=event, user=member, offsets_minutes=[60])
    assert (refused.value.kind, ReminderPlan.objects.count()) == ("forbidden", 0)


@pytest.mark.parametrize(
    ("offsets", "message"),
    [
        ([14], "Each reminder goes between 15 minutes and 14 days before the event."),
        ([14 * 24 * 60 + 1], "Each reminder goes between 15 minutes and 14 days before the event."),
        ([15, 30, 60, 120], "Choose at most 3 reminders."),
    ],
)
def test_offsets_out_of_bounds_are_refused(offsets, message):
    with pytest.raises(ServiceError) as refused:
        offsets_check(offsets)
    assert (refused.value.kind, refused.value.field, str(refused.value)) == (
        "invalid",
        "offsets",
        message,
    )


def test_offsets_at_the_bounds_and_none_at_all_are_accepted():
    assert offsets_check([15, 14 * 24 * 60]) == [14 * 24 * 60, 15]
    assert offsets_check([]) == []

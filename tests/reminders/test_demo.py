import pytest
from django_tasks_db.models import DBTaskResult

from meetups.demo import load_demo
from meetups.models import Event
from reminders.models import ReminderPlan, ScheduledSend

pytestmark = pytest.mark.django_db


def test_the_second_upcoming_demo_event_has_its_own_reminders():
    load_demo()
    load_demo()

    upcoming = list(Event.objects.upcoming().filter(status=Event.Status.PUBLISHED)[:2])
    assert list(ReminderPlan.objects.values_list("event", "offsets_minutes")) == [
        (upcoming[1].pk, [2880, 120])
    ]


def test_on_the_database_backend_the_demo_queues_its_sends_once(db_tasks):
    load_demo()
    queued = ScheduledSend.objects.count()
    load_demo()

    assert queued > 0
    assert (ScheduledSend.objects.count(), DBTaskResult.objects.count()) == (queued, queued)

import pytest

from meetups.demo import load_demo
from meetups.models import Event
from rsvp.models import Rsvp
from rsvp.selectors import event_attendance_counts

pytestmark = pytest.mark.django_db


def test_load_demo_rsvps_twice_gives_the_same_numbers():
    load_demo()
    first = list(Rsvp.objects.values_list("event__slug", "user__username", "status", "guests"))
    load_demo()

    again = list(Rsvp.objects.values_list("event__slug", "user__username", "status", "guests"))
    assert again == first
    next_event = Event.objects.published().upcoming().first()
    assert Rsvp.objects.get(event=next_event, user__email="member@example.com").status == "going"
    counts = event_attendance_counts(event_id=next_event.pk)
    assert (counts["going_rsvps"], counts["going"]) == (25, 31)

import pytest
from django.core import mail

from meetups.demo import load_demo
from notify.models import Announcement, EventAnnounced, Preference

pytestmark = pytest.mark.django_db


def test_demo_notifications_load_once_and_email_nobody():
    group = load_demo()["group"]
    load_demo()
    [announcement] = Announcement.objects.all()
    assert (announcement.group, announcement.status) == (group, "sent")
    assert announcement.subject == "SyDjango is back: Re-connect on 21 February"
    assert announcement.recipient_count == group.memberships.filter(state="active").count() > 0
    assert EventAnnounced.objects.count() == group.events.exclude(status="draft").count() > 0
    assert list(Preference.objects.values_list("user__username", "category", "enabled")) == [
        ("attendee3", "recaps", False)
    ]
    assert [m.subject for m in mail.outbox if m.subject.startswith("New event")] == []

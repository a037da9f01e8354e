"""The reminders sent to a person are in their data export and go with their account."""

from datetime import UTC, timedelta

import pytest

from portal.personal_data import account_erase, personal_data_export
from reminders.models import Delivery
from tests import factories
from tests.reminders.conftest import make_rsvp

pytestmark = pytest.mark.django_db


def _deliver(event, user, *, kind="reminder", offset=120, position=None):
    return Delivery.objects.create(
        event=event, user=user, kind=kind, offset_minutes=offset, for_time=event.starts_at,
        waitlist_position=position, sent_at=event.starts_at - timedelta(minutes=offset),
    )  # fmt: skip


def test_the_export_lists_what_was_sent_to_the_person(soon_event, member):
    make_rsvp(event=soon_event, user=member)
    reminder = _deliver(soon_event, member, offset=1440, position=3)
    recap = _deliver(soon_event, member, kind="recap", offset=120)
    _deliver(soon_event, factories.make_user())  # someone else's

    section = personal_data_export(user=member)["sections"]["reminders_sent"]

    assert section == [
        {
            "event": "Django Sydney",
            "event_slug": soon_event.slug,
            "kind": "reminder",
            "minutes_before_start": 1440,
            "waitlist_position": 3,
            "sent_at": reminder.sent_at.astimezone(UTC).isoformat(),
        },
        {
            "event": "Django Sydney",
            "event_slug": soon_event.slug,
            "kind": "recap",
            "minutes_before_start": None,
            "waitlist_position": None,
            "sent_at": recap.sent_at.astimezone(UTC).isoformat(),
        },
    ]


def test_erasing_the_account_deletes_its_rows_only(soon_event, member):
    _deliver(soon_event, member)
    other = _deliver(soon_event, factories.make_user())

    account_erase(user=member)

    assert list(Delivery.objects.all()) == [other]

"""The sends themselves, in-process: who gets what, and what stops a send."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from meetups.models import Event, TalkResource
from notify.models import Preference
from reminders.models import Delivery, ReminderPlan
from reminders.sending import recap_send, reminders_send
from rsvp.models import Rsvp
from tests import factories
from tests.reminders.conftest import make_rsvp

pytestmark = pytest.mark.django_db


def _remind(event, minutes=120):
    return reminders_send(event_id=event.pk, offset_minutes=minutes, for_time=event.starts_at)


def test_reminder_goes_to_those_going_with_calendar_ticket_and_unsubscribe(soon_event):
    rsvp = make_rsvp(event=soon_event)
    with time_machine.travel(soon_event.starts_at - timedelta(hours=2), tick=False):
        assert _remind(soon_event) == 1

    [message] = mail.outbox
    local = soon_event.starts_at.astimezone(soon_event.tzinfo)
    assert message.to == [rsvp.user.email]
    assert message.subject == f"Reminder: Django Sydney, {local:%a %-d %b, %H:%M}"
    content, footer = message.body.split("\n-- \n")
    assert content == (
        f"SyDjango · {soon_event.group.name}\n\nHi {rsvp.user.username},\n\n"
        "A reminder: you're going to Django Sydney.\n\n"
        f"When: {local:%A %-d %B %Y, %-I:%M %p} AEDT\nWhere: to be announced\n\n"
        f"Your ticket: https://portal.example/my-events/{rsvp.pk}/ticket/\n"
        "The attached .ics file adds the event to your calendar.\n\n"
        "Can't make it after all? Cancel on the event page so someone on the waitlist gets "
        f"your seat:\nhttps://portal.example/events/{soon_event.slug}/\n"
    )
    reason, unsubscribe, home, _ = footer.split("\n", 3)
    assert reason == (
        "You're getting this because you RSVP'd to Django Sydney and have reminders from "
        f"{soon_event.group.name} on."
    )
    assert unsubscribe == (
        f"Stop these emails from {soon_event.group.name}: "
        + message.extra_headers["List-Unsubscribe"].strip("<>")
    )
    assert home == "SyDjango: https://portal.example/"
    assert [(name, kind) for name, _, kind in message.attachments] == [
        (f"{soon_event.slug}.ics", "text/calendar")
    ]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://portal.example/u/")
    html = message.alternatives[0].content
    assert f'href="https://portal.example/my-events/{rsvp.pk}/ticket/"' in html
    delivery = Delivery.objects.get()
    assert (delivery.user, delivery.kind, delivery.offset_minutes, delivery.for_time) == (
        rsvp.user,
        "reminder",
        120,
        soon_event.starts_at,
    )


def test_waitlisted_are_told_their_place(soon_event):
    now = soon_event.starts_at - timedelta(hours=2)
    make_rsvp(event=soon_event)
    first = make_rsvp(event=soon_event, status=Rsvp.Status.WAITLISTED, queued_at=now)
    second = make_rsvp(
        event=soon_event, status=Rsvp.Status.WAITLISTED, queued_at=now + timedelta(seconds=1)
    )
    with time_machine.travel(now, tick=False):
        assert _remind(soon_event) == 3

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[first.user.email] == "Waitlist: you're number 1 for Django Sydney"
    assert subjects[second.user.email] == "Waitlist: you're number 2 for Django Sydney"
    waitlisted = next(m for m in mail.outbox if m.to == [second.user.email])
    assert "on its waitlist: number 2." in waitlisted.body
    assert waitlisted.attachments == []
    assert sorted(Delivery.objects.values_list("waitlist_position", flat=True), key=str) == [
        1,
        2,
        None,
    ]


def test_a_second_run_sends_nothing(soon_event):
    make_rsvp(event=soon_event)
    with time_machine.travel(soon_event.starts_at - timedelta(hours=2), tick=False):
        assert _remind(soon_event) == 1
        assert _remind(soon_event) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "change",
    ["rsvp_cancelled", "event_cancelled", "event_moved", "offset_removed", "reminders_off"],
)
def test_nothing_is_sent_when(change, soon_event):
    rsvp = make_rsvp(event=soon_event)
    for_time = soon_event.starts_at
    if change == "rsvp_cancelled":
        Rsvp.objects.filter(pk=rsvp.pk).update(status=Rsvp.Status.CANCELLED)
    elif change == "event_cancelled":
        Event.objects.filter(pk=soon_event.pk).update(status=Event.Status.CANCELLED)
    elif change == "event_moved":
        Event.objects.filter(pk=soon_event.pk).update(
            starts_at=for_time + timedelta(hours=1), ends_at=for_time + timedelta(hours=3)
        )
    elif change == "offset_removed":
        ReminderPlan.objects.create(event=soon_event, offsets_minutes=[1440])
    else:
        Preference.objects.create(
            user=rsvp.user, group=soon_event.group, category="reminders", enabled=False
        )
    make_rsvp(event=soon_event, status=Rsvp.Status.CANCELLED)  # never reminded

    with time_machine.travel(for_time - timedelta(hours=2), tick=False):
        sent = reminders_send(event_id=soon_event.pk, offset_minutes=120, for_time=for_time)

    assert (sent, len(mail.outbox), Delivery.objects.count()) == (0, 0, 0)


def test_a_reminder_run_late_is_skipped_once_the_event_started(soon_event):
    make_rsvp(event=soon_event)
    with time_machine.travel(soon_event.starts_at + timedelta(minutes=1), tick=False):
        assert _remind(soon_event) == 0
    with time_machine.travel(soon_event.starts_at - timedelta(minutes=1), tick=False):
        assert _remind(soon_event) == 1
    assert len(mail.outbox) == 1


def test_an_earlier_reminder_run_after_a_later_one_is_due_is_skipped(soon_event):
    make_rsvp(event=soon_event)
    # The worker was down from before the 24-hour point until after the 2-hour point.
    with time_machine.travel(soon_event.starts_at - timedelta(minutes=90), tick=False):
        assert _remind(soon_event, minutes=1440) == 0
        assert _remind(soon_event, minutes=120) == 1
    assert [m.subject[:9] for m in mail.outbox] == ["Reminder:"]


def test_walk_ins_and_closed_accounts_are_not_reminded(soon_event):
    make_rsvp(event=soon_event, user=factories.make_user(is_active=False))
    make_rsvp(event=soon_event, user=factories.make_user(email=""), is_walk_in=True)
    with time_machine.travel(soon_event.starts_at - timedelta(hours=2), tick=False):
        assert _remind(soon_event) == 0
    assert mail.outbox == []


def _recap(event):
    return recap_send(event_id=event.pk, offset_minutes=120, for_time=event.ends_at)


def test_recap_goes_to_those_checked_in_with_recording_talks_resources_and_feedback(soon_event):
    soon_event.recording_url = "https://video.example.org/evening"
    soon_event.save()
    speaker = factories.make_speaker(name="Ada Lovelace")
    talk = factories.make_talk(event=soon_event, speakers=[speaker], title="Async ORM", slug="orm")
    TalkResource.objects.create(
        talk=talk, kind="slides", title="The slides", url="https://slides.example.org/orm"
    )
    came = make_rsvp(event=soon_event, checked_in_at=soon_event.starts_at)
    make_rsvp(event=soon_event)  # going, never came through the door

    with time_machine.travel(soon_event.ends_at + timedelta(hours=2), tick=False):
        assert _recap(soon_event) == 1
        assert _recap(soon_event) == 0

    [message] = mail.outbox
    assert (message.to, message.subject) == ([came.user.email], "Thanks for coming: Django Sydney")
    assert message.body.split("Thanks for coming to Django Sydney.", 1)[1].split("\n-- \n")[0] == (
        "\n\nThe recording: https://video.example.org/evening\n"
        "\nAsync ORM (Ada Lovelace)\n"
        "  The talk: https://portal.example/talks/orm/\n"
        "  The slides: https://slides.example.org/orm\n"
        "  How was it? Tell the speaker: https://portal.example/talks/orm/feedback/\n"
        "\nThe event: https://portal.example" + soon_event.get_absolute_url() + "\n"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_recap_goes_to_everyone_going_when_nobody_was_checked_in(soon_event):
    going = make_rsvp(event=soon_event)
    make_rsvp(event=soon_event, status=Rsvp.Status.WAITLISTED)
    with time_machine.travel(soon_event.ends_at + timedelta(hours=2), tick=False):
        assert _recap(soon_event) == 1
    assert [m.to for m in mail.outbox] == [[going.user.email]]


def test_no_recap_for_a_cancelled_event_or_one_whose_end_moved(soon_event):
    make_rsvp(event=soon_event)
    ends_at = soon_event.ends_at
    Event.objects.filter(pk=soon_event.pk).update(ends_at=ends_at + timedelta(hours=1))
    assert recap_send(event_id=soon_event.pk, offset_minutes=120, for_time=ends_at) == 0
    Event.objects.filter(pk=soon_event.pk).update(status=Event.Status.CANCELLED)
    assert (
        recap_send(
            event_id=soon_event.pk, offset_minutes=120, for_time=ends_at + timedelta(hours=1)
        )
        == 0
    )
    assert mail.outbox == []


def test_no_recap_for_those_who_turned_recaps_off(soon_event):
    rsvp = make_rsvp(event=soon_event)
    Preference.objects.create(
        user=rsvp.user, group=soon_event.group, category="recaps", enabled=False
    )
    assert _recap(soon_event) == 0
    assert mail.outbox == []

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from meetups.models import Event
from portal.errors import Kind, ServiceError
from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from rsvp.selectors import event_attendance_counts
from rsvp.signals import attendance_changed
from tests import factories

pytestmark = pytest.mark.django_db


def statuses(event):
    return list(
        Rsvp.objects.filter(event=event).order_by("pk").values_list("user__username", "status")
    )


def test_rsvp_create_gives_a_seat_while_seats_are_free(small_event, member):
    result = services.rsvp_create(event=small_event, user=member, guests=2)

    assert result.changed is True
    assert result.rsvp.status == Rsvp.Status.GOING
    assert event_attendance_counts(event_id=small_event.pk)["seats_left"] == 0


def test_rsvp_create_waitlists_when_the_party_does_not_fit(small_event, people):
    services.rsvp_create(event=small_event, user=people[0], guests=1)

    result = services.rsvp_create(event=small_event, user=people[1], guests=1)

    assert result.rsvp.status == Rsvp.Status.WAITLISTED
    assert event_attendance_counts(event_id=small_event.pk) == {
        "capacity": 3,
        "going": 2,
        "going_rsvps": 1,
        "waitlisted": 2,
        "checked_in": 0,
        "seats_left": 1,
    }


def test_rsvp_create_twice_changes_nothing(small_event, member):
    first = services.rsvp_create(event=small_event, user=member, guests=1)

    again = services.rsvp_create(event=small_event, user=member, guests=1)

    assert again.changed is False
    assert again.rsvp.pk == first.rsvp.pk
    assert Rsvp.objects.filter(event=small_event).count() == 1


@pytest.mark.parametrize(
    ("guests", "message"),
    [(-1, "The number of guests cannot be negative."), (3, "You can bring at most 2 guests.")],
)
def test_rsvp_create_refuses_bad_guest_counts(small_event, member, guests, message):
    with pytest.raises(ServiceError) as error:
        services.rsvp_create(event=small_event, user=member, guests=guests)

    assert (error.value.message, error.value.kind, error.value.field) == (
        message,
        Kind.INVALID,
        "guests",
    )
    assert error.value.status == 422
    assert Rsvp.objects.count() == 0


def test_rsvp_create_refuses_guests_when_the_event_allows_none(event, member):
    RsvpSettings.objects.create(event=event, guests_allowed=0)

    with pytest.raises(ServiceError) as error:
        services.rsvp_create(event=event, user=member, guests=1)

    assert error.value.message == "This event does not allow guests."
    assert Rsvp.objects.count() == 0


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (timedelta(hours=1), None, "RSVPs are not open yet."),
        (None, -timedelta(hours=1), "RSVPs for this event are closed."),
    ],
)
def test_rsvp_create_refuses_outside_the_rsvp_window(small_event, member, opens, closes, message):
    now = timezone.now()
    RsvpSettings.objects.filter(event=small_event).update(
        opens_at=now + opens if opens else None, closes_at=now + closes if closes else None
    )
    small_event.refresh_from_db()

    with pytest.raises(ServiceError) as error:
        services.rsvp_create(event=small_event, user=member)

    assert (error.value.message, error.value.kind, error.value.status) == (
        message,
        Kind.CONFLICT,
        409,
    )
    assert Rsvp.objects.count() == 0


def test_rsvp_create_refuses_a_cancelled_event(small_event, member):
    small_event.status = Event.Status.CANCELLED
    small_event.save()

    with pytest.raises(ServiceError) as error:
        services.rsvp_create(event=small_event, user=member)

    assert error.value.message == "This event has been cancelled."
    assert Rsvp.objects.count() == 0


def test_rsvp_create_refuses_after_the_event_started(past_event, member):
    with pytest.raises(ServiceError) as error:
        services.rsvp_create(event=past_event, user=member)

    assert error.value.message == "RSVPs for this event are closed."


def test_rsvp_cancel_promotes_the_waitlist_in_order(
    small_event, people, django_capture_on_commit_callbacks
):
    going = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp
    services.rsvp_create(event=small_event, user=people[1])
    services.rsvp_create(event=small_event, user=people[2])
    services.rsvp_create(event=small_event, user=people[3])

    with django_capture_on_commit_callbacks(execute=True):
        services.rsvp_cancel(rsvp_id=going.pk, user=people[0])

    assert statuses(small_event) == [
        ("p0", "cancelled"),
        ("p1", "going"),
        ("p2", "going"),
        ("p3", "going"),
    ]
    assert sorted(m.subject for m in mail.outbox) == [
        f"A seat opened up: you're going to {small_event.title}",
        f"A seat opened up: you're going to {small_event.title}",
        f"A seat opened up: you're going to {small_event.title}",
        f"RSVP cancelled: {small_event.title}",
    ]


def test_waitlist_promote_skips_a_party_too_big_for_the_free_seats(small_event, people):
    services.rsvp_create(event=small_event, user=people[0], guests=1)
    first_blocker = services.rsvp_create(event=small_event, user=people[1], guests=2).rsvp
    services.rsvp_create(event=small_event, user=people[2])
    small_event_going = services.rsvp_create(event=small_event, user=people[3])

    assert small_event_going.rsvp.status == Rsvp.Status.WAITLISTED
    assert first_blocker.status == Rsvp.Status.WAITLISTED
    # p2 took the last seat on arrival; now free one seat: p3 (1 seat) moves up past p1 (3 seats).
    services.rsvp_guests_change(
        rsvp_id=Rsvp.objects.get(user=people[0]).pk, user=people[0], guests=0
    )

    assert statuses(small_event) == [
        ("p0", "going"),
        ("p1", "waitlisted"),
        ("p2", "going"),
        ("p3", "going"),
    ]


def test_waitlist_promote_does_nothing_after_the_cutoff(small_event, people):
    going = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp
    services.rsvp_create(event=small_event, user=people[1])
    RsvpSettings.objects.filter(event=small_event).update(
        waitlist_cutoff_at=timezone.now() - timedelta(minutes=1)
    )

    services.rsvp_cancel(rsvp_id=going.pk, user=people[0])

    assert statuses(small_event) == [("p0", "cancelled"), ("p1", "waitlisted")]


def test_event_capacity_increase_promotes_after_commit(
    small_event, people, django_capture_on_commit_callbacks
):
    for person in people[:4]:
        services.rsvp_create(event=small_event, user=person)

    with django_capture_on_commit_callbacks(execute=True):
        small_event.capacity = 4
        small_event.save()

    assert statuses(small_event) == [
        ("p0", "going"),
        ("p1", "going"),
        ("p2", "going"),
        ("p3", "going"),
    ]


def test_event_capacity_decrease_keeps_existing_seats(small_event, people):
    for person in people[:3]:
        services.rsvp_create(event=small_event, user=person)
    small_event.capacity = 1
    small_event.save()

    late = services.rsvp_create(event=small_event, user=people[3]).rsvp

    assert late.status == Rsvp.Status.WAITLISTED
    assert event_attendance_counts(event_id=small_event.pk)["seats_left"] == 0


def test_rsvp_guests_change_refuses_more_seats_than_free(small_event, people):
    mine = services.rsvp_create(event=small_event, user=people[0]).rsvp
    services.rsvp_create(event=small_event, user=people[1])

    with pytest.raises(ServiceError) as error:
        services.rsvp_guests_change(rsvp_id=mine.pk, user=people[0], guests=2)

    assert (error.value.message, error.value.kind, error.value.status) == (
        "Only 1 more seat free; you asked for 2.",
        Kind.CONFLICT,
        409,
    )
    mine.refresh_from_db()
    assert mine.guests == 0


def test_rsvp_guests_change_of_another_persons_rsvp_is_not_found(small_event, people):
    theirs = services.rsvp_create(event=small_event, user=people[0]).rsvp

    with pytest.raises(ServiceError) as changing:
        services.rsvp_guests_change(rsvp_id=theirs.pk, user=people[1], guests=1)
    with pytest.raises(ServiceError) as cancelling:
        services.rsvp_cancel(rsvp_id=theirs.pk, user=people[1])

    assert (changing.value.kind, cancelling.value.kind) == (Kind.NOT_FOUND, Kind.NOT_FOUND)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.guests) == (Rsvp.Status.GOING, 0)


def test_rsvp_cancel_twice_changes_nothing(small_event, member):
    mine = services.rsvp_create(event=small_event, user=member).rsvp
    services.rsvp_cancel(rsvp_id=mine.pk, user=member)

    again = services.rsvp_cancel(rsvp_id=mine.pk, user=member)

    assert again.changed is False
    assert again.rsvp.status == Rsvp.Status.CANCELLED


def test_rsvp_create_after_cancel_rejoins_at_the_back(small_event, people):
    mine = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp
    services.rsvp_create(event=small_event, user=people[1])
    services.rsvp_cancel(rsvp_id=mine.pk, user=people[0])  # p1 promoted, 2 seats left

    again = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp

    assert again.pk == mine.pk
    assert again.status == Rsvp.Status.WAITLISTED


def test_rsvp_check_in_records_attendance_with_guests(small_event, organiser, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0], guests=2).rsvp

    services.rsvp_check_in(rsvp=rsvp, user=organiser)

    small_event.refresh_from_db()
    assert small_event.recorded_attendance == 3
    assert event_attendance_counts(event_id=small_event.pk)["checked_in"] == 3
    services.rsvp_check_in(rsvp=rsvp, user=organiser, undo=True)
    small_event.refresh_from_db()
    assert small_event.recorded_attendance == 0


def test_rsvp_check_in_by_a_non_organiser_is_not_found(small_event, member, people):
    rsvp = services.rsvp_create(event=small_event, user=people[0]).rsvp

    with pytest.raises(ServiceError) as error:
        services.rsvp_check_in(rsvp=rsvp, user=member)

    assert (error.value.message, error.value.kind) == ("No such RSVP.", Kind.NOT_FOUND)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_rsvp_check_in_refuses_a_waitlisted_rsvp(small_event, organiser, people):
    services.rsvp_create(event=small_event, user=people[0], guests=2)
    waiting = services.rsvp_create(event=small_event, user=people[1]).rsvp

    with pytest.raises(ServiceError) as error:
        services.rsvp_check_in(rsvp=waiting, user=organiser)

    assert (error.value.message, error.value.kind) == (
        "Only people who are going can be checked in.",
        Kind.CONFLICT,
    )


def test_rsvp_create_emails_the_ticket_with_calendar_and_qr(
    small_event, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rsvp = services.rsvp_create(event=small_event, user=member, guests=1).rsvp

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"You're going: {small_event.title}"
    assert message.to == [member.email]
    assert f"/my-events/{rsvp.pk}/ticket/" in message.body
    assert [(a.filename, a.mimetype) for a in message.attachments] == [
        (f"{small_event.slug}.ics", "text/calendar"),
        ("ticket-qr.png", "image/png"),
    ]
    assert message.attachments[1].content[:8] == b"\x89PNG\r\n\x1a\n"


def test_rsvp_create_survives_a_failing_mail_server(
    small_event, member, settings, django_capture_on_commit_callbacks
):
    # A real SMTP backend pointed at a closed local port: sending fails with ConnectionRefused.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        result = services.rsvp_create(event=small_event, user=member)

    assert Rsvp.objects.get(pk=result.rsvp.pk).status == Rsvp.Status.GOING


def test_services_send_attendance_changed_after_commit(
    small_event, organiser, member, django_capture_on_commit_callbacks
):
    seen = []

    def receiver(sender, event_id, **kwargs):
        seen.append(event_id)

    attendance_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            rsvp = services.rsvp_create(event=small_event, user=member).rsvp
            services.rsvp_guests_change(rsvp_id=rsvp.pk, user=member, guests=1)
            services.rsvp_check_in(rsvp=rsvp, user=organiser)
            services.rsvp_check_in(rsvp=rsvp, user=organiser, undo=True)
            services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)
            services.waitlist_promote(event=small_event)
    finally:
        attendance_changed.disconnect(receiver)

    assert seen == [small_event.pk] * 6


def test_rsvp_create_for_an_unknown_event_is_not_found(member):
    ghost = factories.make_event()
    ghost_pk = ghost.pk
    ghost.delete()
    ghost.pk = ghost_pk

    with pytest.raises(ServiceError) as error:
        services.rsvp_create(event=ghost, user=member)

    assert (error.value.message, error.value.kind) == ("No such event.", Kind.NOT_FOUND)


def test_event_save_without_a_capacity_change_announces_nothing(
    small_event, people, django_capture_on_commit_callbacks
):
    seen = []

    def receiver(sender, event_id, **kwargs):
        seen.append(event_id)

    attendance_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            small_event.title = "Renamed"
            small_event.save()
        with django_capture_on_commit_callbacks(execute=True):
            small_event.capacity = 5
            small_event.save()
    finally:
        attendance_changed.disconnect(receiver)

    # Nothing of the RSVP app's is queued for the rename (live re-renders its stage and
    # reminders re-plan their sends on any event save: their own receivers, not an attendance
    # change).
    def module_of(callback):
        return getattr(callback, "func", callback).__module__

    assert [module_of(c) for c in callbacks if module_of(c).split(".")[0] == "rsvp"] == []
    assert {module_of(c).split(".")[0] for c in callbacks} <= {"live", "reminders"}
    assert seen == [small_event.pk]

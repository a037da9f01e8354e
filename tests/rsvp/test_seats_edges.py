"""The seat services (rsvp/services/seats.py) called directly, at the edges the views and the API
hide: their own refusals with exact message, kind and field, the results of their no-op
branches, the window's boundaries, races under the event lock, and what happens after commit.

Written for the mutation review of issue #16: each test names the break it guards."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetups.models import Event
from portal.errors import Kind, ServiceError
from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from rsvp.services import seats
from rsvp.signals import attendance_changed
from tests import factories

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value


def what(error: ServiceError) -> tuple:
    return (error.message, error.kind, error.field)


def going(event, user, guests=0) -> Rsvp:
    rsvp = services.rsvp_create(event=event, user=user, guests=guests).rsvp
    assert rsvp.status == Rsvp.Status.GOING
    return rsvp


def waitlisted(event, user, guests=0) -> Rsvp:
    return Rsvp.objects.create(
        event=event,
        user=user,
        guests=guests,
        status=Rsvp.Status.WAITLISTED,
        queued_at=timezone.now(),
    )


@contextmanager
def meanwhile(rsvp_pk: int, **changes):
    """Another request commits `changes` to the RSVP's row just before the service writes it
    (the first time it saves that RSVP), as one that takes no event lock can."""
    fired = []

    def before_save(sender, instance, **kwargs):
        if instance.pk == rsvp_pk and not fired:
            fired.append(True)
            Rsvp.objects.filter(pk=rsvp_pk).update(**changes)

    pre_save.connect(before_save, sender=Rsvp, weak=False)
    try:
        yield fired
    finally:
        pre_save.disconnect(before_save, sender=Rsvp)


# --- settings and the RSVP window ----------------------------------------------------------


def test_rsvp_settings_get_defaults_belong_to_the_event(event):
    """Guards: the unsaved default settings of an event without any still belong to it."""
    settings = services.rsvp_settings_get(event=event)

    assert (settings.pk, settings.event_id, settings.guests_allowed) == (None, event.pk, 1)


def test_rsvp_window_opens_at_the_exact_opening_time(event):
    """Guards: RSVPs open at `opens_at` itself, not a moment after."""
    at = timezone.now()
    settings = RsvpSettings(event=event, opens_at=at)

    assert services.rsvp_window_problem(event=event, settings=settings, now=at) is None
    assert (
        services.rsvp_window_problem(event=event, settings=settings, now=at - timedelta(seconds=1))
        == "RSVPs are not open yet."
    )


def test_rsvp_window_closes_at_the_exact_closing_time(event):
    """Guards: RSVPs are closed from `closes_at` itself on, not a moment after."""
    at = timezone.now() + timedelta(hours=1)
    settings = RsvpSettings(event=event, closes_at=at)

    assert (
        services.rsvp_window_problem(event=event, settings=settings, now=at)
        == "RSVPs for this event are closed."
    )
    assert (
        services.rsvp_window_problem(event=event, settings=settings, now=at - timedelta(seconds=1))
        is None
    )


def test_rsvp_window_closes_when_the_event_ends_even_if_set_later(event):
    """Guards: a closing time set after the event's end still closes RSVPs at the end itself."""
    settings = RsvpSettings(event=event, closes_at=event.ends_at + timedelta(hours=1))

    assert (
        services.rsvp_window_problem(event=event, settings=settings, now=event.ends_at)
        == "RSVPs for this event are closed."
    )


def test_event_lock_reads_the_settings_in_the_same_query(small_event, people):
    """Guards: the settings come with the locked event row, not in one more query under the
    lock (every statement under it makes the rush behind it wait)."""
    waitlisted(small_event, people[0])

    with CaptureQueriesContext(connection) as queries:
        services.waitlist_promote(event=small_event)

    sqls = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in sqls if 'FROM "rsvp_rsvpsettings"' in sql]
    assert [sql for sql in sqls if 'JOIN "rsvp_rsvpsettings"' in sql]


# --- who may RSVP ------------------------------------------------------------------------


def test_rsvp_create_asks_an_anonymous_visitor_to_log_in(event):
    """Guards: someone not logged in who can see the event is told to log in (FORBIDDEN), not
    told the event does not exist."""
    error = refused(services.rsvp_create, event=event, user=AnonymousUser())

    assert what(error) == ("Log in to RSVP.", Kind.FORBIDDEN, None)
    assert Rsvp.objects.count() == 0


def test_rsvp_create_hides_a_draft_from_a_member(group, member):
    """Guards: a draft answers NOT_FOUND to a member who may not see it, as if it did not exist
    (not FORBIDDEN, which would confirm it does)."""
    draft = factories.make_event(group=group, status=Event.Status.DRAFT)

    error = refused(services.rsvp_create, event=draft, user=member)

    assert what(error) == ("No such event.", Kind.NOT_FOUND, None)
    assert Rsvp.objects.count() == 0


def test_rsvp_create_refuses_guests_on_the_guests_field(event, member):
    """Guards: "no guests allowed" is pinned to the guests field of the form and API body."""
    RsvpSettings.objects.create(event=event, guests_allowed=0)

    error = refused(services.rsvp_create, event=event, user=member, guests=1)

    assert what(error) == ("This event does not allow guests.", Kind.INVALID, "guests")


# --- rsvp_create: repeats and races ----------------------------------------------------------


def test_rsvp_create_repeat_returns_the_rsvp_with_its_event_loaded(
    small_event, member, django_assert_num_queries
):
    """Guards: a repeated RSVP answers with its event already loaded (callers render it)."""
    first = going(small_event, member)

    again = services.rsvp_create(event=small_event, user=member)

    assert (again.rsvp.pk, again.changed) == (first.pk, False)
    with django_assert_num_queries(0):
        assert again.rsvp.event.pk == small_event.pk


def test_rsvp_create_stands_when_the_email_queue_is_down(
    small_event, member, queue_down, django_capture_on_commit_callbacks
):
    """Guards: a queue that is down after commit does not turn a saved RSVP into an error."""
    with django_capture_on_commit_callbacks(execute=True):
        result = services.rsvp_create(event=small_event, user=member)

    assert result.changed is True
    assert list(Rsvp.objects.values_list("user_id", "status")) == [(member.pk, "going")]


def test_listed_set_stands_when_a_live_page_receiver_fails(
    small_event, member, django_capture_on_commit_callbacks
):
    """Guards: a failing `attendance_changed` receiver (the live pages) after commit does not
    turn a saved change into an error."""
    rsvp = going(small_event, member)

    def broken_receiver(**kwargs):
        raise RuntimeError("live pages down")

    attendance_changed.connect(broken_receiver, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.rsvp_listed_set(rsvp_id=rsvp.pk, user=member, listed=False)
    finally:
        attendance_changed.disconnect(broken_receiver)

    assert result.changed is True
    assert Rsvp.objects.get().listed is False


def test_listed_set_announces_the_event_as_sent_by_rsvp(
    small_event, member, django_capture_on_commit_callbacks
):
    """Guards: the change is announced for this event, from the Rsvp sender that receivers
    subscribe to."""
    rsvp = going(small_event, member)
    heard = []

    def receiver(sender, event_id, **kwargs):
        heard.append(event_id)

    attendance_changed.connect(receiver, sender=Rsvp, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.rsvp_listed_set(rsvp_id=rsvp.pk, user=member, listed=False)
    finally:
        attendance_changed.disconnect(receiver, sender=Rsvp)

    assert heard == [small_event.pk]


# --- the waitlist --------------------------------------------------------------------------


def test_waitlist_promote_returns_who_moved_up_and_when(small_event, people):
    """Guards: the promoted RSVPs are returned (for their emails) and carry the time of
    promotion, in the result and in the database."""
    rsvp = waitlisted(small_event, people[0])
    at = timezone.now()

    promoted = services.waitlist_promote(event=small_event, now=at)

    assert [(r.pk, r.status, r.promoted_at) for r in promoted] == [(rsvp.pk, Rsvp.Status.GOING, at)]
    rsvp.refresh_from_db()
    assert (rsvp.status, rsvp.promoted_at) == (Rsvp.Status.GOING, at)


def test_waitlist_promote_with_nobody_waiting_returns_an_empty_list(small_event):
    """Guards: no one to promote answers an empty list, not None."""
    assert services.waitlist_promote(event=small_event) == []


def test_waitlist_promote_stops_at_the_exact_cutoff(small_event, people):
    """Guards: nobody is promoted from the cut-off itself on, not only after it."""
    cutoff = timezone.now() + timedelta(hours=1)
    RsvpSettings.objects.filter(event=small_event).update(waitlist_cutoff_at=cutoff)
    rsvp = waitlisted(small_event, people[0])

    assert services.waitlist_promote(event=small_event, now=cutoff) == []
    rsvp.refresh_from_db()
    assert rsvp.status == Rsvp.Status.WAITLISTED


def test_promotion_of_a_full_event_does_not_read_the_waitlist(small_event, people):
    """Guards: with no seat free the waitlist is not queried (one statement less under the
    event lock)."""
    going(small_event, people[0], guests=2)
    waitlisted(small_event, people[1])
    settings = services.rsvp_settings_get(event=small_event)

    with CaptureQueriesContext(connection) as queries:
        promoted = seats._promote_locked(event=small_event, settings=settings, now=timezone.now())

    assert promoted == []
    assert len(queries.captured_queries) == 1


def test_promotion_keeps_a_name_hidden_meanwhile(small_event, people):
    """Guards: promotion writes only the status and promotion time, so a person hiding their
    name at the same moment (no event lock) is not shown again."""
    rsvp = waitlisted(small_event, people[0])

    with meanwhile(rsvp.pk, listed=False) as fired:
        services.waitlist_promote(event=small_event)

    assert fired == [True]
    rsvp.refresh_from_db()
    assert (rsvp.status, rsvp.listed) == (Rsvp.Status.GOING, False)


# --- rsvp_guests_change ---------------------------------------------------------------------


def test_guests_change_of_a_cancelled_rsvp_is_refused(small_event, member):
    """Guards: the message telling the person to RSVP again instead."""
    rsvp = going(small_event, member)
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)

    error = refused(services.rsvp_guests_change, rsvp_id=rsvp.pk, user=member, guests=1)

    assert what(error) == ("This RSVP is cancelled; RSVP again instead.", Kind.CONFLICT, None)


def test_guests_change_to_the_same_number_changes_nothing(small_event, member):
    """Guards: the no-op answer: the same RSVP, changed=False."""
    rsvp = going(small_event, member, guests=1)

    result = services.rsvp_guests_change(rsvp_id=rsvp.pk, user=member, guests=1)

    assert (result.rsvp.pk, result.rsvp.guests, result.changed) == (rsvp.pk, 1, False)


def test_guests_change_up_after_rsvps_close_is_refused_with_the_reason(small_event, member):
    """Guards: adding guests once RSVPs are closed says why."""
    rsvp = going(small_event, member)
    RsvpSettings.objects.filter(event=small_event).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )

    error = refused(services.rsvp_guests_change, rsvp_id=rsvp.pk, user=member, guests=1)

    assert what(error) == ("RSVPs for this event are closed.", Kind.CONFLICT, None)
    assert Rsvp.objects.get().guests == 0


def test_guests_change_up_once_checked_in_is_refused(small_event, member):
    """Guards: the message when someone already checked in tries to add guests."""
    rsvp = going(small_event, member)
    Rsvp.objects.filter(pk=rsvp.pk).update(checked_in_at=timezone.now())

    error = refused(services.rsvp_guests_change, rsvp_id=rsvp.pk, user=member, guests=1)

    assert what(error) == ("You are already checked in.", Kind.CONFLICT, None)


def test_guests_change_of_a_waitlisted_rsvp_needs_no_free_seat(small_event, people):
    """Guards: a waitlisted RSVP may add guests on a full event (it keeps its place); only a
    going one needs the seats."""
    going(small_event, people[0], guests=2)
    rsvp = services.rsvp_create(event=small_event, user=people[1]).rsvp
    assert rsvp.status == Rsvp.Status.WAITLISTED

    result = services.rsvp_guests_change(rsvp_id=rsvp.pk, user=people[1], guests=1)

    assert (result.rsvp.status, result.rsvp.guests, result.changed) == (
        Rsvp.Status.WAITLISTED,
        1,
        True,
    )


def test_guests_change_counts_only_the_extra_seats(small_event, people):
    """Guards: going from 1 to 2 guests needs one free seat (the difference), not three."""
    rsvp = going(small_event, people[0], guests=1)

    result = services.rsvp_guests_change(rsvp_id=rsvp.pk, user=people[0], guests=2)

    assert (result.rsvp.pk, result.rsvp.status, result.rsvp.guests, result.changed) == (
        rsvp.pk,
        Rsvp.Status.GOING,
        2,
        True,
    )
    assert Rsvp.objects.get().guests == 2


@pytest.mark.parametrize(
    ("other_guests", "asked", "message"),
    [
        (1, 3, "Only 2 more seats free; you asked for 3."),
        (2, 3, "Only 1 more seat free; you asked for 3."),
        (3, 1, "The event is full, so you can't add guests now."),
    ],
)
def test_guests_change_beyond_the_free_seats_is_refused_on_the_guests_field(
    group, people, other_guests, asked, message
):
    """Guards: the exact message (seats counted with the right plural, or "full") and that it
    is pinned to the guests field; nothing changes."""
    event = factories.make_event(group=group, capacity=5)
    RsvpSettings.objects.create(event=event, guests_allowed=5)
    rsvp = going(event, people[0])
    going(event, people[1], guests=other_guests)

    error = refused(services.rsvp_guests_change, rsvp_id=rsvp.pk, user=people[0], guests=asked)

    assert what(error) == (message, Kind.CONFLICT, "guests")
    assert Rsvp.objects.get(pk=rsvp.pk).guests == 0


def test_guests_change_keeps_a_name_hidden_meanwhile(small_event, member):
    """Guards: changing guests writes only the guests, so a person hiding their name at the same
    moment (no event lock) is not shown again."""
    rsvp = going(small_event, member, guests=2)

    with meanwhile(rsvp.pk, listed=False) as fired:
        services.rsvp_guests_change(rsvp_id=rsvp.pk, user=member, guests=1)

    assert fired == [True]
    rsvp.refresh_from_db()
    assert (rsvp.guests, rsvp.listed) == (1, False)


def test_guests_change_of_someone_elses_rsvp_is_not_found(small_event, people):
    """Guards: one's own RSVP elsewhere does not let one change someone else's guests."""
    going(small_event, people[0])
    other = going(small_event, people[1])

    error = refused(services.rsvp_guests_change, rsvp_id=other.pk, user=people[0], guests=1)

    assert what(error) == ("No such RSVP.", Kind.NOT_FOUND, None)
    assert Rsvp.objects.get(pk=other.pk).guests == 0


# --- rsvp_listed_set -----------------------------------------------------------------------


def test_listed_set_changes_the_rsvp_asked_for(group, member):
    """Guards: with RSVPs to two events, hiding one's name on one leaves the other alone."""
    first = going(factories.make_event(group=group), member)
    second = going(factories.make_event(group=group), member)

    result = services.rsvp_listed_set(rsvp_id=second.pk, user=member, listed=False)

    assert (result.rsvp.pk, result.changed) == (second.pk, True)
    assert dict(Rsvp.objects.values_list("pk", "listed")) == {first.pk: True, second.pk: False}


def test_listed_set_returns_the_rsvp_with_its_event_loaded(
    small_event, member, django_assert_num_queries
):
    """Guards: the result's RSVP comes with its event (callers render it)."""
    rsvp = going(small_event, member)

    result = services.rsvp_listed_set(rsvp_id=rsvp.pk, user=member, listed=False)

    with django_assert_num_queries(0):
        assert result.rsvp.event.pk == small_event.pk


def test_listed_set_of_someone_elses_rsvp_is_not_found(small_event, people):
    """Guards: the NOT_FOUND message for an RSVP that is not one's own."""
    other = going(small_event, people[1])

    error = refused(services.rsvp_listed_set, rsvp_id=other.pk, user=people[0], listed=False)

    assert what(error) == ("No such RSVP.", Kind.NOT_FOUND, None)
    assert Rsvp.objects.get().listed is True


def test_listed_set_to_the_same_value_changes_nothing(small_event, member):
    """Guards: the no-op answer: the same RSVP, changed=False."""
    rsvp = going(small_event, member)

    result = services.rsvp_listed_set(rsvp_id=rsvp.pk, user=member, listed=True)

    assert (result.rsvp.pk, result.rsvp.listed, result.changed) == (rsvp.pk, True, False)


def test_listed_set_does_not_undo_a_cancellation_meanwhile(small_event, member):
    """Guards: showing or hiding one's name (no event lock) writes only that, so a cancellation
    committed in between is not reverted to going."""
    rsvp = going(small_event, member)

    with meanwhile(rsvp.pk, status=Rsvp.Status.CANCELLED, cancelled_at=timezone.now()) as fired:
        services.rsvp_listed_set(rsvp_id=rsvp.pk, user=member, listed=False)

    assert fired == [True]
    rsvp.refresh_from_db()
    assert (rsvp.status, rsvp.listed) == (Rsvp.Status.CANCELLED, False)


# --- rsvp_cancel ---------------------------------------------------------------------------


def test_cancel_cancels_the_rsvp_asked_for(group, member):
    """Guards: with an earlier RSVP already cancelled, cancelling another one still cancels it
    (not answered from the earlier one)."""
    first = going(factories.make_event(group=group), member)
    services.rsvp_cancel(rsvp_id=first.pk, user=member)
    second = going(factories.make_event(group=group), member)

    result = services.rsvp_cancel(rsvp_id=second.pk, user=member)

    assert (result.rsvp.pk, result.changed) == (second.pk, True)
    assert Rsvp.objects.get(pk=second.pk).status == Rsvp.Status.CANCELLED


def test_cancel_returns_the_rsvp_with_its_event_loaded(
    small_event, member, django_assert_num_queries
):
    """Guards: the result's RSVP comes with its event, whether cancelled now or already."""
    rsvp = going(small_event, member)

    now = services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)
    again = services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)

    assert (now.changed, again.rsvp.pk, again.changed) == (True, rsvp.pk, False)
    with django_assert_num_queries(0):
        assert now.rsvp.event.pk == small_event.pk
        assert again.rsvp.event.pk == small_event.pk


def test_cancel_of_someone_elses_rsvp_is_not_found(small_event, people):
    """Guards: the NOT_FOUND message for an RSVP that is not one's own."""
    other = going(small_event, people[1])

    error = refused(services.rsvp_cancel, rsvp_id=other.pk, user=people[0])

    assert what(error) == ("No such RSVP.", Kind.NOT_FOUND, None)
    assert Rsvp.objects.get().status == Rsvp.Status.GOING


def test_cancel_once_checked_in_is_refused(small_event, member):
    """Guards: the message sending someone checked in to an organiser."""
    rsvp = going(small_event, member)
    Rsvp.objects.filter(pk=rsvp.pk).update(checked_in_at=timezone.now())

    error = refused(services.rsvp_cancel, rsvp_id=rsvp.pk, user=member)

    assert what(error) == (
        "You are already checked in; ask an organiser.",
        Kind.CONFLICT,
        None,
    )
    assert Rsvp.objects.get().status == Rsvp.Status.GOING


def test_cancel_after_the_event_is_refused(past_event, member):
    """Guards: the message when cancelling for an event that is over."""
    rsvp = Rsvp.objects.create(
        event=past_event, user=member, status=Rsvp.Status.GOING, queued_at=timezone.now()
    )

    error = refused(services.rsvp_cancel, rsvp_id=rsvp.pk, user=member)

    assert what(error) == ("This event is over.", Kind.CONFLICT, None)
    assert Rsvp.objects.get().status == Rsvp.Status.GOING


def test_cancel_keeps_a_name_hidden_meanwhile(small_event, member):
    """Guards: cancelling writes only the status and time, so a person hiding their name at the
    same moment (no event lock) is not shown again."""
    rsvp = going(small_event, member)

    with meanwhile(rsvp.pk, listed=False) as fired:
        services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)

    assert fired == [True]
    rsvp.refresh_from_db()
    assert (rsvp.status, rsvp.listed) == (Rsvp.Status.CANCELLED, False)

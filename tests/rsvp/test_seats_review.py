"""The seat services (rsvp/services/seats.py) at the edges left after the mutation review of
issue #16: defaults, the answers when another request for the same person commits between the
service's read and its write (on SQLite, where the real race of
tests/rsvp/test_seats_statement.py does not run), and the state of the objects returned.

Each test names the break it guards; each was checked against the mutant it was written for
(docs/testing.md, "Mutation testing")."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from meetups.models import Event
from members import services as members_services
from portal.errors import Kind, ServiceError
from rsvp import services
from rsvp.models import Rsvp
from rsvp.signals import attendance_changed
from tests import factories
from tests.races import just_before

pytestmark = pytest.mark.django_db


def refused(call, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        call(**kwargs)
    return caught.value


def what(error: ServiceError) -> tuple:
    return (error.message, error.kind, error.field)


def table() -> str:
    return connection.ops.quote_name(Rsvp._meta.db_table)


def test_rsvp_create_defaults_to_no_guests_and_a_listed_name(small_event, member):
    """Guards: an RSVP made without saying otherwise brings no guest and shows the name on the
    list of who's going (a default of one guest or a hidden name would change both)."""
    result = services.rsvp_create(event=small_event, user=member)

    row = Rsvp.objects.get()
    assert (result.rsvp.guests, result.rsvp.listed) == (0, True)
    assert (row.guests, row.listed, row.status) == (0, True, Rsvp.Status.GOING)


def test_rsvp_create_answers_with_the_row_another_request_just_wrote(
    group, small_event, people, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Guards: when the same person's other request writes their RSVP between this one's read
    and its write, the answer is that RSVP, unchanged, with its event loaded, and no second
    confirmation email: not an error, not a write, not another person's or event's RSVP."""
    member = people[0]
    services.rsvp_create(event=small_event, user=people[1])  # someone else on the same event
    elsewhere = services.rsvp_create(event=factories.make_event(group=group), user=member).rsvp
    theirs = []

    def other_request():
        theirs.append(
            Rsvp.objects.create(
                event=small_event,
                user=member,
                guests=1,
                status=Rsvp.Status.GOING,
                queued_at=timezone.now(),
            )
        )

    with (
        django_capture_on_commit_callbacks() as callbacks,
        just_before(f"INSERT INTO {table()}", other_request) as fired,
    ):
        result = services.rsvp_create(event=small_event, user=member)

    assert fired == [True]
    assert (result.rsvp.pk, result.rsvp.guests, result.changed) == (theirs[0].pk, 1, False)
    assert result.rsvp.pk != elsewhere.pk
    assert callbacks == []
    with django_assert_num_queries(0):
        assert result.rsvp.event.pk == small_event.pk
    assert Rsvp.objects.filter(event=small_event, user=member).count() == 1


def test_rsvp_create_does_not_reopen_an_rsvp_reopened_meanwhile(
    small_event, member, django_capture_on_commit_callbacks
):
    """Guards: reopening a cancelled RSVP writes only while it is still cancelled; if the
    person's other request reopened it first (with 2 guests), that one stands and is the
    answer, unchanged."""
    rsvp = services.rsvp_create(event=small_event, user=member).rsvp
    services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)

    def other_request():
        Rsvp.objects.filter(pk=rsvp.pk).update(
            status=Rsvp.Status.GOING, guests=2, cancelled_at=None
        )

    with (
        django_capture_on_commit_callbacks() as callbacks,
        just_before(f"UPDATE {table()}", other_request) as fired,
    ):
        result = services.rsvp_create(event=small_event, user=member)

    assert fired == [True]
    assert (result.rsvp.pk, result.rsvp.status, result.rsvp.guests, result.changed) == (
        rsvp.pk,
        Rsvp.Status.GOING,
        2,
        False,
    )
    assert callbacks == []
    row = Rsvp.objects.get()
    assert (row.status, row.guests) == (Rsvp.Status.GOING, 2)


def test_rsvp_create_returns_a_row_django_knows_is_saved(small_event, member):
    """Guards: the RSVP written by the seat statement is marked as saved, so validating it
    (a model form, the admin) does not take it for a second RSVP of the same person."""
    result = services.rsvp_create(event=small_event, user=member)

    result.rsvp.validate_constraints()  # raises ValidationError if taken for a new row
    assert result.rsvp.pk == Rsvp.objects.get().pk


def test_rsvp_cancel_answers_a_cancellation_made_meanwhile_unchanged(
    small_event, people, django_capture_on_commit_callbacks
):
    """Guards: when the person's other request cancels the RSVP between this one's read and
    the event lock, the answer is that cancelled RSVP, changed=False: no second cancellation
    (its time stands), no second email, nobody promoted twice."""
    member = people[0]
    rsvp = services.rsvp_create(event=small_event, user=member, guests=2).rsvp
    earlier = timezone.now() - timedelta(minutes=1)
    event_table = connection.ops.quote_name(Event._meta.db_table)

    def other_request():
        Rsvp.objects.filter(pk=rsvp.pk).update(status=Rsvp.Status.CANCELLED, cancelled_at=earlier)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        just_before("SELECT", other_request, reading=f"FROM {event_table}") as fired,
    ):
        result = services.rsvp_cancel(rsvp_id=rsvp.pk, user=member)

    assert fired == [True]
    assert (result.rsvp.pk, result.rsvp.status, result.changed) == (
        rsvp.pk,
        Rsvp.Status.CANCELLED,
        False,
    )
    assert callbacks == []
    assert Rsvp.objects.get().cancelled_at == earlier


def test_rsvp_create_tells_a_banned_member_why(group, organiser, member):
    """Guards: a signed-in person the rule refuses is told the rule's reason (their ban and
    its reason), not asked to log in."""
    membership, _ = members_services.membership_join(group=group, user=member)
    members_services.member_ban(
        group=group, membership_id=membership.pk, user=organiser, reason="Spam"
    )
    event = factories.make_event(group=group)

    error = refused(services.rsvp_create, event=event, user=member)

    assert what(error) == (
        f"You have been banned from {group.name} by its organisers: Spam",
        Kind.FORBIDDEN,
        None,
    )
    assert Rsvp.objects.count() == 0


def test_waitlist_promote_of_a_deleted_event_is_not_found(small_event):
    """Guards: an event deleted after the caller read it answers NOT_FOUND with its message
    when the service takes its lock, not a server error."""
    Event.objects.filter(pk=small_event.pk).delete()

    error = refused(services.waitlist_promote, event=small_event)

    assert what(error) == ("No such event.", Kind.NOT_FOUND, None)


def test_rsvp_window_of_a_draft_says_it_is_not_published(group):
    """Guards: the exact reason given for a draft (the panel and the API show it)."""
    draft = factories.make_event(group=group, status=Event.Status.DRAFT)

    problem = services.rsvp_window_problem(
        event=draft, settings=services.rsvp_settings_get(event=draft), now=timezone.now()
    )

    assert problem == "This event is not published yet."


def test_rsvp_create_emails_the_person_and_announces_the_event(
    small_event, member, mailoutbox, django_capture_on_commit_callbacks
):
    """Guards: after commit a new RSVP queues its confirmation for that RSVP (the email reaches
    the person) and announces the change for its event (the live pages' receiver)."""
    heard = []

    def receiver(sender, event_id, **kwargs):
        heard.append(event_id)

    attendance_changed.connect(receiver, sender=Rsvp, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.rsvp_create(event=small_event, user=member)
    finally:
        attendance_changed.disconnect(receiver, sender=Rsvp)

    assert [message.to for message in mailoutbox] == [[member.email]]
    assert heard == [small_event.pk]

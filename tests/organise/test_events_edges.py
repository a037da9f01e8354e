"""Edges of the organiser's event services that mutation testing (docs/testing.md) found
untested: each test names the break it guards."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from meetups.models import Event, Venue
from organise import services
from tests import factories
from tests.organise.data import build_world, rsvp

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_venue_create_with_another_name_at_the_same_address_is_a_new_venue(w):
    """Guards: a new venue matched on its address alone, so "Library" at the address of
    "Town Hall" (or any two venues without an address) would reuse the other venue."""
    hall = services.venue_create(group=w.group, user=w.owner, name="Town Hall", address="1 St")

    library = services.venue_create(group=w.group, user=w.owner, name="Library", address="1 St")

    assert (library.name, library.address) == ("Library", "1 St")
    assert sorted(Venue.objects.values_list("pk", flat=True)) == sorted([hall.pk, library.pk])


def test_event_update_keeping_the_capacity_of_an_overbooked_event_is_allowed(w):
    """Guards: an unchanged capacity treated as a reduction. Admitting people at the door past
    capacity (the door's override) leaves more seats taken than the capacity; editing anything
    else afterwards must not be refused as "the capacity cannot go below" the seats taken."""
    rsvp(w.event, factories.make_user(username="admitted"))  # 3 seats taken of 2
    event = Event.objects.get(pk=w.event.pk)

    services.event_update(
        event=event, user=w.owner, fields=factories.event_fields(event, title="Renamed")
    )

    assert Event.objects.values_list("title", "capacity").get(pk=w.event.pk) == ("Renamed", 2)


def test_event_update_email_says_the_date_or_time_changed(w, django_capture_on_commit_callbacks):
    """Guards: the change email queued without the list of what changed, so it would say only
    "has changed" instead of naming the date or time."""
    event = Event.objects.get(pk=w.event.pk)
    later = factories.event_fields(
        event,
        starts_at=event.starts_at + timedelta(hours=1),
        ends_at=event.ends_at + timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(event=event, user=w.owner, fields=later)

    # [0] is the email's header line (the portal and the group), [1] the greeting.
    firsts = sorted(m.body.split("\n\n")[2].splitlines()[0] for m in mail.outbox)
    assert firsts == ["November meetup has changed its date or time. It is now:"] * 2


def test_event_publish_from_a_stale_copy_keeps_the_edit_made_meanwhile(w):
    """Guards: publishing writing every field of the copy it was given, so an organiser's edit
    saved since that copy was read (another tab, a co-organiser) would be overwritten."""
    stale = Event.objects.get(pk=w.draft.pk)
    Event.objects.filter(pk=w.draft.pk).update(title="Renamed meanwhile", capacity=99)

    services.event_publish(event=stale, user=w.owner)

    assert Event.objects.values_list("title", "capacity", "status").get(pk=w.draft.pk) == (
        "Renamed meanwhile",
        99,
        "published",
    )


def test_event_unpublish_from_a_stale_copy_keeps_the_edit_made_meanwhile(w):
    """Guards: unpublishing writing every field of the copy it was given, so an edit saved
    since that copy was read would be overwritten."""
    quiet = factories.make_event(group=w.group, slug="quiet", title="Quiet")
    stale = Event.objects.get(pk=quiet.pk)
    Event.objects.filter(pk=quiet.pk).update(title="Renamed meanwhile", capacity=99)

    services.event_unpublish(event=stale, user=w.owner)

    assert Event.objects.values_list("title", "capacity", "status").get(pk=quiet.pk) == (
        "Renamed meanwhile",
        99,
        "draft",
    )


def test_event_cancel_without_a_reason_emails_no_reason(w, django_capture_on_commit_callbacks):
    """Guards: a default reason other than none, which every cancellation email sent without
    one would show as "From the organisers: ..."."""
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_cancel(event=w.event, user=w.owner) == 2

    reasons = [
        line for m in mail.outbox for line in m.body.splitlines() if "From the organisers" in line
    ]
    assert (len(mail.outbox), reasons) == (2, [])


def test_event_cancel_of_a_draft_emails_nobody_even_with_a_standing_rsvp(
    w, django_capture_on_commit_callbacks
):
    """Guards: cancelling a draft emailing the people of its RSVPs. Nobody was told about a
    draft, so nobody is told it is cancelled, even when an RSVP stands on it (one that landed
    while the event was being unpublished)."""
    rsvp(w.draft, w.member)

    with django_capture_on_commit_callbacks(execute=True):
        told = services.event_cancel(event=w.draft, user=w.owner)

    assert (told, len(mail.outbox)) == (0, 0)
    assert Event.objects.get(pk=w.draft.pk).status == "cancelled"


def test_event_duplicate_copies_the_description(w):
    """Guards: the duplicate starting with an empty description instead of the event's."""
    Event.objects.filter(pk=w.event.pk).update(description="Talks, then pizza.")
    source = Event.objects.get(pk=w.event.pk)

    copy = services.event_duplicate(
        event=source, user=w.owner, starts_at=source.starts_at + timedelta(weeks=4)
    )

    assert Event.objects.get(pk=copy.pk).description == "Talks, then pizza."


def test_duplicate_default_start_keeps_the_local_time_of_the_events_own_zone(w):
    """Guards: the local time read in the site's zone (Sydney) instead of the event's: an
    event at 18:00 in London would be suggested at 18:00's Sydney wall time in London."""
    event = factories.make_event(
        group=w.group,
        time_zone="Europe/London",
        starts_at=datetime(2031, 1, 7, 18, 0, tzinfo=UTC),  # 18:00 GMT
    )

    with timezone.override("Australia/Sydney"):
        start = services.duplicate_default_start(event)

    assert start == datetime(2031, 2, 4, 18, 0, tzinfo=event.tzinfo)
    assert start.astimezone(UTC) == datetime(2031, 2, 4, 18, 0, tzinfo=UTC)

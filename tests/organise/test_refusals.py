"""Every refusal of the organiser's services, exactly (kind, message, field), and the edges of
what their writes store. Mutation testing (docs/testing.md) found these untested: a blanked
message or field, a boundary moved by one, a duplicate's dates shifted the wrong way, an
invitation looked up by the wrong key all passed every test.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from live.models import LiveState
from live.services import live_mode_set
from meetups.models import Event, Sponsor, Venue
from organise import services
from organise.models import AttendeeMessage, OrganiserInvitation
from organise.rules import is_invitee
from organise.services.events import CANCEL_REASON_MAX_LENGTH, EventFields
from organise.services.messages import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH, SUBJECT_ONE_LINE
from portal.errors import Kind, ServiceError
from portal.text import EMAIL_MESSAGE, MULTI_LINE_MESSAGE, SINGLE_LINE_MESSAGE
from rsvp.models import RsvpSettings
from tests import factories
from tests.organise.data import build_world

pytestmark = pytest.mark.django_db

START = datetime(2030, 3, 5, 7, 0, tzinfo=UTC)  # 18:00 in Sydney


def fields(**overrides) -> EventFields:
    values = {
        "title": "March meetup", "starts_at": START, "ends_at": START + timedelta(hours=3),
        "time_zone": "Australia/Sydney", "venue": None, "host_sponsor": None, "capacity": 40,
    }  # fmt: skip
    return EventFields(**(values | overrides))


@pytest.fixture
def w():
    return build_world()


def _create(w, **overrides):
    return services.event_create(group=w.group, user=w.owner, fields=fields(**overrides))


def _message(w, **overrides):
    values = {"audience": "going", "subject": "Doors", "body": "Level 5."} | overrides
    return services.attendee_message_check(event=w.event, user=w.owner, **values)


def _invitation(w, **fields):
    return OrganiserInvitation.objects.create(group=w.group, email="new@example.com", **fields)


REFUSALS = {
    # events
    "a title on two lines": (
        lambda w: _create(w, title="March\nmeetup"), Kind.INVALID, SINGLE_LINE_MESSAGE, "title",
    ),
    "no title": (
        lambda w: _create(w, title="   "), Kind.INVALID, "Give the event a title.", "title",
    ),
    "a description with a control character": (
        lambda w: _create(w, description="Pizza\x07"),
        Kind.INVALID, MULTI_LINE_MESSAGE, "description",
    ),
    "ending as it starts": (
        lambda w: _create(w, ends_at=START),
        Kind.INVALID, "The event must end after it starts.", "ends_at",
    ),
    "RSVPs closing as they open": (
        lambda w: _create(w, rsvp_opens_at=START - timedelta(days=1),
                          rsvp_closes_at=START - timedelta(days=1)),
        Kind.INVALID, "RSVPs must close after they open.", "rsvp_closes_at",
    ),
    "RSVPs closing after the end": (
        lambda w: _create(w, rsvp_closes_at=START + timedelta(hours=3, seconds=1)),
        Kind.INVALID, "RSVPs cannot close after the event ends.", "rsvp_closes_at",
    ),
    "a waitlist cut-off after the end": (
        lambda w: _create(w, waitlist_cutoff_at=START + timedelta(hours=3, seconds=1)),
        Kind.INVALID, "The waitlist cut-off cannot be after the event ends.",
        "waitlist_cutoff_at",
    ),
    "a capacity below the seats taken": (
        lambda w: services.event_update(event=w.event, user=w.owner, fields=fields(capacity=1)),
        Kind.CONFLICT, "2 seats are already taken; the capacity cannot go below that.",
        "capacity",
    ),
    "a venue named on two lines": (
        lambda w: services.venue_create(group=w.group, user=w.owner, name="A\nB"),
        Kind.INVALID, SINGLE_LINE_MESSAGE, "new_venue_name",
    ),
    "a venue address on two lines": (
        lambda w: services.venue_create(group=w.group, user=w.owner, name="Hall", address="1\n2"),
        Kind.INVALID, SINGLE_LINE_MESSAGE, "new_venue_address",
    ),
    "publishing a cancelled event": (
        lambda w: (
            services.event_cancel(event=w.event, user=w.owner),
            services.event_publish(event=w.event, user=w.owner),
        ),
        Kind.CONFLICT, "A cancelled event cannot be published again; duplicate it instead.", None,
    ),
    "unpublishing a draft": (
        lambda w: services.event_unpublish(event=w.draft, user=w.owner),
        Kind.CONFLICT, "Only a published event can go back to draft.", None,
    ),
    "unpublishing once people RSVP'd": (
        lambda w: services.event_unpublish(event=w.event, user=w.owner),
        Kind.CONFLICT, "People have RSVP'd: cancel the event instead, so they are told.", None,
    ),
    "a cancellation reason with a control character": (
        lambda w: services.event_cancel(event=w.event, user=w.owner, reason="Flood\x00"),
        Kind.INVALID, MULTI_LINE_MESSAGE, "reason",
    ),
    "a cancellation reason one character too long": (
        lambda w: services.event_cancel(
            event=w.event, user=w.owner, reason="x" * (CANCEL_REASON_MAX_LENGTH + 1)
        ),
        Kind.INVALID, f"Keep the reason to {CANCEL_REASON_MAX_LENGTH} characters.", "reason",
    ),
    "cancelling a past event": (
        lambda w: services.event_cancel(
            event=factories.make_event(group=w.group, starts_in=-timedelta(days=3)), user=w.owner
        ),
        Kind.CONFLICT, "This event is over; it cannot be cancelled.", None,
    ),
    # the dashboard's quick actions
    "opening RSVPs of a cancelled event": (
        lambda w: (
            services.event_cancel(event=w.event, user=w.owner),
            services.rsvp_window_open(event=w.event, user=w.owner),
        ),
        Kind.CONFLICT, "This event is cancelled; RSVPs stay closed.", None,
    ),
    "opening RSVPs of a draft": (
        lambda w: services.rsvp_window_open(event=w.draft, user=w.owner),
        Kind.CONFLICT, "Publish the event first.", None,
    ),
    "opening RSVPs as the event starts": (
        lambda w: services.rsvp_window_open(event=w.event, user=w.owner, now=w.event.starts_at),
        Kind.CONFLICT, "The event has started; RSVPs stay closed.", None,
    ),
    # messages
    "a message to nobody in particular": (
        lambda w: _message(w, audience="everyone"),
        Kind.INVALID, "Choose who the message goes to.", "audience",
    ),
    "a subject on two lines": (
        lambda w: _message(w, subject="Doors\r\nBcc: x@y.z"),
        Kind.INVALID, SUBJECT_ONE_LINE, "subject",
    ),
    "a body with a control character": (
        lambda w: _message(w, body="Level 5.\x1b"), Kind.INVALID, MULTI_LINE_MESSAGE, "body",
    ),
    "an empty body": (
        lambda w: _message(w, body=" \n "),
        Kind.INVALID, "Write a subject and a message.", "body",
    ),
    "an empty subject": (
        lambda w: _message(w, subject="  "),
        Kind.INVALID, "Write a subject and a message.", "body",
    ),
    "a subject one character too long": (
        lambda w: _message(w, subject="s" * (SUBJECT_MAX_LENGTH + 1)),
        Kind.INVALID, f"Keep the subject to {SUBJECT_MAX_LENGTH} characters.", "subject",
    ),
    "a body one character too long": (
        lambda w: _message(w, body="b" * (BODY_MAX_LENGTH + 1)),
        Kind.INVALID, f"Keep the message to {BODY_MAX_LENGTH} characters.", "body",
    ),
    "a message to an empty audience": (
        lambda w: services.attendee_message_check(
            event=w.draft, user=w.owner, audience="going", subject="Hi", body="x"
        ),
        Kind.CONFLICT, "Nobody is in that group yet.", "audience",
    ),
    # co-organisers
    "inviting an address that is not one": (
        lambda w: services.organiser_invite(group=w.group, user=w.owner, email="not an address"),
        Kind.INVALID, EMAIL_MESSAGE, "email",
    ),
    "inviting the owner": (
        lambda w: services.organiser_invite(group=w.group, user=w.co_organiser,
                                            email="OWNER@example.com"),
        Kind.CONFLICT, "They already organise this group.", "email",
    ),
    "inviting a co-organiser": (
        lambda w: services.organiser_invite(group=w.group, user=w.owner,
                                            email="coorg@example.com"),
        Kind.CONFLICT, "They already organise this group.", "email",
    ),
    "accepting an expired invitation": (
        lambda w: services.organiser_invitation_accept(
            token=_invitation(w, created_at=timezone.now() - timedelta(days=15)).token,
            user=factories.make_user(username="new"),
        ),
        Kind.CONFLICT, "This invitation has expired or was withdrawn; ask for a new one.", None,
    ),
    "accepting someone else's invitation": (
        lambda w: services.organiser_invitation_accept(token=_invitation(w).token, user=w.member),
        Kind.FORBIDDEN,
        "This invitation is for new@example.com. Log in with that address to accept it.", None,
    ),
    "removing the owner": (
        lambda w: services.organiser_remove(group=w.group, user=w.co_organiser, organiser=w.owner),
        Kind.CONFLICT, "The group's owner cannot be removed.", None,
    ),
    "removing someone who does not organise": (
        lambda w: services.organiser_remove(group=w.group, user=w.owner, organiser=w.member),
        Kind.NOT_FOUND, "Not an organiser of this group.", None,
    ),
    # the one organiser guard
    "anything by a member": (
        lambda w: services.event_publish(event=w.draft, user=w.member),
        Kind.NOT_FOUND, "Not found.", None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_organise_refusal_is_exact(w, case):
    attempt, kind, message, field = REFUSALS[case]

    with pytest.raises(ServiceError) as refused:
        attempt(w)

    assert (refused.value.kind, refused.value.message, refused.value.field) == (
        kind,
        message,
        field,
    )


# --- events: what is stored ---------------------------------------------------------------------


def test_event_fields_at_their_edges_are_taken(w):
    event = _create(
        w,
        title="  March meetup  ",
        rsvp_opens_at=START - timedelta(days=7),
        rsvp_closes_at=START + timedelta(hours=3),  # closing as the event ends
        waitlist_cutoff_at=START + timedelta(hours=3),
    )

    settings = RsvpSettings.objects.get(event=event)
    assert (event.title, event.slug, event.status) == (
        "March meetup",
        "march-meetup-2030-03",
        "draft",
    )
    assert (settings.closes_at, settings.waitlist_cutoff_at) == (
        START + timedelta(hours=3),
        START + timedelta(hours=3),
    )


def test_venue_create_reuses_a_venue_by_name_and_address(w):
    first = services.venue_create(group=w.group, user=w.owner, name=" Hall ", address=" 1 St ")

    again = services.venue_create(group=w.group, user=w.owner, name="hall", address="1 st")
    elsewhere = services.venue_create(group=w.group, user=w.owner, name="Hall", address="2 St")
    bare = services.venue_create(group=w.group, user=w.owner, name="Park")

    assert (first.name, first.address) == ("Hall", "1 St")
    assert again.pk == first.pk
    assert elsewhere.pk != first.pk
    assert (bare.address, Venue.objects.count()) == ("", 3)


def test_event_update_reports_the_changes_attendees_care_about(w):
    venue = Venue.objects.create(name="Hall")
    same = fields(title="Renamed", starts_at=w.event.starts_at, ends_at=w.event.ends_at, capacity=2)

    assert services.event_update(event=w.event, user=w.owner, fields=same) == []
    assert services.event_update(
        event=w.event, user=w.owner, fields=replace(same, venue=venue)
    ) == ["venue"]
    assert services.event_update(
        event=w.event, user=w.owner,
        fields=replace(same, venue=venue, ends_at=w.event.ends_at + timedelta(minutes=30)),
    ) == ["time"]  # fmt: skip


def test_event_update_to_exactly_the_seats_taken_is_allowed(w):
    services.event_update(event=w.event, user=w.owner, fields=fields(capacity=3))

    services.event_update(event=w.event, user=w.owner, fields=fields(capacity=2))

    assert Event.objects.get(pk=w.event.pk).capacity == 2


def test_event_update_tells_attendees_what_changed(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event=w.event, user=w.owner,
            fields=fields(starts_at=w.event.starts_at + timedelta(hours=1),
                          ends_at=w.event.ends_at + timedelta(hours=1), capacity=2),
        )  # fmt: skip

    subjects = sorted({m.subject for m in mail.outbox})
    assert subjects == ["Changed: March meetup"]


def test_unpublishing_stores_the_draft(w):
    quiet = factories.make_event(group=w.group, slug="quiet")

    services.event_unpublish(event=Event.objects.get(pk=quiet.pk), user=w.owner)

    assert Event.objects.get(pk=quiet.pk).status == "draft"


def test_cancelling_a_draft_tells_nobody_and_a_published_event_everyone(w):
    assert services.event_cancel(event=w.draft, user=w.owner) == 0
    assert services.event_cancel(event=w.event, user=w.owner) == 2
    assert services.event_cancel(event=w.event, user=w.owner) == 0  # twice: no change
    statuses = dict(Event.objects.filter(group=w.group).values_list("slug", "status"))
    assert (statuses["secret-draft"], statuses["november"]) == ("cancelled", "cancelled")


def test_a_cancellation_reason_of_exactly_the_longest_length_is_taken(w):
    assert (
        services.event_cancel(event=w.event, user=w.owner, reason="x" * CANCEL_REASON_MAX_LENGTH)
        == 2
    )


def test_cancelling_from_a_stale_copy_keeps_the_title_changed_meanwhile(w):
    stale = Event.objects.get(pk=w.event.pk)
    Event.objects.filter(pk=w.event.pk).update(title="Renamed meanwhile")

    services.event_cancel(event=stale, user=w.owner)
    services.event_publish(event=Event.objects.get(pk=w.draft.pk), user=w.owner)

    assert Event.objects.get(pk=w.event.pk).title == "Renamed meanwhile"


def test_event_duplicate_copies_details_and_moves_rsvp_dates_with_it(w):
    venue = Venue.objects.create(name="Hall")
    sponsor = Sponsor.objects.create(name="Host Co")
    Event.objects.filter(pk=w.event.pk).update(venue=venue, host_sponsor=sponsor)
    source = Event.objects.get(pk=w.event.pk)
    RsvpSettings.objects.update_or_create(
        event=source,
        defaults={"guests_allowed": 3, "opens_at": source.starts_at - timedelta(days=9),
                  "closes_at": source.starts_at - timedelta(hours=1),
                  "waitlist_cutoff_at": source.starts_at - timedelta(hours=2)},
    )  # fmt: skip
    shift = timedelta(weeks=4)

    copy = services.event_duplicate(event=source, user=w.owner, starts_at=source.starts_at + shift)

    settings = RsvpSettings.objects.get(event=copy)
    assert (copy.title, copy.venue, copy.host_sponsor, copy.capacity, copy.status) == (
        source.title, venue, sponsor, source.capacity, "draft",
    )  # fmt: skip
    assert (copy.starts_at, copy.ends_at) == (source.starts_at + shift, source.ends_at + shift)
    assert (settings.guests_allowed, settings.opens_at, settings.closes_at,
            settings.waitlist_cutoff_at) == (
        3, None, source.starts_at - timedelta(hours=1) + shift,
        source.starts_at - timedelta(hours=2) + shift,
    )  # fmt: skip


def test_duplicate_default_start_is_four_weeks_on_at_the_same_local_time(w):
    """Across a daylight-saving change (Sydney leaves DST on 6 April 2031) the local time stays."""
    event = factories.make_event(
        group=w.group,
        starts_at=datetime(2031, 3, 25, 7, 0, tzinfo=UTC),  # 18:00 AEDT
    )

    start = services.duplicate_default_start(event)

    assert start == datetime(2031, 4, 22, 18, 0, tzinfo=event.tzinfo)
    assert start.astimezone(UTC) == datetime(2031, 4, 22, 8, 0, tzinfo=UTC)  # 18:00 AEST


# --- quick actions ------------------------------------------------------------------------------


def test_opening_rsvps_clears_a_future_opening_and_a_past_closing(w):
    now = w.event.starts_at - timedelta(days=1)
    RsvpSettings.objects.update_or_create(
        event=w.event, defaults={"opens_at": now + timedelta(hours=1), "closes_at": now}
    )

    services.rsvp_window_open(event=w.event, user=w.owner, now=now)

    settings = RsvpSettings.objects.get(event=w.event)
    assert (settings.opens_at, settings.closes_at) == (now, None)


def test_opening_rsvps_keeps_an_opening_now_and_a_closing_later(w):
    now = w.event.starts_at - timedelta(days=1)
    RsvpSettings.objects.update_or_create(
        event=w.event,
        defaults={"opens_at": now, "closes_at": now + timedelta(minutes=1)},
    )

    services.rsvp_window_open(event=w.event, user=w.owner, now=now)

    settings = RsvpSettings.objects.get(event=w.event)
    assert (settings.opens_at, settings.closes_at) == (now, now + timedelta(minutes=1))


def test_opening_rsvps_a_moment_before_the_start_is_allowed(w):
    now = w.event.starts_at - timedelta(seconds=1)

    services.rsvp_window_open(event=w.event, user=w.owner, now=now)

    assert RsvpSettings.objects.get(event=w.event).closes_at is None


def test_live_mode_keeps_the_events_premoderation(w):
    LiveState.objects.create(event=w.event, premoderate=True, accepting_questions=True)

    live_mode_set(event=w.event, user=w.owner, on=False)

    state = LiveState.objects.get(event=w.event)
    assert (state.premoderate, state.accepting_questions) == (True, False)


# --- messages -----------------------------------------------------------------------------------


def test_a_message_at_the_longest_lengths_is_taken_and_stored_stripped(w):
    subject, body = "s" * SUBJECT_MAX_LENGTH, "b" * BODY_MAX_LENGTH

    message = services.attendee_message_send(
        event=w.event, user=w.owner, audience="going", subject=f" {subject} ", body=f"\n{body}\n"
    )

    stored = AttendeeMessage.objects.get(pk=message.pk)
    assert (stored.subject, stored.body, stored.recipient_count, stored.sender) == (
        subject, body, 1, w.owner,
    )  # fmt: skip


# --- co-organisers ------------------------------------------------------------------------------


def test_inviting_again_resends_the_pending_invitation_of_this_group(w):
    other = OrganiserInvitation.objects.create(group=factories.make_group(), email="new@x.org")
    accepted = OrganiserInvitation.objects.create(
        group=w.group, email="new@x.org", accepted_at=timezone.now()
    )
    revoked = OrganiserInvitation.objects.create(
        group=w.group, email="new@x.org", revoked_at=timezone.now()
    )

    first = services.organiser_invite(group=w.group, user=w.owner, email="New@X.org")
    again = services.organiser_invite(group=w.group, user=w.owner, email="new@x.org")

    assert again.pk == first.pk
    assert first.pk not in {other.pk, accepted.pk, revoked.pk}
    assert OrganiserInvitation.objects.filter(group=w.group, email="new@x.org").count() == 3


def test_inviting_anyone_to_a_group_without_an_owner(w):
    ownerless = factories.make_group()
    ownerless.organisers.add(w.owner)

    invitation = services.organiser_invite(group=ownerless, user=w.owner, email="a@b.co")

    assert (invitation.group, invitation.email, invitation.invited_by) == (
        ownerless,
        "a@b.co",
        w.owner,
    )


def test_accepting_records_who_and_when(w):
    invitation = _invitation(w)
    newcomer = factories.make_user(username="newcomer", email="new@example.com")
    at = timezone.now().replace(microsecond=0)

    with time_machine.travel(at, tick=False):
        group = services.organiser_invitation_accept(token=invitation.token, user=newcomer)

    stored = OrganiserInvitation.objects.get(pk=invitation.pk)
    assert (stored.accepted_at, stored.accepted_by, group) == (at, newcomer, w.group)
    assert w.group.organisers.filter(pk=newcomer.pk).exists()


def test_accepting_on_the_last_valid_day_is_allowed(w):
    created = timezone.now() - timedelta(days=OrganiserInvitation.VALID_DAYS) + timedelta(minutes=1)
    invitation = _invitation(w, created_at=created)
    newcomer = factories.make_user(username="newcomer", email="new@example.com")

    services.organiser_invitation_accept(token=invitation.token, user=newcomer)

    assert w.group.organisers.filter(pk=newcomer.pk).exists()


@pytest.mark.parametrize("state", ["pending", "accepted", "revoked"])
def test_revoking_changes_only_a_pending_invitation(w, state):
    earlier = timezone.now() - timedelta(days=1)
    invitation = _invitation(
        w,
        accepted_at=earlier if state == "accepted" else None,
        revoked_at=earlier if state == "revoked" else None,
    )
    at = timezone.now().replace(microsecond=0)

    with time_machine.travel(at, tick=False):
        services.organiser_invitation_revoke(invitation=invitation, user=w.owner)

    stored = OrganiserInvitation.objects.get(pk=invitation.pk)
    assert (stored.accepted_at, stored.revoked_at) == {
        "pending": (None, at),
        "accepted": (earlier, None),
        "revoked": (None, earlier),
    }[state]


def test_an_invitation_is_for_its_address_only(w):
    invitation = _invitation(w)
    invited = factories.make_user(username="invited", email="NEW@example.com")

    answers = [
        is_invitee(invited, invitation),
        is_invitee(AnonymousUser(), invitation),
        is_invitee(w.member, invitation),
        is_invitee(invited, None),
    ]

    assert answers == [True, False, False, False]


def test_a_queue_that_is_down_leaves_the_message_recorded(
    w, queue_down, django_capture_on_commit_callbacks, caplog
):
    """The emails are a task queued after commit, registered `robust`: with the queue down the
    message stays recorded and the organiser is not shown an error for it (the failure is
    logged)."""
    with django_capture_on_commit_callbacks(execute=True):
        message = services.attendee_message_send(
            event=w.event, user=w.owner, audience="going", subject="Doors", body="Level 5."
        )

    assert AttendeeMessage.objects.filter(pk=message.pk).exists()
    logged = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert [m.endswith("(the task queue is down).") for m in logged] == [True]

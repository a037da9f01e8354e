"""Writes for organisers: events, RSVP windows, co-organisers and messages to attendees.

Every service checks `is_group_organiser` itself (views check too) and answers a stranger with
Http404, so nothing says an event or a group exists. Emails go out as tasks after commit; a
failed email never undoes the change it is about.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from live.selectors import live_state_get
from live.services import live_settings_update
from meetups.models import Event, Group, Sponsor, Venue, unique_slug
from meetups.rules import is_group_organiser
from rsvp.models import RsvpSettings

from . import selectors, tasks
from .models import AttendeeMessage, OrganiserInvitation
from .receivers import dashboard_counts_changed

# Paths under /organise/<group>/ that are pages, not events.
RESERVED_SLUGS = frozenset({"new-event", "organisers", "invitations", "events"})


class OrganiseError(Exception):
    """A change the rules refuse; the message is shown next to the form or button."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _require_organiser(user: AbstractBaseUser, obj: Group | Event) -> None:
    if not is_group_organiser(user, obj):
        raise Http404("Not found.")


def _on_commit(func, **kwargs) -> None:
    transaction.on_commit(partial(func, **kwargs), robust=True)


def _announce_counts(event: Event) -> None:
    """The dashboard shows whether RSVPs are open: re-broadcast its numbers after commit."""

    _on_commit(dashboard_counts_changed, event_id=event.pk)


def _event_slug(title: str, starts_at: datetime) -> str:
    slug = unique_slug(Event, f"{title} {starts_at:%Y-%m}")
    if slug in RESERVED_SLUGS:
        slug = unique_slug(Event, f"{slug} event")
    return slug


@dataclass
class EventFields:
    """What an organiser sets on an event (and its RSVP settings)."""

    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: Venue | None
    host_sponsor: Sponsor | None
    capacity: int
    description: str = ""
    recording_url: str = ""
    guests_allowed: int = RsvpSettings.DEFAULT_GUESTS_ALLOWED
    rsvp_opens_at: datetime | None = None
    rsvp_closes_at: datetime | None = None
    waitlist_cutoff_at: datetime | None = None

    EVENT_FIELDS = (
        "title",
        "starts_at",
        "ends_at",
        "time_zone",
        "venue",
        "host_sponsor",
        "capacity",
        "description",
        "recording_url",
    )

    def check(self) -> None:
        if self.ends_at <= self.starts_at:
            raise OrganiseError("The event must end after it starts.", field="ends_at")
        if self.rsvp_opens_at and self.rsvp_closes_at and self.rsvp_closes_at <= self.rsvp_opens_at:
            raise OrganiseError("RSVPs must close after they open.", field="rsvp_closes_at")
        if self.rsvp_closes_at and self.rsvp_closes_at > self.ends_at:
            raise OrganiseError("RSVPs cannot close after the event ends.", field="rsvp_closes_at")
        if self.waitlist_cutoff_at and self.waitlist_cutoff_at > self.ends_at:
            raise OrganiseError(
                "The waitlist cut-off cannot be after the event ends.", field="waitlist_cutoff_at"
            )


def venue_create(*, group: Group, by: AbstractBaseUser, name: str, address: str = "") -> Venue:
    """A new venue, made inline from the event form (venues are shared between groups)."""
    _require_organiser(by, group)
    existing = Venue.objects.filter(name__iexact=name.strip(), address__iexact=address.strip())
    return existing.first() or Venue.objects.create(name=name.strip(), address=address.strip())


def _save_rsvp_settings(event: Event, fields: EventFields) -> None:
    RsvpSettings.objects.update_or_create(
        event=event,
        defaults={
            "guests_allowed": fields.guests_allowed,
            "opens_at": fields.rsvp_opens_at,
            "closes_at": fields.rsvp_closes_at,
            "waitlist_cutoff_at": fields.waitlist_cutoff_at,
        },
    )


def event_create(*, group: Group, by: AbstractBaseUser, fields: EventFields) -> Event:
    """A new draft event of `group` with its RSVP settings; nobody is told until it is published."""
    _require_organiser(by, group)
    fields.check()
    with transaction.atomic():
        event = Event(
            group=group,
            slug=_event_slug(fields.title, fields.starts_at),
            status=Event.Status.DRAFT,
            **{name: getattr(fields, name) for name in EventFields.EVENT_FIELDS},
        )
        event.save()
        _save_rsvp_settings(event, fields)
    return event


def event_update(*, event: Event, by: AbstractBaseUser, fields: EventFields) -> list[str]:
    """Save an event's details and RSVP settings; returns what changed that attendees care about.

    When a published event's date, time or venue changes, everyone whose RSVP stands is emailed
    the change with an updated calendar file (a task, after commit). A larger capacity fills
    seats from the waitlist (the RSVP app's receiver on Event saves).
    """
    _require_organiser(by, event)
    fields.check()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if fields.capacity < locked.capacity:
            taken = selectors.event_attendance_counts(event_id=locked.pk)["going"]
            if fields.capacity < taken:
                raise OrganiseError(
                    f"{taken} seats are already taken; the capacity cannot go below that.",
                    field="capacity",
                )
        notable = []
        if (locked.starts_at, locked.ends_at) != (fields.starts_at, fields.ends_at):
            notable.append("time")
        if locked.venue_id != (fields.venue.pk if fields.venue else None):
            notable.append("venue")
        for name in EventFields.EVENT_FIELDS:
            setattr(locked, name, getattr(fields, name))
        locked.save()
        _save_rsvp_settings(locked, fields)
        if notable and locked.status == Event.Status.PUBLISHED and not locked.is_past:
            _on_commit(tasks.send_event_changed.enqueue, event_id=locked.pk, changes=notable)
    for name in EventFields.EVENT_FIELDS:
        setattr(event, name, getattr(locked, name))
    return notable


def event_publish(*, event: Event, by: AbstractBaseUser) -> Event:
    """Make a draft public (a cancelled event cannot be published again)."""
    _require_organiser(by, event)
    if event.is_cancelled:
        raise OrganiseError("A cancelled event cannot be published again; duplicate it instead.")
    if event.status == Event.Status.PUBLISHED:
        return event
    event.status = Event.Status.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
    return event


def event_unpublish(*, event: Event, by: AbstractBaseUser) -> Event:
    """Back to draft, while nobody has RSVP'd yet (after that, cancel it instead)."""
    _require_organiser(by, event)
    if event.status != Event.Status.PUBLISHED:
        raise OrganiseError("Only a published event can go back to draft.")
    if selectors.rsvp_recipients(event=event):
        raise OrganiseError("People have RSVP'd: cancel the event instead, so they are told.")
    event.status = Event.Status.DRAFT
    event.save(update_fields=["status", "updated_at"])
    return event


def event_cancel(*, event: Event, by: AbstractBaseUser, reason: str = "") -> int:
    """Cancel an event and email everyone whose RSVP stands (going or waitlisted).

    Returns how many people will be emailed. The email is a task queued after commit; RSVPs
    stay as they are (the record of who meant to come). Cancelling twice changes nothing.
    """
    _require_organiser(by, event)
    if event.is_cancelled:
        return 0
    if event.is_past:
        raise OrganiseError("This event is over; it cannot be cancelled.")
    with transaction.atomic():
        was_draft = event.status == Event.Status.DRAFT
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        recipients = [] if was_draft else selectors.rsvp_recipients(event=event)
        if recipients:
            _on_commit(
                tasks.send_event_cancelled.enqueue,
                event_id=event.pk,
                user_ids=[u.pk for u in recipients],
                reason=reason.strip(),
            )
    return len(recipients)


def event_duplicate(*, event: Event, by: AbstractBaseUser, starts_at: datetime) -> Event:
    """A new draft copying the event's details and RSVP settings, starting at `starts_at`.

    Keeps the duration; RSVP dates move with the event. Talks, RSVPs and the recording are not
    copied.
    """
    _require_organiser(by, event)
    shift = starts_at - event.starts_at
    settings = selectors.rsvp_settings_for(event=event)
    fields = EventFields(
        title=event.title,
        starts_at=starts_at,
        ends_at=event.ends_at + shift,
        time_zone=event.time_zone,
        venue=event.venue,
        host_sponsor=event.host_sponsor,
        capacity=event.capacity,
        description=event.description,
        guests_allowed=settings.guests_allowed,
        rsvp_opens_at=None,
        rsvp_closes_at=settings.closes_at + shift if settings.closes_at else None,
        waitlist_cutoff_at=(
            settings.waitlist_cutoff_at + shift if settings.waitlist_cutoff_at else None
        ),
    )
    return event_create(group=event.group, by=by, fields=fields)


# --- Quick actions ------------------------------------------------------------------------


def rsvp_window_open(*, event: Event, by: AbstractBaseUser, now: datetime | None = None) -> None:
    """Open RSVPs now (until the event starts): clears a future opening or a past closing.

    Re-broadcasts the dashboard's RSVP numbers after commit. Built here on the RSVP app's
    settings model (it has no service for the window yet).
    """
    _require_organiser(by, event)
    now = now or timezone.now()
    if event.is_cancelled:
        raise OrganiseError("This event is cancelled; RSVPs stay closed.")
    if event.status != Event.Status.PUBLISHED:
        raise OrganiseError("Publish the event first.")
    if now >= event.starts_at:
        raise OrganiseError("The event has started; RSVPs stay closed.")
    settings, _ = RsvpSettings.objects.get_or_create(event=event)
    if settings.opens_at and settings.opens_at > now:
        settings.opens_at = now
    if settings.closes_at and settings.closes_at <= now:
        settings.closes_at = None
    settings.save()
    _announce_counts(event)


def rsvp_window_close(*, event: Event, by: AbstractBaseUser, now: datetime | None = None) -> None:
    """Close RSVPs now; people already going or waitlisted keep their place.

    Re-broadcasts the dashboard's RSVP numbers after commit.
    """
    _require_organiser(by, event)
    now = now or timezone.now()
    settings, _ = RsvpSettings.objects.get_or_create(event=event)
    settings.closes_at = now
    settings.save()
    _announce_counts(event)


def live_mode_set(*, event: Event, by: AbstractBaseUser, on: bool) -> None:
    """Start or stop live mode: whether the event's Q&A takes questions (live app service)."""

    _require_organiser(by, event)
    state = live_state_get(event=event)
    live_settings_update(event=event, by=by, premoderate=state.premoderate, accepting_questions=on)


# --- Co-organisers ------------------------------------------------------------------------


def organiser_invite(*, group: Group, by: AbstractBaseUser, email: str) -> OrganiserInvitation:
    """Invite someone by email to co-organise `group`; the email (a task) holds the link.

    Inviting the same address again while an invitation is pending re-sends that invitation.
    """
    _require_organiser(by, group)
    email = email.strip().lower()
    if group.organisers.filter(email__iexact=email).exists() or (
        group.owner is not None and group.owner.email.lower() == email
    ):
        raise OrganiseError("They already organise this group.", field="email")
    pending = [
        i
        for i in OrganiserInvitation.objects.filter(
            group=group, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        if i.is_pending()
    ]
    invitation = pending[0] if pending else None
    with transaction.atomic():
        if invitation is None:
            invitation = OrganiserInvitation.objects.create(group=group, email=email, invited_by=by)
        _on_commit(tasks.send_organiser_invitation.enqueue, invitation_id=invitation.pk)
    return invitation


def organiser_invitation_accept(
    *, token: str, user: AbstractBaseUser, now: datetime | None = None
) -> Group:
    """Join a group's organisers with an invitation meant for this user's email address."""
    now = now or timezone.now()
    if not user.is_authenticated:
        raise OrganiseError("Log in first.")
    with transaction.atomic():
        invitation = (
            OrganiserInvitation.objects.select_for_update()
            .select_related("group")
            .filter(token=token)
            .first()
            if token and len(token) <= 64
            else None
        )
        if invitation is None:
            raise Http404("No such invitation.")
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == user.pk:
                return invitation.group
            raise OrganiseError("This invitation has already been used.")
        if not invitation.is_pending(now):
            raise OrganiseError("This invitation has expired or was withdrawn; ask for a new one.")
        if (user.email or "").lower() != invitation.email.lower():
            raise OrganiseError(
                f"This invitation is for {invitation.email}. Log in with that address to accept it."
            )
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        invitation.group.organisers.add(user)
    return invitation.group


def organiser_invitation_revoke(*, invitation: OrganiserInvitation, by: AbstractBaseUser) -> None:
    _require_organiser(by, invitation.group)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def organiser_remove(*, group: Group, by: AbstractBaseUser, user: AbstractBaseUser) -> None:
    """Take `user` off the group's organisers. Nobody can remove the owner this way."""
    _require_organiser(by, group)
    if group.owner_id == user.pk:
        raise OrganiseError("The group's owner cannot be removed.")
    if not group.organisers.filter(pk=user.pk).exists():
        raise Http404("Not an organiser of this group.")
    group.organisers.remove(user)


# --- Messages to attendees ----------------------------------------------------------------

MESSAGE_RATE_PER_HOUR = 10


def attendee_message_send(
    *, event: Event, by: AbstractBaseUser, audience: str, subject: str, body: str
) -> AttendeeMessage:
    """Email one audience of the event (going, waitlisted or checked in) and record it.

    The recipients are fixed now; the emails go out as one task after commit, one message per
    person (nobody sees the other addresses).
    """
    _require_organiser(by, event)
    if audience not in AttendeeMessage.Audience.values:
        raise OrganiseError("Choose who the message goes to.", field="audience")
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise OrganiseError("Write a subject and a message.", field="body")
    recipients = selectors.audience_recipients(event=event, audience=audience)
    if not recipients:
        raise OrganiseError("Nobody is in that group yet.", field="audience")
    with transaction.atomic():
        message = AttendeeMessage.objects.create(
            event=event,
            sender=by,
            audience=audience,
            subject=subject,
            body=body,
            recipient_count=len(recipients),
        )
        _on_commit(
            tasks.send_attendee_message.enqueue,
            message_id=message.pk,
            user_ids=[u.pk for u in recipients],
        )
    return message


def duplicate_default_start(event: Event) -> datetime:
    """Four weeks on, same local time (monthly meetups keep their weekday)."""
    local = timezone.localtime(event.starts_at, event.tzinfo)
    return (local + timedelta(weeks=4)).replace(tzinfo=event.tzinfo)

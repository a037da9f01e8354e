"""Events as organisers run them: create, edit, publish, unpublish, cancel and duplicate."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from meetups.models import Event, Group, Sponsor, Venue, unique_slug
from meetups.signals import event_published
from portal.errors import conflict, invalid
from portal.pagecache import page_cache_bump
from portal.text import require_multi_line, require_single_line
from rsvp.models import RsvpSettings

from .. import selectors, tasks
from ..rules import require_organiser
from ._common import after_commit

# Paths under /organise/<group>/ that are pages, not events.

CANCEL_REASON_MAX_LENGTH = 500


def _event_slug(title: str, starts_at: datetime) -> str:
    # Ends in the start's year and month, so it can never be one of the organiser's fixed
    # paths beside the event slugs ("new-event", "organisers", "invitations", "events").
    return unique_slug(Event, f"{title} {starts_at:%Y-%m}")


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
        self.title = require_single_line(self.title, field="title")
        if not self.title:
            raise invalid("Give the event a title.", field="title")
        require_multi_line(self.description, field="description")
        if self.ends_at <= self.starts_at:
            raise invalid("The event must end after it starts.", field="ends_at")
        if self.rsvp_opens_at and self.rsvp_closes_at and self.rsvp_closes_at <= self.rsvp_opens_at:
            raise invalid("RSVPs must close after they open.", field="rsvp_closes_at")
        if self.rsvp_closes_at and self.rsvp_closes_at > self.ends_at:
            raise invalid("RSVPs cannot close after the event ends.", field="rsvp_closes_at")
        if self.waitlist_cutoff_at and self.waitlist_cutoff_at > self.ends_at:
            raise invalid(
                "The waitlist cut-off cannot be after the event ends.", field="waitlist_cutoff_at"
            )


def venue_create(*, group: Group, user: AbstractBaseUser, name: str, address: str = "") -> Venue:
    """A new venue, made inline from the event form (venues are shared between groups)."""
    require_organiser(user, group)
    name = require_single_line(name, field="new_venue_name")
    address = require_single_line(address, field="new_venue_address")
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


def event_create(*, group: Group, user: AbstractBaseUser, fields: EventFields) -> Event:
    """A new draft event of `group` with its RSVP settings; nobody is told until it is published."""
    require_organiser(user, group)
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


def event_update(*, event: Event, user: AbstractBaseUser, fields: EventFields) -> list[str]:
    """Save an event's details and RSVP settings; returns what changed that attendees care about.

    When a published event's date, time or venue changes, everyone whose RSVP stands is emailed
    the change with an updated calendar file (a task, after commit). A larger capacity fills
    seats from the waitlist (the RSVP app's receiver on Event saves).
    """
    require_organiser(user, event)
    fields.check()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if fields.capacity < locked.capacity:
            taken = selectors.event_attendance_counts(event_id=locked.pk)["going"]
            if fields.capacity < taken:
                raise conflict(
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
        page_cache_bump(event_id=locked.pk)
        if notable and locked.status == Event.Status.PUBLISHED and not locked.is_past:
            after_commit(tasks.send_event_changed.enqueue, event_id=locked.pk, changes=notable)
    for name in EventFields.EVENT_FIELDS:
        setattr(event, name, getattr(locked, name))
    return notable


def event_publish(*, event: Event, user: AbstractBaseUser) -> Event:
    """Make a draft public (a cancelled event cannot be published again).

    Sends `meetups.signals.event_published` in the same transaction: notify records the event
    as announced and queues the new-event email to the members who want it, once per event.
    """
    require_organiser(user, event)
    if event.is_cancelled:
        raise conflict("A cancelled event cannot be published again; duplicate it instead.")
    if event.status == Event.Status.PUBLISHED:
        return event
    with transaction.atomic():
        event.status = Event.Status.PUBLISHED
        event.save(update_fields=["status", "updated_at"])
        event_published.send(sender=Event, event=event)
        page_cache_bump(event_id=event.pk)
    return event


def event_unpublish(*, event: Event, user: AbstractBaseUser) -> Event:
    """Back to draft, while nobody has RSVP'd yet (after that, cancel it instead)."""
    require_organiser(user, event)
    if event.status != Event.Status.PUBLISHED:
        raise conflict("Only a published event can go back to draft.")
    if selectors.rsvp_recipients(event=event):
        raise conflict("People have RSVP'd: cancel the event instead, so they are told.")
    event.status = Event.Status.DRAFT
    event.save(update_fields=["status", "updated_at"])
    page_cache_bump(event_id=event.pk)
    return event


def event_cancel(*, event: Event, user: AbstractBaseUser, reason: str = "") -> int:
    """Cancel an event and email everyone whose RSVP stands (going or waitlisted).

    Returns how many people will be emailed. The email is a task queued after commit; RSVPs
    stay as they are (the record of who meant to come). Cancelling twice changes nothing.
    """
    require_organiser(user, event)
    require_multi_line(reason, field="reason")
    if len(reason) > CANCEL_REASON_MAX_LENGTH:
        raise invalid(f"Keep the reason to {CANCEL_REASON_MAX_LENGTH} characters.", field="reason")
    if event.is_cancelled:
        return 0
    if event.is_past:
        raise conflict("This event is over; it cannot be cancelled.")
    with transaction.atomic():
        was_draft = event.status == Event.Status.DRAFT
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        page_cache_bump(event_id=event.pk)
        recipients = [] if was_draft else selectors.rsvp_recipients(event=event)
        if recipients:
            after_commit(
                tasks.send_event_cancelled.enqueue,
                event_id=event.pk,
                user_ids=[u.pk for u in recipients],
                reason=reason.strip(),
            )
    return len(recipients)


def event_duplicate(*, event: Event, user: AbstractBaseUser, starts_at: datetime) -> Event:
    """A new draft copying the event's details and RSVP settings, starting at `starts_at`.

    Keeps the duration; RSVP dates move with the event. Talks, RSVPs and the recording are not
    copied.
    """
    require_organiser(user, event)
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
    return event_create(group=event.group, user=user, fields=fields)


def duplicate_default_start(event: Event) -> datetime:
    """Four weeks on, same local time (monthly meetups keep their weekday)."""
    local = timezone.localtime(event.starts_at, event.tzinfo)
    return (local + timedelta(weeks=4)).replace(tzinfo=event.tzinfo)

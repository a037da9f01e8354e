"""The dashboard's quick actions: the RSVP window and live mode."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from meetups.models import Event
from portal.errors import conflict
from rsvp.models import RsvpSettings

from ..rules import require_organiser
from ._common import announce_counts


def rsvp_window_open_problem(*, event: Event, now: datetime | None = None) -> str | None:
    """Why "Open RSVPs" would be refused now, or None when it can be offered. The one rule:
    `rsvp_window_open` refuses with it, and the dashboard offers the button only without it."""
    now = now or timezone.now()
    if event.is_cancelled:
        return "This event is cancelled; RSVPs stay closed."
    if event.status != Event.Status.PUBLISHED:
        return "Publish the event first."
    if now >= event.starts_at:
        return "The event has started; RSVPs stay closed."
    return None


def rsvp_window_open(*, event: Event, user: AbstractBaseUser, now: datetime | None = None) -> None:
    """Open RSVPs now (until the event starts): clears a future opening or a past closing.

    Re-broadcasts the dashboard's RSVP numbers after commit. Built here on the RSVP app's
    settings model (it has no service for the window yet). Refused (CONFLICT) for the reason
    `rsvp_window_open_problem` gives.
    """
    require_organiser(user, event)
    now = now or timezone.now()
    if problem := rsvp_window_open_problem(event=event, now=now):
        raise conflict(problem)
    settings, _ = RsvpSettings.objects.get_or_create(event=event)
    if settings.opens_at and settings.opens_at > now:
        settings.opens_at = now
    if settings.closes_at and settings.closes_at <= now:
        settings.closes_at = None
    settings.save()
    announce_counts(event)


def rsvp_window_close(*, event: Event, user: AbstractBaseUser, now: datetime | None = None) -> None:
    """Close RSVPs now; people already going or waitlisted keep their place.

    Re-broadcasts the dashboard's RSVP numbers after commit.
    """
    require_organiser(user, event)
    now = now or timezone.now()
    settings, _ = RsvpSettings.objects.get_or_create(event=event)
    settings.closes_at = now
    settings.save()
    announce_counts(event)

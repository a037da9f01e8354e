"""Reads: an event's reminder offsets, who a reminder or the recap goes to, what was sent."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count

from meetups.models import Event, Talk
from meetups.rules import is_group_organiser
from portal.errors import not_found
from rsvp.models import Rsvp

from .models import Delivery, ReminderPlan


def reminder_offsets(*, event: Event) -> list[int]:
    """The event's reminder offsets in minutes before its start, largest first."""
    plan = ReminderPlan.objects.filter(event=event).values_list("offsets_minutes", flat=True)
    offsets = plan.first()
    if offsets is None:
        offsets = settings.REMINDER_DEFAULT_OFFSETS_MINUTES
    return sorted({int(m) for m in offsets}, reverse=True)


def reminder_rsvp_ids(*, event: Event) -> list[int]:
    """The RSVPs a reminder goes to: going and waitlisted, of people with an active account
    and an address (walk-ins registered at the door have neither). In id order, so two workers
    meet each person in the same order."""
    return list(
        Rsvp.objects.filter(
            event=event,
            status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLISTED],
            user__is_active=True,
        )
        .exclude(user__email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def recap_rsvp_ids(*, event: Event) -> list[int]:
    """The RSVPs the recap goes to: those checked in, or everyone going when nobody was
    checked in (the door was not used)."""
    going = Rsvp.objects.filter(
        event=event, status=Rsvp.Status.GOING, user__is_active=True
    ).exclude(user__email="")
    if going.filter(checked_in_at__isnull=False).exists():
        going = going.filter(checked_in_at__isnull=False)
    return list(going.order_by("pk").values_list("pk", flat=True))


def recap_talks(*, event: Event) -> list[Talk]:
    """The event's talks in agenda order, with speakers and resources (three queries)."""
    return list(
        Talk.objects.filter(event=event)
        .order_by("order", "pk")
        .prefetch_related("speakers", "resources")
    )


def deliveries_for_user(*, user: AbstractBaseUser) -> list[Delivery]:
    return list(Delivery.objects.filter(user=user).select_related("event").order_by("sent_at"))


def event_get_for_organiser(*, group_slug: str, event_slug: str, user) -> Event:
    """An event of the group in the URL, for that group's organisers; NOT_FOUND otherwise."""
    event = (
        Event.objects.select_related("group")
        .filter(group__slug=group_slug, slug=event_slug)
        .first()
    )
    if event is None or not is_group_organiser(user, event):
        raise not_found("No event found.")
    return event


def delivery_counts(*, event: Event) -> dict[tuple[str, int], int]:
    """How many emails went, per (kind, offset), whatever the event time they were for."""
    rows = (
        Delivery.objects.filter(event=event)
        .values_list("kind", "offset_minutes")
        .annotate(sent=Count("pk"))
        .order_by()
    )
    return {(kind, offset): sent for kind, offset, sent in rows}

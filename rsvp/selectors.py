"""Reads for RSVP pages, the door and the API: fixed query counts, whatever the list length."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from meetups.models import Event
from meetups.rules import is_group_organiser

from .models import Rsvp, RsvpSettings, seats_going
from .services import rsvp_window_problem

SEARCH_MAX_LENGTH = 100
CHECK_IN_RESULTS = 30


def _counts(prefix: str = "") -> dict:
    """Aggregates over an event's RSVPs; `prefix` is the path from the queried model."""
    people = F(f"{prefix}guests") + 1
    status = f"{prefix}status"

    def sum_people(condition: Q):
        return Coalesce(Sum(people, filter=condition), 0)

    return {
        "going": seats_going(prefix),
        "going_rsvps": Count(f"{prefix}pk", filter=Q(**{status: Rsvp.Status.GOING})),
        "waitlisted": sum_people(Q(**{status: Rsvp.Status.WAITLISTED})),
        "checked_in": sum_people(Q(**{f"{prefix}checked_in_at__isnull": False})),
    }


def event_attendance_counts(*, event_id: int) -> dict[str, int]:
    """Live numbers for one event in one query: going, going_rsvps, waitlisted, checked_in
    (people, guests included, except going_rsvps), capacity and seats_left.

    Raises Event.DoesNotExist for an unknown id.
    """
    row = Event.objects.filter(pk=event_id).values("capacity").annotate(**_counts("rsvps__")).get()
    row["seats_left"] = max(row["capacity"] - row["going"], 0)
    return row


def event_list_with_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `seats_going` (people holding seats) on a list of events: still one query."""
    return events.annotate(seats_going=seats_going("rsvps__"))


@dataclass
class Panel:
    """What the RSVP panel of one event shows one viewer."""

    event: Event
    settings: RsvpSettings
    counts: dict
    rsvp: Rsvp | None
    waitlist_position: int | None
    closed_reason: str | None
    guest_choices: list[int]
    can_organise: bool = False

    @property
    def is_full(self) -> bool:
        return self.counts["seats_left"] <= 0

    @property
    def cutoff(self) -> datetime:
        return self.settings.cutoff(self.event)


def rsvp_panel(*, event: Event, user: AbstractBaseUser, now: datetime | None = None) -> Panel:
    """The panel's state in at most four queries (settings, counts, own RSVP, position)."""
    now = now or timezone.now()
    settings = RsvpSettings.objects.filter(event_id=event.pk).first() or RsvpSettings(event=event)
    counts = event_attendance_counts(event_id=event.pk)
    rsvp = None
    position = None
    if user.is_authenticated:
        rsvp = Rsvp.objects.filter(event_id=event.pk, user_id=user.pk).first()
        if rsvp and rsvp.is_waitlisted:
            position = waitlist_position(rsvp=rsvp)
    return Panel(
        event=event,
        settings=settings,
        counts=counts,
        rsvp=rsvp,
        waitlist_position=position,
        closed_reason=rsvp_window_problem(event=event, settings=settings, now=now),
        guest_choices=list(range(settings.guests_allowed + 1)),
        can_organise=user.is_authenticated and is_group_organiser(user, event),
    )


def waitlist_position(*, rsvp: Rsvp) -> int:
    """1 for the head of the waitlist."""
    ahead = (
        Rsvp.objects.filter(event_id=rsvp.event_id, status=Rsvp.Status.WAITLISTED)
        .filter(Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk))
        .count()
    )
    return ahead + 1


def event_get_for_organiser(*, slug: str, user: AbstractBaseUser) -> Event:
    """The event, if `user` organises its group (or is staff); 404 for everyone else."""
    event = Event.objects.select_related("group").filter(slug=slug).first()
    if event is None or not is_group_organiser(user, event):
        raise Http404("No event found.")
    return event


def event_get_open(*, slug: str) -> Event:
    """An event members can RSVP to the page of (not a draft); 404 otherwise."""
    event = Event.objects.select_related("group").filter(slug=slug).first()
    if event is None or event.status == Event.Status.DRAFT:
        raise Http404("No event found.")
    return event


class AttendeeFilter:
    ALL = ""
    CHOICES = [
        ("", "Everyone"),
        ("going", "Going"),
        ("checked_in", "Checked in"),
        ("not_checked_in", "Not checked in"),
        ("waitlisted", "Waitlisted"),
        ("cancelled", "Cancelled"),
    ]


def attendee_list(*, event: Event, status: str = "") -> QuerySet[Rsvp]:
    """An event's RSVPs with their people, filtered by status; one query."""
    rsvps = Rsvp.objects.filter(event_id=event.pk).select_related("user", "checked_in_by")
    match status:
        case "going" | "waitlisted" | "cancelled":
            rsvps = rsvps.filter(status=status)
        case "checked_in":
            rsvps = rsvps.filter(checked_in_at__isnull=False)
        case "not_checked_in":
            rsvps = rsvps.filter(status=Rsvp.Status.GOING, checked_in_at__isnull=True)
    return rsvps.order_by("status", "queued_at", "pk")


def check_in_search(*, event: Event, query: str = "") -> list[Rsvp]:
    """Going RSVPs matching a name, username or email (not yet checked in first)."""
    rsvps = Rsvp.objects.going().filter(event_id=event.pk).select_related("user")
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if query:
        rsvps = rsvps.filter(
            Q(user__username__icontains=query)
            | Q(user__email__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
        )
    return list(
        rsvps.order_by(F("checked_in_at").asc(nulls_first=True), "user__username")[
            :CHECK_IN_RESULTS
        ]
    )


def rsvp_get_for_event(*, event: Event, rsvp_id: int) -> Rsvp:
    """One RSVP of this event (404 for an RSVP of any other event)."""
    rsvp = Rsvp.objects.select_related("user", "event").filter(pk=rsvp_id, event=event).first()
    if rsvp is None:
        raise Http404("No such RSVP.")
    return rsvp


def rsvp_get_by_token(*, token: str) -> Rsvp | None:
    if not token or len(token) > 64:
        return None
    return (
        Rsvp.objects.select_related("user", "event", "event__group")
        .filter(ticket_token=token)
        .first()
    )


def rsvp_get_own(*, rsvp_id: int, user: AbstractBaseUser) -> Rsvp:
    """One's own RSVP; another person's answers 404 exactly like a missing one."""
    rsvp = (
        Rsvp.objects.select_related("event", "event__venue", "event__group")
        .filter(pk=rsvp_id, user_id=user.pk)
        .first()
    )
    if rsvp is None:
        raise Http404("No such RSVP.")
    return rsvp


def my_rsvps(*, user: AbstractBaseUser) -> QuerySet[Rsvp]:
    """Everything `user` RSVPed to (not cancelled), soonest first."""
    return (
        Rsvp.objects.active()
        .filter(user_id=user.pk)
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event", "event__venue", "event__group")
        .order_by("event__starts_at")
    )


def my_events(*, user: AbstractBaseUser, now: datetime | None = None) -> dict[str, list[Rsvp]]:
    """A member's upcoming RSVPs (soonest first) and past ones (latest first); one query."""
    now = now or timezone.now()
    rsvps = list(my_rsvps(user=user))
    upcoming = [r for r in rsvps if r.event.ends_at >= now]
    past = [r for r in reversed(rsvps) if r.event.ends_at < now]
    return {"upcoming": upcoming, "past": past}

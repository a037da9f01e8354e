"""Reads for RSVP pages, the door and the API: fixed query counts, whatever the list length.

What a person may not see answers NOT_FOUND (`portal.errors`), on pages and the API alike.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from meetups.models import Event
from meetups.selectors import event_get_for_viewer
from members.rules import can_join, taking_part_prefetch
from portal.errors import not_found
from portal.pagecache import page_part
from portal.rawsql import Columns, PreparedValues, all_rows

from .models import Rsvp, RsvpSettings, seats_going
from .rules import can_check_in, can_rsvp, in_rsvp_audience, rsvp_refusal
from .services import rsvp_window_problem
from .services.door import attendee_name, people_checked_in

SEARCH_MAX_LENGTH = 100
CHECK_IN_RESULTS = 30
GOING_LIST_NAMES = 24  # the panel names at most this many; the rest are "and N more"
UNDO_CANCEL_WINDOW = timedelta(minutes=30)  # how long the panel offers to undo a cancellation


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
        # People actually in: each RSVP's own person and guests are checked in separately.
        "checked_in": people_checked_in(prefix),
    }


# Built once: the ORM took ten times longer to build this statement than to run it, on every
# counts broadcast, door action and attendance read.
_ATTENDANCE = PreparedValues(
    lambda event_id: (
        Event.objects.filter(pk=event_id).values("capacity").annotate(**_counts("rsvps__"))
    )
)


def event_attendance_counts(*, event_id: int) -> dict[str, int]:
    """Live numbers for one event in one query: going, going_rsvps, waitlisted, checked_in
    (people, guests included, except going_rsvps), capacity and seats_left.

    Raises Event.DoesNotExist for an unknown id.
    """
    row = _ATTENDANCE.first(event_id)
    if row is None:
        raise Event.DoesNotExist(f"no event {event_id}")
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
    can_rsvp: bool = False  # rsvp.rules.can_rsvp: else the panel offers to log in
    refusal: str | None = None  # rsvp.rules.rsvp_refusal: why a signed-in person may not
    can_join: bool = False  # members-only and not a member: the panel offers to join
    can_check_in: bool = False  # rsvp.rules.can_check_in: the panel links to the door
    can_undo: bool = False  # a cancellation recent enough to offer "Undo"
    # Who's going, by name: only people who chose to be listed, shown to signed-in viewers.
    going_people: list["GoingPerson"] | None = None

    @property
    def is_full(self) -> bool:
        return self.counts["seats_left"] <= 0

    @property
    def going_more(self) -> int:
        """People going who are not named: guests, hidden people and those past the limit."""
        return max(self.counts["going"] - len(self.going_people or ()), 0)

    @property
    def cutoff(self) -> datetime:
        return self.settings.cutoff(self.event)


def _settings_and_counts_row(event_id: int) -> tuple[dict, dict[str, int]]:
    """The event's RSVP settings' fields (`id` None when it has none) and its live numbers
    (`event_attendance_counts`), in one query: the settings row is at most one per event, so
    joining it leaves the aggregates unchanged."""
    fields = [f.attname for f in RsvpSettings._meta.concrete_fields if f.attname != "event_id"]
    row = (
        Event.objects.filter(pk=event_id)
        .values("capacity", *(f"rsvp_settings__{name}" for name in fields))
        .annotate(**_counts("rsvps__"))
        .get()
    )
    own = {name: row.pop(f"rsvp_settings__{name}") for name in fields}
    row["seats_left"] = max(row["capacity"] - row["going"], 0)
    return own, row


def _settings_and_counts(
    event: Event, *, public_version: str | None
) -> tuple[RsvpSettings, dict[str, int]]:
    """Public (the same for every viewer, and on the anonymous page): with the page's version
    of the event (`portal.pagecache.page_version`), read once per version. Every seat write and
    every settings write bumps that version (`services.seats`, `organise.services`)."""
    own, counts = page_part(
        f"rsvp-panel:{event.pk}", public_version, partial(_settings_and_counts_row, event.pk)
    )
    if own["id"] is None:
        return RsvpSettings(event=event), counts
    settings = RsvpSettings(event_id=event.pk, **own)
    settings.event = event
    return settings, counts


# What the panel shows of a person going (`portal.people.display_name`).
_NAME_FIELDS = ("username", "first_name", "last_name", "email")


class GoingPerson(NamedTuple):
    """One name on the panel's list of who's going: their user with only the fields their
    display name needs (in arrival order: `queued_at`, then `pk` of their RSVP)."""

    queued_at: datetime
    pk: int
    user: AbstractBaseUser


@cache
def _own_and_going_query() -> tuple[Columns, tuple[str, ...], str]:
    """The panel's per-viewer read as one statement, written out: the ORM took longer to
    build this query (about 1.6 ms) than the database to answer it (0.2 ms), on every signed-in
    event page, and `.raw()` longer to map its 25 rows (3.4 ms). Plain SQL that SQLite and
    PostgreSQL both take; columns from the models: the RSVP's, then the user's id and
    `_NAME_FIELDS` in the user model's own order (the order `Model.from_db` takes them in)."""
    quote = connection.ops.quote_name
    user_meta = get_user_model()._meta
    user_table = user_meta.db_table
    rsvp = Columns(Rsvp, "r")
    wanted = {user_meta.pk.attname, *_NAME_FIELDS}
    person_fields = tuple(f.attname for f in user_meta.concrete_fields if f.attname in wanted)
    user_columns = ", ".join(f"u.{quote(user_meta.get_field(n).column)}" for n in person_fields)
    # Identifiers from the models, values as parameters.
    sql = (
        f"SELECT {rsvp.sql}, {user_columns} FROM {quote(Rsvp._meta.db_table)} r "  # noqa: S608
        f"INNER JOIN {quote(user_table)} u ON u.{quote('id')} = r.{quote('user_id')} "
        f"WHERE r.{quote('event_id')} = %s AND (r.{quote('user_id')} = %s OR "
        f"(%s AND r.{quote('status')} = %s AND r.{quote('listed')} = %s)) "
        f"ORDER BY CASE WHEN r.{quote('user_id')} = %s THEN 0 ELSE 1 END, "
        f"r.{quote('queued_at')}, r.{quote('id')} LIMIT %s"
    )
    return rsvp, person_fields, sql


def _own_and_going(
    *, event: Event, user: AbstractBaseUser, with_going: bool
) -> tuple[Rsvp | None, list[GoingPerson] | None]:
    """The viewer's RSVP and, `with_going`, the people `going_list` names (its rules: going,
    listed, arrival order, at most GOING_LIST_NAMES), in one query: the viewer's row sorts
    first. Each person going comes with only their name's fields, and no RSVP instance."""
    columns, person_fields, sql = _own_and_going_query()
    params = [event.pk, user.pk, with_going, Rsvp.Status.GOING, True, user.pk]
    rows = all_rows(sql, [*params, GOING_LIST_NAMES + 1], columns, len(person_fields))
    user_model = get_user_model()
    own = None
    going = []
    for values, person_values in rows:
        if columns.value(values, "user_id") == user.pk:
            own = columns.instance(values)
            own.event, own.user = event, user
            person = user
        else:
            # As `.only("id", *_NAME_FIELDS)` would load them: any other field is deferred.
            person = user_model.from_db(connection.alias, person_fields, person_values)
        if (
            with_going
            and columns.value(values, "status") == Rsvp.Status.GOING
            and columns.value(values, "listed")
        ):
            queued_at = columns.value(values, "queued_at")
            going.append(GoingPerson(queued_at, columns.value(values, "id"), person))
    if not with_going:
        return own, None
    going.sort(key=lambda person: (person.queued_at, person.pk))
    return own, going[:GOING_LIST_NAMES]


def rsvp_panel(
    *,
    event: Event,
    user: AbstractBaseUser,
    now: datetime | None = None,
    public_version: str | None = None,
) -> Panel:
    """The panel's state. Settings and counts in one query, none with the event page's
    `public_version` once read for that version; signed in, the viewer's RSVP and who's going
    in one more (and the waitlist position when waitlisted); the rules' own reads (membership,
    policy, organiser) once each, kept on the user and the event."""
    now = now or timezone.now()
    settings, counts = _settings_and_counts(event, public_version=public_version)
    rsvp = None
    position = None
    going_people = None
    if user.is_authenticated:
        rsvp, going_people = _own_and_going(
            event=event, user=user, with_going=bool(counts["going_rsvps"])
        )
        if rsvp and rsvp.is_waitlisted:
            position = waitlist_position(rsvp=rsvp)
    can_undo = bool(
        rsvp
        and rsvp.status == Rsvp.Status.CANCELLED
        and rsvp.cancelled_at
        and now - rsvp.cancelled_at <= UNDO_CANCEL_WINDOW
    )
    taking_part_prefetch(user, event)  # the rules' membership and policy reads, as one
    may_rsvp = can_rsvp(user, event)
    audience = in_rsvp_audience(user, event)
    return Panel(
        event=event,
        settings=settings,
        counts=counts,
        rsvp=rsvp,
        waitlist_position=position,
        closed_reason=rsvp_window_problem(event=event, settings=settings, now=now),
        guest_choices=list(range(settings.guests_allowed + 1)),
        can_rsvp=may_rsvp,
        refusal=None if may_rsvp else rsvp_refusal(user, event),
        can_join=not audience and can_join(user, event.group),
        can_check_in=can_check_in(user, event),
        can_undo=can_undo,
        going_people=going_people,
    )


def going_list(*, event: Event, limit: int = GOING_LIST_NAMES) -> list[Rsvp]:
    """The first `limit` going RSVPs whose people chose to be listed, in arrival order, with
    their users; one query. Hidden people (`listed=False`) are never fetched."""
    return list(
        Rsvp.objects.going()
        .filter(event_id=event.pk, listed=True)
        .select_related("user")
        .order_by("queued_at", "pk")[:limit]
    )


def rsvp_statuses(*, user: AbstractBaseUser, event_ids: list[int]) -> dict[int, str]:
    """The viewer's RSVP status ("going" or "waitlisted") per event, for a list of event cards;
    one query whatever the number of cards, none for an anonymous viewer."""
    if not user.is_authenticated or not event_ids:
        return {}
    rows = (
        Rsvp.objects.active()
        .filter(user_id=user.pk, event_id__in=event_ids)
        .values_list("event_id", "status")
    )
    return dict(rows)


def waitlist_position(*, rsvp: Rsvp) -> int:
    """1 for the head of the waitlist."""
    ahead = (
        Rsvp.objects.filter(event_id=rsvp.event_id, status=Rsvp.Status.WAITLISTED)
        .filter(Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk))
        .count()
    )
    return ahead + 1


def event_get_for_door(*, slug: str, user: AbstractBaseUser) -> Event:
    """The event whose door (check-in, attendees) `user` runs (`rsvp.rules.can_check_in`);
    NOT_FOUND for everyone else."""
    event = Event.objects.select_related("group").filter(slug=slug).first()
    if event is None or not can_check_in(user, event):
        raise not_found("No event found.")
    return event


def event_get_for_rsvp(*, slug: str, user: AbstractBaseUser) -> Event:
    """The event of an RSVP page or route, with its group, if `user` may see it
    (`meetups.rules.can_view_event`: a draft only its organisers); NOT_FOUND otherwise."""
    return event_get_for_viewer(slug=slug, user=user, with_agenda=False, with_place=False)


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
        # The RSVP's own person (the one with an email); their guests are counted apart.
        case "checked_in":
            rsvps = rsvps.filter(checked_in_at__isnull=False)
        case "not_checked_in":
            rsvps = rsvps.filter(status=Rsvp.Status.GOING, checked_in_at__isnull=True)
    return rsvps.order_by("status", "queued_at", "pk")


# The attendee download, here once for every page that offers one (the door's attendee list,
# the organiser's dashboard): `portal.csv_export.csv_response(header=..., rows=...)`.
ATTENDEE_CSV_HEADER = [
    "name",  # the display name, else the username, else the email's local part
    "username",
    "email",
    "status",
    "guests",
    "seats",
    "rsvp_at",
    "checked_in_at",  # the RSVP's own person (guests are counted on the door's totals)
]


def attendee_email(rsvp: Rsvp) -> str:
    """A walk-in's email is on the RSVP (their placeholder user has none)."""
    return rsvp.walk_in_email if rsvp.is_walk_in else rsvp.user.email


def attendee_csv_rows(*, event: Event, status: str = "") -> Iterator[tuple]:
    """The rows under ATTENDEE_CSV_HEADER, streamed from one query. Times are written by
    `portal.csv_export` in the event's zone, to the second."""
    for rsvp in attendee_list(event=event, status=status).iterator(chunk_size=500):
        yield (
            attendee_name(rsvp.user),
            rsvp.user.get_username(),
            attendee_email(rsvp),
            rsvp.status,
            rsvp.guests,
            rsvp.seats,
            rsvp.created_at,
            rsvp.checked_in_at,
        )


def _matching(rsvps: QuerySet[Rsvp], query: str) -> QuerySet[Rsvp]:
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if not query:
        return rsvps
    return rsvps.filter(
        Q(user__username__icontains=query)
        | Q(user__email__icontains=query)
        | Q(walk_in_email__icontains=query)
        | Q(user__first_name__icontains=query)
        | Q(user__last_name__icontains=query)
    )


def check_in_search(*, event: Event, query: str = "") -> list[Rsvp]:
    """Going RSVPs matching a name, username or email (not yet checked in first); one query."""
    rsvps = _matching(Rsvp.objects.going().filter(event_id=event.pk), query)
    return list(
        rsvps.select_related("user").order_by(
            F("checked_in_at").asc(nulls_first=True), "user__username"
        )[:CHECK_IN_RESULTS]
    )


def door_waitlist(*, event: Event, query: str = "") -> list[Rsvp]:
    """Waitlisted RSVPs matching the door's search, in queue order; one query."""
    rsvps = _matching(Rsvp.objects.waitlisted().filter(event_id=event.pk), query)
    return list(rsvps.select_related("user")[:CHECK_IN_RESULTS])


def rsvp_get_for_event(*, event: Event, rsvp_id: int) -> Rsvp:
    """One RSVP of this event (404 for an RSVP of any other event)."""
    rsvp = Rsvp.objects.select_related("user", "event").filter(pk=rsvp_id, event=event).first()
    if rsvp is None:
        raise not_found("No such RSVP.")
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
    """One's own RSVP; another person's answers NOT_FOUND exactly like a missing one."""
    rsvp = (
        Rsvp.objects.select_related("event", "event__venue", "event__group")
        .filter(pk=rsvp_id, user_id=user.pk)
        .first()
    )
    if rsvp is None:
        raise not_found("No such RSVP.")
    return rsvp


def my_rsvps(*, user: AbstractBaseUser) -> QuerySet[Rsvp]:
    """Everything `user` RSVPed to (not cancelled) that is public, soonest first (an event
    taken back to draft drops out until it is published again)."""
    return (
        Rsvp.objects.active()
        .filter(user_id=user.pk, event__in=Event.objects.published())
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

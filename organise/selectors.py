"""Reads for the organiser pages and the dashboard's panels: fixed query counts per panel."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from cfp.models import Proposal, ProposalVote
from live.models import Question
from meetups.models import Event, Group, Talk
from members.selectors import all_members
from portal.errors import not_found
from portal.invitations import invitation_get as token_invitation_get
from rsvp.models import Rsvp, RsvpSettings
from rsvp.selectors import attendee_list, event_attendance_counts, event_list_with_seats
from rsvp.services import rsvp_window_problem

from .models import AttendeeMessage, OrganiserInvitation
from .rules import require_organiser

TOP_PROPOSALS = 5


def organised_group_get(*, slug: str, user: AbstractBaseUser) -> Group:
    """The group, if `user` organises it (owner, co-organiser or staff); not found otherwise."""
    group = Group.objects.select_related("owner").filter(slug=slug).first()
    if group is None:
        raise not_found("No group found.")
    require_organiser(user, group, message="No group found.")
    return group


def organised_event_get(*, group_slug: str, event_slug: str, user: AbstractBaseUser) -> Event:
    """An event of the group in the URL, for that group's organisers (the organiser pages and
    API). Not found for anyone else, and for an event of any other group."""
    group = organised_group_get(slug=group_slug, user=user)
    event = (
        Event.objects.select_related("group", "venue", "host_sponsor")
        .filter(group=group, slug=event_slug)
        .first()
    )
    if event is None:
        raise not_found("No event found.")
    return event


def groups_organised(*, user: AbstractBaseUser) -> QuerySet[Group]:
    if not user.is_authenticated:
        return Group.objects.none()
    if user.is_staff:
        return Group.objects.all()
    return Group.objects.filter(Q(owner=user) | Q(organisers=user)).distinct()


def user_organises_any(*, user: AbstractBaseUser) -> bool:
    return groups_organised(user=user).exists()


@dataclass
class GroupEvents:
    drafts: list[Event]
    upcoming: list[Event]
    past: list[Event]


def group_events(*, group: Group, now: datetime | None = None, past_limit: int = 20) -> GroupEvents:
    """The group's events for its organisers, with seats taken; one query."""
    now = now or timezone.now()
    events = list(
        event_list_with_seats(
            Event.objects.filter(group=group).select_related("venue").order_by("starts_at")
        )
    )
    drafts = [e for e in events if e.status == Event.Status.DRAFT]
    upcoming = [e for e in events if e.status != Event.Status.DRAFT and e.ends_at >= now]
    past = [e for e in reversed(events) if e.status != Event.Status.DRAFT and e.ends_at < now]
    return GroupEvents(drafts=drafts, upcoming=upcoming, past=past[:past_limit])


@dataclass
class Organisers:
    owner: AbstractBaseUser | None
    co_organisers: list
    pending: list[OrganiserInvitation]


def group_organisers(*, group: Group, now: datetime | None = None) -> Organisers:
    """The owner, co-organisers and pending invitations; two queries (owner is joined)."""
    now = now or timezone.now()
    co = [u for u in group.organisers.order_by("username") if u.pk != group.owner_id]
    invitations = [
        i
        for i in OrganiserInvitation.objects.filter(
            group=group, accepted_at__isnull=True, revoked_at__isnull=True
        ).select_related("invited_by")
        if i.is_pending(now)
    ]
    return Organisers(owner=group.owner, co_organisers=co, pending=invitations)


def invitation_get(*, token: str) -> OrganiserInvitation:
    """The organiser invitation with this token (the portal's token flow); not found else."""
    return token_invitation_get(OrganiserInvitation.objects.select_related("group"), token=token)


# --- The dashboard -------------------------------------------------------------------------


def rsvp_settings_for(*, event: Event) -> RsvpSettings:
    """The event's RSVP settings, or unsaved defaults (one query)."""
    return RsvpSettings.objects.filter(event_id=event.pk).first() or RsvpSettings(event=event)


@dataclass
class RsvpTimelinePoint:
    day: date
    new: int
    total: int


@dataclass
class RsvpStats:
    counts: dict
    guests: int
    timeline: list[RsvpTimelinePoint]
    settings: RsvpSettings
    window_open: bool
    window_reason: str | None

    @property
    def fill_percent(self) -> int:
        capacity = self.counts["capacity"] or 0
        return min(100, round(100 * self.counts["going"] / capacity)) if capacity else 0


def rsvp_timeline(*, event: Event) -> list[RsvpTimelinePoint]:
    """People (guests included) per day their RSVP was made, with the running total; one query.

    Counts the RSVPs that still stand (going or waitlisted), on the day each was made, in the
    event's time zone.
    """
    rows = (
        Rsvp.objects.active()
        .filter(event_id=event.pk)
        .annotate(day=TruncDate("created_at", tzinfo=event.tzinfo))
        .values("day")
        .annotate(people=Coalesce(Sum(F("guests") + 1), 0))
        .order_by("day")
    )
    points, total = [], 0
    for row in rows:
        total += row["people"]
        points.append(RsvpTimelinePoint(day=row["day"], new=row["people"], total=total))
    return points


def rsvp_stats(
    *,
    event: Event,
    counts: dict | None = None,
    with_timeline: bool = True,
    now: datetime | None = None,
) -> RsvpStats:
    """The RSVP panel: counts, guests, RSVPs over time and the RSVP window; three queries
    (one fewer with the counts given, one fewer without the timeline)."""

    now = now or timezone.now()
    counts = counts or event_attendance_counts(event_id=event.pk)
    settings = rsvp_settings_for(event=event)
    reason = rsvp_window_problem(event=event, settings=settings, now=now)
    return RsvpStats(
        counts=counts,
        guests=counts["going"] - counts["going_rsvps"],
        timeline=rsvp_timeline(event=event) if with_timeline else [],
        settings=settings,
        window_open=reason is None,
        window_reason=reason,
    )


@dataclass
class DoorStats:
    counts: dict
    recent: list[Rsvp]

    @property
    def checked_in_percent(self) -> int:
        going = self.counts["going"]
        return min(100, round(100 * self.counts["checked_in"] / going)) if going else 0

    @property
    def still_to_come(self) -> int:
        return max(self.counts["going"] - self.counts["checked_in"], 0)


def door_stats(*, event: Event, counts: dict | None = None, recent: int = 5) -> DoorStats:
    """Checked in against going, and the latest check-ins; two queries (one given counts)."""
    latest = list(
        Rsvp.objects.filter(event_id=event.pk, checked_in_at__isnull=False)
        .select_related("user")
        .order_by("-checked_in_at", "-pk")[:recent]
    )
    return DoorStats(counts=counts or event_attendance_counts(event_id=event.pk), recent=latest)


@dataclass
class Lineup:
    talks: list[Talk]
    proposals: list[Proposal] = field(default_factory=list)


def lineup(*, event: Event) -> Lineup:
    """The agenda with speakers and votes, and the group's proposals in voting; three queries.

    For organisers only: the views check (the proposals in voting include private ones)."""
    talks = list(
        Talk.objects.filter(event=event)
        .select_related("proposal")
        .prefetch_related("speakers")
        .annotate(proposal_votes=Count("proposal__votes"))
        .order_by("order", "pk")
    )
    proposals = list(
        Proposal.objects.filter(group_id=event.group_id, status=Proposal.Status.IN_VOTING)
        .select_related("submitter")
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "created_at", "pk")[:TOP_PROPOSALS]
    )
    return Lineup(talks=talks, proposals=proposals)


def question_counts(*, event: Event) -> dict[str, int]:
    """Questions of the whole event (every talk): asked, answered, waiting, hidden; one query."""

    return Question.objects.filter(event_id=event.pk).aggregate(
        asked=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        pending=Count("pk", filter=Q(status=Question.Status.PENDING)),
        hidden=Count("pk", filter=Q(status=Question.Status.HIDDEN)),
    )


@dataclass
class Summary:
    counts: dict
    rsvps: int
    no_shows: int
    no_show_people: int
    questions: dict
    top_talks: list[Talk]

    recorded_attendance: int | None = None
    # No-shows mean something only once the event has started (before, nobody is checked in).
    started: bool = True

    @property
    def attendance(self) -> int:
        """People who came: the door's count, or the recorded figure for events (such as the
        archive's) that had no check-ins here."""
        return self.counts["checked_in"] or self.recorded_attendance or 0

    @property
    def attendance_percent(self) -> int:
        going = self.counts["going"]
        return round(100 * self.attendance / going) if going else 0


def event_summary(
    *,
    event: Event,
    counts: dict | None = None,
    questions: dict | None = None,
    now: datetime | None = None,
) -> Summary:
    """After the event: RSVPs, no-shows, attendance, questions and the talks by votes.

    No-shows are going RSVPs nobody checked in (`started` says whether the event has begun,
    before which the page leaves them out); four queries (fewer given counts, questions).
    """
    now = now or timezone.now()
    counts = counts or event_attendance_counts(event_id=event.pk)
    no_shows = Rsvp.objects.filter(
        event_id=event.pk, status=Rsvp.Status.GOING, checked_in_at__isnull=True
    ).aggregate(rsvps=Count("pk"), people=Coalesce(Sum(F("guests") + 1), 0))
    talks = list(
        Talk.objects.filter(event=event)
        .annotate(
            proposal_votes=Count("proposal__votes", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .order_by("-proposal_votes", "order", "pk")
    )
    return Summary(
        counts=counts,
        rsvps=counts["going_rsvps"],
        no_shows=no_shows["rsvps"],
        no_show_people=no_shows["people"],
        questions=questions or question_counts(event=event),
        top_talks=talks,
        recorded_attendance=event.recorded_attendance,
        started=event.starts_at <= now,
    )


# --- Messages and exports -------------------------------------------------------------------


def audience_recipients(*, event: Event, audience: str) -> list[AbstractBaseUser]:
    """The people an attendee message goes to (one query; only those with an email)."""
    status = {
        AttendeeMessage.Audience.GOING: "going",
        AttendeeMessage.Audience.WAITLISTED: "waitlisted",
        AttendeeMessage.Audience.CHECKED_IN: "checked_in",
    }[audience]
    return [r.user for r in attendee_list(event=event, status=status) if r.user.email]


def rsvp_recipients(*, event: Event) -> list[AbstractBaseUser]:
    """Everyone whose RSVP stands (going or waitlisted), for cancellations and changes."""
    return [
        r.user
        for r in Rsvp.objects.active().filter(event_id=event.pk).select_related("user")
        if r.user.email
    ]


def messages_sent(*, event: Event) -> QuerySet[AttendeeMessage]:
    return AttendeeMessage.objects.filter(event=event).select_related("sender")


def questions_for_export(*, event: Event):

    return (
        Question.objects.filter(event_id=event.pk)
        .select_related("author", "talk")
        .order_by("created_at", "pk")
    )


def votes_for_export(*, event: Event) -> QuerySet[ProposalVote]:
    """Votes on the proposals scheduled at, or assigned to, this event."""
    return (
        ProposalVote.objects.filter(proposal__event=event)
        .select_related("proposal", "user")
        .order_by("proposal__title", "created_at", "pk")
    )


def users_by_ids(ids: list[int]) -> list[AbstractBaseUser]:
    return list(get_user_model().objects.filter(pk__in=ids).exclude(email=""))


def group_members_with_attendance(*, group: Group):
    """Everyone with a membership of `group` (banned first, then by joining date), each with
    `attended`: how many of the group's events they were checked in at. One query per page."""
    return all_members(group=group).annotate(
        attended=Count(
            "user__rsvps",
            filter=Q(user__rsvps__event__group=group, user__rsvps__checked_in_at__isnull=False),
        )
    )

"""Reads for polls: the room's polls with their results, a person's own answers, the talk
page's archive, the prepare page and the CSV. Results are counted in two queries for any
number of polls; a closed poll reads the counts frozen when it closed."""

from collections import Counter
from functools import cache

from django.db import connection
from django.db.models import Count, Prefetch, prefetch_related_objects

from meetups.models import Event, Group, Talk
from portal.errors import not_found
from portal.rawsql import Columns, one_row

from .models import Poll, PollBallot, PollOption
from .rules import can_view_live, is_live_organiser

# The live page shows the open polls and the latest closed ones; the projector fewer.
ROOM_CLOSED_POLLS = 3
PRESENTER_POLLS = 2
ARCHIVE_LIMIT = 50


def _with_options(polls):
    return polls.select_related("event", "talk").prefetch_related(
        Prefetch("options", queryset=PollOption.objects.order_by("position", "pk"))
    )


def poll_get(*, poll_id: int, event: Event | None = None) -> Poll:
    """One poll (of `event`, when given) with its event, talk and options; NOT_FOUND otherwise."""
    polls = _with_options(Poll.objects.filter(pk=poll_id))
    if event is not None:
        polls = polls.filter(event=event)
    poll = polls.select_related("event__group").first()
    if poll is None:
        raise not_found("No such poll.")
    return poll


@cache
def _ballot_statements() -> tuple[Columns, Columns, Columns, Columns, str, str]:
    """The poll with its event and group (by the poll's id; `poll_for_ballot` adds the event's
    slug when it has one), and a poll's options in order. Written out: every answer starts with
    them, and the ORM took longer to build the join and the prefetch than the database to
    answer (docs/benchmarks.md, "A frame's way out, and a cheaper poll answer")."""
    quote = connection.ops.quote_name
    poll, event, group = Columns(Poll, "p"), Columns(Event, "e"), Columns(Group, "g")
    option = Columns(PollOption, "o")
    one = (
        f"SELECT {poll.sql}, {event.sql}, {group.sql} FROM {quote(Poll._meta.db_table)} p "  # noqa: S608
        f"INNER JOIN {quote(Event._meta.db_table)} e ON e.{quote('id')} = p.{quote('event_id')} "
        f"INNER JOIN {quote(Group._meta.db_table)} g ON g.{quote('id')} = e.{quote('group_id')} "
        # Not a draft: `PollQuerySet.shown()`, the room's rule, with DRAFT as the parameter.
        f"WHERE p.{quote('id')} = %s AND p.{quote('status')} <> %s"
    )
    options = (
        f"SELECT {option.sql} FROM {quote(PollOption._meta.db_table)} o "  # noqa: S608
        f"WHERE o.{quote('poll_id')} = %s ORDER BY o.{quote('position')}, o.{quote('id')}"
    )
    return poll, event, group, option, one, options


def poll_for_ballot(*, poll_id: int, user, slug: str | None = None) -> Poll:
    """The opened poll `poll_id` (of the event `slug`, when given), as an answer needs it: its
    event and group in one query (the rules read them; not the talk, which an answer does not
    show), its options in a second. NOT_FOUND for a draft, a poll of another event, or an
    event `user` may not see (`can_view_live`)."""
    poll_columns, event_columns, group_columns, option_columns, one, options = _ballot_statements()
    params = [poll_id, Poll.Status.DRAFT.value]
    if slug is not None:
        one += f" AND e.{connection.ops.quote_name('slug')} = %s"
        params.append(slug)
    values = one_row(one, params, poll_columns, event_columns, group_columns)
    if values is None:
        raise not_found("No such poll.")
    poll = poll_columns.instance(values[0])
    poll.event = event_columns.instance(values[1])
    poll.event.group = group_columns.instance(values[2])
    if not can_view_live(user, poll):
        raise not_found("No such poll.")
    with connection.cursor() as cursor:
        cursor.execute(options, [poll.pk])
        rows = cursor.fetchall()
    prefetched = [option_columns.instance(row) for row in rows]
    for option in prefetched:
        PollOption.poll.field.set_cached_value(option, poll)
    # Where `poll.options.all()` looks first, as prefetch_related leaves it.
    options_of_poll = poll.options.all()
    options_of_poll._result_cache, options_of_poll._prefetch_done = prefetched, True
    poll._prefetched_objects_cache = {"options": options_of_poll}
    return poll


def attach_results(polls: list[Poll]) -> list[Poll]:
    """Set `poll.ballot_count` and each option's `votes` and `percent` (of the people who
    answered). Two queries however many polls; none for closed polls (frozen counts)."""
    live_ids = [p.pk for p in polls if p.final_ballots is None]
    votes: Counter = Counter()
    ballots: dict[int, int] = {}
    if live_ids:
        through = PollBallot.options.through
        votes.update(
            dict(
                through.objects.filter(pollballot__poll_id__in=live_ids)
                .values_list("polloption_id")
                .annotate(n=Count("id"))
                .values_list("polloption_id", "n")
            )
        )
        ballots = dict(
            PollBallot.objects.filter(poll_id__in=live_ids)
            .values_list("poll_id")
            .annotate(n=Count("id"))
            .values_list("poll_id", "n")
        )
    for poll in polls:
        frozen = poll.final_ballots is not None
        poll.ballot_count = poll.final_ballots if frozen else ballots.get(poll.pk, 0)
        for option in poll.options.all():
            option.votes = (option.final_votes or 0) if frozen else votes.get(option.pk, 0)
            share = option.votes / poll.ballot_count if poll.ballot_count else 0
            option.percent = round(100 * share)
    return polls


def room_polls(*, event_id: int, limit_closed: int = ROOM_CLOSED_POLLS) -> list[Poll]:
    """What the live page shows: open polls (in the order they opened), then the latest closed
    ones, with results. Drafts never. One query when there are none, four otherwise."""
    shown = list(
        Poll.objects.for_event(event_id)
        .shown()
        .select_related("talk")
        .order_by("-status", "-closed_at", "opened_at", "pk")  # open first ("open" > "closed")
    )
    open_polls = [p for p in shown if p.status == Poll.Status.OPEN]
    closed = [p for p in shown if p.status == Poll.Status.CLOSED][:limit_closed]
    polls = open_polls + closed
    prefetch_related_objects(
        polls, Prefetch("options", queryset=PollOption.objects.order_by("position", "pk"))
    )
    return attach_results(polls)


def my_poll_choices(*, user, event_id: int) -> dict[int, frozenset[int]]:
    """Which options `user` chose, per poll of this event (for the page's checked inputs)."""
    if not user.is_authenticated:
        return {}
    chosen: dict[int, set[int]] = {}
    through = PollBallot.options.through
    rows = through.objects.filter(
        pollballot__user=user, pollballot__poll__event_id=event_id
    ).values_list("pollballot__poll_id", "polloption_id")
    for poll_id, option_id in rows:
        chosen.setdefault(poll_id, set()).add(option_id)
    return {poll_id: frozenset(ids) for poll_id, ids in chosen.items()}


def mark_my_choices(polls: list[Poll], choices: dict[int, frozenset[int]]) -> list[Poll]:
    for poll in polls:
        poll.my_choices = choices.get(poll.pk, frozenset())
    return polls


def talk_poll_archive(*, talk: Talk) -> list[Poll]:
    """A talk page's closed polls with their (frozen) results, oldest first."""
    polls = _with_options(Poll.objects.filter(talk=talk, status=Poll.Status.CLOSED))
    return attach_results(list(polls.order_by("closed_at", "pk")[:ARCHIVE_LIMIT]))


def event_poll_archive(*, event: Event) -> list[Poll]:
    """An event's closed event-wide polls with their results, oldest first."""
    polls = _with_options(
        Poll.objects.filter(event=event, talk__isnull=True, status=Poll.Status.CLOSED)
    )
    return attach_results(list(polls.order_by("closed_at", "pk")[:ARCHIVE_LIMIT]))


def polls_to_prepare(*, event: Event, user) -> list[Poll]:
    """Every poll of the event `user` may manage (organisers: all; speakers: their own talks'),
    with results, event-wide first, then talk by talk. A fixed number of queries."""
    polls = _with_options(Poll.objects.for_event(event.pk)).order_by(
        "talk__order", "talk_id", "created_at", "pk"
    )
    if not is_live_organiser(user, event):
        polls = polls.filter(talk_id__in=speaker_talk_ids(event=event, user=user))
    return attach_results(list(polls))


def speaker_talk_ids(*, event: Event, user) -> set[int]:
    """The talks of this event `user` speaks in."""
    if not user.is_authenticated:
        return set()
    return set(Talk.objects.filter(event=event, speakers__user=user).values_list("pk", flat=True))


def event_polls_for_export(*, event: Event) -> list[Poll]:
    """Every poll of the event that was opened, with results (the organisers' CSV)."""
    polls = _with_options(Poll.objects.for_event(event.pk).shown())
    return attach_results(list(polls.order_by("talk__order", "talk_id", "created_at", "pk")))

"""Reads for pages and the API, with the joins each page needs so lists stay at fixed queries."""

from functools import cache

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects

from portal.errors import get_or_not_found, not_found
from portal.rawsql import Columns, one_row

from .models import Event, Group, Speaker, Sponsor, Talk, TalkResource, Venue
from .rules import can_edit_talk_resources, can_view_event

SEARCH_MAX_LENGTH = 100


def _talks_with_speakers() -> Prefetch:
    return Prefetch("talks", queryset=Talk.objects.prefetch_related("speakers"))


def event_list_public() -> QuerySet[Event]:
    """Published and cancelled events with what a card shows, in one query plus prefetches."""
    return (
        Event.objects.published()
        .select_related("group", "venue", "host_sponsor")
        .annotate(talk_count=Count("talks"))
    )


def event_list_upcoming(*, group: Group | None = None) -> QuerySet[Event]:
    events = event_list_public().upcoming()
    return events.filter(group=group) if group else events


def event_list_past(
    *, group: Group | None = None, query: str = "", with_agenda: bool = False
) -> QuerySet[Event]:
    """Past events, newest first; `query` matches event titles, talk titles and speakers.

    `with_agenda` prefetches talks and their speakers (two more queries, whatever the count).
    """
    events = event_list_public().past()
    if group:
        events = events.filter(group=group)
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if query:
        matching = Event.objects.filter(
            Q(title__icontains=query)
            | Q(talks__title__icontains=query)
            | Q(talks__speakers__name__icontains=query)
        ).values("pk")
        events = events.filter(pk__in=matching)
    return events.prefetch_related(_talks_with_speakers()) if with_agenda else events


def event_next(*, group: Group | None = None) -> Event | None:
    """The next event that is going ahead (not cancelled), with its agenda."""
    return (
        event_list_upcoming(group=group)
        .filter(status=Event.Status.PUBLISHED)
        .prefetch_related(_talks_with_speakers())
        .first()
    )


@cache
def _event_by_slug(with_place: bool) -> tuple[tuple[Columns, ...], str]:
    """An event by its slug (unique) with its group and, `with_place`, its venue and host
    sponsor (either may be missing). Written out: every event page, RSVP and attendance
    request starts with it, and the ORM took longer to build the joins (about 2 ms) than the
    database to answer."""
    quote = connection.ops.quote_name
    id_ = quote("id")
    parts = [Columns(Event, "e"), Columns(Group, "g")]
    joins = [f"INNER JOIN {quote(Group._meta.db_table)} g ON g.{id_} = e.{quote('group_id')}"]
    if with_place:
        parts += [Columns(Venue, "v"), Columns(Sponsor, "s")]
        joins += [
            f"LEFT JOIN {quote(Venue._meta.db_table)} v ON v.{id_} = e.{quote('venue_id')}",
            f"LEFT JOIN {quote(Sponsor._meta.db_table)} s "
            f"ON s.{id_} = e.{quote('host_sponsor_id')}",
        ]
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)} "  # noqa: S608
        f"FROM {quote(Event._meta.db_table)} e {' '.join(joins)} WHERE e.{quote('slug')} = %s"
    )
    return tuple(parts), sql


def event_get_for_viewer(
    *, slug: str, user, with_agenda: bool = True, with_place: bool = True
) -> Event:
    """An event with its group and, `with_place`, its venue and host sponsor (as
    `select_related` loads them), if `user` may see it (`can_view_event`: a draft only its
    group's organisers); NOT_FOUND otherwise.

    `with_agenda` prefetches its talks and their speakers (two more queries); the event page
    asks for them lazily instead (`event_talks`), since its agenda is usually a kept fragment.
    """
    parts, sql = _event_by_slug(with_place)
    values = one_row(sql, [slug], *parts)
    if values is None:
        raise not_found("No event found.")
    event = parts[0].instance(values[0])
    event.group = parts[1].instance(values[1])
    if with_place:
        # A missing venue or sponsor is known missing, as select_related leaves it: no query.
        places = zip(("venue", "host_sponsor"), parts[2:], values[2:], strict=True)
        for field, columns, row in places:
            found = columns.value(row, "id") is not None
            Event._meta.get_field(field).set_cached_value(
                event, columns.instance(row) if found else None
            )
    if not can_view_event(user, event):
        raise not_found("No event found.")
    if with_agenda:
        prefetch_related_objects([event], _talks_with_speakers())
    return event


def event_talks(*, event: Event) -> QuerySet[Talk]:
    """An event's agenda with its speakers, in order; two queries when it is read (the event
    page reads it only when its agenda fragment is not kept)."""
    return event.talks.prefetch_related("speakers")


def talk_get_public(*, slug: str) -> Talk:
    return get_or_not_found(
        Talk.objects.filter(event__in=Event.objects.published())
        .select_related("event", "event__group", "event__venue")
        .prefetch_related("speakers"),
        slug=slug,
    )


def talk_list_public() -> QuerySet[Talk]:
    return (
        Talk.objects.filter(event__in=Event.objects.published())
        .select_related("event")
        .prefetch_related("speakers")
        .order_by("-event__starts_at", "order", "pk")
    )


def speaker_list_public() -> QuerySet[Speaker]:
    return (
        Speaker.objects.filter(talks__event__in=Event.objects.published())
        .distinct()
        .prefetch_related("links")
        .order_by("name")
    )


def speaker_get_public(*, slug: str) -> Speaker:
    talks = (
        Talk.objects.filter(event__in=Event.objects.published())
        .select_related("event")
        .prefetch_related("speakers")
        .order_by("-event__starts_at")
    )
    return get_or_not_found(
        Speaker.objects.prefetch_related("links", Prefetch("talks", queryset=talks)), slug=slug
    )


def group_get(*, slug: str) -> Group:
    return get_or_not_found(Group.objects.select_related("owner"), slug=slug)


def group_default() -> Group | None:
    """The portal's first group: the home page and calendar feed default to it."""
    return Group.objects.order_by("pk").first()


def talk_resource_list(*, talk: Talk) -> list[TalkResource]:
    """A talk's slides and links in the order they were added (one query), each knowing its
    talk (no query per link)."""
    resources = list(TalkResource.objects.filter(talk=talk).order_by("created_at", "pk"))
    for resource in resources:
        resource.talk = talk
    return resources


def talk_get_for_resources(*, slug: str, user) -> Talk:
    """The talk whose slides and links `user` may edit; NOT_FOUND for anyone else."""
    talk = get_or_not_found(
        Talk.objects.select_related("event__group").prefetch_related("speakers"), slug=slug
    )
    if not can_edit_talk_resources(user, talk):
        raise not_found("No talk found.")
    return talk


def talk_resource_file_get(*, slug: str, resource_id: int, user) -> TalkResource:
    """An uploaded PDF of a talk whose event `user` may see; NOT_FOUND otherwise."""
    resource = get_or_not_found(
        TalkResource.objects.select_related("talk__event__group").exclude(file=""),
        pk=resource_id,
        talk__slug=slug,
    )
    if not can_view_event(user, resource.talk.event):
        raise not_found()
    return resource

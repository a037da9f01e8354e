"""Plain factory functions: explicit defaults, no surprises. Pass any field to override."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from meetups.models import Event, Group, Speaker, Talk, Venue
from organise.services.events import EventFields

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_user(*, username: str | None = None, **fields):
    n = next(_seq)
    username = username or f"user{n}"
    fields.setdefault("email", f"{username}@example.com")
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)
    return user


def make_group(**fields) -> Group:
    n = next(_seq)
    fields.setdefault("name", f"Group {n}")
    fields.setdefault("slug", f"group-{n}")
    return Group.objects.create(**fields)


def make_venue(**fields) -> Venue:
    fields.setdefault("name", f"Venue {next(_seq)}")
    return Venue.objects.create(**fields)


def make_event(
    *, group: Group | None = None, starts_in: timedelta = timedelta(days=7), **fields
) -> Event:
    n = next(_seq)
    # Whole minutes, as organisers set them (and calendar files carry no microseconds).
    default_start = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    starts_at = fields.pop("starts_at", default_start)
    fields.setdefault("title", f"Event {n}")
    fields.setdefault("slug", f"event-{n}")
    fields.setdefault("status", Event.Status.PUBLISHED)
    fields.setdefault("ends_at", starts_at + timedelta(hours=2))
    return Event.objects.create(group=group or make_group(), starts_at=starts_at, **fields)


def make_speaker(**fields) -> Speaker:
    n = next(_seq)
    fields.setdefault("name", f"Speaker {n}")
    fields.setdefault("slug", f"speaker-{n}")
    return Speaker.objects.create(**fields)


def make_talk(*, event: Event, speakers=(), **fields) -> Talk:
    n = next(_seq)
    fields.setdefault("title", f"Talk {n}")
    fields.setdefault("slug", f"talk-{n}")
    talk = Talk.objects.create(event=event, **fields)
    if speakers:
        talk.speakers.add(*speakers)
    return talk


def event_fields(event: Event, **changes) -> EventFields:
    """What the organiser's event form sends for `event` as it stands, with `changes`."""
    return EventFields(
        **({name: getattr(event, name) for name in EventFields.EVENT_FIELDS} | changes)
    )

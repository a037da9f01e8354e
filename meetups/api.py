"""Read endpoints for events, talks and speakers."""

from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from portal.pagination import PagePagination

from . import selectors

router = Router(tags=["events"])


class When(StrEnum):
    upcoming = "upcoming"
    past = "past"


class VenueOut(Schema):
    name: str
    address: str
    city: str


class SpeakerRef(Schema):
    name: str
    slug: str


class TalkOut(Schema):
    title: str
    slug: str
    event: str = Field(..., alias="event.slug")
    abstract: str
    duration_minutes: int
    order: int
    speakers: list[SpeakerRef]
    slides_url: str
    source_url: str
    video_url: str


class EventOut(Schema):
    title: str
    slug: str
    group: str = Field(..., alias="group.slug")
    status: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: VenueOut | None
    host_sponsor: str | None = Field(None, alias="host_sponsor.name")
    capacity: int
    description: str
    recording_url: str
    external_url: str
    recorded_attendance: int | None


class EventDetailOut(EventOut):
    talks: list[TalkOut]


class SpeakerLinkOut(Schema):
    label: str
    url: str


class SpeakerOut(Schema):
    name: str
    slug: str
    bio: str
    links: list[SpeakerLinkOut]


class SpeakerDetailOut(SpeakerOut):
    talks: list[TalkOut]


@router.get("/events", response=list[EventOut])
@paginate(PagePagination, page_size=20)
def list_events(request: HttpRequest, when: When | None = None):
    if when == When.upcoming:
        return selectors.event_list_upcoming()
    if when == When.past:
        return selectors.event_list_past()
    return selectors.event_list_public().order_by("-starts_at")


@router.get("/events/{slug}", response=EventDetailOut)
def get_event(request: HttpRequest, slug: str):
    # The API is public: drafts are not served, even to an organiser's session.
    return selectors.event_get_for_viewer(slug=slug, user=AnonymousUser())


@router.get("/talks", response=list[TalkOut])
@paginate(PagePagination, page_size=20)
def list_talks(request: HttpRequest, event: str | None = None):
    talks = selectors.talk_list_public()
    return talks.filter(event__slug=event) if event else talks


@router.get("/talks/{slug}", response=TalkOut)
def get_talk(request: HttpRequest, slug: str):
    return selectors.talk_get_public(slug=slug)


@router.get("/speakers", response=list[SpeakerOut])
@paginate(PagePagination, page_size=20)
def list_speakers(request: HttpRequest):
    return selectors.speaker_list_public()


@router.get("/speakers/{slug}", response=SpeakerDetailOut)
def get_speaker(request: HttpRequest, slug: str):
    return selectors.speaker_get_public(slug=slug)

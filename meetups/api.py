"""Read endpoints for events, talks and speakers; a talk's slides and links (read, add, remove).

Resource writes take `write_auth` and call the same services, rules
(`meetups.rules.can_edit_talk_resources`) and rate budgets as the talk's resources page.
"""

from datetime import datetime
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja import Field, File, Form, Path, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from portal.api_auth import write_auth
from portal.api_errors import error_responses
from portal.pagination import PagePagination
from portal.ratelimit import check_rate

from . import selectors, services
from .models import RESOURCE_TITLE_MAX_LENGTH, RESOURCE_URL_MAX_LENGTH, TalkResource

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


class TalkResourceOut(Schema):
    id: int
    kind: str
    title: str
    url: str = Field(..., description="The link as given; empty for an uploaded PDF.")
    href: str = Field(
        ...,
        description="Where to open it: the PDF's download path, or the link (a video at "
        "its start time).",
    )
    start_seconds: int | None
    file_name: str = Field(..., description="The PDF's download name; empty for a link.")
    file_size: int | None
    created_at: datetime


class TalkLinkIn(Schema):
    kind: TalkResource.Kind
    url: str = Field(..., min_length=1, max_length=RESOURCE_URL_MAX_LENGTH)
    title: str = Field("", max_length=RESOURCE_TITLE_MAX_LENGTH)
    start: str | None = Field(
        None, max_length=8, description="Videos only: seconds, mm:ss or hh:mm:ss."
    )


RESOURCE_ID = Path(..., ge=1, le=10**18 - 1)


@router.get(
    "/talks/{slug}/resources", response={200: list[TalkResourceOut], **error_responses(404)}
)
def list_talk_resources(request: HttpRequest, slug: str):
    """A published talk's slides and links, oldest first."""
    return selectors.talk_resource_list(talk=selectors.talk_get_public(slug=slug))


@router.post(
    "/talks/{slug}/resources/links",
    response={201: TalkResourceOut, **error_responses(404, 409, 422, 429)},
    auth=write_auth,
)
def add_talk_link(request: HttpRequest, slug: str, payload: TalkLinkIn):
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    check_rate(request, "meetups.link_add")
    resource = services.talk_link_add(
        user=request.user,
        talk=talk,
        kind=payload.kind,
        url=payload.url,
        title=payload.title,
        start=payload.start,
    )
    return Status(201, resource)


# Under /api/slides/: the one API route whose body may be as big as a PDF of slides
# (settings.REQUEST_MAX_UPLOAD_BYTES_BY_PATH).
@router.post(
    "/slides/{slug}",
    response={201: TalkResourceOut, **error_responses(404, 409, 422, 429)},
    auth=write_auth,
)
def upload_talk_slides(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    title: Form[str] = "",
):
    """Attach a PDF (multipart/form-data, field `file`), checked by its content."""
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    check_rate(request, "meetups.slides_upload")
    resource = services.talk_slides_upload(user=request.user, talk=talk, upload=file, title=title)
    return Status(201, resource)


@router.delete(
    "/talks/{slug}/resources/{resource_id}",
    response={204: None, **error_responses(404, 429)},
    auth=write_auth,
)
def delete_talk_resource(request: HttpRequest, slug: str, resource_id: int = RESOURCE_ID):
    """Remove one of the talk's slides or links (an uploaded file is deleted too)."""
    talk = selectors.talk_get_for_resources(slug=slug, user=request.user)
    check_rate(request, "meetups.resource_delete")
    services.talk_resource_delete(user=request.user, talk=talk, resource_id=resource_id)
    return Status(204, None)

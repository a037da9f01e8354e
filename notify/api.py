"""Notify's API: my email preferences, and a group's announcements for its organisers.

The same services, rules and rate budgets as the pages. Writes take `write_auth` (a session
with its CSRF token, or a personal API token). Announcements answer 404 to anyone but the
group's organisers.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from meetups.markdown import render_markdown
from meetups.models import Group
from portal.api_auth import member_auth, write_auth
from portal.api_errors import error_responses
from portal.errors import get_or_not_found
from portal.pagination import PagePagination
from portal.people import display_name
from portal.ratelimit import check_rate

from . import selectors, services
from .models import Announcement
from .rules import require_announcer
from .selectors import GroupPreferences

router = Router(tags=["notify"])


class PreferencesOut(Schema):
    group: str = Field(..., description="The group's slug.")
    group_name: str
    is_member: bool
    events: bool = Field(..., description="New events of the group.")
    reminders: bool = Field(..., description="Reminders before events you're going to.")
    announcements: bool = Field(..., description="Announcements from the organisers.")
    recaps: bool = Field(..., description="Recaps after events you went to.")


class PreferencesIn(Schema):
    """Only the categories given change."""

    events: bool | None = None
    reminders: bool | None = None
    announcements: bool | None = None
    recaps: bool | None = None


class AnnouncementIn(Schema):
    subject: str = Field(..., max_length=Announcement.SUBJECT_MAX_LENGTH)
    body: str = Field(..., max_length=Announcement.BODY_MAX_LENGTH, description="Markdown.")
    preview: bool = Field(False, description="Only check it and say how many it would reach.")


class PreviewOut(Schema):
    subject: str
    body_html: str
    recipient_count: int


class AnnouncementOut(Schema):
    id: int
    subject: str
    body: str
    status: str = Field(..., description='"queued", "sent" or "failed".')
    recipient_count: int
    sender: str | None
    created_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_sender(obj: Announcement) -> str | None:
        return display_name(obj.sender) if obj.sender else None


def _out(prefs: GroupPreferences) -> dict:
    return {
        "group": prefs.group.slug,
        "group_name": prefs.group.name,
        "is_member": prefs.is_member,
        **prefs.choices,
    }


@router.get("/me/email-preferences", response=list[PreferencesOut], auth=member_auth)
def preferences_list(request: HttpRequest):
    """My choices for each group I belong to (or chose something for)."""
    return [_out(prefs) for prefs in selectors.preferences_of(user=request.auth)]


@router.put(
    "/me/email-preferences/{group}",
    response={200: PreferencesOut, **error_responses(404, 422, 429)},
    auth=write_auth,
)
def preferences_update(request: HttpRequest, group: str, payload: PreferencesIn):
    """Turn categories of one group's emails on or off."""
    chosen = get_or_not_found(Group.objects, slug=group)
    check_rate(request, "notify.preferences")
    choices = {k: v for k, v in payload.dict().items() if v is not None}
    services.preferences_update(user=request.auth, group=chosen, choices=choices)
    return _out(selectors.group_preferences(user=request.auth, group=chosen))


def _announcing_group(request: HttpRequest, slug: str) -> Group:
    group = get_or_not_found(Group.objects, slug=slug)
    require_announcer(request.auth, group)
    return group


@router.get(
    "/organise/{group}/announcements",
    response={200: list[AnnouncementOut], **error_responses(404, 422)},
    auth=member_auth,
)
@paginate(PagePagination, page_size=50)
def announcement_list(request: HttpRequest, group: str):
    """The group's announcements, newest first (its organisers)."""
    return selectors.announcements_of(group=_announcing_group(request, group))


@router.post(
    "/organise/{group}/announcements",
    response={
        200: PreviewOut,
        201: AnnouncementOut,
        **error_responses(404, 409, 422, 429),
    },
    auth=write_auth,
)
def announcement_create(request: HttpRequest, group: str, payload: AnnouncementIn):
    """Preview (`preview: true`: nothing sent or recorded) or send an announcement to every
    member who wants announcements; sending counts against the rate and the group's daily cap."""
    chosen = _announcing_group(request, group)
    draft = {
        "user": request.auth,
        "group": chosen,
        "subject": payload.subject,
        "body": payload.body,
    }
    if payload.preview:
        count = services.announcement_check(**draft)
        return Status(
            200,
            {
                "subject": payload.subject.strip(),
                "body_html": str(render_markdown(payload.body)),
                "recipient_count": count,
            },
        )
    check_rate(request, "notify.announce")
    return Status(201, services.announcement_send(**draft))

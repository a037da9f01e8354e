"""Public pages: home, events, talks, speakers, groups, the archive and calendar files."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from portal.pagecache import (
    LISTS,
    SITE,
    cache_public_page,
    event_dependency,
    page_depends_on,
    page_version,
)

from . import ics, selectors
from .forms import ArchiveSearchForm
from .rules import can_edit_talk_resources
from .video import privacy_embed_url, timestamp, watch_url_at

ARCHIVE_PAGE_SIZE = 10
HOME_UPCOMING = 6
HOME_RECENT = 3


@require_GET
@cache_public_page(LISTS)
def home(request: HttpRequest) -> HttpResponse:
    next_event = selectors.event_next()
    upcoming = selectors.event_list_upcoming()
    if next_event:
        upcoming = upcoming.exclude(pk=next_event.pk)
    return render(
        request,
        "meetups/home.html",
        {
            "next_event": next_event,
            "upcoming": list(upcoming[:HOME_UPCOMING]),
            "recent": list(selectors.event_list_past()[:HOME_RECENT]),
        },
    )


@require_GET
@cache_public_page()
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_viewer(slug=slug, user=request.user, with_agenda=False)
    page_depends_on(request, event_dependency(event.pk))
    public_version = page_version(request, SITE, event_dependency(event.pk))
    response = render(
        request,
        "meetups/event_detail.html",
        {
            "event": event,
            # Its public parts are kept under the event's version; 0 s: rendered, not kept.
            "public_version": public_version,
            "fragment_seconds": settings.PAGE_CACHE_SECONDS if public_version else 0,
            # Lazy: only the agenda fragment's miss path reads it (once: the list is kept).
            "talks": SimpleLazyObject(lambda: list(selectors.event_talks(event=event))),
            "recording_embed_url": privacy_embed_url(event.recording_url),
        },
    )
    # Signed in, portal.middleware makes the page `private, no-store`; a browser may still
    # restore it from its back-forward cache, so the page's RSVP panel and bar re-fetch
    # themselves then (meetups/static/meetups/event_page.js).
    return response


@require_GET
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_for_viewer(slug=slug, user=request.user)
    response = HttpResponse(ics.event_calendar(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@require_GET
@cache_public_page(LISTS, params=("page",))
def event_archive(request: HttpRequest) -> HttpResponse:
    """Past events with active search; htmx requests get only the results partial."""
    form = ArchiveSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    paginator = Paginator(
        selectors.event_list_past(query=query, with_agenda=True), ARCHIVE_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    template = "meetups/event_archive.html"
    if request.htmx and request.htmx.target == "archive-results":
        template += "#results"
    return render(request, template, {"form": form, "page": page, "query": query})


@require_GET
@cache_public_page()
def talk_detail(request: HttpRequest, slug: str) -> HttpResponse:
    talk = selectors.talk_get_public(slug=slug)
    page_depends_on(request, event_dependency(talk.event_id))
    # A talk without its own video points to the recording of the whole evening, at the
    # talk's own start when the organisers noted it.
    start = None
    recording_url = talk.video_url
    if not recording_url and talk.event.recording_url:
        start = talk.recording_start_seconds or None
        recording_url = watch_url_at(talk.event.recording_url, start=start)
    return render(
        request,
        "meetups/talk_detail.html",
        {
            "talk": talk,
            "event": talk.event,
            "recording_url": recording_url,
            "recording_starts_at": timestamp(start) if start else None,
            "video_embed_url": privacy_embed_url(recording_url, start=start),
            "resources": selectors.talk_resource_list(talk=talk),
            "can_edit_resources": can_edit_talk_resources(request.user, talk),
        },
    )


@require_GET
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    speaker = selectors.speaker_get_public(slug=slug)
    return render(request, "meetups/speaker_detail.html", {"speaker": speaker})


@require_GET
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.group_get(slug=slug)
    return render(
        request,
        "meetups/group_detail.html",
        {
            "group": group,
            "upcoming": list(selectors.event_list_upcoming(group=group)),
            "recent": list(selectors.event_list_past(group=group)[:HOME_RECENT]),
            "organisers": list(group.organisers.order_by("username")),
        },
    )


@require_GET
def group_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """A subscribable feed: upcoming events plus the last few months' worth of past ones."""
    group = selectors.group_get(slug=slug)
    events = selectors.event_list_public().filter(group=group).order_by("-starts_at")[:100]
    response = HttpResponse(
        ics.group_calendar(group, events), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{group.slug}.ics"'
    return response

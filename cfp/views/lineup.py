"""An event's line-up for its organisers: the agenda in running order, reordered with up and
down buttons (htmx swaps the list in place), and the accepted talks waiting for an event."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from meetups.selectors import group_get

from .. import selectors, services
from ._common import cfp_context


@require_http_methods(["GET", "POST"])
def lineup(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    event = selectors.event_get_for_lineup(group=group, slug=event_slug, user=request.user)
    if request.method == "POST":
        talk = selectors.agenda_talk_get(event=event, talk_id=request.POST.get("talk", ""))
        services.agenda_move(
            user=request.user, talk=talk, direction=request.POST.get("direction", "")
        )
        if not request.htmx:
            return redirect(request.path)
    context = {
        **cfp_context(request, group),
        "event": event,
        "talks": selectors.agenda_list(event=event),
        "unscheduled": [] if request.htmx else selectors.proposal_list_unscheduled(group=group),
    }
    template = "cfp/lineup.html" + ("#agenda" if request.htmx else "")
    return render(request, template, context)

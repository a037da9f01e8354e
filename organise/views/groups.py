"""The organiser area's front door and a group's events."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from portal.errors import not_found
from portal.http import login_required

from .. import selectors
from ._common import T


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the group for someone organising one; a list for several."""
    groups = list(selectors.groups_organised(user=request.user))
    if not groups:
        raise not_found("You do not organise a group.")
    if len(groups) == 1:
        return redirect("organise:group", group=groups[0].slug)
    return render(request, T + "index.html", {"groups": groups})


@require_GET
@login_required
def group_home(request: HttpRequest, group: str) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    events = selectors.group_events(group=organised_group)
    return render(request, T + "group.html", {"group": organised_group, "events": events})

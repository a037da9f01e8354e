"""Organisers' announcements to a group's members: write, preview, send; the list of sent."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from meetups.markdown import render_markdown
from meetups.models import Group
from portal.errors import ServiceError
from portal.http import htmx_redirect, login_required
from portal.ratelimit import check_rate

from .. import selectors, services
from ..forms import AnnouncementForm
from ..rules import require_announcer


def _people(n: int) -> str:
    return f"{n} {'member' if n == 1 else 'members'}"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def announcements(request: HttpRequest, group: str) -> HttpResponse:
    """The group's announcements and the form. POST step "preview" shows the email as members
    will read it and how many it reaches; step "send" (from the preview) records and queues it.
    Only sending counts against the per-person rate and the group's daily cap."""
    chosen = get_object_or_404(Group, slug=group)
    require_announcer(request.user, chosen)
    step = request.POST.get("step", "edit")
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    context = {
        "group": chosen,
        "form": form,
        "sent": selectors.announcements_of(group=chosen)[:50],
    }
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 422
    elif request.method == "POST" and step in ("preview", "send"):
        draft = {"user": request.user, "group": chosen, **form.cleaned_data}
        try:
            if step == "preview":
                count = services.announcement_check(**draft)
                context |= {
                    "preview": True,
                    "recipient_count": count,
                    "body_html": render_markdown(form.cleaned_data["body"]),
                }
            else:
                check_rate(request, "notify.announce")
                services.announcement_send(**draft)
                messages.success(request, "Your announcement is on its way.")
                url = reverse("notify:announcements", kwargs={"group": chosen.slug})
                return htmx_redirect(request, url)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            status = error.status
    partial = "#compose" if request.htmx and request.method == "POST" else ""
    return render(request, "notify/announcements.html" + partial, context, status=status)

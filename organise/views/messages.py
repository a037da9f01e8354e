"""Messages to an event's attendees: write, preview, then send."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal.errors import ServiceError
from portal.http import htmx_redirect, login_required
from portal.ratelimit import check_rate

from .. import selectors, services
from ..forms import MessageForm
from ..models import AttendeeMessage
from ._common import T, event_for, show_on_form


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


@require_http_methods(["GET", "POST"])
@login_required
def message_compose(request: HttpRequest, group: str, event: str) -> HttpResponse:
    """Write, preview, then send. Sending only happens from the preview step, and only sending
    counts against the message rate."""
    organised_event = event_for(request, group, event)
    step = request.POST.get("step", "edit")
    data = request.POST if request.method == "POST" else None
    form = MessageForm(data, initial={"audience": "going"})
    context = {
        "event": organised_event,
        "group": organised_event.group,
        "form": form,
        "sent": selectors.messages_sent(event=organised_event),
    }
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 422
    elif request.method == "POST" and step in ("preview", "send"):
        draft = {"event": organised_event, "user": request.user, **form.cleaned_data}
        try:
            if step == "preview":
                recipients = services.attendee_message_check(**draft)
                label = AttendeeMessage.Audience(draft["audience"]).label
                context |= {"preview": True, "recipients": recipients, "audience_label": label}
            else:
                check_rate(request, "organise.message")
                record = services.attendee_message_send(**draft)
                # Queued, not yet sent: the emails go out as a task after this answer.
                messages.success(request, f"On its way to {_people(record.recipient_count)}.")
                url = reverse("organise:message", kwargs={"group": group, "event": event})
                return htmx_redirect(request, url)
        except ServiceError as error:
            status = show_on_form(form, error)
    partial = "#compose" if request.htmx and request.method == "POST" else ""
    return render(request, T + "message.html" + partial, context, status=status)

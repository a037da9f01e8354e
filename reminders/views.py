"""The organiser's page for an event's reminders: when they go, and how many went."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from portal.errors import ServiceError
from portal.http import htmx_redirect, login_required
from portal.ratelimit import check_rate

from . import selectors, services
from .forms import OFFSET_CHOICES, ReminderPlanForm
from .models import Kind

LABELS = dict(OFFSET_CHOICES)


def _schedule(event, offsets: list[int]) -> list[dict]:
    counts = selectors.delivery_counts(event=event)
    rows = [
        {
            "label": "Reminder, " + LABELS.get(minutes, f"{minutes} minutes before"),
            "at": event.starts_at - timedelta(minutes=minutes),
            "sent": counts.get((Kind.REMINDER, minutes), 0),
        }
        for minutes in offsets
    ]
    delay = settings.RECAP_DELAY_MINUTES
    rows.append(
        {
            "label": "Recap to those who came",
            "at": event.ends_at + timedelta(minutes=delay),
            "sent": counts.get((Kind.RECAP, delay), 0),
        }
    )
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def event_reminders(request: HttpRequest, group: str, event: str) -> HttpResponse:
    organised = selectors.event_get_for_organiser(
        group_slug=group, event_slug=event, user=request.user
    )
    offsets = selectors.reminder_offsets(event=organised)
    status = 200
    if request.method == "POST":
        form = ReminderPlanForm(request.POST)
        status = 422
        try:
            check_rate(request, "reminders.plan")
            if form.is_valid():
                services.reminder_plan_save(
                    event=organised, user=request.user, offsets_minutes=form.cleaned_data["offsets"]
                )
                messages.success(request, "Saved: this event's reminders.")
                return htmx_redirect(request, request.path)
        except ServiceError as error:
            form.add_error("offsets" if error.field == "offsets" else None, error.message)
            status = error.status
    else:
        form = ReminderPlanForm(initial={"offsets": offsets})
    context = {
        "group": organised.group,
        "event": organised,
        "form": form,
        "schedule": _schedule(organised, offsets),
    }
    template = "reminders/event_reminders.html"
    if request.htmx and request.method == "POST":
        template += "#form"
    return render(request, template, context, status=status)

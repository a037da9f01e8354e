"""What the organiser views share."""

from django import forms
from django.http import HttpRequest
from django.urls import reverse

from meetups.models import Event
from portal.errors import ServiceError

from .. import selectors

T = "organise/"


def event_for(request: HttpRequest, group_slug: str, event_slug: str) -> Event:
    """The event in the URL, for the group's organisers (anyone else: not found)."""
    return selectors.organised_event_get(
        group_slug=group_slug, event_slug=event_slug, user=request.user
    )


def dashboard_url(event: Event) -> str:
    return reverse("organise:dashboard", kwargs={"group": event.group.slug, "event": event.slug})


def show_on_form(form: forms.Form, error: ServiceError) -> int:
    """Put a refusal next to its field (or above the form); returns the status to answer."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return error.status

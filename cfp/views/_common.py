"""What the call-for-talks pages share: the tabs' context and showing a refusal in a form."""

from django import forms
from django.http import HttpRequest

from meetups.models import Group
from meetups.selectors import group_get
from portal.errors import ServiceError, not_found

from .. import rules
from ..models import CallForTalks


def cfp_context(request: HttpRequest, group: Group) -> dict:
    """The group, its call and whether the viewer organises it (the tabs show Review)."""
    return {
        "group": group,
        "call": CallForTalks.objects.for_group(group),
        "is_organiser": rules.can_review(request.user, group),
    }


def group_for_review(request: HttpRequest, slug: str) -> Group:
    """The group, for its organisers' pages; to anyone else it is not found."""
    group = group_get(slug=slug)
    if not rules.can_review(request.user, group):
        raise not_found("No group found.")
    return group


def show_refusal(form: forms.Form, error: ServiceError, *, field: str | None = None) -> int:
    """Puts a service's refusal next to the form field it is about (else `field`, else above
    the form); returns the refusal's status for the re-rendered form."""
    form.add_error(error.field if error.field in form.fields else field, error.message)
    return error.status

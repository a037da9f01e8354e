"""Joining and leaving a group (one click, htmx or a plain form), being listed, and the
group's public members list.

Every write: POST with CSRF, `members.join` rate budget, the same services as the API. The
htmx answer is the group page's membership block (`members/membership.html#block`) plus the
`membershipChanged` client event, on which the RSVP panel refreshes itself; a plain POST is
redirected back (`next`, else the group page) with the result as a message, or shown the
refusal page (a ban: 403 with its reason).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from meetups.models import Group
from portal.errors import Kind, ServiceError
from portal.http import announce, htmx_redirect, login_required, safe_next
from portal.ratelimit import check_rate
from portal.refusals import refusal_response

from . import rules, selectors, services
from .forms import ListedForm

MEMBERSHIP_CHANGED = "membershipChanged"


def _answer(request: HttpRequest, group: Group, done: str, *, status: int = 200) -> HttpResponse:
    if not request.htmx:
        messages.success(request, done)
        return htmx_redirect(request, safe_next(request, group.get_absolute_url()))
    context = {"panel": selectors.membership_panel(group=group, user=request.user)}
    if status >= 400:
        context["error"] = done
    response = render(request, "members/membership.html#block", context, status=status)
    trigger_client_event(response, MEMBERSHIP_CHANGED)
    return announce(response, done)


def _write(request: HttpRequest, slug: str, action) -> HttpResponse:
    group = selectors.group_get(slug=slug)
    try:
        check_rate(request, "members.join")
        done = action(group)
    except ServiceError as error:
        # htmx: the block with the refusal by it (base.html swaps 409 and 429); a plain POST:
        # the refusal page, with the refusal's status, as on every other route.
        if request.htmx and error.kind != Kind.NOT_FOUND:
            return _answer(request, group, error.message, status=error.status)
        return refusal_response(request, error)
    return _answer(request, group, done)


@require_POST
@login_required
def join(request: HttpRequest, slug: str) -> HttpResponse:
    def action(group: Group) -> str:
        _membership, created = services.membership_join(group=group, user=request.user)
        return f"Welcome to {group.name}!" if created else f"You are a member of {group.name}."

    return _write(request, slug, action)


@require_POST
@login_required
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    def action(group: Group) -> str:
        services.membership_leave(group=group, user=request.user)
        return f"You left {group.name}."

    return _write(request, slug, action)


@require_POST
@login_required
def listed(request: HttpRequest, slug: str) -> HttpResponse:
    """Show me (or not) on the group's members list."""
    form = ListedForm(request.POST)
    form.is_valid()  # a checkbox: always valid; unticked means False

    def action(group: Group) -> str:
        shown = form.cleaned_data["listed"]
        services.membership_listed_set(group=group, user=request.user, listed=shown)
        if shown:
            return "You are shown on the members list."
        return "You are no longer shown on the members list."

    return _write(request, slug, action)


@require_GET
@login_required
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Members who chose to be listed, for signed-in people (organisers manage everyone on
    their own page in organise/)."""
    group = selectors.group_get(slug=slug)
    page = Paginator(selectors.listed_members(group=group), selectors.MEMBERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "group": group,
        "page": page,
        "panel": selectors.membership_panel(group=group, user=request.user),
        "manage": rules.can_manage_members(request.user, group),
    }
    return render(request, "members/member_list.html", context)

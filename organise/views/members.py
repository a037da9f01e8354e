"""The group's members, for its organisers: everyone (listed or not, banned included) with
their joining date and how many events they came to; remove, ban and unban; who may RSVP and
take part in live Q&A, for the group and per event.

The rules and writes are members' (`members.rules`, `members.services`); this page adds what
only the top layer can read (check-ins). Every action is a plain form POST (redirect back with
a message) that htmx boosts; refusals show as messages (a plain POST) or in #messages (htmx).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members import policies
from members import services as member_services
from members.forms import BanForm, EventPolicyForm, GroupPolicyForm
from members.models import QaAudience, RsvpAudience
from members.rules import is_moderatable, organiser_ids
from portal.errors import ServiceError
from portal.http import htmx_redirect, login_required
from portal.ratelimit import check_rate

from .. import selectors
from ._common import T, event_for, show_on_form

MEMBERS_PAGE_SIZE = 50


def _members_url(group_slug: str, page: str | None = None) -> str:
    url = reverse("organise:members", kwargs={"group": group_slug})
    return f"{url}?page={page}" if page and page.isdigit() else url


def _page_context(request: HttpRequest, group, **extra) -> dict:
    rows = selectors.group_members_with_attendance(group=group)
    page = Paginator(rows, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    organisers = organiser_ids(group)
    for membership in page:
        membership.may_moderate = is_moderatable(membership, organisers)
    policy = policies.group_policy_get(group=group)
    extra.setdefault(
        "policy_form",
        GroupPolicyForm(
            initial={"rsvp_audience": policy.rsvp_audience, "qa_audience": policy.qa_audience}
        ),
    )
    return {"group": group, "page": page, "ban_form": BanForm(), **extra}


@require_GET
@login_required
def members(request: HttpRequest, group: str) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    return render(request, T + "members.html", _page_context(request, organised_group))


def _moderate(request: HttpRequest, group: str, membership_id: int, action) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    try:
        check_rate(request, "members.moderate")
        done = action(organised_group)
    except ServiceError as error:
        if error.kind == "not_found":
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return htmx_redirect(request, _members_url(group, request.POST.get("page")))


@require_POST
@login_required
def member_remove(request: HttpRequest, group: str, membership_id: int) -> HttpResponse:
    def action(organised_group) -> str:
        member_services.member_remove(
            group=organised_group, membership_id=membership_id, user=request.user
        )
        return "Removed from the group. They may join again."

    return _moderate(request, group, membership_id, action)


@require_POST
@login_required
def member_ban(request: HttpRequest, group: str, membership_id: int) -> HttpResponse:
    form = BanForm(request.POST)

    def action(organised_group) -> str:
        if not form.is_valid():
            raise ServiceError(form.errors["reason"][0], field="reason")
        membership = member_services.member_ban(
            group=organised_group,
            membership_id=membership_id,
            user=request.user,
            reason=form.cleaned_data["reason"],
        )
        return f"Banned: {membership.user.get_username()} can no longer take part."

    return _moderate(request, group, membership_id, action)


@require_POST
@login_required
def member_unban(request: HttpRequest, group: str, membership_id: int) -> HttpResponse:
    def action(organised_group) -> str:
        membership = member_services.member_unban(
            group=organised_group, membership_id=membership_id, user=request.user
        )
        return f"Ban lifted: {membership.user.get_username()} is a member again."

    return _moderate(request, group, membership_id, action)


@require_POST
@login_required
def group_policy(request: HttpRequest, group: str) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    form = GroupPolicyForm(request.POST)
    status = 422
    try:
        check_rate(request, "members.moderate")
        if form.is_valid():
            member_services.group_policy_set(
                group=organised_group, user=request.user, **form.cleaned_data
            )
            messages.success(request, "Saved: the group's events follow these rules.")
            return htmx_redirect(request, _members_url(group))
    except ServiceError as error:
        status = show_on_form(form, error)
    context = _page_context(request, organised_group, policy_form=form)
    return render(request, T + "members.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def event_policy(request: HttpRequest, group: str, event: str) -> HttpResponse:
    """Who may RSVP and take part in live Q&A at this event ("same as the group" by default)."""
    organised_event = event_for(request, group, event)
    effective = policies.effective_for_event(organised_event)
    status = 200
    if request.method == "POST":
        form = EventPolicyForm(request.POST)
        status = 422
        try:
            check_rate(request, "members.moderate")
            if form.is_valid():
                member_services.event_policy_set(
                    event=organised_event, user=request.user, **form.cleaned_data
                )
                messages.success(request, "Saved: who may take part in this event.")
                return htmx_redirect(request, request.path)
        except ServiceError as error:
            status = show_on_form(form, error)
    else:
        form = EventPolicyForm(
            initial={
                "rsvp_audience": effective.event_rsvp_audience,
                "qa_audience": effective.event_qa_audience,
            }
        )
    context = {"group": organised_event.group, "event": organised_event, "form": form}
    context["applies"] = {
        "rsvp": RsvpAudience(effective.rsvp_audience).label,
        "qa": QaAudience(effective.qa_audience).label,
    }
    return render(request, T + "members_event_policy.html", context, status=status)

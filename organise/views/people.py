"""Co-organisers: the team page, invitations (sending, withdrawing, accepting) and removal."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetups.models import Group
from portal.errors import ServiceError
from portal.http import htmx_redirect, login_required
from portal.ratelimit import check_rate

from .. import receivers, selectors, services
from ..forms import InviteForm
from ..models import OrganiserInvitation
from ..rules import is_invitee
from ._common import T, show_on_form


def _organisers_context(group: Group, form: InviteForm | None = None, **extra) -> dict:
    return {
        "group": group,
        "people": selectors.group_organisers(group=group),
        "form": form or InviteForm(),
        **extra,
    }


@require_GET
@login_required
def organisers(request: HttpRequest, group: str) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    return render(request, T + "organisers.html", _organisers_context(organised_group))


@require_POST
@login_required
def organiser_invite(request: HttpRequest, group: str) -> HttpResponse:
    """Every attempt counts against the invitation rate, valid or not."""
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    form = InviteForm(request.POST)
    status = 422
    try:
        check_rate(request, "organise.invite")
        if form.is_valid():
            invitation = services.organiser_invite(
                group=organised_group, user=request.user, email=form.cleaned_data["email"]
            )
            done = f"Invitation sent to {invitation.email}."
            if request.htmx:
                context = _organisers_context(organised_group, flash=done)
                return render(request, T + "organisers.html#people", context)
            messages.success(request, done)
            return redirect("organise:organisers", group=group)
    except ServiceError as error:
        status = show_on_form(form, error)
    context = _organisers_context(organised_group, form)
    partial = "#people" if request.htmx else ""
    return render(request, T + "organisers.html" + partial, context, status=status)


@require_POST
@login_required
def organiser_remove(request: HttpRequest, group: str, user_id: int) -> HttpResponse:
    """Remove a co-organiser, or leave the team oneself (then home: the pages are closed)."""
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    person = get_object_or_404(get_user_model(), pk=user_id)
    services.organiser_remove(group=organised_group, user=request.user, organiser=person)
    messages.success(
        request, f"{person.get_username()} no longer organises {organised_group.name}."
    )
    if person.pk == request.user.pk:
        return htmx_redirect(request, reverse("home"))
    return htmx_redirect(request, reverse("organise:organisers", kwargs={"group": group}))


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, group: str, pk: int) -> HttpResponse:
    organised_group = selectors.organised_group_get(slug=group, user=request.user)
    invitation = get_object_or_404(OrganiserInvitation, pk=pk, group=organised_group)
    services.organiser_invitation_revoke(invitation=invitation, user=request.user)
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return htmx_redirect(request, reverse("organise:organisers", kwargs={"group": group}))


@require_http_methods(["GET", "POST"])
@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone signed in may open the link; only the invited address can accept it."""
    invitation = selectors.invitation_get(token=token)
    error, status = None, 200
    if request.method == "POST":
        try:
            joined = services.organiser_invitation_accept(token=token, user=request.user)
        except ServiceError as refusal:
            error, status = refusal.message, refusal.status
        else:
            receivers.remember_organiser(request, request.user)
            messages.success(request, f"Welcome aboard: you now help organise {joined.name}.")
            return htmx_redirect(request, reverse("organise:group", kwargs={"group": joined.slug}))
    context = {
        "invitation": invitation,
        "error": error,
        "now": timezone.now(),
        "can_accept": is_invitee(request.user, invitation),
    }
    return render(request, T + "invitation.html", context, status=status)

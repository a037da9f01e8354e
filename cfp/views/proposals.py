"""A speaker's proposals: submit, edit, withdraw, the list and the page, and co-speakers (the
submitter invites by email; the invitee accepts through the emailed link)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetups.selectors import group_get
from portal.errors import Kind, ServiceError
from portal.http import htmx_redirect, login_redirect, login_required
from portal.ratelimit import check_rate

from .. import rules, selectors, services
from ..forms import CoSpeakerForm, ProposalForm
from ..models import Proposal
from ._common import cfp_context, show_refusal


def _proposal_form(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    template = "cfp/proposal_form.html"
    if request.htmx and request.method == "POST":
        template += "#proposal-form"
    return render(request, template, context, status=status)


def _draft_key(group) -> str:
    return f"cfp.proposal_draft.{group.pk}"


def _keep_draft_and_detour(request: HttpRequest, form: ProposalForm) -> HttpResponse:
    """The form's "speaker profile" button: the half-written proposal waits in the session
    while the speaker edits their profile, whose page sends them back here to find it."""
    request.session[_draft_key(form.group)] = form.draft_from(request.POST)
    profile = reverse("cfp:speaker_profile") + "?" + urlencode({"next": request.path})
    return htmx_redirect(request, profile)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    context = cfp_context(request, group) | {"action": request.path}
    call = context["call"]
    usual_length = selectors.proposal_length_usual(group=group, call=call)
    context["has_profile"] = selectors.speaker_exists(user=request.user)
    if request.method == "POST":
        form = ProposalForm(request.POST, group=group, call=call, usual_length=usual_length)
        if "detour" in request.POST:
            return _keep_draft_and_detour(request, form)
        check_rate(request, "cfp.post")
        status = 422
        if form.is_valid():
            try:
                proposal = services.proposal_submit(
                    user=request.user, group=group, **form.service_fields()
                )
            except ServiceError as error:
                status = show_refusal(form, error)
            else:
                request.session.pop(_draft_key(group), None)
                messages.success(request, "Thank you! Your proposal is in.")
                return htmx_redirect(request, proposal.get_absolute_url())
        return _proposal_form(request, context | {"form": form}, status=status)
    initial = dict(request.session.get(_draft_key(group)) or {})
    context["draft_restored"] = bool(initial)
    if idea := selectors.idea_find(group=group, pk=request.GET.get("idea")):
        initial.update({"idea": idea.pk, "title": initial.get("title") or idea.title})
    if "length_minutes" in initial:  # the draft's own choice, not the usual one
        usual_length = None
    form = ProposalForm(initial=initial, group=group, call=call, usual_length=usual_length)
    return _proposal_form(request, context | {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    context = cfp_context(request, proposal.group) | {"proposal": proposal, "action": request.path}
    call = context["call"]
    if request.method == "POST":
        form = ProposalForm(request.POST, instance=proposal, group=proposal.group, call=call)
        status = 422
        if form.is_valid():
            try:
                # A fresh copy: a failed ModelForm has already written cleaned data onto it.
                services.proposal_update(
                    user=request.user,
                    proposal=selectors.proposal_get_own(pk=pk, user=request.user),
                    **form.service_fields(),
                )
            except ServiceError as error:
                status = show_refusal(form, error)
            else:
                messages.success(request, "Your proposal is updated.")
                return htmx_redirect(request, proposal.get_absolute_url())
        return _proposal_form(request, context | {"form": form}, status=status)
    form = ProposalForm(instance=proposal, group=proposal.group, call=call)
    return _proposal_form(request, context | {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks "withdraw it?" (a page, or with htmx the question in place of the buttons);
    the POST from there withdraws."""
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    if request.method == "GET":
        context = {
            "proposal": proposal,
            "group": proposal.group,
            "may_withdraw": rules.can_edit_proposal(request.user, proposal),
            "may_resubmit": rules.can_resubmit_proposal(request.user, proposal),
        }
        template = "cfp/proposal_withdraw.html" + ("#withdraw-confirm" if request.htmx else "")
        return render(request, template, context)
    try:
        services.proposal_withdraw(user=request.user, proposal=proposal)
    except ServiceError as error:
        if error.kind != Kind.CONFLICT:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"You withdrew “{proposal.title}”. Changed your mind? "
            "Resubmit it while the call is open.",
        )
    return htmx_redirect(request, proposal.get_absolute_url())


@require_POST
@login_required
def proposal_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    try:
        services.proposal_resubmit(user=request.user, proposal=proposal)
    except ServiceError as error:
        if error.kind != Kind.CONFLICT:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{proposal.title}” is submitted again.")
    return htmx_redirect(request, proposal.get_absolute_url())


@require_GET
@login_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    proposals = list(selectors.proposal_list_mine(user=request.user))
    for proposal in proposals:
        proposal.call = selectors.call_get_loaded(group=proposal.group)
    return render(request, "cfp/my_proposals.html", {"proposals": proposals})


def _detail_context(request: HttpRequest, proposal: Proposal, co_speaker_form) -> dict:
    user = request.user
    return {
        "proposal": proposal,
        "group": proposal.group,
        "is_submitter": rules.is_proposal_submitter(user, proposal),
        "may_edit": rules.can_edit_proposal(user, proposal),
        "may_resubmit": rules.can_resubmit_proposal(user, proposal),
        "call": selectors.call_get_loaded(group=proposal.group),
        "may_invite": rules.can_invite_co_speaker(user, proposal),
        "co_speaker_form": co_speaker_form,
    }


@require_GET
@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_speaker(pk=pk, user=request.user)
    context = _detail_context(request, proposal, CoSpeakerForm())
    return render(request, "cfp/proposal_detail.html", context)


# --- co-speakers --------------------------------------------------------------------------------


@require_POST
@login_required
def co_speaker_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    check_rate(request, "cfp.post")
    form, status = CoSpeakerForm(request.POST), 422
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.co_speaker_invite(user=request.user, proposal=proposal, email=email)
        except ServiceError as error:
            status = show_refusal(form, error, field="email")
        else:
            messages.success(request, f"We emailed an invitation to {email}.")
            return htmx_redirect(request, proposal.get_absolute_url())
    proposal = selectors.proposal_get_for_speaker(pk=pk, user=request.user)
    template = "cfp/proposal_detail.html" + ("#co-speaker-form" if request.htmx else "")
    return render(request, template, _detail_context(request, proposal, form), status=status)


@require_POST
@login_required
def co_speaker_remove(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    invitation = selectors.co_speaker_get(proposal=proposal, pk=invitation_pk)
    services.co_speaker_remove(user=request.user, invitation=invitation)
    messages.success(request, f"{invitation.email} is no longer on this proposal.")
    return htmx_redirect(request, proposal.get_absolute_url())


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invite = selectors.co_speaker_invitation_get(token=token)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return login_redirect(request, back=request.path)
        try:
            services.co_speaker_accept(user=request.user, token=token)
        except ServiceError as error:
            if error.kind != Kind.CONFLICT:
                raise
            messages.error(request, error.message)
            return redirect(request.path)
        messages.success(request, f"You are now a speaker on “{invite.proposal.title}”.")
        return redirect(invite.proposal.get_absolute_url())
    return render(request, "cfp/invitation.html", {"invite": invite})

"""The audience vote: the voting page, its tallies (polled while they are public) and a vote."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from meetups.selectors import group_get
from portal.http import announce, login_required
from portal.ratelimit import check_rate

from .. import rules, selectors, services
from ..models import CallForTalks
from ._common import cfp_context


@require_GET
def voting(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    context = cfp_context(request, group)
    call, user = context["call"], request.user
    proposals = list(selectors.proposal_list_voting(group=group, user=user))
    return render(
        request,
        "cfp/voting.html",
        {
            **context,
            "proposals": proposals,
            "show_tallies": rules.can_view_tallies(user, call),
            "voting_open": call.voting_is_open(),
            # Anonymous visitors see the button (it leads to the login page); a member who
            # may not vote sees why instead.
            "may_vote": not user.is_authenticated or rules.can_vote_on_proposals(user, call),
        },
    )


@require_GET
def voting_tallies(request: HttpRequest, slug: str) -> HttpResponse:
    """Current counts as out-of-band fragments; the voting page polls this while open."""
    group = group_get(slug=slug)
    if not rules.can_view_tallies(request.user, CallForTalks.objects.for_group(group)):
        return HttpResponse(status=204)
    tallies = selectors.proposal_tallies(group=group)
    return render(request, "cfp/voting.html#tallies", {"tallies": tallies.items(), "oob": True})


@require_POST
@login_required
def proposal_vote(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_voting(pk=pk, user=request.user)
    check_rate(request, "cfp.vote")
    services.proposal_vote_toggle(user=request.user, proposal=proposal)
    if request.htmx:
        proposal = selectors.proposal_get_voting(pk=pk, user=request.user)
        call = CallForTalks.objects.for_group(proposal.group)
        context = {
            "proposal": proposal,
            "show_tallies": rules.can_view_tallies(request.user, call),
            # The service just took this vote: voting is open and this member may vote.
            "voting_open": True,
            "may_vote": True,
        }
        response = render(request, "cfp/voting.html#vote-button", context)
        if proposal.voted:
            announce(response, f"Your vote for “{proposal.title}” is in.")
        else:
            announce(response, f"You took back your vote for “{proposal.title}”.")
        return trigger_client_event(response, "votesChanged")
    url = reverse("cfp:voting", kwargs={"slug": proposal.group.slug})
    return redirect(f"{url}#proposal-{proposal.pk}")

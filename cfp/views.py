"""Pages for the call for talks: ideas board, speaker profile, proposals, voting, review, line-up.

Thin views: forms validate shape, `meetups.services` enforces the rules, `meetups.selectors`
reads. htmx requests get the page's partial (422 when a form is invalid); the same URLs work as
plain forms and links without JavaScript.
"""

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event
from django_ratelimit.core import is_ratelimited

from meetups.models import Speaker, Talk
from meetups.rules import is_group_organiser
from meetups.selectors import group_get

from . import selectors, services
from .forms import (
    CallForTalksForm,
    CoSpeakerForm,
    DecisionForm,
    IdeaForm,
    ProposalForm,
    ReviewFilterForm,
    ReviewForm,
    ScheduleForm,
    SpeakerProfileForm,
)
from .models import Proposal, ProposalSpeaker, TalkIdea
from .services import CfpError

# Per user. Voting is a click, so it may be quick; posting text is slower by nature.
# Settings CFP_VOTE_RATE / CFP_POST_RATE override them (django-ratelimit rate strings).


def vote_rate(group: str, request: HttpRequest) -> str:
    return getattr(settings, "CFP_VOTE_RATE", "60/m")


def post_rate(group: str, request: HttpRequest) -> str:
    return getattr(settings, "CFP_POST_RATE", "20/h")


# --- helpers ------------------------------------------------------------------------------------


def member_required(view):
    """login_required that answers htmx with a client redirect to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?next={quote(back)}"
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


def _rate_limited(request: HttpRequest, *, group: str, rate) -> HttpResponse | None:
    if not is_ratelimited(request, group=group, key="user_or_ip", rate=rate, increment=True):
        return None
    message = "You are going a little fast. Please wait a minute and try again."
    return _status_reply(request, message, status=429)


def _status_reply(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """An error for an action: a fragment in the page's status region for htmx, else a page."""
    if request.htmx:
        response = render(request, "cfp/status.html", {"message": message}, status=status)
        return reswap(retarget(response, "#cfp-status"), "innerHTML")
    return render(request, "cfp/error.html", {"message": message}, status=status)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _cfp_context(request: HttpRequest, group) -> dict:
    call = selectors.call_for_talks_get(group=group)
    return {
        "group": group,
        "call": call,
        "is_organiser": is_group_organiser(request.user, group),
    }


# --- talk ideas ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def idea_board(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    context = _cfp_context(request, group)
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.IDEA_SORTS else "votes"
    form = IdeaForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return member_required(idea_board)(request, slug)
        if limited := _rate_limited(request, group="cfp-post", rate=post_rate):
            return limited
        form = IdeaForm(request.POST)
        if form.is_valid():
            try:
                idea = services.idea_create(user=request.user, group=group, **form.cleaned_data)
            except CfpError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Your idea “{idea.title}” is on the board.")
                url = reverse("cfp:idea_board", kwargs={"slug": slug}) + "?sort=newest"
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        if request.htmx:
            return render(
                request,
                "cfp/ideas.html#idea-form",
                {**context, "form": form},
                status=422,
            )
    ideas = list(selectors.idea_list(group=group, user=request.user, sort=sort))
    may_post = request.user.is_authenticated and (
        context["is_organiser"] or context["call"].members_may_post_ideas
    )
    template = "cfp/ideas.html"
    if request.htmx and request.htmx.target == "idea-list":
        template += "#idea-list"
    return render(
        request,
        template,
        {**context, "ideas": ideas, "sort": sort, "form": form, "may_post": may_post},
        status=422 if form.errors else 200,
    )


@require_GET
def idea_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    idea = selectors.idea_get(group=group, pk=pk, user=request.user)
    context = _cfp_context(request, group)
    # The service has the final word (an author cannot delete an idea someone proposed for).
    may_delete = context["is_organiser"] or (
        request.user.is_authenticated and idea.author_id == request.user.pk
    )
    return render(
        request,
        "cfp/idea_detail.html",
        {**context, "idea": idea, "may_delete": may_delete},
    )


@require_POST
@member_required
def idea_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    idea = get_object_or_404(TalkIdea, group=group, pk=pk)
    if limited := _rate_limited(request, group="cfp-vote", rate=vote_rate):
        return limited
    services.idea_vote_toggle(user=request.user, idea=idea)
    if request.htmx:
        idea = selectors.idea_get(group=group, pk=pk, user=request.user)
        return render(request, "cfp/ideas.html#idea-vote", {"idea": idea, "group": group})
    return redirect(_back(request, reverse("cfp:idea_board", kwargs={"slug": slug})))


@require_POST
@member_required
def idea_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    idea = get_object_or_404(TalkIdea, group=group, pk=pk)
    try:
        services.idea_delete(user=request.user, idea=idea)
    except CfpError as error:
        messages.error(request, str(error))
        return redirect(idea.get_absolute_url())
    messages.success(request, f"The idea “{idea.title}” is gone.")
    return redirect(reverse("cfp:idea_board", kwargs={"slug": slug}))


# --- speaker profile ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def speaker_profile(request: HttpRequest) -> HttpResponse:
    speaker = Speaker.objects.filter(user=request.user).prefetch_related("links").first()
    if request.method == "POST":
        form = SpeakerProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.speaker_profile_save(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    bio=form.cleaned_data["bio"],
                    links=form.links(),
                    photo=form.cleaned_data["photo"] or None,
                    remove_photo=form.cleaned_data["remove_photo"],
                )
            except CfpError as error:
                form.add_error("photo" if "photo" in str(error) else None, str(error))
            else:
                messages.success(request, "Your speaker profile is saved.")
                url = _back(request, reverse("cfp:speaker_profile"))
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        template = "cfp/speaker_profile.html"
        context = {"form": form, "speaker": speaker}
        if request.htmx:
            return render(request, template + "#profile-form", context, status=422)
        return render(request, template, context, status=422)
    initial = SpeakerProfileForm.initial_for(speaker)
    if not initial:
        initial = {"name": request.user.get_full_name() or request.user.get_username()}
    return render(
        request,
        "cfp/speaker_profile.html",
        {"form": SpeakerProfileForm(initial=initial), "speaker": speaker},
    )


@require_GET
def speaker_photo(request: HttpRequest, slug: str) -> FileResponse:
    """The photo with the type found when it was uploaded; never sniffed or rendered as HTML."""
    speaker = get_object_or_404(Speaker, slug=slug)
    if not speaker.photo or not speaker.photo_content_type:
        raise Http404("No photo.")
    try:
        handle = speaker.photo.open("rb")
    except FileNotFoundError as error:
        raise Http404("No photo.") from error
    response = FileResponse(handle, content_type=speaker.photo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- proposals ----------------------------------------------------------------------------------


def _proposal_form_response(request, context: dict, *, status: int = 200) -> HttpResponse:
    template = "cfp/proposal_form.html"
    if request.htmx and request.method == "POST":
        template += "#proposal-form"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@member_required
def proposal_create(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    context = _cfp_context(request, group)
    call = context["call"]
    if request.method == "POST":
        if limited := _rate_limited(request, group="cfp-post", rate=post_rate):
            return limited
        form = ProposalForm(request.POST, group=group, call=call)
        if form.is_valid():
            try:
                proposal = services.proposal_submit(
                    user=request.user, group=group, **form.service_fields()
                )
            except CfpError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you! Your proposal is in.")
                url = proposal.get_absolute_url()
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        context |= {"form": form, "action": request.path}
        return _proposal_form_response(request, context, status=422)
    initial = {}
    idea_id = request.GET.get("idea", "")
    if idea_id.isdigit():
        idea = TalkIdea.objects.filter(group=group, pk=int(idea_id)).first()
        if idea:
            initial = {"idea": idea, "title": idea.title}
    form = ProposalForm(initial=initial, group=group, call=call)
    has_profile = Speaker.objects.filter(user=request.user).exists()
    return _proposal_form_response(
        request, context | {"form": form, "action": request.path, "has_profile": has_profile}
    )


@require_http_methods(["GET", "POST"])
@member_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    context = _cfp_context(request, proposal.group) | {
        "proposal": proposal,
        "action": request.path,
    }
    call = context["call"]
    if request.method == "POST":
        form = ProposalForm(request.POST, instance=proposal, group=proposal.group, call=call)
        if form.is_valid():
            fields = form.service_fields()
            try:
                # A fresh copy: a failed ModelForm has already written cleaned data onto it.
                services.proposal_update(
                    user=request.user,
                    proposal=selectors.proposal_get_own(pk=pk, user=request.user),
                    **fields,
                )
            except CfpError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your proposal is updated.")
                url = proposal.get_absolute_url()
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return _proposal_form_response(request, context | {"form": form}, status=422)
    form = ProposalForm(instance=proposal, group=proposal.group, call=call)
    return _proposal_form_response(request, context | {"form": form})


@require_POST
@member_required
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    try:
        services.proposal_withdraw(user=request.user, proposal=proposal)
    except CfpError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You withdrew “{proposal.title}”.")
    url = reverse("cfp:my_proposals")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
@member_required
def my_proposals(request: HttpRequest) -> HttpResponse:
    proposals = list(selectors.proposal_list_mine(user=request.user))
    return render(request, "cfp/my_proposals.html", {"proposals": proposals})


@require_GET
@member_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_speaker(pk=pk, user=request.user)
    call = selectors.call_for_talks_get(group=proposal.group)
    return render(
        request,
        "cfp/proposal_detail.html",
        {
            "proposal": proposal,
            "call": call,
            "group": proposal.group,
            "is_submitter": proposal.submitter_id == request.user.pk,
            "editable": call.is_open() and proposal.status in Proposal.EDITABLE_STATUSES,
            "co_speaker_form": CoSpeakerForm(),
        },
    )


@require_POST
@member_required
def co_speaker_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    if limited := _rate_limited(request, group="cfp-post", rate=post_rate):
        return limited
    form = CoSpeakerForm(request.POST)
    if form.is_valid():
        try:
            services.co_speaker_invite(
                user=request.user, proposal=proposal, email=form.cleaned_data["email"]
            )
        except CfpError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"We emailed an invitation to {form.cleaned_data['email']}.")
            url = proposal.get_absolute_url()
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    proposal = selectors.proposal_get_for_speaker(pk=pk, user=request.user)
    call = selectors.call_for_talks_get(group=proposal.group)
    context = {
        "proposal": proposal,
        "call": call,
        "group": proposal.group,
        "is_submitter": True,
        "editable": call.is_open() and proposal.status in Proposal.EDITABLE_STATUSES,
        "co_speaker_form": form,
    }
    template = "cfp/proposal_detail.html"
    if request.htmx:
        template += "#co-speaker-form"
    return render(request, template, context, status=422)


@require_POST
@member_required
def co_speaker_remove(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_own(pk=pk, user=request.user)
    invitation = get_object_or_404(ProposalSpeaker, proposal=proposal, pk=invitation_pk)
    services.co_speaker_remove(user=request.user, invitation=invitation)
    messages.success(request, f"{invitation.email} is no longer on this proposal.")
    return redirect(proposal.get_absolute_url())


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invite = get_object_or_404(
        ProposalSpeaker.objects.select_related("proposal__group", "proposal__submitter"),
        token=token,
        status=ProposalSpeaker.Status.INVITED,
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services.co_speaker_accept(user=request.user, token=token)
        except CfpError as error:
            messages.error(request, str(error))
            return redirect(request.path)
        messages.success(request, f"You are now a speaker on “{invite.proposal.title}”.")
        return redirect(invite.proposal.get_absolute_url())
    return render(request, "cfp/invitation.html", {"invite": invite})


# --- audience voting ----------------------------------------------------------------------------


@require_GET
def voting(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    context = _cfp_context(request, group)
    proposals = list(selectors.proposal_list_voting(group=group, user=request.user))
    call = context["call"]
    return render(
        request,
        "cfp/voting.html",
        {
            **context,
            "proposals": proposals,
            "show_tallies": call.tallies_visible() or context["is_organiser"],
            "voting_open": call.voting_is_open(),
            # Anonymous visitors see the button (it leads to the login page); a member who
            # may not vote sees why instead.
            "may_vote": not (
                request.user.is_authenticated
                and call.voting_requires_rsvp
                and not selectors.voter_is_eligible(user=request.user, group=group)
            ),
        },
    )


@require_GET
def voting_tallies(request: HttpRequest, slug: str) -> HttpResponse:
    """Current counts as out-of-band fragments; the voting page polls this while open."""
    group = group_get(slug=slug)
    call = selectors.call_for_talks_get(group=group)
    if not (call.tallies_visible() or is_group_organiser(request.user, group)):
        return HttpResponse(status=204)
    tallies = selectors.proposal_tallies(group=group)
    return render(request, "cfp/voting.html#tallies", {"tallies": tallies.items(), "oob": True})


@require_POST
@member_required
def proposal_vote(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get_voting(pk=pk, user=request.user)
    if limited := _rate_limited(request, group="cfp-vote", rate=vote_rate):
        return limited
    try:
        services.proposal_vote_toggle(user=request.user, proposal=proposal)
    except CfpError as error:
        return _status_reply(request, str(error), status=422)
    if request.htmx:
        proposal = selectors.proposal_get_voting(pk=pk, user=request.user)
        call = selectors.call_for_talks_get(group=proposal.group)
        show = call.tallies_visible() or is_group_organiser(request.user, proposal.group)
        response = render(
            request,
            "cfp/voting.html#vote-button",
            {"proposal": proposal, "show_tallies": show, "voting_open": True, "may_vote": True},
        )
        return trigger_client_event(response, "votesChanged")
    url = reverse("cfp:voting", kwargs={"slug": proposal.group.slug})
    return redirect(f"{url}#proposal-{proposal.pk}")


# --- organiser review ---------------------------------------------------------------------------


@require_GET
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    if not is_group_organiser(request.user, group):
        raise Http404("No group found.")
    context = _cfp_context(request, group)
    form = ReviewFilterForm(request.GET or None, group=group, call=context["call"])
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "length": data["length"],
            "idea": data["idea"].pk if data["idea"] else None,
        }
    proposals = list(selectors.proposal_list_review(group=group, user=request.user, **filters))
    template = "cfp/review_list.html"
    if request.htmx and request.htmx.target == "review-results":
        template += "#review-results"
    return render(request, template, {**context, "form": form, "proposals": proposals})


def _review_context(request: HttpRequest, group, pk: int, **forms) -> dict:
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    review = proposal.my_reviews[0] if proposal.my_reviews else None
    events = selectors.event_list_for_scheduling(group=group)
    return {
        **_cfp_context(request, group),
        "proposal": proposal,
        "review_form": forms.get("review_form")
        or ReviewForm(initial={"score": review.score, "note": review.note} if review else {}),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(events=events, initial={"event": proposal.event_id}),
    }


@require_GET
def review_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    return render(request, "cfp/review_detail.html", _review_context(request, group, pk))


@require_POST
def review_score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.review_save(user=request.user, proposal=proposal, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, "Your review is saved.")
            return redirect(reverse("cfp:review_detail", kwargs={"slug": slug, "pk": pk}))
        context = _review_context(request, group, pk, review_form=form)
        context["saved"] = True
        return render(request, "cfp/review_detail.html#review-form", context)
    context = _review_context(request, group, pk, review_form=form)
    template = "cfp/review_detail.html" + ("#review-form" if request.htmx else "")
    return render(request, template, context, status=422)


@require_POST
def review_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    form = DecisionForm(request.POST)
    if form.is_valid():
        action, message = form.cleaned_data["action"], form.cleaned_data["message"]
        try:
            if action == "accept":
                services.proposal_accept(user=request.user, proposal=proposal, message=message)
            elif action == "decline":
                services.proposal_decline(user=request.user, proposal=proposal, message=message)
            elif action == "vote":
                services.proposal_open_voting(user=request.user, proposal=proposal)
            elif action == "reopen":
                services.proposal_reopen(user=request.user, proposal=proposal)
            else:
                services.proposal_unschedule(user=request.user, proposal=proposal)
        except CfpError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{proposal.title}” is now {_status_of(proposal)}.")
            url = reverse("cfp:review_detail", kwargs={"slug": slug, "pk": pk})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _review_context(request, group, pk, decision_form=form)
    template = "cfp/review_detail.html" + ("#decision-form" if request.htmx else "")
    return render(request, template, context, status=422)


def _status_of(proposal: Proposal) -> str:
    return proposal.get_status_display().lower()


@require_POST
def review_schedule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    form = ScheduleForm(request.POST, events=selectors.event_list_for_scheduling(group=group))
    if form.is_valid():
        event = form.cleaned_data["event"]
        try:
            services.proposal_schedule(user=request.user, proposal=proposal, event=event)
        except CfpError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{proposal.title}” is on the agenda of {event.title}.")
            url = reverse("cfp:lineup", kwargs={"slug": slug, "event_slug": event.slug})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = _review_context(request, group, pk, schedule_form=form)
    template = "cfp/review_detail.html" + ("#schedule-form" if request.htmx else "")
    return render(request, template, context, status=422)


@require_http_methods(["GET", "POST"])
def lineup(request: HttpRequest, slug: str, event_slug: str) -> HttpResponse:
    """An event's agenda, reordered with up/down buttons (htmx swaps the list in place)."""
    group = group_get(slug=slug)
    event = selectors.event_get_for_organiser(group=group, slug=event_slug, user=request.user)
    if request.method == "POST":
        talk_id = request.POST.get("talk", "")
        talk = get_object_or_404(Talk, event=event, pk=int(talk_id) if talk_id.isdigit() else 0)
        try:
            services.agenda_move(
                user=request.user, talk=talk, direction=request.POST.get("direction", "")
            )
        except CfpError as error:
            return _status_reply(request, str(error), status=422)
        if not request.htmx:
            return redirect(request.path)
    context = {
        **_cfp_context(request, group),
        "event": event,
        "talks": selectors.agenda_list(event=event),
        "unscheduled": [] if request.htmx else selectors.proposal_list_unscheduled(group=group),
    }
    template = "cfp/lineup.html" + ("#agenda" if request.htmx else "")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def cfp_settings(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    if not is_group_organiser(request.user, group):
        raise Http404("No group found.")
    call = selectors.call_for_talks_get(group=group)
    form = CallForTalksForm(request.POST or None, instance=call)
    if request.method == "POST":
        if form.is_valid():
            services.call_for_talks_update(
                user=request.user,
                group=group,
                **{name: form.cleaned_data[name] for name in CallForTalksForm.Meta.fields},
            )
            messages.success(request, "The call for talks is updated.")
            url = reverse("cfp:settings", kwargs={"slug": slug})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        template = "cfp/settings.html" + ("#settings-form" if request.htmx else "")
        return render(request, template, {**_cfp_context(request, group), "form": form}, status=422)
    return render(request, "cfp/settings.html", {**_cfp_context(request, group), "form": form})

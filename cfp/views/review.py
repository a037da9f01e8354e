"""The organisers' review: the proposals with votes and scores, one proposal with their own
review, decisions and scheduling, and the call's settings. To anyone else these pages are not
found."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetups.models import Group
from portal.errors import ServiceError
from portal.http import htmx_redirect

from .. import rules, selectors, services
from ..forms import CallForTalksForm, DecisionForm, ReviewFilterForm, ReviewForm, ScheduleForm
from ._common import cfp_context, group_for_review, show_refusal


@require_GET
def review_list(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_for_review(request, slug)
    context = cfp_context(request, group)
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


def _review_context(request: HttpRequest, group: Group, pk: int, **forms) -> dict:
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    review = proposal.my_reviews[0] if proposal.my_reviews else None
    events = selectors.event_list_for_scheduling(group=group)
    return {
        **cfp_context(request, group),
        "proposal": proposal,
        "decisions": rules.proposal_decisions(proposal),
        "may_schedule": rules.proposal_may_be_scheduled(proposal),
        "review_form": forms.get("review_form")
        or ReviewForm(initial={"score": review.score, "note": review.note} if review else {}),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(events=events, initial={"event": proposal.event_id}),
    }


@require_GET
def review_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_for_review(request, slug)
    return render(request, "cfp/review_detail.html", _review_context(request, group, pk))


@require_POST
def review_score(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_for_review(request, slug)
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    form, status = ReviewForm(request.POST), 422
    if form.is_valid():
        try:
            services.review_save(user=request.user, proposal=proposal, **form.cleaned_data)
        except ServiceError as error:
            status = show_refusal(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Your review is saved.")
                return redirect(reverse("cfp:review_detail", kwargs={"slug": slug, "pk": pk}))
            context = _review_context(request, group, pk, review_form=form)
            context["saved"] = True
            return render(request, "cfp/review_detail.html#review-form", context)
    context = _review_context(request, group, pk, review_form=form)
    template = "cfp/review_detail.html" + ("#review-form" if request.htmx else "")
    return render(request, template, context, status=status)


@require_POST
def review_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_for_review(request, slug)
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    form, status = DecisionForm(request.POST), 422
    if form.is_valid():
        try:
            services.proposal_decide(user=request.user, proposal=proposal, **form.cleaned_data)
        except ServiceError as error:
            status = show_refusal(form, error)
        else:
            state = proposal.get_status_display().lower()
            messages.success(request, f"“{proposal.title}” is now {state}.")
            url = reverse("cfp:review_detail", kwargs={"slug": slug, "pk": pk})
            return htmx_redirect(request, url)
    context = _review_context(request, group, pk, decision_form=form)
    template = "cfp/review_detail.html" + ("#decision-form" if request.htmx else "")
    return render(request, template, context, status=status)


@require_POST
def review_schedule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_for_review(request, slug)
    proposal = selectors.proposal_get_for_review(group=group, pk=pk, user=request.user)
    form = ScheduleForm(request.POST, events=selectors.event_list_for_scheduling(group=group))
    status = 422
    if form.is_valid():
        event = form.cleaned_data["event"]
        try:
            services.proposal_schedule(user=request.user, proposal=proposal, event=event)
        except ServiceError as error:
            status = show_refusal(form, error)
        else:
            messages.success(request, f"“{proposal.title}” is on the agenda of {event.title}.")
            url = reverse("cfp:lineup", kwargs={"slug": slug, "event_slug": event.slug})
            return htmx_redirect(request, url)
    context = _review_context(request, group, pk, schedule_form=form)
    template = "cfp/review_detail.html" + ("#schedule-form" if request.htmx else "")
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def cfp_settings(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_for_review(request, slug)
    context = cfp_context(request, group)
    form = CallForTalksForm(request.POST or None, instance=context["call"])
    if request.method == "POST":
        if form.is_valid():
            services.call_for_talks_update(
                user=request.user,
                group=group,
                **{name: form.cleaned_data[name] for name in CallForTalksForm.Meta.fields},
            )
            messages.success(request, "The call for talks is updated.")
            return htmx_redirect(request, reverse("cfp:settings", kwargs={"slug": slug}))
        template = "cfp/settings.html" + ("#settings-form" if request.htmx else "")
        return render(request, template, {**context, "form": form}, status=422)
    return render(request, "cfp/settings.html", {**context, "form": form})

"""The ideas board: topics members would like to hear about, upvoted and proposed against."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetups.selectors import group_get
from portal.errors import Kind, ServiceError
from portal.http import announce, htmx_redirect, login_redirect, login_required, safe_next
from portal.ratelimit import check_rate

from .. import rules, selectors, services
from ..forms import IdeaForm
from ._common import cfp_context, show_refusal


@require_http_methods(["GET", "POST"])
def idea_board(request: HttpRequest, slug: str) -> HttpResponse:
    group = group_get(slug=slug)
    context = cfp_context(request, group)
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.IDEA_SORTS else "votes"
    form, status = IdeaForm(), 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return login_redirect(request)
        check_rate(request, "cfp.post")
        form, status = IdeaForm(request.POST), 422
        if form.is_valid():
            try:
                idea = services.idea_create(user=request.user, group=group, **form.cleaned_data)
            except ServiceError as error:
                status = show_refusal(form, error)
            else:
                messages.success(request, f"Your idea “{idea.title}” is on the board.")
                url = reverse("cfp:idea_board", kwargs={"slug": slug}) + "?sort=newest"
                return htmx_redirect(request, url)
        if request.htmx:
            context["form"] = form
            return render(request, "cfp/ideas.html#idea-form", context, status=status)
    ideas = list(selectors.idea_list(group=group, user=request.user, sort=sort))
    may_post = rules.can_post_idea(request.user, context["call"])
    template = "cfp/ideas.html"
    if request.htmx and request.htmx.target == "idea-list":
        template += "#idea-list"
    return render(
        request,
        template,
        {**context, "ideas": ideas, "sort": sort, "form": form, "may_post": may_post},
        status=status,
    )


@require_GET
def idea_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    idea = selectors.idea_get_for_board(group=group, pk=pk, user=request.user)
    context = cfp_context(request, group)
    # The service has the final word (an author cannot delete an idea someone proposed for).
    may_delete = rules.can_delete_idea(request.user, idea)
    return render(
        request, "cfp/idea_detail.html", {**context, "idea": idea, "may_delete": may_delete}
    )


@require_POST
@login_required
def idea_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    idea = selectors.idea_get(group=group, pk=pk)
    check_rate(request, "cfp.vote")
    services.idea_vote_toggle(user=request.user, idea=idea)
    if request.htmx:
        idea = selectors.idea_get_for_board(group=group, pk=pk, user=request.user)
        response = render(request, "cfp/ideas.html#idea-vote", {"idea": idea, "group": group})
        done = "You upvoted" if idea.voted else "You took back your vote for"
        count = f"{idea.vote_count} vote{pluralize(idea.vote_count)}"
        return announce(response, f"{done} “{idea.title}”. {count}.")
    return redirect(safe_next(request, reverse("cfp:idea_board", kwargs={"slug": slug})))


@require_POST
@login_required
def idea_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = group_get(slug=slug)
    idea = selectors.idea_get(group=group, pk=pk)
    try:
        services.idea_delete(user=request.user, idea=idea)
    except ServiceError as error:
        if error.kind != Kind.CONFLICT:
            raise
        messages.error(request, error.message)
        return htmx_redirect(request, idea.get_absolute_url())
    messages.success(request, f"The idea “{idea.title}” is gone.")
    return htmx_redirect(request, reverse("cfp:idea_board", kwargs={"slug": slug}))

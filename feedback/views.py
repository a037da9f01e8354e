"""The talk feedback page: rate a talk (people who were there), read its feedback (its
speakers and the group's organisers). Linked from the talk page and the post-event email."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from meetups.models import Talk
from portal.errors import Kind, ServiceError
from portal.http import announce, login_required
from portal.ratelimit import check_rate

from . import rules, selectors, services
from .forms import FeedbackForm
from .models import TalkFeedback

T = "feedback/talk_feedback.html"
SAVED = "Thank you: your feedback is saved."


def _initial(mine: TalkFeedback | None) -> dict:
    return {"rating": mine.rating, "comment": mine.comment} if mine else {}


def _context(request: HttpRequest, talk: Talk, *, mine, form, saved: str = "") -> dict:
    user = request.user
    can_give = rules.can_give_feedback(user, talk)
    can_view = rules.can_view_feedback(user, talk)
    context = {
        "talk": talk,
        "event": talk.event,
        "mine": mine,
        "form": form,
        "saved": saved,
        "can_give": can_give,
        # Why not, in the service's own words (the same refusal a POST would get).
        "refusal": None if can_give else services.feedback_refusal(user=user, talk=talk),
        "closes_at": rules.closes_at(talk),
        "can_view": can_view,
    }
    if can_view:
        with_raters = rules.can_see_raters(user, talk)
        context |= {
            "with_raters": with_raters,
            "summary": selectors.talk_feedback_summary(talk=talk),
            "entries": selectors.talk_feedback_entries(talk=talk, with_raters=with_raters),
        }
    return context


@require_http_methods(["GET", "POST"])
@login_required
def talk_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    talk = selectors.talk_get(slug=slug)
    mine = selectors.feedback_mine(user=request.user, talk=talk)
    if request.method == "GET":
        form = FeedbackForm(initial=_initial(mine))
        return render(request, T, _context(request, talk, mine=mine, form=form))
    form, status = FeedbackForm(request.POST), 422
    try:
        check_rate(request, "feedback.save")
        if form.is_valid():
            mine, _created = services.feedback_save(
                user=request.user,
                talk=talk,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
            if not request.htmx:
                messages.success(request, SAVED)
                return redirect(reverse("feedback:talk_feedback", kwargs={"slug": talk.slug}))
            form = FeedbackForm(initial=_initial(mine))
            context = _context(request, talk, mine=mine, form=form, saved=SAVED)
            return announce(render(request, T + "#feedback-form", context), SAVED)
    except ServiceError as error:
        if error.kind == Kind.NOT_FOUND:
            raise
        form.add_error(error.field if error.field in form.fields else None, error.message)
        status = error.status
    context = _context(request, talk, mine=mine, form=form)
    return render(request, T + ("#feedback-form" if request.htmx else ""), context, status=status)

"""Live page, presenter view and the Q&A's write endpoints (HTTP; the websocket only pushes)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.core import is_ratelimited

from meetups.models import Event
from meetups.rules import is_group_organiser
from rsvp.selectors import event_attendance_counts

from . import broadcast, selectors, services
from .forms import CurrentTalkForm, LiveSettingsForm, QuestionForm, TalkQASettingsForm
from .models import Question

RATE_LIMITS = {
    "question": ("LIVE_RATE_QUESTIONS", "5/m", "You can ask at most 5 questions a minute."),
    "vote": ("LIVE_RATE_VOTES", "60/m", "You can vote at most 60 times a minute."),
}


def rate_limited(request: HttpRequest, kind: str) -> str | None:
    """The message to answer with (status 429) when this person is over the limit, else None."""
    setting, default, message = RATE_LIMITS[kind]
    rate = getattr(settings, setting, default)
    if is_ratelimited(
        request, group=f"live.{kind}", key="user", rate=rate, method="POST", increment=True
    ):
        return f"Slow down: {message} Try again in a minute."
    return None


def _login_required(request: HttpRequest, back: str) -> HttpResponse:
    login = f"{reverse('account_login')}?{urlencode({'next': back})}"
    if request.htmx:
        return HttpResponseClientRedirect(login)
    return redirect_to_login(back)


def _scope_slug(talk) -> str:
    return talk.slug if talk is not None else "event"


def _live_url(event: Event, scope: str = "", sort: str = "") -> str:
    url = reverse("live:live_page", kwargs={"slug": event.slug})
    query = {k: v for k, v in (("qa", scope), ("sort", sort)) if v}
    return f"{url}?{urlencode(query)}" if query else url


def _scope_from_request(event: Event, live, value: str | None):
    if value is None:
        # No choice made: follow whatever is on stage.
        return live.current_talk if live.current_talk_id else None
    return selectors.talk_for_scope(event=event, talk_slug=value)


def _ws_url(event: Event, talk, sort: str, view: str = "live") -> str:
    query = urlencode({"qa": talk.pk if talk else "event", "sort": sort, "view": view})
    return f"/ws/events/{event.pk}/live/?{query}"


def _page_context(request: HttpRequest, event: Event, *, view: str = "live") -> dict:
    live = selectors.live_state_get(event=event)
    talk = _scope_from_request(event, live, request.GET.get("qa"))
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.SORTS else "top"
    organiser = is_group_organiser(request.user, event)
    questions = selectors.qa_questions(event_id=event.pk, talk_id=talk.pk if talk else None)
    qa = selectors.qa_state(questions=questions, sort=sort)
    read_only = selectors.qa_is_read_only(event=event)
    return {
        "event": event,
        "qa_url": broadcast.qa_url(event),
        "live": live,
        "talk": talk,
        "scope": _scope_slug(talk),
        "sort": sort,
        "qa": qa,
        "top": [q for q in qa.open if q.pk != live.pinned_question_id][:5],
        "pinned_id": live.pinned_question_id,
        "read_only": read_only,
        "voting_open": not read_only,
        "is_organiser": organiser,
        "audience": "presenter"
        if view == "presenter"
        else ("organiser" if organiser else "public"),
        "counts": event_attendance_counts(event_id=event.pk),
        "my_votes": selectors.question_ids_voted(user=request.user, event_id=event.pk),
        "ws_url": _ws_url(event, talk, sort, view),
        "running": selectors.event_is_running(event=event),
        "heartbeat_seconds": int(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 25)),
    }


@require_GET
def live_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_live(slug=slug, user=request.user)
    context = _page_context(request, event)
    context["form"] = QuestionForm(initial={"qa": context["scope"]})
    if context["is_organiser"]:
        context["stage_form"] = CurrentTalkForm(
            event=event, initial={"talk": context["live"].current_talk_id}
        )
        context["settings_form"] = LiveSettingsForm(instance=context["live"])
        if talk := context["talk"]:
            current = selectors.talk_premoderate(talk=talk)
            value = {True: "yes", False: "no"}.get(current, "")
            context["talk_settings_form"] = TalkQASettingsForm(initial={"premoderate": value})
    return render(request, "live/live_page.html", context)


@require_GET
def presenter(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_live(slug=slug, user=request.user)
    return render(request, "live/presenter.html", _page_context(request, event, view="presenter"))


def _event_for_write(request: HttpRequest, slug: str) -> Event:
    return selectors.event_get_live(slug=slug, user=request.user)


def _flash(request: HttpRequest, event: Event, text: str, *, status: int = 200, error=False):
    """htmx: the status line (and my votes); without JS: a message and back to the page."""
    if request.htmx:
        context = {
            "event": event,
            "flash": text,
            "error": error,
            "my_votes": selectors.question_ids_voted(user=request.user, event_id=event.pk),
        }
        return render(request, "live/live_page.html#flash", context, status=status)
    (messages.error if error else messages.success)(request, text)
    return redirect(_live_url(event))


@require_POST
def question_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_write(request, slug)
    if not request.user.is_authenticated:
        return _login_required(request, _live_url(event))
    form = QuestionForm(request.POST)
    talk = None
    status = 200
    if form.is_valid():
        talk = selectors.talk_for_scope(event=event, talk_slug=form.cleaned_data["qa"])
        if message := rate_limited(request, "question"):
            form.add_error(None, message)
            status = 429
        else:
            try:
                question = services.question_create(
                    event=event,
                    talk=talk,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    is_anonymous=form.cleaned_data["is_anonymous"],
                )
            except services.LiveError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                done = (
                    "Thanks! Your question waits for an organiser's approval."
                    if question.status == Question.Status.PENDING
                    else "Thanks! Your question is up."
                )
                if not request.htmx:
                    messages.success(request, done)
                    return redirect(_live_url(event, _scope_slug(talk)))
                fresh = QuestionForm(initial={"qa": _scope_slug(talk)})
                return render(
                    request,
                    "live/live_page.html#question_form",
                    {"event": event, "form": fresh, "done": done, "read_only": False},
                )
    else:
        status = 422
    if not request.htmx:
        for error in form.errors.get("__all__", []) + form.errors.get("text", []):
            messages.error(request, error)
        return redirect(_live_url(event, form.data.get("qa", "")))
    return render(
        request,
        "live/live_page.html#question_form",
        {"event": event, "form": form, "read_only": False},
        status=status,
    )


def _question_of(event: Event, pk: int) -> Question:
    return get_object_or_404(Question.objects.select_related("event"), pk=pk, event=event)


@require_POST
def question_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Upvote, or take the upvote back when pressed again."""
    event = _event_for_write(request, slug)
    if not request.user.is_authenticated:
        return _login_required(request, _live_url(event))
    question = _question_of(event, pk)
    if question.status != Question.Status.VISIBLE:
        raise Http404("No such question.")
    if message := rate_limited(request, "vote"):
        return _flash(request, event, message, status=429, error=True)
    try:
        voted = services.question_vote_toggle(question=question, user=request.user)
    except services.LiveError as error:
        return _flash(request, event, error.message, status=error.status, error=True)
    return _flash(request, event, "Upvoted." if voted else "Vote taken back.")


MODERATION = {
    "approve": (services.question_approve, "Approved: the room can see it."),
    "hide": (services.question_hide, "Hidden from the room."),
    "restore": (services.question_restore, "Restored."),
    "answer": (services.question_mark_answered, "Marked answered."),
    "reopen": (
        lambda *, question, by: services.question_mark_answered(
            question=question, by=by, answered=False
        ),
        "Back in the open questions.",
    ),
    "pin": (
        lambda *, question, by: services.question_pin(
            question=question, event=question.event, by=by
        ),
        "Pinned as now answering.",
    ),
    "unpin": (
        lambda *, question, by: services.question_pin(question=None, event=question.event, by=by),
        "Unpinned.",
    ),
}


@require_POST
def question_moderate(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    event = _event_for_write(request, slug)
    if action not in MODERATION or not is_group_organiser(request.user, event):
        raise Http404("Not found.")
    question = _question_of(event, pk)
    service, done = MODERATION[action]
    try:
        service(question=question, by=request.user)
    except services.LiveError as error:
        return _flash(request, event, error.message, status=error.status, error=True)
    return _flash(request, event, done)


@require_POST
def stage_update(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_write(request, slug)
    if not is_group_organiser(request.user, event):
        raise Http404("Not found.")
    form = CurrentTalkForm(request.POST, event=event)
    if not form.is_valid():
        return _flash(request, event, "Choose a talk of this event.", status=422, error=True)
    talk = form.cleaned_data["talk"]
    services.live_current_talk_set(event=event, talk=talk, by=request.user)
    return _flash(request, event, f"On stage: {talk.title if talk else 'between talks'}.")


@require_POST
def settings_update(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_write(request, slug)
    if not is_group_organiser(request.user, event):
        raise Http404("Not found.")
    form = LiveSettingsForm(request.POST)
    if not form.is_valid():
        return _flash(request, event, "Those settings did not make sense.", status=422, error=True)
    services.live_settings_update(
        event=event,
        by=request.user,
        premoderate=form.cleaned_data["premoderate"],
        accepting_questions=form.cleaned_data["accepting_questions"],
    )
    return _flash(request, event, "Q&A settings saved.")


@require_POST
def talk_settings_update(request: HttpRequest, slug: str, talk_slug: str) -> HttpResponse:
    event = _event_for_write(request, slug)
    if not is_group_organiser(request.user, event):
        raise Http404("Not found.")
    talk = selectors.talk_for_scope(event=event, talk_slug=talk_slug)
    if talk is None:
        raise Http404("No such talk.")
    form = TalkQASettingsForm(request.POST)
    if not form.is_valid():
        return _flash(request, event, "Choose yes, no or as the event.", status=422, error=True)
    services.talk_qa_settings_update(
        talk=talk, by=request.user, premoderate=form.cleaned_data["premoderate"]
    )
    return _flash(request, event, f"Q&A settings of “{talk.title}” saved.")

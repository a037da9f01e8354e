"""Live page, presenter view and the Q&A's write endpoints (HTTP; the websocket only pushes).

Who may do what is `live.rules`, asked here, by the services, the API and the socket alike.
A refusal (`portal.errors`) shows in place for htmx (the question form, the status line) with
its status; a plain browser is sent back to the live page with the message.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from meetups.models import Event
from portal.errors import ServiceError, invalid, not_found
from portal.http import announce, login_redirect
from portal.ratelimit import check_rate
from rsvp.selectors import event_attendance_counts

from . import broadcast, selectors, services
from .forms import CurrentTalkForm, LiveSettingsForm, QuestionForm, TalkQASettingsForm
from .models import Question
from .poll_views import room_poll_context
from .rules import can_ask, can_moderate, can_present, qa_refusal

# `?qa=stage` (or no `qa`): the Q&A of whatever is on stage, following it when it changes.
FOLLOW = "stage"


def _scope_slug(talk) -> str:
    return talk.slug if talk is not None else "event"


def _live_url(event: Event, scope: str = "", sort: str = "") -> str:
    url = reverse("live:live_page", kwargs={"slug": event.slug})
    query = {k: v for k, v in (("qa", scope), ("sort", sort)) if v}
    return f"{url}?{urlencode(query)}" if query else url


def _scope_from_request(event: Event, live, value: str | None):
    if value in (None, FOLLOW):
        # No choice made: follow whatever is on stage.
        return live.current_talk if live.current_talk_id else None
    return selectors.talk_for_scope(event=event, talk_slug=value)


def _ws_url(event: Event, talk, sort: str, view: str = "live", following: bool = False) -> str:
    scope = FOLLOW if following else (talk.pk if talk else "event")
    query = urlencode({"qa": scope, "sort": sort, "view": view})
    return f"/ws/events/{event.pk}/live/?{query}"


def _page_context(request: HttpRequest, event: Event, *, view: str = "live") -> dict:
    live = selectors.live_state_get(event=event)
    following = request.GET.get("qa") in (None, FOLLOW)
    talk = _scope_from_request(event, live, request.GET.get("qa"))
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.SORTS else "top"
    moderator = can_moderate(request.user, event)
    questions = selectors.qa_questions(event_id=event.pk, talk_id=talk.pk if talk else None)
    qa = selectors.qa_state(questions=questions, sort=sort)
    read_only = selectors.qa_is_read_only(event=event)
    return {
        "event": event,
        "qa_url": broadcast.qa_url(event),
        "live": live,
        "talk": talk,
        "scope": FOLLOW if following else _scope_slug(talk),
        "following": following,
        "sort": sort,
        "qa": qa,
        "top": [q for q in qa.open if q.pk != live.pinned_question_id][: broadcast.PRESENTER_TOP],
        "pinned_id": live.pinned_question_id,
        "read_only": read_only,
        "closed": not read_only and not live.accepting_questions,
        "voting_open": not read_only,
        "can_moderate": moderator,
        "can_ask": can_ask(request.user, event),
        "qa_refusal": qa_refusal(request.user, event),  # why not, for the signed-in
        # Organisers always may (the rule's first half); asked only for everyone else.
        "can_present": moderator or can_present(request.user, event),
        "live_on": selectors.live_mode_on(event=event, state=live),
        "audience": "presenter"
        if view == "presenter"
        else ("organiser" if moderator else "public"),
        "counts": event_attendance_counts(event_id=event.pk),
        "my_votes": selectors.question_ids_voted(user=request.user, event_id=event.pk),
        "ws_url": _ws_url(event, talk, sort, view, following),
        "running": selectors.event_is_running(event=event),
        "heartbeat_seconds": settings.LIVE_HEARTBEAT_SECONDS,
        **room_poll_context(request, event, moderator=moderator),
    }


@require_GET
def live_page(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_live(slug=slug, user=request.user)
    context = _page_context(request, event)
    context["form"] = QuestionForm(initial={"qa": context["scope"]})
    if context["can_moderate"]:
        context["stage_form"] = CurrentTalkForm(
            event=event, initial={"talk": context["live"].current_talk_id}
        )
        context["settings_form"] = LiveSettingsForm(instance=context["live"])
        context["mode_url"] = reverse("live:mode_update", kwargs={"slug": event.slug})
        if talk := context["talk"]:
            current = selectors.talk_premoderate(talk=talk)
            value = {True: "yes", False: "no"}.get(current, "")
            context["talk_settings_form"] = TalkQASettingsForm(initial={"premoderate": value})
    return render(request, "live/live_page.html", context)


@require_GET
def presenter(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_live(slug=slug, user=request.user)
    if not can_present(request.user, event):
        # The projector's page is for those who run the room or speak in it.
        raise not_found("No event found.")
    return render(request, "live/presenter.html", _page_context(request, event, view="presenter"))


def _moderated_event(request: HttpRequest, slug: str) -> Event:
    """The event, if `request.user` may run its room; NOT_FOUND for anyone else."""
    event = selectors.event_get_live(slug=slug, user=request.user)
    if not can_moderate(request.user, event):
        raise not_found("Not found.")
    return event


def _flash(
    request: HttpRequest, event: Event, text: str, *, status: int = 200, error=False, undo=None
):
    """htmx: the status line (and my votes), with an Undo button when `undo` is the URL that
    reverses the action; without JS: a message and back to the page (where a hidden question
    has its Restore button)."""
    if request.htmx:
        context = {
            "event": event,
            "flash": text,
            "undo_url": undo,
            "error": error,
            "my_votes": selectors.question_ids_voted(user=request.user, event_id=event.pk),
        }
        return render(request, "live/live_page.html#flash", context, status=status)
    (messages.error if error else messages.success)(request, text)
    return redirect(_live_url(event))


def _refused(request: HttpRequest, event: Event, error: ServiceError) -> HttpResponse:
    return _flash(request, event, error.message, status=error.status, error=True)


def _question_form_answer(
    request: HttpRequest, event: Event, form: QuestionForm, status: int
) -> HttpResponse:
    """The form again with its errors: in place for htmx (focus goes to the error, which
    replaces any earlier "Thanks"), as messages on the page otherwise."""
    if not request.htmx:
        for error in form.errors.get("__all__", []) + form.errors.get("text", []):
            messages.error(request, error)
        scope = form.data.get("qa", "")
        return redirect(_live_url(event, "" if scope == FOLLOW else scope))
    context = {"event": event, "form": form, "read_only": False, "failed": True}
    context["can_ask"] = can_ask(request.user, event)
    return render(request, "live/live_page.html#question_form", context, status=status)


@require_POST
def question_create(request: HttpRequest, slug: str) -> HttpResponse:
    event = selectors.event_get_live(slug=slug, user=request.user)
    if not request.user.is_authenticated:
        return login_redirect(request, back=_live_url(event))
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _question_form_answer(request, event, form, status=422)
    scope = form.cleaned_data["qa"]
    if scope == FOLLOW:
        talk = selectors.live_state_get(event=event).current_talk
    else:
        talk = selectors.talk_for_scope(event=event, talk_slug=scope)
    try:
        check_rate(request, "live.question")
        question = services.question_create(
            event=event,
            talk=talk,
            author=request.user,
            text=form.cleaned_data["text"],
            is_anonymous=form.cleaned_data["is_anonymous"],
        )
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _question_form_answer(request, event, form, status=error.status)
    done = (
        "Thanks! Your question waits for an organiser's approval."
        if question.status == Question.Status.PENDING
        else "Thanks! Your question is up."
    )
    following = scope == FOLLOW
    if not request.htmx:
        messages.success(request, done)
        return redirect(_live_url(event, "" if following else _scope_slug(talk)))
    fresh = QuestionForm(initial={"qa": FOLLOW if following else _scope_slug(talk)})
    context = {"event": event, "form": fresh, "done": done, "read_only": False}
    context["can_ask"] = can_ask(request.user, event)
    # Announced through the page's lasting #announcer, not a live region in the fragment.
    return announce(render(request, "live/live_page.html#question_form", context), done)


@require_POST
def question_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Upvote, or take the upvote back when pressed again. The question and its event are read
    once and handed to the service, which asks the rules."""
    question = selectors.question_for_vote(slug=slug, question_id=pk, user=request.user)
    event = question.event
    if not request.user.is_authenticated:
        return login_redirect(request, back=_live_url(event))
    try:
        check_rate(request, "live.vote")
        voted = services.question_vote_toggle(question=question, user=request.user)
    except ServiceError as error:
        if error.kind == "not_found":
            raise  # not in the room: the 404 page, as for any question one may not see
        return _refused(request, event, error)
    return _flash(request, event, "Upvoted." if voted else "Vote taken back.")


MODERATION = {
    "approve": (services.question_approve, "Approved: the room can see it."),
    "hide": (services.question_hide, "Hidden from the room."),
    "restore": (services.question_restore, "Restored."),
    "answer": (services.question_mark_answered, "Marked answered."),
    "reopen": (
        lambda *, question, user: services.question_mark_answered(
            question=question, user=user, answered=False
        ),
        "Back in the open questions.",
    ),
    "pin": (
        lambda *, question, user: services.question_pin(
            question=question, event=question.event, user=user
        ),
        "Pinned as now answering.",
    ),
    "unpin": (
        lambda *, question, user: services.question_pin(
            question=None, event=question.event, user=user
        ),
        "Unpinned.",
    ),
}


@require_POST
def question_moderate(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    event = _moderated_event(request, slug)
    if action not in MODERATION:
        raise not_found("Not found.")
    question = selectors.question_get(question_id=pk, event=event)
    service, done = MODERATION[action]
    try:
        service(question=question, user=request.user)
    except ServiceError as error:
        return _refused(request, event, error)
    undo = None
    if action == "hide":  # destructive for the asker: offered back at once, in place
        undo = reverse("live:question_moderate", args=[event.slug, question.pk, "restore"])
    return _flash(request, event, done, undo=undo)


@require_POST
def stage_update(request: HttpRequest, slug: str) -> HttpResponse:
    event = _moderated_event(request, slug)
    form = CurrentTalkForm(request.POST, event=event)
    if not form.is_valid():
        return _refused(request, event, invalid("Choose a talk of this event.", field="talk"))
    talk = form.cleaned_data["talk"]
    services.live_current_talk_set(event=event, talk=talk, user=request.user)
    return _flash(request, event, f"On stage: {talk.title if talk else 'between talks'}.")


@require_POST
def settings_update(request: HttpRequest, slug: str) -> HttpResponse:
    """Pre-moderation (live mode itself has its own switch: `mode_update`)."""
    event = _moderated_event(request, slug)
    form = LiveSettingsForm(request.POST)
    if not form.is_valid():
        return _refused(request, event, invalid("Those settings did not make sense."))
    state = selectors.live_state_get(event=event)
    services.live_settings_update(
        event=event,
        user=request.user,
        premoderate=form.cleaned_data["premoderate"],
        accepting_questions=state.accepting_questions,
    )
    return _flash(request, event, "Q&A settings saved.")


MODE_DONE = {
    "on": "Live mode on: the room can ask questions.",
    "off": "Live mode off: the live Q&A has ended.",
}


@require_POST
def mode_update(request: HttpRequest, slug: str) -> HttpResponse:
    """Start or stop live mode (`state=on|off`): the same switch and words as the dashboard."""
    event = _moderated_event(request, slug)
    state = request.POST.get("state")
    if state not in MODE_DONE:
        return _refused(request, event, invalid("Choose on or off."))
    services.live_mode_set(event=event, user=request.user, on=state == "on")
    if not request.htmx:
        messages.success(request, MODE_DONE[state])
        return redirect(_live_url(event))
    context = {"event": event, "live_on": state == "on", "mode_url": request.path}
    response = render(request, "live/live_page.html#mode_control", context)
    return announce(response, MODE_DONE[state])


@require_POST
def talk_settings_update(request: HttpRequest, slug: str, talk_slug: str) -> HttpResponse:
    event = _moderated_event(request, slug)
    talk = selectors.talk_for_scope(event=event, talk_slug=talk_slug)
    if talk is None:
        raise not_found("No such talk.")
    form = TalkQASettingsForm(request.POST)
    if not form.is_valid():
        error = invalid("Choose yes, no or as the event.", field="premoderate")
        return _refused(request, event, error)
    services.talk_qa_settings_update(
        talk=talk, user=request.user, premoderate=form.cleaned_data["premoderate"]
    )
    return _flash(request, event, f"Q&A settings of “{talk.title}” saved.")

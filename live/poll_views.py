"""Poll pages and writes: the prepare page (organisers and speakers), open/close/reveal, an
answer from the room (plain form POST; htmx swaps the poll's form in place), and the CSV.

Who may do what is `live.rules`, asked here, by the services, the API and the socket alike.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetups.models import Event
from portal.csv_export import csv_response
from portal.errors import ServiceError, not_found
from portal.http import announce, login_redirect
from portal.numbers import parse_id
from portal.ratelimit import check_rate

from . import poll_broadcast, poll_selectors, polls, selectors
from .forms import PollForm
from .models import Poll
from .rules import can_moderate, can_prepare_polls


def _manage_url(event: Event) -> str:
    return reverse("live:poll_manage", kwargs={"slug": event.slug})


def _prepared_event(request: HttpRequest, slug: str) -> Event:
    """The event, if `request.user` may prepare polls for it; NOT_FOUND for anyone else."""
    event = selectors.event_get_live(slug=slug, user=request.user)
    if not can_prepare_polls(request.user, event):
        raise not_found("No event found.")
    return event


def _poll_form(request: HttpRequest, event: Event, data=None) -> PollForm:
    organiser = can_moderate(request.user, event)
    if organiser:
        talks = list(event.talks.all())
    else:
        mine = poll_selectors.speaker_talk_ids(event=event, user=request.user)
        talks = [t for t in event.talks.all() if t.pk in mine]
    return PollForm(data, talks=talks, event_wide=organiser)


@require_http_methods(["GET", "POST"])
def poll_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Prepare polls and run them: organisers every poll, speakers their own talks'."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    event = _prepared_event(request, slug)
    form = _poll_form(request, event, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            talk = None
            if data["talk"] != "event":
                talk = next(t for t in event.talks.all() if str(t.pk) == data["talk"])
            try:
                check_rate(request, "live.poll_write")
                poll = polls.poll_create(
                    event=event,
                    talk=talk,
                    user=request.user,
                    question=data["question"],
                    options=data["options"],
                    kind=data["kind"],
                    results=data["results"],
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = error.status
            else:
                messages.success(request, f"Poll prepared: “{poll.question}”. Open it when ready.")
                return redirect(_manage_url(event))
        else:
            status = 422
    context = {
        "event": event,
        "form": form,
        "polls": poll_selectors.polls_to_prepare(event=event, user=request.user),
        "polls_url": poll_broadcast.polls_url(event),
        "can_export": can_moderate(request.user, event),
        "audience": "organiser",
    }
    return render(request, "live/polls_manage.html", context, status=status)


POLL_ACTIONS = {
    "open": (polls.poll_open, "Poll open: the room can answer."),
    "close": (polls.poll_close, "Poll closed: its results are kept with the talk."),
    "reveal": (polls.poll_reveal, "Results revealed to the room."),
}


@require_POST
def poll_action(request: HttpRequest, slug: str, pk: int, action: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return login_redirect(request)
    event = _prepared_event(request, slug)
    if action not in POLL_ACTIONS:
        raise not_found("Not found.")
    poll = poll_selectors.poll_get(poll_id=pk, event=event)
    service, done = POLL_ACTIONS[action]
    try:
        check_rate(request, "live.poll_write")
        service(poll=poll, user=request.user)
    except ServiceError as error:
        if error.kind == "not_found":
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect(_manage_url(event))


def _poll_form_answer(
    request: HttpRequest, poll: Poll, *, status: int = 200, done="", error=""
) -> HttpResponse:
    """The poll's form alone, for htmx to swap in place (not the panel, not the results: the
    results reach this page, like every other, through the coalesced broadcast)."""
    if not hasattr(poll, "my_choices"):  # a refusal: what this person's ballot holds now
        poll_selectors.mark_my_choices(
            [poll], poll_selectors.my_poll_choices(user=request.user, event_id=poll.event_id)
        )
    context = {
        "event": poll.event,
        "poll": poll,
        "polls_url": poll_broadcast.polls_url(poll.event),
        "read_only": selectors.qa_is_read_only(event=poll.event),
        "poll_done": done,
        "poll_error": error,
    }
    response = render(request, "live/polls.html#poll_form", context, status=status)
    return announce(response, done) if done else response


@require_POST
def poll_vote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Answer a poll (or change the answer): `option` once, or several times for a poll that
    takes several answers. The poll, its event and options are read once (two queries) and
    handed to the service; the answer is the form with the choice just made."""
    poll = poll_selectors.poll_for_ballot(slug=slug, poll_id=pk, user=request.user)
    live_page = reverse("live:live_page", args=[slug])
    if not request.user.is_authenticated:
        return login_redirect(request, back=live_page)
    raw = request.POST.getlist("option")[:16]
    option_ids = [parse_id(value) for value in raw]
    try:
        if None in option_ids:
            raise ServiceError("Choose among this poll's answers.", field="options")
        check_rate(request, "live.poll_vote")
        ballot = polls.poll_vote(poll=poll, user=request.user, option_ids=option_ids)
    except ServiceError as error:
        if error.kind == "not_found":
            raise
        if not request.htmx:
            messages.error(request, error.message)
            return redirect(live_page)
        return _poll_form_answer(request, poll, status=error.status, error=error.message)
    done = "Thanks: your answer is in."
    if not request.htmx:
        messages.success(request, done)
        return redirect(live_page)
    poll.my_choices = frozenset(ballot.chosen_option_ids)
    return _poll_form_answer(request, poll, done=done)


CSV_HEADER = [
    "poll", "for", "answers", "results", "status", "opened", "closed", "people answered",
    "option", "votes",
]  # fmt: skip


@require_GET
def polls_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Every opened poll of the event with its results, one row per option (organisers)."""
    event = selectors.event_get_live(slug=slug, user=request.user)
    if not can_moderate(request.user, event):
        raise not_found("No event found.")

    def rows():
        for poll in poll_selectors.event_polls_for_export(event=event):
            scope = poll.talk.title if poll.talk_id else "whole event"
            for option in poll.options.all():
                yield (
                    poll.question, scope, poll.get_kind_display(), poll.get_results_display(),
                    poll.get_status_display(), poll.opened_at, poll.closed_at,
                    poll.ballot_count, option.text, option.votes,
                )  # fmt: skip

    return csv_response(
        filename=f"{event.slug}-polls.csv", header=CSV_HEADER, rows=rows(), tz=event.tzinfo
    )


def room_poll_context(request: HttpRequest, event: Event, *, moderator: bool) -> dict:
    """What the live page and the presenter view need for the polls panel (one query while
    the event has no polls; a person's own answers only while a poll is open)."""
    room = poll_selectors.room_polls(event_id=event.pk)
    choices = {}
    if any(p.status == Poll.Status.OPEN for p in room):
        choices = poll_selectors.my_poll_choices(user=request.user, event_id=event.pk)
    poll_selectors.mark_my_choices(room, choices)
    return {
        "polls": room,
        "presenter_polls": poll_broadcast.presenter_polls(room),
        "polls_url": poll_broadcast.polls_url(event),
        "can_prepare_polls": moderator or can_prepare_polls(request.user, event),
    }

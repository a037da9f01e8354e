"""Poll frames on the live websocket (WebsocketCommunicator, the real ASGI stack): who gets
which frame, and hidden results never reach the room before the reveal."""

import pytest

from live import polls
from live.models import Poll
from tests.factories import make_user
from tests.live.conftest import run, signed_in
from tests.live.helpers import committed, communicator, live_process, next_frame, quiet, ws_path

pytestmark = pytest.mark.postgres_too


async def _connect(path, **kwargs):
    comm = communicator(path, **kwargs)
    connected, code = await comm.connect(timeout=5)
    assert connected, code
    return comm


def _hidden_poll(event, organiser, voters):
    """An open poll whose results wait for the reveal, with votes: two for "Red", one for "Blue"."""
    poll = polls.poll_create(
        event=event,
        talk=None,
        user=organiser,
        question="Favourite colour?",
        options=["Red", "Blue"],
        results=Poll.Results.REVEAL,
    )
    polls.poll_open(poll=poll, user=organiser)
    red, blue = poll.options.all()
    for voter, option in zip(voters, (red, red, blue), strict=True):
        polls.poll_vote(poll=poll, user=voter, option_ids=[option.pk])
    return poll


def test_connect_state_hides_unrevealed_results_from_the_room(running_event, organiser, member):
    voters = [member, make_user(username="v2"), make_user(username="v3")]
    poll = _hidden_poll(running_event, organiser, voters)
    as_member, as_organiser = signed_in(member), signed_in(organiser)

    async def body():
        async with live_process():
            public = await _connect(ws_path(running_event), client=as_member)
            organising = await _connect(ws_path(running_event), client=as_organiser)
            presenter = await _connect(
                ws_path(running_event, view="presenter"), client=as_organiser
            )
            frames = [await next_frame(c) for c in (public, organising, presenter)]
            for comm in (public, organising, presenter):
                await comm.disconnect()
        return frames

    public, organising, presenter = run(body)
    votes = f'data-votes-for="{poll.options.get(text="Red").pk}">2 · 67%'
    # The organiser: in the panel and in the results pushed after it.
    assert (public.count(votes), organising.count(votes), presenter.count(votes)) == (0, 2, 0)
    # Each in the panel and in the results pushed after it.
    waiting = "Results are shown when the organisers reveal them."
    assert (public.count(waiting), presenter.count(waiting), organising.count(waiting)) == (2, 2, 0)
    assert organising.count("Hidden from the room until you reveal them.") == 2
    # The room sees how many answered, and the question and options to answer.
    assert public.count("3 people answered") == 2
    assert public.count('id="live-polls"') == 1
    assert public.count('id="presenter-polls"') == 0
    assert presenter.count('id="presenter-polls"') == 1
    assert public.count('type="radio" name="option"') == 2


def test_votes_push_results_only_and_reveal_pushes_the_panel(running_event, organiser, member):
    voters = [member, make_user(username="v2"), make_user(username="v3")]
    poll = _hidden_poll(running_event, organiser, voters)
    late = make_user(username="late")
    blue = poll.options.get(text="Blue").pk
    as_organiser = signed_in(organiser)

    async def body():
        async with live_process():
            public = await _connect(ws_path(running_event))
            organising = await _connect(ws_path(running_event), client=as_organiser)
            dashboard = await _connect(
                ws_path(running_event, view="dashboard"), client=as_organiser
            )
            for comm in (public, organising, dashboard):
                await next_frame(comm)
            await committed(polls.poll_vote, poll=poll, user=late, option_ids=[blue])
            after_vote = [await next_frame(c) for c in (public, organising, dashboard)]
            await committed(polls.poll_reveal, poll=poll, user=organiser)
            panel = await next_frame(public)
            results = await next_frame(public)
            for comm in (public, organising, dashboard):
                await comm.disconnect()
        return after_vote, panel, results

    (public, organising, dashboard), panel, results = run(body)
    blue_votes = f'data-votes-for="{blue}">2 · 50%'
    # A ballot: the results only (no panel, so a half-chosen answer stays), coalesced per event.
    assert public.count('id="live-polls"') == 0
    assert public.count(f'id="poll-{poll.pk}-results" hx-swap-oob="innerHTML"') == 1
    assert (public.count(blue_votes), organising.count(blue_votes)) == (0, 1)
    assert dashboard.count(blue_votes) == 1
    assert public.count("4 people answered") == 1
    # The reveal: the panel, then the results, now public.
    assert panel.count('id="live-polls" hx-swap-oob="innerHTML"') == 1
    assert (panel.count(blue_votes), results.count(blue_votes)) == (1, 1)


def test_a_draft_is_never_pushed(running_event, organiser):
    async def body():
        async with live_process():
            public = await _connect(ws_path(running_event))
            await next_frame(public)
            await committed(
                polls.poll_create,
                event=running_event,
                talk=None,
                user=organiser,
                question="Secret draft?",
                options=["a", "b"],
            )
            nothing = await quiet(public)
            await public.disconnect()
        return nothing

    assert run(body) is True


def test_close_pushes_the_archive_state(running_event, talk, organiser, member):
    poll = polls.poll_create(
        event=running_event, talk=talk, user=organiser, question="Done?", options=["Yes", "No"]
    )
    polls.poll_open(poll=poll, user=organiser)
    polls.poll_vote(poll=poll, user=member, option_ids=[poll.options.get(text="Yes").pk])

    async def body():
        async with live_process():
            public = await _connect(ws_path(running_event))
            await next_frame(public)
            await committed(polls.poll_close, poll=poll, user=organiser)
            panel = await next_frame(public)
            await public.disconnect()
        return panel

    panel = run(body)
    assert panel.count("Closed</span>") == 1
    assert panel.count('name="option"') == 0  # no form once closed
    assert panel.count("1 person answered") == 1

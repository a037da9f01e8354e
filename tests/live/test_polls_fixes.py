"""The live polls' and join code's known gaps (issue #13, points 1 and 2), each closed here:

1. a pushed polls panel (open, close, reveal) no longer takes a voter's ballot off their screen;
2. the join code (presenter view) and the "Live now" link with the code (event page) come and
   go with live mode on open pages, through the stage broadcast;
3. closed event-wide polls are archived on the event page (open ones are on the live page).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from live import polls, services
from live.join import join_code
from live.models import LiveState, Poll
from live.poll_broadcast import render_poll_frames
from tests.factories import make_event, make_speaker, make_talk, make_user
from tests.live.conftest import run, signed_in
from tests.live.helpers import committed, communicator, live_process, next_frame, quiet, ws_path

HTMX = {"HTTP_HX_REQUEST": "true"}
QR_MARK = 'aria-label="QR code: opens the live page of'


def _poll(event, organiser, *, talk=None, question="Coffee?", open_it=True, **fields) -> Poll:
    poll = polls.poll_create(
        event=event, talk=talk, user=organiser, question=question, options=["Yes", "No"],
        **fields,
    )  # fmt: skip
    if open_it:
        polls.poll_open(poll=poll, user=organiser)
    return poll


def _form_tag(html: str, poll: Poll) -> str:
    """The opening tag of the poll's form container in `html`."""
    start = html.index(f'<div id="poll-{poll.pk}-form"')
    return html[start : html.index(">", start) + 1]


# -- 1. a voter's ballot stays as they chose ----------------------------------------------------


def test_a_pushed_panel_keeps_the_form_already_on_the_page(running_event, talk, organiser):
    """Broke before: the panel pushed on open, close and reveal carried the room's copy of each
    open poll's form, unchecked, and it replaced the form a voter had answered in (the reveal
    took everyone's answer off their screen). Now an open poll's form in a push is
    `hx-preserve`: htmx keeps the one on the page. A closed poll's is not: its form must go."""
    event_wide = _poll(running_event, organiser, results=Poll.Results.REVEAL)
    closed = _poll(running_event, organiser, talk=talk, question="Tea?")
    polls.poll_close(poll=closed, user=organiser)
    polls.poll_reveal(poll=event_wide, user=organiser)

    frames = render_poll_frames(event=running_event, stamp="1")

    for audience in ("public", "organiser"):
        assert _form_tag(frames[audience], event_wide) == (
            f'<div id="poll-{event_wide.pk}-form" hx-preserve>'
        )
        assert _form_tag(frames[audience], closed) == f'<div id="poll-{closed.pk}-form">'
    # The projector has no forms to keep.
    assert "hx-preserve" not in frames["presenter"]


def test_the_answer_to_a_vote_replaces_the_form(running_event, organiser, member):
    """The vote's own answer is never `hx-preserve` (htmx would keep the old form instead of
    the one saying the answer is in), and it shows the person's choice checked."""
    poll = _poll(running_event, organiser)
    yes = poll.options.get(text="Yes")
    url = f"/events/{running_event.slug}/live/polls/{poll.pk}/vote/"

    answer = signed_in(member).post(url, {"option": yes.pk}, **HTMX).content.decode()

    assert _form_tag(answer, poll) == f'<div id="poll-{poll.pk}-form">'
    assert answer.count(f'value="{yes.pk}" id="poll-{poll.pk}-option-{yes.pk}" checked') == 1
    assert answer.count(" checked") == 1


def test_without_javascript_the_answer_stays_checked_after_the_reveal(
    running_event, organiser, member
):
    """A plain form POST, the reveal, the live page again: the person's answer is checked and
    the button offers to change it; another person's page has nothing checked."""
    poll = _poll(running_event, organiser, results=Poll.Results.REVEAL)
    no = poll.options.get(text="No")
    client = signed_in(member)
    live = f"/events/{running_event.slug}/live/"

    voted = client.post(f"{live}polls/{poll.pk}/vote/", {"option": no.pk})
    assert (voted.status_code, voted["Location"]) == (302, live)
    polls.poll_reveal(poll=poll, user=organiser)
    page = client.get(live).content.decode()
    other = signed_in(make_user(username="someone-else")).get(live).content.decode()

    assert page.count(f'id="poll-{poll.pk}-option-{no.pk}" checked') == 1
    assert page.count(" checked") == 1
    assert page.count("Change my answer") == 1
    assert f'data-votes-for="{no.pk}">1 · 100%' in page
    assert (other.count(" checked"), other.count("Change my answer")) == (0, 0)


def test_the_reveal_pushes_the_panel_with_the_form_kept(running_event, organiser, member):
    """Through the socket: the reveal's panel frame keeps the open poll's form (hx-preserve),
    and the results frame after it carries no form at all."""
    poll = _poll(running_event, organiser, results=Poll.Results.REVEAL)
    polls.poll_vote(poll=poll, user=member, option_ids=[poll.options.first().pk])
    as_member = signed_in(member)

    async def body():
        async with live_process():
            room = communicator(ws_path(running_event), client=as_member)
            assert (await room.connect(timeout=5))[0]
            await next_frame(room)
            await committed(polls.poll_reveal, poll=poll, user=organiser)
            frames = (await next_frame(room), await next_frame(room))
            await room.disconnect()
        return frames

    panel, results = run(body)
    assert panel.count(f'<div id="poll-{poll.pk}-form" hx-preserve>') == 1
    assert panel.count(" checked") == 0  # the room's copy: the page keeps its own
    assert results.count('name="option"') == 0
    assert results.count(f'data-votes-for="{poll.options.first().pk}">1 · 100%') == 1


# -- 2. the join code comes and goes with live mode --------------------------------------------


@pytest.fixture
def soon_event(group):
    """An event three hours ahead (live mode not started), with a speaker's talk."""
    event = make_event(group=group, starts_in=timedelta(hours=3), title="Soon")
    make_talk(event=event, title="Later talk", slug="later-talk")
    return event


def test_live_mode_pushes_the_join_code_to_the_presenter_and_event_pages(
    soon_event, organiser, settings
):
    """Broke before: the presenter view and the event page showed the join code only when
    loaded while live; switching live mode on or off changed nothing on open pages. Now the
    stage broadcast carries the presenter's join slot and the event page's "Live now" slot,
    built on SITE_URL (a broadcast has no request)."""
    settings.SITE_URL = "https://meetup.example"
    code = join_code(soon_event.pk)
    as_organiser = signed_in(organiser)

    async def body():
        async with live_process():
            presenter = communicator(ws_path(soon_event, view="presenter"), client=as_organiser)
            page = communicator(ws_path(soon_event, view="event"))
            for comm in (presenter, page):
                assert (await comm.connect(timeout=5))[0]
            first = [await next_frame(c) for c in (presenter, page)]
            await committed(services.live_mode_set, event=soon_event, user=organiser, on=True)
            on = [await next_frame(c) for c in (presenter, page)]
            await committed(services.live_mode_set, event=soon_event, user=organiser, on=False)
            off = [await next_frame(c) for c in (presenter, page)]
            for comm in (presenter, page):
                await comm.disconnect()
        return first, on, off

    (presenter_before, page_before), (presenter_on, page_on), (presenter_off, page_off) = run(body)
    live_path = f"/events/{soon_event.slug}/live/"
    assert (QR_MARK in presenter_before, QR_MARK in page_before) == (False, False)
    ask_at = f'Ask at <span class="font-semibold text-amber-300">meetup.example{live_path}</span>'
    assert presenter_before.count(ask_at) == 1
    assert page_before.strip() == '<div id="event-live" hx-swap-oob="innerHTML"></div>'

    assert presenter_on.count('<div id="presenter-join" hx-swap-oob="innerHTML">') == 1
    assert presenter_on.count(QR_MARK) == 1
    assert f"meetup.example/j/{code}</span>" in presenter_on
    assert presenter_on.count(f"data-join-code>{code}</strong>") == 1
    assert page_on.count('<div id="event-live" hx-swap-oob="innerHTML">') == 1
    assert page_on.count(f'href="{live_path}"') == 1
    assert page_on.count(QR_MARK) == 1
    assert f'href="/j/{code}">meetup.example/j/{code}</a>' in page_on

    assert (QR_MARK in presenter_off, code in presenter_off) == (False, False)
    assert presenter_off.count("Ask at") == 1
    assert page_off.strip() == '<div id="event-live" hx-swap-oob="innerHTML"></div>'


def test_an_event_page_socket_gets_the_live_slot_only_and_is_not_online(
    running_event, organiser, member
):
    """An event page's socket: no counts, questions or polls (its page has none of their ids)
    and it does not count as a screen "online now"; the live page's sockets still do."""
    _poll(running_event, organiser)
    as_member = signed_in(member)

    async def body():
        async with live_process() as hub:
            page = communicator(ws_path(running_event, view="event"))
            assert (await page.connect(timeout=5))[0]
            first = await next_frame(page)
            await hub.presence_tick()
            online_alone = hub.online_shown.get(running_event.pk)
            room = communicator(ws_path(running_event), client=as_member)
            assert (await room.connect(timeout=5))[0]
            await next_frame(room)
            await hub.presence_tick()
            online = hub.online_shown.get(running_event.pk)
            await committed(
                services.question_create, event=running_event, talk=None, author=member,
                text="Does the event page hear this?",
            )  # fmt: skip
            silent = await quiet(page)
            for comm in (page, room):
                await comm.disconnect()
        return first, online_alone, online, silent

    first, online_alone, online, silent = run(body)
    assert first.count(' id="') == first.count('id="event-live"') + first.count(' id="join')
    assert first.count('<div id="event-live" hx-swap-oob="innerHTML">') == 1
    assert "live-counts" not in first and "live-polls" not in first and "live-online" not in first
    assert (online_alone, online) == (None, 1)
    assert silent is True


def test_the_event_page_listens_for_live_mode_only_near_and_during_the_event(
    client, group, soon_event, event, past_event
):
    """A socket from a day before the event until its end; none for one a week away or over
    (they show the code on load, as before)."""
    running = make_event(group=group, starts_in=-timedelta(minutes=30))

    def listens(e) -> bool:
        return (
            f'ws-connect="/ws/events/{e.pk}/live/?view=event"'
            in client.get(e.get_absolute_url()).content.decode()
        )

    assert [listens(e) for e in (soon_event, running, event, past_event)] == [
        True, True, False, False,
    ]  # fmt: skip
    LiveState.objects.create(event=event)  # live mode started a week ahead: it can stop
    assert listens(event) is True


def test_a_speaker_of_the_event_sees_the_presenter_join_slot(client, soon_event):
    speaker = make_user(username="speaker")
    soon_event.talks.get().speakers.add(make_speaker(user=speaker))
    client.force_login(speaker)
    url = reverse("live:presenter", kwargs={"slug": soon_event.slug})

    before = client.get(url).content.decode()
    LiveState.objects.create(event=soon_event)
    after = client.get(url).content.decode()

    assert (before.count('id="presenter-join"'), before.count(QR_MARK)) == (1, 0)
    assert (after.count('id="presenter-join"'), after.count(QR_MARK)) == (1, 1)
    assert f"testserver/j/{join_code(soon_event.pk)}</span>" in after


# -- 3. event-wide polls on the event page -----------------------------------------------------


def test_closed_event_wide_polls_are_archived_on_the_event_page(
    running_event, talk, organiser, member
):
    """Broke before: `{% event_polls %}` existed but no page used it, so a closed event-wide
    poll's results were on no page once the live page moved on. Now the event page lists them
    with their results; an open one stays on the live page only, a talk's poll on the talk
    page only, and a prepared one nowhere."""
    url = running_event.get_absolute_url()
    archived = _poll(running_event, organiser, question="Pizza or sushi?")
    polls.poll_vote(poll=archived, user=member, option_ids=[archived.options.first().pk])
    polls.poll_close(poll=archived, user=organiser)
    still_open = _poll(running_event, organiser, question="Still open?")
    talk_poll = _poll(running_event, organiser, talk=talk, question="About the talk?")
    polls.poll_close(poll=talk_poll, user=organiser)
    prepared = _poll(running_event, organiser, question="Later?", open_it=False)

    page = Client().get(url).content.decode()
    live_page = Client().get(f"/events/{running_event.slug}/live/").content.decode()

    assert page.count('id="polls-archive-heading"') == 1
    assert page.count(f'data-poll="{archived.pk}"') == 1
    yes = archived.options.get(text="Yes").pk
    assert page.count(f'data-votes-for="{yes}">1 · 100%') == 1
    assert [page.count(f'data-poll="{p.pk}"') for p in (still_open, talk_poll, prepared)] == [
        0, 0, 0,
    ]  # fmt: skip
    assert live_page.count(f'data-poll="{still_open.pk}"') == 1


def test_the_event_page_takes_the_same_queries_for_1_and_3_archived_polls(
    past_event, organiser, django_assert_num_queries
):
    """The event page with its archived event-wide polls: one query for the polls and one
    for their options, however many (their counts were frozen when they closed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    url = past_event.get_absolute_url()
    client.get(url)  # session, site and the like warmed up
    with CaptureQueriesContext(connection) as empty:
        assert client.get(url).status_code == 200

    def archive(n: int) -> None:
        # An event that is over cannot open polls now: store them as closed ones are kept.
        for i in range(n):
            poll = polls.poll_create(
                event=past_event, talk=None, user=organiser, question=f"Q{i}", options=["a", "b"]
            )
            Poll.objects.filter(pk=poll.pk).update(status=Poll.Status.CLOSED, final_ballots=0)

    archive(1)
    with django_assert_num_queries(len(empty) + 1):  # + their options
        one = client.get(url).content.decode()
    archive(2)
    with django_assert_num_queries(len(empty) + 1):
        three = client.get(url).content.decode()
    assert (one.count("data-poll="), three.count("data-poll=")) == (1, 3)


# -- the permission matrix: every way to run a poll ---------------------------------------------

RUNNERS = ("anonymous", "member", "speaker", "other_speaker", "other_organiser", "organiser")
# who: (a talk's poll: page open, API reveal, page close, API open, page reveal, API close;
#       an event-wide poll: page open)
RUN_MATRIX = {
    "anonymous": (302, 401, 302, 401, 302, 401, 302),
    "member": (404, 404, 404, 404, 404, 404, 404),
    "speaker": (302, 200, 302, 200, 302, 200, 404),
    "other_speaker": (404, 404, 404, 404, 404, 404, 404),
    "other_organiser": (404, 404, 404, 404, 404, 404, 404),
    "organiser": (302, 200, 302, 200, 302, 200, 302),
}


@pytest.mark.parametrize("who", RUNNERS)
def test_who_may_open_reveal_and_close_polls_on_every_route(
    running_event, talk, organiser, member, who
):
    """The rows the first matrix (test_polls_views) leaves out: open, reveal and close by the
    page and by the API, for the talk's speaker, a speaker of another talk of the same event
    (who reaches the prepare page, but not this talk's polls), and an event-wide poll, which
    is the organisers' only."""
    from tests.factories import make_group

    speaker, other_speaker = make_user(username="speaker"), make_user(username="other-speaker")
    talk.speakers.add(make_speaker(user=speaker))
    running_event.talks.get(slug="htmx-in-anger").speakers.add(make_speaker(user=other_speaker))
    other_organiser = make_user(username="other-organiser")
    make_group().organisers.add(other_organiser)
    people = {"anonymous": None, "member": member, "speaker": speaker,
              "other_speaker": other_speaker, "other_organiser": other_organiser,
              "organiser": organiser}  # fmt: skip
    client = signed_in(people[who]) if people[who] is not None else Client()
    first = _poll(running_event, organiser, talk=talk, open_it=False, results=Poll.Results.REVEAL)
    second = _poll(running_event, organiser, talk=talk, open_it=False, results=Poll.Results.REVEAL)
    event_wide = _poll(running_event, organiser, open_it=False)
    page = f"/events/{running_event.slug}/live/polls/"

    answers = (
        client.post(f"{page}{first.pk}/open/").status_code,
        client.post(f"/api/polls/{first.pk}/reveal").status_code,
        client.post(f"{page}{first.pk}/close/").status_code,
        client.post(f"/api/polls/{second.pk}/open").status_code,
        client.post(f"{page}{second.pk}/reveal/").status_code,
        client.post(f"/api/polls/{second.pk}/close").status_code,
        client.post(f"{page}{event_wide.pk}/open/").status_code,
    )

    assert answers == RUN_MATRIX[who]
    states = [
        (p.status, p.revealed_at is not None)
        for p in Poll.objects.filter(pk__in=[first.pk, second.pk, event_wide.pk]).order_by("pk")
    ]
    ran = who in ("speaker", "organiser")
    assert states[:2] == ([("closed", True)] * 2 if ran else [("draft", False)] * 2)
    assert states[2] == (("open", False) if who == "organiser" else ("draft", False))


def test_a_drafts_event_page_socket_is_for_its_organisers_only(group, organiser, member):
    """view=event follows the live rules as every other view: a draft's room is not there for
    anyone but its organisers (4404 before accepting, as for the live page)."""
    draft = make_event(group=group, starts_in=timedelta(hours=2), status="draft")
    clients = (signed_in(organiser), signed_in(member), Client())

    async def body():
        async with live_process():
            results = []
            for client in clients:
                comm = communicator(ws_path(draft, view="event"), client=client)
                results.append(await comm.connect(timeout=5))
                await comm.disconnect()
            return results

    organiser_answer, member_answer, anonymous_answer = run(body)
    assert organiser_answer[0] is True
    assert (member_answer, anonymous_answer) == ((False, 4404), (False, 4404))

"""Issue #15, the live room: what the pushes carry when live mode stops or the talk switches,
which ids each page is pushed, and the live page's and dashboard's own answers."""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from live import services
from live.models import LiveState, Question, QuestionVote
from meetups.models import Event
from organise.services import event_publish
from tests.factories import make_event, make_user
from tests.live.conftest import run, signed_in
from tests.live.helpers import committed, communicator, live_process, next_frame, quiet, ws_path

HTMX = {"HTTP_HX_REQUEST": "true"}
OOB_ID = re.compile(r'<[a-z0-9]+ id="([^"]+)" hx-swap-oob=')


async def _connect(path, **kwargs):
    comm = communicator(path, **kwargs)
    connected, code = await comm.connect(timeout=5)
    assert connected, code
    return comm


def _live(event, rest: str = "") -> str:
    return f"/events/{event.slug}/live/{rest}"


# -- stopping live mode ---------------------------------------------------------------------


def test_stopping_live_mode_pushes_the_ended_state_and_starting_restores_it(
    running_event, organiser
):
    """Guards against live pages still showing "Live" and the Ask form after the organiser
    stopped live mode: the stage push carries the heading and the "ended" notice (live.js hides
    the Ask form while the notice is there), and starting again takes them back."""

    async def body():
        async with live_process():
            comm = await _connect(ws_path(running_event))
            await next_frame(comm)
            await committed(services.live_mode_set, event=running_event, user=organiser, on=False)
            stopped = await next_frame(comm)
            await committed(services.live_mode_set, event=running_event, user=organiser, on=True)
            started = await next_frame(comm)
            await comm.disconnect()
        return stopped, started

    stopped, started = run(body)
    assert stopped.count("data-qa-closed") == 1
    assert stopped.count("Live Q&amp;A has ended") == 2  # the notice, and what live.js says
    assert stopped.count(">Q&amp;A closed") == 1
    assert started.count("data-qa-closed") == 0
    assert started.count('<h1 id="live-heading"') == 1
    assert started.count(">Live <span") == 1


def test_live_page_renders_the_ask_form_hidden_while_live_mode_is_off(running_event, member):
    """Guards the no-JS first render: with live mode off, the page says so and hides the form."""
    LiveState.objects.create(event=running_event, accepting_questions=False)
    html = signed_in(member).get(_live(running_event)).content.decode()
    assert html.count('<div id="question-form" hidden>') == 1
    assert html.count("data-qa-closed") == 1


def test_asking_while_closed_answers_409_with_its_message_in_place(running_event, member):
    """Guards against a refused question (live mode stopped) saying nothing and leaving the
    earlier "Thanks! Your question is up." in place: the 409 carries the form with the message,
    focus goes to it, and no "Thanks"."""
    client = signed_in(member)
    ok = client.post(_live(running_event, "questions/"), {"text": "First?", "qa": "event"}, **HTMX)
    assert ok.status_code == 200
    assert ok.content.decode().count("Thanks! Your question is up.") == 1
    assert ok.headers["HX-Trigger"] == ('{"announce": {"message": "Thanks! Your question is up."}}')
    LiveState.objects.filter(event=running_event).update(accepting_questions=False)
    refused = client.post(
        _live(running_event, "questions/"), {"text": "Second?", "qa": "event"}, **HTMX
    )
    html = refused.content.decode()
    assert refused.status_code == 409
    assert html.count("Questions are paused for now.") == 1
    assert html.count("Thanks!") == 0
    assert html.count('id="question-form-error" tabindex="-1" data-focus-after-swap') == 1


def test_an_invalid_question_is_tied_to_its_field_and_takes_focus(running_event, member):
    """Guards the validation error's association (aria-invalid, aria-describedby) and the focus
    move to the field it describes."""
    response = signed_in(member).post(
        _live(running_event, "questions/"), {"text": "   ", "qa": "event"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.count('aria-describedby="id_text_helptext id_text_error"') == 1
    assert html.count('aria-invalid="true" data-focus-after-swap') == 1
    assert html.count('<p class="field-error" id="id_text_error">') == 1


# -- one switch for live mode ---------------------------------------------------------------


def test_live_page_has_one_live_mode_switch_with_the_dashboards_words(
    running_event, organiser_client
):
    """Guards against "Taking questions" (a checkbox) and "Stop live mode" being two controls
    with two wordings for one thing."""
    html = organiser_client.get(_live(running_event)).content.decode()
    assert html.count("Taking questions") == 0
    assert html.count(">Stop live mode</button>") == 1
    off = organiser_client.post(_live(running_event, "mode/"), {"state": "off"}, **HTMX)
    assert off.content.decode().count(">Start live mode</button>") == 1
    assert off.headers["HX-Trigger"] == (
        '{"announce": {"message": "Live mode off: the live Q&A has ended."}}'
    )
    assert LiveState.objects.get(event=running_event).accepting_questions is False
    # Without JavaScript: back to the page.
    plain = organiser_client.post(_live(running_event, "mode/"), {"state": "on"})
    assert (plain.status_code, plain.headers["Location"]) == (302, _live(running_event))


def test_members_may_not_switch_live_mode(running_event, member_client):
    response = member_client.post(_live(running_event, "mode/"), {"state": "off"}, **HTMX)
    assert response.status_code == 404
    assert LiveState.objects.filter(event=running_event).exists() is False


# -- talk switch ----------------------------------------------------------------------------


def test_talk_switch_brings_pages_that_follow_the_stage_the_new_talks_qa(
    running_event, talk, member, organiser
):
    """Guards against the presenter view keeping the old talk's name and questions, and members
    staying on the old talk's Q&A, after the organiser switches the talk: pages that follow the
    stage get the new talk's Q&A and name with the switch, and later changes to it."""
    Question.objects.create(event=running_event, author=member, text="For the whole event")
    Question.objects.create(event=running_event, talk=talk, author=member, text="About async")
    organiser_client = signed_in(organiser)

    async def body():
        async with live_process():
            audience = await _connect(ws_path(running_event, qa="stage"))
            projector = await _connect(
                ws_path(running_event, qa="stage", view="presenter"), client=organiser_client
            )
            fixed = await _connect(ws_path(running_event, qa="event"))
            before = await next_frame(audience), await next_frame(projector)
            await next_frame(fixed)
            await committed(
                services.live_current_talk_set, event=running_event, talk=talk, user=organiser
            )
            switched = [await next_frame(audience), await next_frame(audience)]
            shown = [await next_frame(projector), await next_frame(projector)]
            await next_frame(fixed)  # the stage
            fixed_after = await quiet(fixed)
            await committed(
                services.question_create,
                event=running_event,
                talk=talk,
                author=member,
                text="Asked after the switch",
            )
            later = await next_frame(audience)
            for comm in (audience, projector, fixed):
                await comm.disconnect()
        return before, switched, shown, fixed_after, later

    before, switched, shown, fixed_after, later = run(body)
    assert before[0].count("For the whole event") == 2  # the question and its vote label
    assert before[1].count('<span id="presenter-scope" hx-swap-oob="innerHTML"></span>') == 1
    # The projector has no #live-counts: it is not pushed one (htmx:oobErrorNoTarget).
    assert before[1].count('id="live-counts"') == 0
    qa = next(f for f in switched if 'id="qa-open"' in f)
    assert qa.count('<span id="qa-scope" hx-swap-oob="innerHTML">: Async Django</span>') == 1
    assert (qa.count("About async"), qa.count("For the whole event")) == (2, 0)
    top = next(f for f in shown if 'id="presenter-top"' in f)
    assert top.count('<span id="presenter-scope" hx-swap-oob="innerHTML">· Async Django') == 1
    assert (top.count("About async"), top.count("For the whole event")) == (1, 0)
    assert fixed_after is True  # a page that chose the event-wide Q&A stays on it
    assert later.count("Asked after the switch") == 2


def test_asking_on_a_page_that_follows_the_stage_goes_to_the_talk_on_stage(
    running_event, talk, organiser, member
):
    services.live_current_talk_set(event=running_event, talk=talk, user=organiser)
    signed_in(member).post(_live(running_event, "questions/"), {"text": "Which?", "qa": "stage"})
    assert Question.objects.get(text="Which?").talk == talk


# -- what each page is pushed -----------------------------------------------------------------


def test_every_id_pushed_to_the_dashboard_is_on_the_dashboard(running_event, organiser, member):
    """Guards against htmx:oobErrorNoTarget on the dashboard (#live-stage, #live-counts were
    pushed to it and not on it): each id in the frames its socket gets (the full state, a Q&A
    change, a pin, live mode, attendance) is an element of the dashboard page."""
    from live import broadcast

    question = Question.objects.create(event=running_event, author=member, text="Pin it")
    client = signed_in(organiser)
    url = reverse(
        "organise:dashboard",
        kwargs={"group": running_event.group.slug, "event": running_event.slug},
    )
    page = client.get(url).content.decode()

    async def drain(comm) -> list[str]:
        got = []
        while not await comm.receive_nothing(timeout=0.5):
            got.append(await comm.receive_from())
        return got

    async def body():
        async with live_process():
            dashboard = await _connect(
                ws_path(running_event, qa="stage", view="dashboard"), client=client
            )
            frames = await drain(dashboard)
            for service, kwargs in (
                (services.question_pin, {"question": question, "event": running_event,
                                         "user": organiser}),
                (services.question_create, {"event": running_event, "talk": None,
                                            "author": member, "text": "Q2"}),
                (services.live_mode_set, {"event": running_event, "on": False,
                                          "user": organiser}),
            ):  # fmt: skip
                await committed(service, **kwargs)
                frames += await drain(dashboard)
            # An attendance change (RSVPs are closed once the event is on: the door's case).
            await committed(broadcast.counts_changed, event_id=running_event.pk)
            frames += await drain(dashboard)
            await dashboard.disconnect()
        return frames

    frames = run(body)
    pushed = {i for frame in frames for i in OOB_ID.findall(frame)}
    assert {
        "live-stage",
        "qa-open",
        "qa-scope",
        "organise-question-counts",
        "organise-rsvp-numbers",
    } <= pushed
    missing = sorted(i for i in pushed if page.count(f'id="{i}"') != 1)
    assert missing == []


def test_live_page_gets_no_dashboard_fragments_and_dashboard_gets_no_live_heading(
    running_event,
):
    from live import broadcast

    stage = broadcast.render_stage_frames(event=running_event)
    assert stage["dashboard"].count('id="live-heading"') == 0
    assert stage["public"].count('id="live-heading"') == 1
    assert stage["organiser"].count('id="qa-closed"') == 1


def test_questions_asked_reach_dashboards_only_and_keep_the_room_quiet(
    running_event, organiser, member
):
    """Guards against the dashboard's "asked" count staying stale until reload: asking sends
    the dashboard's question counts (and summary) to dashboard sockets, not to the room's."""
    client = signed_in(organiser)
    elsewhere = running_event.talks.get(slug="htmx-in-anger").pk  # not the Q&A asked in

    async def body():
        async with live_process():
            dashboard = await _connect(
                ws_path(running_event, qa=elsewhere, view="dashboard"), client=client
            )
            room = await _connect(ws_path(running_event, qa=elsewhere))
            await next_frame(dashboard)
            await next_frame(room)
            await committed(
                services.question_create, event=running_event, talk=None, author=member, text="Hi"
            )
            got = await next_frame(dashboard)
            room_quiet = await quiet(room)
            await dashboard.disconnect()
            await room.disconnect()
        return got, room_quiet

    got, room_quiet = run(body)
    assert got.count("Across the event: 1 asked, 0 answered, 0 waiting for approval.") == 1
    assert got.count('id="organise-summary-numbers" hx-swap-oob="innerHTML"') == 1
    assert room_quiet is True


def test_a_dashboard_opened_right_after_publishing_is_not_sent_the_drafts_state(group, organiser):
    """Guards against "This event is not published yet." next to the "Published" badge: the
    hub kept the frames rendered while the event was a draft for the next sockets; saving the
    event re-sends them."""
    draft = make_event(group=group, status=Event.Status.DRAFT)
    client = signed_in(organiser)

    async def body():
        async with live_process():
            first = await _connect(ws_path(draft, view="dashboard"), client=client)
            before = await next_frame(first)
            await committed(event_publish, event=draft, user=organiser)
            await next_frame(first)  # the stage, then the counts, re-sent
            await next_frame(first)
            second = await _connect(ws_path(draft, view="dashboard"), client=client)
            after = await next_frame(second)
            await first.disconnect()
            await second.disconnect()
        return before, after

    before, after = run(body)
    assert before.count("This event is not published yet.") == 1
    assert after.count("This event is not published yet.") == 0
    assert after.count("RSVPs are open.") == 1


# -- the event page's link, the presenter link, votes ----------------------------------------


def test_event_page_links_the_live_page_whenever_live_mode_is_on(event, organiser):
    """Guards against the live page being linked only during the scheduled time although an
    organiser started live mode earlier."""
    link = "Live now: Q&amp;A and counts"
    assert Client().get(f"/events/{event.slug}/").content.decode().count(link) == 0
    services.live_mode_set(event=event, user=organiser, on=True)
    assert Client().get(f"/events/{event.slug}/").content.decode().count(link) == 1
    services.live_mode_set(event=event, user=organiser, on=False)
    assert Client().get(f"/events/{event.slug}/").content.decode().count(link) == 0


def test_vote_buttons_name_their_question_and_count_in_words(running_event, member):
    """Guards against vote buttons that do not say which question they are for, and "1 votes"."""
    one = Question.objects.create(event=running_event, author=member, text="One vote here")
    Question.objects.filter(pk=one.pk).update(vote_count=1)
    Question.objects.create(event=running_event, author=member, text="x" * 100)
    html = Client().get(_live(running_event, "?qa=event")).content.decode()
    assert html.count('aria-label="Upvote “One vote here”, 1 vote"') == 1
    assert html.count(f'aria-label="Upvote “{"x" * 59}…”, 0 votes"') == 1
    assert html.count("1 votes") == 0


def test_dashboard_marks_the_organisers_own_votes(running_event, organiser, member):
    """Guards against every dashboard vote button saying aria-pressed="false", so pressing a
    question the organiser had upvoted took the vote away."""
    mine = Question.objects.create(event=running_event, author=member, text="Upvoted by me")
    Question.objects.create(event=running_event, author=member, text="Not by me")
    QuestionVote.objects.create(question=mine, user=organiser)
    url = reverse(
        "organise:dashboard",
        kwargs={"group": running_event.group.slug, "event": running_event.slug},
    )
    html = signed_in(organiser).get(url + "?qa=event").content.decode()
    assert html.count(f'data-my-votes="{mine.pk}"') == 1
    assert html.count('aria-pressed="true"') == 1


def test_summary_leaves_no_shows_out_before_the_event(event, organiser):
    """Guards against "No-shows 27" a month before the event."""
    from rsvp.services import rsvp_create

    rsvp_create(event=event, user=make_user())
    url = reverse("organise:dashboard", kwargs={"group": event.group.slug, "event": event.slug})
    html = signed_in(organiser).get(url).content.decode()
    assert html.count(">No-shows<") == 0
    past = make_event(group=event.group, slug="was", starts_in=-timedelta(days=3))
    url = reverse("organise:dashboard", kwargs={"group": past.group.slug, "event": past.slug})
    assert signed_in(organiser).get(url).content.decode().count(">No-shows<") == 1


def test_switching_the_talk_unpins_the_last_talks_question(running_event, talk, member, organiser):
    """Guards against the next speaker's screen still saying "Now answering" a question that
    was asked in the previous talk."""
    asked = Question.objects.create(event=running_event, talk=talk, author=member, text="Old?")
    services.live_current_talk_set(event=running_event, talk=talk, user=organiser)
    services.question_pin(question=asked, event=running_event, user=organiser)
    services.live_current_talk_set(event=running_event, talk=talk, user=organiser)
    assert LiveState.objects.get(event=running_event).pinned_question == asked  # same talk
    other = running_event.talks.get(slug="htmx-in-anger")
    services.live_current_talk_set(event=running_event, talk=other, user=organiser)
    assert LiveState.objects.get(event=running_event).pinned_question is None

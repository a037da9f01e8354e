"""The live websocket with WebsocketCommunicator, through the real ASGI stack (origin + auth)."""

import asyncio
import json

import pytest

from live import services
from live.models import Question
from tests.live.conftest import run, signed_in
from tests.live.helpers import (
    close_code,
    committed,
    communicator,
    live_process,
    next_frame,
    quiet,
    ws_path,
)

pytestmark = pytest.mark.postgres_too


async def _connect(path, **kwargs):
    comm = communicator(path, **kwargs)
    connected, code = await comm.connect(timeout=5)
    assert connected, code
    return comm


def test_connect_sends_full_current_state(running_event, talk, member):
    Question.objects.create(event=running_event, talk=talk, author=member, text="Why ASGI?")
    Question.objects.create(event=running_event, talk=None, author=member, text="Event-wide one")

    async def body():
        async with live_process():
            comm = await _connect(ws_path(running_event, qa=talk.pk))
            state = await next_frame(comm)
            await comm.disconnect()
        return state

    state = run(body)
    assert state.count('id="live-stage"') == 1
    assert state.count('id="live-counts"') == 1
    assert state.count('id="qa-open"') == 1
    assert state.count("Why ASGI?") == 2  # the question, and its vote button's label
    assert state.count("Event-wide one") == 0
    # The public frame carries no moderation lists.
    assert state.count('id="qa-queue"') == 0


def test_question_broadcast_reaches_every_socket_of_its_qa(running_event, talk, member):
    async def body():
        async with live_process():
            a = await _connect(ws_path(running_event, qa=talk.pk))
            b = await _connect(ws_path(running_event, qa=talk.pk, sort="new"))
            elsewhere = await _connect(ws_path(running_event, qa="event"))
            for comm in (a, b, elsewhere):
                await next_frame(comm)
            await committed(
                services.question_create,
                event=running_event,
                talk=talk,
                author=member,
                text="Is <script>alert(1)</script> escaped?",
            )
            got_a = await next_frame(a)
            got_b = await next_frame(b)
            nothing = await quiet(elsewhere)
            for comm in (a, b, elsewhere):
                await comm.disconnect()
        return got_a, got_b, nothing

    got_a, got_b, nothing = run(body)
    escaped = "Is &lt;script&gt;alert(1)&lt;/script&gt; escaped?"
    # The question, and its vote button's label ("Upvote “…”").
    assert got_a.count(escaped) == 2
    assert got_b.count(escaped) == 2
    assert got_a.count("<script>") == 0
    assert nothing is True


def test_anonymous_question_shows_author_to_organisers_only(running_event, talk, member, organiser):
    organiser_client = signed_in(organiser)

    async def body():
        async with live_process():
            public = await _connect(ws_path(running_event, qa=talk.pk))
            staff = await _connect(ws_path(running_event, qa=talk.pk), client=organiser_client)
            await next_frame(public)
            await next_frame(staff)
            await committed(
                services.question_create,
                event=running_event,
                talk=talk,
                author=member,
                text="Secret asker",
                is_anonymous=True,
            )
            frames = await next_frame(public), await next_frame(staff)
            await public.disconnect()
            await staff.disconnect()
        return frames

    public_frame, organiser_frame = run(body)
    assert public_frame.count("Secret asker") == 2  # the question and its vote label
    assert public_frame.count("(member)") == 0
    assert public_frame.count("Anonymous") == 1
    assert organiser_frame.count("(member)") == 1
    assert organiser_frame.count('id="qa-queue"') == 1


def test_hidden_question_leaves_public_frames(running_event, talk, member, organiser):
    question = Question.objects.create(event=running_event, talk=talk, author=member, text="Spam!")

    async def body():
        async with live_process():
            comm = await _connect(ws_path(running_event, qa=talk.pk))
            first = await next_frame(comm)
            await committed(services.question_hide, question=question, user=organiser)
            after = await next_frame(comm)
            await comm.disconnect()
        return first, after

    first, after = run(body)
    assert first.count("Spam!") == 2  # the question and its vote label
    assert after.count("Spam!") == 0


@pytest.mark.parametrize("origin", [b"http://evil.example", None])
def test_foreign_or_missing_origin_is_refused(running_event, origin):
    async def body():
        async with live_process():
            comm = communicator(ws_path(running_event), origin=origin)
            connected, _ = await comm.connect(timeout=5)
            await comm.disconnect()
        return connected

    assert run(body) is False


@pytest.mark.parametrize("case", ["unknown_event", "draft_event", "foreign_talk", "bad_sort"])
def test_invalid_targets_are_refused(case, running_event, group, talk):
    from meetups.models import Event
    from tests.factories import make_event, make_talk

    other = make_event(group=group)
    other_talk = make_talk(event=other)
    draft = make_event(group=group, status=Event.Status.DRAFT)
    path = {
        "unknown_event": f"/ws/events/{other.pk + 1000}/live/?qa=event&sort=top&view=live",
        "draft_event": f"/ws/events/{draft.pk}/live/?qa=event&sort=top&view=live",
        "foreign_talk": f"/ws/events/{running_event.pk}/live/?qa={other_talk.pk}&sort=top",
        "bad_sort": f"/ws/events/{running_event.pk}/live/?qa=event&sort=evil",
    }[case]

    async def body():
        async with live_process():
            comm = communicator(path)
            connected, code = await comm.connect(timeout=5)
            await comm.disconnect()
        return connected, code

    assert run(body) == (False, 4404)


def test_draft_event_socket_is_open_to_its_organisers(group, organiser):
    from meetups.models import Event
    from tests.factories import make_event

    draft = make_event(group=group, status=Event.Status.DRAFT)
    client = signed_in(organiser)

    async def body():
        async with live_process():
            comm = communicator(f"/ws/events/{draft.pk}/live/?qa=event", client=client)
            connected, _ = await comm.connect(timeout=5)
            await comm.disconnect()
        return connected

    assert run(body) is True


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"text_data": "not json"}, 4400),
        ({"text_data": "[1, 2]"}, 4400),
        ({"text_data": json.dumps({"type": "subscribe", "event": 99})}, 4400),
        ({"bytes_data": b"\x00\x01"}, 4415),
        ({"text_data": json.dumps({"type": "heartbeat", "pad": "x" * 5000})}, 4009),
    ],
    ids=["not-json", "not-object", "unknown-type", "binary", "oversized"],
)
def test_bad_frame_closes_only_that_socket(running_event, frame, code):
    async def body():
        async with live_process() as hub:
            bad = await _connect(ws_path(running_event))
            good = await _connect(ws_path(running_event))
            await next_frame(bad)
            await next_frame(good)
            await bad.send_to(**frame)
            closed = await close_code(bad)
            await good.send_to(text_data=json.dumps({"type": "heartbeat"}))
            still_open = await quiet(good, timeout=0.2)
            local = len(hub.by_event[running_event.pk])
            await good.disconnect()
            await bad.wait()
        return closed, still_open, local

    closed, still_open, local = run(body)
    assert closed == code
    assert still_open is True
    assert local == 1


def test_online_now_counts_sockets_and_drops_silent_ones(running_event, settings):
    settings.LIVE_PRESENCE_TTL_SECONDS = 1.0
    settings.LIVE_PRESENCE_TICK_SECONDS = 0.1

    async def online(comm) -> str:
        while True:
            frame = await comm.receive_from(timeout=5)
            if 'id="live-online"' in frame:
                return frame

    async def body():
        async with live_process():
            silent = await _connect(ws_path(running_event))
            chatty = await _connect(ws_path(running_event))
            two = await online(chatty)
            while ">2</span>" not in two:
                two = await online(chatty)

            # Only `chatty` sends heartbeats, at a browser's pace; `silent` is a browser that
            # vanished unclosed. Wait for the server to drop it, then for the count to follow.
            async def heartbeats():
                while True:
                    await chatty.send_to(text_data=json.dumps({"type": "heartbeat"}))
                    await asyncio.sleep(0.1)

            beating = asyncio.create_task(heartbeats())
            code = await close_code(silent)
            one = await online(chatty)
            while ">2</span>" in one:
                one = await online(chatty)
            beating.cancel()
            await chatty.disconnect()
        return two, one, code

    two, one, code = run(body)
    assert two.count('id="live-online"') == 1
    assert one.count(">1</span>") == 1
    assert code == 4408


def test_dashboard_socket_is_for_organisers_only(running_event, member):
    member_client = signed_in(member)

    async def body():
        async with live_process():
            comm = communicator(ws_path(running_event, view="dashboard"), client=member_client)
            connected, code = await comm.connect(timeout=5)
        return connected, code

    assert run(body) == (False, 4404)


def test_dashboard_socket_gets_organiser_frames_plus_the_dashboard_counts(event, organiser, member):
    from rsvp.services import rsvp_create

    organiser_client = signed_in(organiser)

    async def body():
        async with live_process():
            dashboard = await _connect(ws_path(event, view="dashboard"), client=organiser_client)
            live_page = await _connect(ws_path(event), client=organiser_client)
            first = await next_frame(dashboard)
            await next_frame(live_page)
            await committed(rsvp_create, event=event, user=member)
            on_dashboard = await next_frame(dashboard)
            on_live_page = await next_frame(live_page)
            await dashboard.disconnect()
            await live_page.disconnect()
        return first, on_dashboard, on_live_page

    first, on_dashboard, on_live_page = run(body)
    assert first.count('id="qa-queue"') == 1  # the organiser's moderation list
    assert on_dashboard.count('id="organise-rsvp-numbers"') == 1
    # Not live's counts: the dashboard has no #live-counts (htmx logged oobErrorNoTarget).
    assert on_dashboard.count('id="live-counts"') == 0
    # The organiser's live page gets the counts without dashboard fragments it has no place for.
    assert on_live_page.count('id="live-counts"') == 1
    assert on_live_page.count('id="organise-rsvp-numbers"') == 0


def test_stage_changes_reach_the_sockets(running_event, talk, member, organiser):
    """Guards against the stage broadcast naming no event (or none being sent) when the talk on
    stage changes or a question is pinned: the room would not see it until a reload."""
    question = Question.objects.create(event=running_event, author=member, text="Pin me?")

    async def body():
        async with live_process():
            comm = await _connect(ws_path(running_event))
            await next_frame(comm)
            await committed(
                services.live_current_talk_set, event=running_event, talk=talk, user=organiser
            )
            on_stage = await next_frame(comm)
            await committed(
                services.question_pin, question=question, event=running_event, user=organiser
            )
            frames = [await next_frame(comm)]
            while 'id="live-stage"' not in frames[-1]:
                frames.append(await next_frame(comm))
            await comm.disconnect()
        return on_stage, frames[-1]

    on_stage, pinned = run(body)
    assert on_stage.count('id="live-stage"') == 1
    # Shown, and said once by live.js ("On stage: …", data-stage-say).
    assert on_stage.count("Async Django") == 2
    assert pinned.count("Pin me?") == 2

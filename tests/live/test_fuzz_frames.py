"""Hypothesis over what a stranger can send the live websocket: frames of junk JSON, huge
numbers, control characters and line separators, oversized text and binary, and junk in the
connect URL's query. The consumer never raises (WebsocketCommunicator re-raises an exception
of the app): a frame is either accepted (a heartbeat; the socket stays open) or answered with a
clean 4xxx close, never 1011.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from live.consumers import CLOSE_BINARY, CLOSE_MALFORMED, CLOSE_TOO_BIG
from tests.live.conftest import run
from tests.live.helpers import communicator, live_process, next_frame, ws_path

pytestmark = [pytest.mark.hypothesis, pytest.mark.django_db]

FUZZ = settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = "\r\n\x00\x07\x1b\x7f\x85\u2028\u2029\u202e\ufeff\U0001f600"
nasty_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(), max_size=80)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**40), 10**40)
    | st.floats(allow_nan=False)
    | nasty_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4)
    ),
    max_leaves=12,
)
heartbeat_like = st.dictionaries(
    st.sampled_from(["type", "HEADERS", "qa", "n"]), json_values, max_size=4
).map(lambda d: json.dumps({"type": "heartbeat", **d}, ensure_ascii=False))
text_frames = (
    st.just('{"type": "heartbeat"}')
    | heartbeat_like
    | json_values.map(lambda v: json.dumps(v, ensure_ascii=False))
    | nasty_text
    | st.integers(1, 6000).map(lambda n: "9" * n)  # past int()'s 4300-digit limit too
    | st.builds(
        lambda c, n: json.dumps({"type": "heartbeat", "x": c * n}),
        st.sampled_from("a\u2028"),
        st.integers(0, 70_000),
    )
)
frames = text_frames.map(lambda t: ("text", t)) | st.binary(max_size=5000).map(
    lambda b: ("bytes", b)
)

CLEAN_CLOSES = {CLOSE_BINARY, CLOSE_MALFORMED, CLOSE_TOO_BIG}


async def _after(comm) -> int | None:
    """The close code the server sent, or None while the socket stays open."""
    while not await comm.receive_nothing(timeout=0.05):
        message = await comm.receive_output(timeout=1)
        if message["type"] == "websocket.close":
            return message["code"]
    return None


@FUZZ
@given(frame=frames)
def test_any_frame_is_accepted_or_closed_cleanly(running_event, frame):
    kind, payload = frame

    async def body():
        async with live_process():
            comm = communicator(ws_path(running_event))
            connected, code = await comm.connect(timeout=5)
            assert connected, code
            await next_frame(comm)
            # send_input, not send_to: send_to refuses an empty frame, which a client can send.
            await comm.send_input({"type": "websocket.receive", kind: payload})
            closed = await _after(comm)
            await comm.disconnect()
        return closed

    closed = run(body)
    if frame == ("text", '{"type": "heartbeat"}'):
        assert closed is None
    else:
        assert closed is None or closed in CLEAN_CLOSES, (frame[1][:200], closed)


query_values = (
    nasty_text
    | st.integers(-(10**30), 10**30).map(str)
    | st.sampled_from(["²", "\u0661", "event", "top"])
)


@FUZZ
@given(qa=query_values, sort=query_values, view=query_values)
def test_any_connect_query_is_served_or_refused_cleanly(running_event, qa, sort, view):
    from urllib.parse import urlencode

    async def body():
        async with live_process():
            query = urlencode({"qa": qa, "sort": sort, "view": view})
            comm = communicator(f"/ws/events/{running_event.pk}/live/?{query}")
            connected, code = await comm.connect(timeout=5)
            if connected:
                await comm.disconnect()
        return connected, code

    connected, code = run(body)
    assert connected or (code is not None and 4000 <= code < 5000), code

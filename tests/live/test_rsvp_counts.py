"""RSVPs and check-ins made through the RSVP services reach live sockets as new counts."""

import pytest

from rsvp import services as rsvp_services
from tests.live.conftest import run
from tests.live.helpers import committed, communicator, live_process, next_frame, ws_path

pytestmark = pytest.mark.postgres_too


def _counts(frame: str) -> tuple[int, int]:
    going = frame.split("Going</dt>")[1].split("</dd>")[0].rsplit(">", 1)[1]
    checked = frame.split("Checked in</dt>")[1].split("</dd>")[0].rsplit(">", 1)[1]
    return int(going), int(checked)


def test_rsvp_and_check_in_broadcast_live_counts(event, member, organiser):
    async def body():
        async with live_process():
            comm = communicator(ws_path(event))
            connected, _ = await comm.connect(timeout=5)
            assert connected
            first = await next_frame(comm)
            result = await committed(rsvp_services.rsvp_create, event=event, user=member, guests=1)
            after_rsvp = await next_frame(comm)
            await committed(rsvp_services.rsvp_check_in, rsvp=result.rsvp, user=organiser)
            frames = [await next_frame(comm)]
            while _counts(frames[-1]) == _counts(after_rsvp) and len(frames) < 4:
                # The RSVP app may announce one change more than once (whole state each time).
                frames.append(await next_frame(comm))
            after_check_in = frames[-1]
            await comm.disconnect()
        return first, after_rsvp, after_check_in

    first, after_rsvp, after_check_in = run(body)
    assert _counts(first) == (0, 0)
    assert after_rsvp.count('id="live-counts"') == 1
    assert _counts(after_rsvp) == (2, 0)
    assert _counts(after_check_in) == (2, 2)

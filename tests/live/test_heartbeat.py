"""The screens' heartbeat and the presence TTL, at the production figures (docs/live.md,
"Presence"; docs/benchmarks.md, "Third pass"): every LIVE_HEARTBEAT_SECONDS (50), rendered into
the page's hidden form; a socket silent for LIVE_PRESENCE_TTL_SECONDS (150) is closed with 4408.
"""

import time

from django.conf import settings as django_settings
from django.test import Client

from live.hub import CLOSE_HEARTBEAT_TIMEOUT, hub
from live.topics import Connection
from tests.live.conftest import run

# The idle timeout many proxies and load balancers apply to a websocket (nginx's
# proxy_read_timeout for /ws/ here is an hour; daphne's own ping starts at 60 s of silence).
PROXY_IDLE_SECONDS = 60


def test_heartbeat_and_ttl_are_the_documented_figures():
    assert (django_settings.LIVE_HEARTBEAT_SECONDS, django_settings.LIVE_PRESENCE_TTL_SECONDS) == (
        50,
        150.0,
    )


def test_a_heartbeat_crosses_a_one_minute_proxy_and_the_ttl_outlasts_two_missed_beats():
    interval = django_settings.LIVE_HEARTBEAT_SECONDS
    ttl = django_settings.LIVE_PRESENCE_TTL_SECONDS
    assert interval < PROXY_IDLE_SECONDS
    # A background tab's timers may run once a minute: two late beats still count.
    assert ttl > 2 * max(interval, 60)


def test_the_live_page_sends_its_heartbeat_at_the_setting(running_event, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 42
    html = Client().get(f"/events/{running_event.slug}/live/").content.decode()
    assert html.count('<form ws-send hx-trigger="every 42s" hidden aria-hidden="true">') == 1


def _screen(sent: list, event_id: int) -> Connection:
    async def send(message: dict) -> None:
        sent.append(message)

    return Connection(send=send, event_id=event_id, keys=(f"stage:{event_id}",), audience="public")


def test_a_screen_two_beats_late_counts_and_one_silent_for_the_ttl_is_closed(db, settings):
    settings.LIVE_ONLINE_PUSH_SECONDS = 0
    settings.LIVE_PRESENCE_TICK_SECONDS = 600  # the test ticks
    interval = settings.LIVE_HEARTBEAT_SECONDS
    ttl = settings.LIVE_PRESENCE_TTL_SECONDS

    async def body():
        late, gone, beating = [], [], []
        conns = [_screen(sent, 9) for sent in (late, gone, beating)]
        for conn in conns:
            await hub.attach(conn)
        now = time.monotonic()
        conns[0].last_seen = now - 2 * interval - 5  # two beats missed: a throttled tab
        conns[1].last_seen = now - ttl - 1  # silent for the TTL: gone or asleep
        await hub.presence_tick()
        still = len(hub.by_event[9])
        await hub.stop()
        return late, gone, beating, still

    late, gone, beating, still = run(body)
    assert still == 2
    assert gone == [{"type": "websocket.close", "code": CLOSE_HEARTBEAT_TIMEOUT}]
    assert [m["text"].split('tabular-nums">')[1].split("<")[0] for m in late] == ["2"]
    assert beating == late

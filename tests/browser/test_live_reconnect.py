"""The live page after its server restarts: it reconnects on its own, spread out, and shows the
state that changed while it was away (Chromium through a real daphne, stopped and started again
on the same port).

Guards: the ws extension's retry delay is live.js's (full jitter in a window scaled to "online
now", doubling per failed attempt, capped); a question asked while the server was down appears
without a reload, and the status says "● Live" again; axe is clean; no console error but the
browser's and htmx's reports of the attempts made while nothing listened; no sideways scroll.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from bench import servers
from bench.idle_sockets import start_server
from tests.browser.a11y import axe_violations
from tests.browser.conftest import overflow
from tests.browser.daphne import copy_db, manage_shell

ASK_WHILE_DOWN = """
from live.models import Question
from meetups.models import Event
event = Event.objects.get(slug="live-bench")
Question.objects.create(event=event, talk=None, author=event.group.owner, text="Asked while down")
"""


@pytest.fixture
def restartable(live_seed, tmp_path):
    """daphne on the seeded live event, on a port a second server can take after it."""
    source, _data = live_seed
    db = tmp_path / "db.sqlite3"
    copy_db(source, db)
    env = servers.server_env(db, debug=True)
    started = []

    def start(port: int = 0):
        proc = start_server(
            "portal.asgi:application", env=env, cpu=None, port=port, log=tmp_path / "daphne.log"
        )
        started.append(proc)
        return proc

    yield start, env
    for proc in started:
        servers.stop(proc)


def _page(browser: Browser, width: int) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_live_page_reconnects_after_a_restart_with_the_current_state(
    browser: Browser, restartable, artifacts, width
):
    start, env = restartable
    first = start()
    base = f"http://127.0.0.1:{first.port}"
    page = _page(browser, width)
    page.goto(f"{base}/events/live-bench/live/?qa=event")
    status = page.locator("#live-connection")
    expect(status).to_have_text("● Live")
    expect(page.locator("#live-online")).to_have_text("1")

    # The delay function the ws extension uses (retry count, "online now", a random number).
    delays = page.evaluate(
        """[
          window.portalLive.reconnectDelay(0, 0, 1),
          window.portalLive.reconnectDelay(0, 10000, 1),
          window.portalLive.reconnectDelay(0, 10000, 0.25),
          window.portalLive.reconnectDelay(1, 10000, 1),
          window.portalLive.reconnectDelay(3, 10000, 1),
          window.portalLive.reconnectDelay(0, 1000000, 1),
          window.portalLive.reconnectDelay(0, 10000, 0),
          window.portalLive.onlineNow(),
          typeof htmx.config.wsReconnectDelay,
        ]"""
    )
    assert delays == [1000, 5000, 1250, 10000, 40000, 30000, 0, 1, "function"]

    servers.stop(first)
    expect(status).to_have_text("Reconnecting…")
    manage_shell(env, ASK_WHILE_DOWN)
    page.errors.clear()  # from here on, only the attempts made while nothing listened
    start(first.port)

    expect(page.locator("#qa-open")).to_contain_text("Asked while down", timeout=30_000)
    expect(status).to_have_text("● Live")
    expect(page.locator("#live-online")).to_have_text("1")
    # While nothing listened, each failed attempt is reported twice: by Chromium ("WebSocket
    # connection to … failed") and by the ws extension (htmx:wsError logs the event object).
    outage = {"[object Event]"}
    assert [e for e in page.errors if "WebSocket connection to" not in e and e not in outage] == []
    page.errors.clear()
    page.screenshot(path=artifacts / f"live-reconnected-{width}.png", full_page=True)
    assert axe_violations(page) == []
    assert overflow(page) == 0
    assert page.errors == []

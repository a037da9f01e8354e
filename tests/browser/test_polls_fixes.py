"""Issue #13's poll and join-code gaps, in a browser through a real daphne: the organiser runs
the room, an attendee answers on a phone (390 px) and on a laptop (1280 px), the projector and
the event page stay open.

Guards: switching live mode on brings the join code to the open presenter view and the "Live
now" link with the code to the open event page, and switching it off takes them away, without a
reload; an attendee's answer stays checked after the reveal and after another poll opens (both
push the polls panel); closed event-wide polls are archived on the event page; axe is clean, no
console error, no sideways scrolling.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from live.join import join_code
from tests.browser.a11y import axe_violations
from tests.browser.daphne import serve

# The seeded event moved three hours ahead (not running: live mode starts it), an event-wide
# poll already closed with one answer, one open whose results wait for the reveal, and a talk's
# poll prepared; live mode off.
SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from live import polls
from live.models import LiveState
from meetups.models import Event, Talk
event = Event.objects.get(slug="live-bench")
organiser = get_user_model().objects.get(username="bench-organiser")
archived = polls.poll_create(event=event, talk=None, user=organiser,
    question="Pizza or sushi afterwards?", options=["Pizza", "Sushi"])
polls.poll_open(poll=archived, user=organiser)
polls.poll_vote(poll=archived, user=organiser, option_ids=[archived.options.first().pk])
polls.poll_close(poll=archived, user=organiser)
hidden = polls.poll_create(event=event, talk=None, user=organiser,
    question="Which fan-out do you run?", options=["Channels groups", "A hub per process"],
    results="reveal")
polls.poll_open(poll=hidden, user=organiser)
polls.poll_create(event=event, talk=Talk.objects.get(slug="fan-out"), user=organiser,
    question="Slides or live coding?", options=["Slides", "Live coding"])
now = timezone.now()
Event.objects.filter(pk=event.pk).update(
    starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5))
# Opening a poll counted a change in the event's live state (and so started live mode): stop it.
LiveState.objects.filter(event=event).update(accepting_questions=False)
"""


@pytest.fixture(scope="module")
def room(live_seed, tmp_path_factory):
    source, data = live_seed
    work = tmp_path_factory.mktemp("polls-fixes")
    with serve(source, work, setup=SETUP, LIVE_HEARTBEAT_SECONDS="5") as (base, _env):
        yield base, data


def _page(browser: Browser, base: str, session: str | None, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    if session:
        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.errors = []
    page.on(
        "console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#live-connection")).to_have_text("● Live")


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


DONE = {
    "Open": "Poll open: the room can answer.",
    "Reveal results": "Results revealed to the room.",
    "Close": "Poll closed: its results are kept with the talk.",
}


def _manage(organiser: Page, base: str, question: str, button: str) -> None:
    """Run a poll from the prepare page (a plain form POST and its redirect)."""
    organiser.goto(f"{base}/events/live-bench/live/polls/")
    organiser.locator("[data-poll]", has_text=question).get_by_role("button", name=button).click()
    expect(organiser.locator("body")).to_contain_text(DONE[button])


def test_join_code_follows_live_mode_and_answers_stay_checked(browser: Browser, room, artifacts):
    base, data = room
    code = join_code(data["event_id"])
    organiser = _page(browser, base, data["organiser"]["session"], 1280)
    projector = _page(browser, base, data["organiser"]["session"], 1280)
    phone = _page(browser, base, data["users"][0]["session"], 390)
    laptop = _page(browser, base, data["users"][1]["session"], 1280)
    event_phone = _page(browser, base, None, 390)
    event_wide = _page(browser, base, None, 1280)

    _live(organiser, f"{base}/events/live-bench/live/")
    _live(projector, f"{base}/events/live-bench/live/presenter/")
    _live(phone, f"{base}/events/live-bench/live/")
    _live(laptop, f"{base}/events/live-bench/live/")
    for page in (event_phone, event_wide):
        page.goto(f"{base}/events/live-bench/")
        page.wait_for_function("() => !!document.querySelector('[ws-connect]')")
        page.evaluate("window.__noReload = true")
    projector.evaluate("window.__noReload = true")

    # Live mode off: no code anywhere; the projector says where to ask.
    expect(projector.locator("#presenter-join")).to_contain_text("Ask at")
    expect(projector.locator("[data-join-code]")).to_have_count(0)
    expect(event_phone.locator("#event-live")).to_be_empty()

    # On: the code reaches the open projector and event pages.
    organiser.get_by_role("button", name="Start live mode").click()
    expect(projector.locator("[data-join-code]")).to_have_text(code)
    expect(projector.locator("#presenter-join svg[role=img]")).to_have_count(1)
    for page in (event_phone, event_wide):
        expect(page.locator("[data-join-code]")).to_have_text(code)
        expect(page.get_by_role("link", name="Live now: Q&A and counts")).to_have_attribute(
            "href", "/events/live-bench/live/"
        )
    event_phone.screenshot(path=artifacts / "polls-fixes-event-live-phone.png", full_page=True)
    event_wide.screenshot(path=artifacts / "polls-fixes-event-live-wide.png", full_page=True)
    assert axe_violations(event_phone) == []

    # Off: gone again; on once more for the rest.
    organiser.get_by_role("button", name="Stop live mode").click()
    expect(projector.locator("[data-join-code]")).to_have_count(0)
    expect(projector.locator("#presenter-join")).to_contain_text("Ask at")
    for page in (event_phone, event_wide):
        expect(page.locator("#event-live")).to_be_empty()
    organiser.get_by_role("button", name="Start live mode").click()
    expect(event_wide.locator("[data-join-code]")).to_have_text(code)

    # Answers, then the reveal: each person's answer stays checked.
    phone.get_by_label("A hub per process").check()
    phone.get_by_role("button", name="Answer", exact=True).click()
    expect(phone.locator("#live-polls")).to_contain_text("Thanks: your answer is in.")
    laptop.get_by_label("Channels groups").check()
    laptop.get_by_role("button", name="Answer", exact=True).click()
    expect(laptop.locator("#live-polls")).to_contain_text("Thanks: your answer is in.")
    for page in (phone, laptop):
        page.evaluate("window.__noReload = true")
    _manage(organiser, base, "Which fan-out do you run?", "Reveal results")
    for page in (phone, laptop, projector):
        expect(page.locator("[data-votes-for]").first).to_have_text("1 · 50%")
    expect(phone.get_by_label("A hub per process")).to_be_checked()
    expect(phone.get_by_label("Channels groups")).not_to_be_checked()
    expect(laptop.get_by_label("Channels groups")).to_be_checked()
    expect(phone.get_by_role("button", name="Change my answer")).to_have_count(1)

    # Another poll opens (the panel is pushed again): the answers stay; a half-chosen one too.
    _manage(organiser, base, "Slides or live coding?", "Open")
    for page in (phone, laptop):
        expect(page.locator("#live-polls")).to_contain_text("Slides or live coding?")
    expect(phone.get_by_label("A hub per process")).to_be_checked()
    laptop.get_by_role("radio", name="Live coding").check()
    _manage(organiser, base, "Which fan-out do you run?", "Close")
    expect(laptop.locator("[data-poll]", has_text="Which fan-out")).to_contain_text("Closed")
    expect(laptop.get_by_role("radio", name="Live coding")).to_be_checked()
    phone.screenshot(path=artifacts / "polls-fixes-live-phone.png", full_page=True)
    laptop.screenshot(path=artifacts / "polls-fixes-live-laptop.png", full_page=True)
    projector.screenshot(path=artifacts / "polls-fixes-presenter.png", full_page=True)
    small = _page(browser, base, data["organiser"]["session"], 390)
    _live(small, f"{base}/events/live-bench/live/presenter/")
    expect(small.locator("[data-join-code]")).to_have_text(code)
    small.screenshot(path=artifacts / "polls-fixes-presenter-phone.png", full_page=True)
    assert (_overflow(small), small.errors) == (0, [])
    small.context.close()
    for page in (phone, laptop, projector, event_phone, event_wide):
        assert page.evaluate("window.__noReload") is True
    assert axe_violations(phone) == []
    assert axe_violations(projector) == []

    # The event page archives the closed event-wide polls (the talk's stays open, elsewhere).
    for page in (event_phone, event_wide):
        page.goto(f"{base}/events/live-bench/")
        archive = page.locator('section[aria-labelledby="polls-archive-heading"]')
        expect(archive.locator("[data-poll]")).to_have_count(2)
        expect(archive).to_contain_text("Pizza or sushi afterwards?")
        expect(archive).to_contain_text("Which fan-out do you run?")
        expect(archive).not_to_contain_text("Slides or live coding?")
    event_phone.screenshot(path=artifacts / "polls-fixes-event-archive-phone.png", full_page=True)
    event_wide.screenshot(path=artifacts / "polls-fixes-event-archive-wide.png", full_page=True)
    assert axe_violations(event_wide) == []
    assert axe_violations(event_phone) == []

    for page in (organiser, projector, phone, laptop, event_phone, event_wide):
        assert _overflow(page) <= 0, page.url
        assert page.errors == [], (page.url, page.errors)
        page.context.close()

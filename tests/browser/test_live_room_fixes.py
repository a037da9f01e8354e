"""Issue #15, the live room in three browser contexts through a real daphne: the organiser's
dashboard, an attendee's phone on the live page, and the projector (presenter view).

Guards: stopping live mode reaches the attendee (ended, no Ask form) and starting restores it;
a talk switch renames the projector's header and brings both the new talk's Q&A; Pause holds
the attendee's order until Resume; focus stays off <body> after a pin push while the attendee
is on a vote button; no console error (htmx:oobErrorNoTarget among them) on any of the three;
the presenter view fits 320 px; axe is clean.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import axe_violations
from tests.browser.daphne import serve

SETUP = """
from live.models import LiveState, Question
from meetups.models import Event, Talk
from django.contrib.auth import get_user_model
event = Event.objects.get(slug="live-bench")
first = Talk.objects.get(slug="fan-out")
second = Talk.objects.create(event=event, title="Second talk", slug="second-talk", order=2)
organiser = get_user_model().objects.get(username="bench-organiser")
Question.objects.create(event=event, talk=first, author=organiser, text="Seeded: is it fast?")
Question.objects.create(event=event, talk=second, author=organiser, text="About the second talk")
LiveState.objects.create(event=event, current_talk=first)
"""


@pytest.fixture(scope="module")
def room(live_seed, tmp_path_factory):
    """The session's seeded live event (tests/browser/conftest.py) copied, with SETUP on top."""
    source, data = live_seed
    work = tmp_path_factory.mktemp("live-room")
    with serve(source, work, setup=SETUP, LIVE_HEARTBEAT_SECONDS="5") as (base, _env):
        yield base, data


def _page(browser: Browser, base: str, session: str, width: int, *, axe=False) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=axe)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.errors = []
    page.on(
        "console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def _dashboard_url(base: str) -> str:
    return base + reverse(
        "organise:dashboard", kwargs={"group": "bench-group", "event": "live-bench"}
    )


def _live(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#live-connection")).to_have_text("● Live")


def _no_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_live_room_stop_switch_pause_and_focus(browser: Browser, room, artifacts):
    base, data = room
    organiser_session, member_session = data["organiser"]["session"], data["users"][0]["session"]
    dashboard = _page(browser, base, organiser_session, 1280)
    audience = _page(browser, base, member_session, 390)
    projector = _page(browser, base, organiser_session, 1280)
    _live(dashboard, _dashboard_url(base))
    _live(audience, f"{base}/events/live-bench/live/")
    _live(projector, f"{base}/events/live-bench/live/presenter/")

    # Attendees are not offered the presenter view.
    expect(audience.get_by_role("link", name="Presenter view")).to_have_count(0)
    expect(projector.locator("#presenter-scope")).to_have_text("· Fan-out")

    # Ask: focus stays on Ask, the result is announced once through #announcer.
    audience.get_by_label("Your question").fill("Mine: what about fan-out?")
    audience.get_by_role("button", name="Ask", exact=True).click()
    expect(audience.locator("#announcer")).to_have_text("Thanks! Your question is up.")
    expect(audience.get_by_role("button", name="Ask", exact=True)).to_be_focused()
    audience_list = audience.locator("#qa-open li")
    expect(audience_list).to_have_count(2)
    expect(audience_list.nth(0)).to_contain_text("Seeded: is it fast?")
    expect(dashboard.locator("#organise-question-counts")).to_contain_text("3 asked")

    # A pin push while the attendee is on a vote button: focus stays on that button.
    mine = audience_list.nth(1).locator("button[data-vote-for]")
    key = mine.get_attribute("data-focus-key")
    mine.focus()
    pin = dashboard.locator("#qa-open li", has_text="Mine: what about fan-out?").get_by_role(
        "button", name="Pin: now answering"
    )
    pin_key = pin.get_attribute("data-focus-key")
    pin.click()
    expect(audience.locator("#live-stage")).to_contain_text("Now answering")
    expect(audience.locator("#announcer")).to_have_text("Now answering: Mine: what about fan-out?")
    expect(audience.locator(f'[data-focus-key="{key}"]')).to_be_focused()
    assert audience.evaluate("document.activeElement !== document.body")
    expect(projector.locator("#presenter-stage")).to_contain_text("Mine: what about fan-out?")
    # The organiser's focus moves from "Pin" to an "Unpin" of the same question that replaced
    # it (the stage card's or the list's: they share the key), not to <body>.
    expect(dashboard.locator(f'#qa-open [data-focus-key="{pin_key}"]')).to_have_text(
        "Unpin: Mine: what about fan-out?"
    )
    dashboard.wait_for_function(
        "key => document.activeElement.dataset.focusKey === key"
        " && document.activeElement.textContent.startsWith('Unpin')",
        arg=pin_key,
        timeout=5000,
    )

    # Pause holds the order; Resume applies what was pushed meanwhile.
    audience.get_by_role("button", name="Pause updates").click()
    dashboard.locator("#qa-open li", has_text="Mine: what about fan-out?").locator(
        "button[data-vote-for]"
    ).click()
    expect(dashboard.locator("#qa-open li").nth(0)).to_contain_text("Mine: what about fan-out?")
    expect(audience.locator("#live-pause")).to_contain_text("waiting")
    expect(audience_list.nth(0)).to_contain_text("Seeded: is it fast?")
    audience.screenshot(path=artifacts / "live-room-paused-phone.png", full_page=True)
    audience.locator("#live-pause").click()
    expect(audience_list.nth(0)).to_contain_text("Mine: what about fan-out?")
    expect(audience.locator("#live-pause")).to_have_attribute("aria-pressed", "false")

    # Talk switch: the projector's header and both Q&As move to the new talk.
    dashboard.get_by_label("Current talk").select_option(label="Second talk")
    dashboard.locator("#panel-actions").get_by_role("button", name="Set").click()
    expect(projector.locator("#presenter-scope")).to_have_text("· Second talk")
    expect(projector.locator("#presenter-top")).to_contain_text("About the second talk")
    expect(projector.locator("#presenter-top")).not_to_contain_text("Seeded: is it fast?")
    expect(audience.locator("#qa-scope")).to_have_text(": Second talk")
    expect(audience.locator("#qa-open")).to_contain_text("About the second talk")
    expect(audience.locator("#qa-open")).not_to_contain_text("Seeded: is it fast?")
    expect(dashboard.locator("#qa-scope")).to_have_text(": Second talk")

    # Answered: said once on the attendee's screen.
    dashboard.locator("#qa-open li", has_text="About the second talk").get_by_role(
        "button", name="Mark answered"
    ).click()
    expect(audience.locator("#announcer")).to_have_text("Answered: About the second talk")
    expect(audience.locator("#qa-answered")).to_contain_text("About the second talk")

    # Stop live mode: the attendee sees it has ended and no Ask form; Start restores it.
    dashboard.get_by_role("button", name="Stop live mode").click()
    expect(audience.locator("#qa-closed")).to_contain_text("Live Q&A has ended")
    expect(audience.locator("#question-form")).to_be_hidden()
    expect(audience.locator("#live-heading")).to_contain_text("Q&A closed")
    expect(dashboard.get_by_role("button", name="Start live mode")).to_be_focused()
    audience.screenshot(path=artifacts / "live-room-ended-phone.png", full_page=True)
    dashboard.get_by_role("button", name="Start live mode").click()
    expect(audience.locator("#question-form")).to_be_visible()
    expect(audience.locator("#qa-closed")).to_have_text("")
    expect(audience.locator("#live-heading")).to_contain_text("Live")

    dashboard.screenshot(path=artifacts / "live-room-dashboard-desktop.png", full_page=True)
    projector.screenshot(path=artifacts / "live-room-presenter-desktop.png", full_page=True)
    for page in (dashboard, audience, projector):
        assert page.errors == []
        assert _no_overflow(page)
        page.context.close()


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_live_room_pages_fit_and_pass_axe(browser: Browser, room, artifacts, width):
    base, data = room
    organiser_session, member_session = data["organiser"]["session"], data["users"][0]["session"]
    pages = {
        "presenter": (organiser_session, f"{base}/events/live-bench/live/presenter/"),
        "live": (member_session, f"{base}/events/live-bench/live/"),
        "dashboard": (organiser_session, _dashboard_url(base)),
    }
    for name, (session, url) in pages.items():
        page = _page(browser, base, session, width, axe=True)
        _live(page, url)
        page.screenshot(path=artifacts / f"live-room-{name}-{width}.png", full_page=True)
        assert (name, _no_overflow(page)) == (name, True)
        assert (name, axe_violations(page)) == (name, [])
        assert (name, page.errors) == (name, [])
        page.context.close()

"""Attendee and organiser in two browser contexts on the live page, through a real daphne.

Websockets need a real ASGI server, and the server must see the data the test makes, so this
module runs daphne in a subprocess against its own copy of a SQLite *file* seeded once per
session with a running event and signed-in sessions (`live_seed`, tests/browser/conftest.py).
pytest's own test database is not used. DEBUG=1 so the static files come from the finders.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import axe_violations
from tests.browser.daphne import serve


@pytest.fixture(scope="module")
def live_server_process(live_seed, tmp_path_factory):
    source, data = live_seed
    work = tmp_path_factory.mktemp("live-browser")
    with serve(source, work, LIVE_HEARTBEAT_SECONDS="5") as (base, _env):
        yield base, data


def _signed_in_page(
    browser: Browser, base: str, session: str, width: int = 1280, *, axe: bool = False
) -> Page:
    # The live flow runs under the real CSP; `axe` pages bypass it only to inject axe-core.
    context = browser.new_context(viewport={"width": width, "height": 1000}, bypass_csp=axe)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    return context.new_page()


def _open_live(page: Page, base: str, data: dict) -> None:
    page.goto(f"{base}/events/{data['slug']}/live/?qa={data['talk_slug']}")
    expect(page.locator("#live-connection")).to_have_text("● Live")


def _ask(page: Page, text: str) -> None:
    page.get_by_label("Your question").fill(text)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator("#question-form")).to_contain_text("Thanks! Your question is up.")


def test_questions_votes_and_hiding_reach_the_other_screen_live(
    browser: Browser, live_server_process, artifacts
):
    base, data = live_server_process
    attendee = _signed_in_page(browser, base, data["users"][0]["session"])
    organiser = _signed_in_page(browser, base, data["organiser"]["session"])
    _open_live(attendee, base, data)
    _open_live(organiser, base, data)
    for page in (attendee, organiser):
        page.evaluate("window.__noReload = true")

    _ask(attendee, "How does the hub fan out to thousands of sockets?")
    organiser_list = organiser.locator("#qa-open li")
    expect(organiser_list).to_have_count(1)
    expect(organiser_list.first).to_contain_text("How does the hub fan out")

    _ask(organiser, "Which server runs the benchmark?")
    attendee_list = attendee.locator("#qa-open li")
    expect(attendee_list).to_have_count(2)
    # Equal votes: who asked first comes first.
    expect(attendee_list.nth(0)).to_contain_text("How does the hub fan out")

    # The attendee upvotes the second question: it moves to the top on both screens.
    attendee_list.nth(1).get_by_role("button", name="Upvote “Which server runs").click()
    expect(attendee_list.nth(0)).to_contain_text("Which server runs the benchmark?")
    expect(organiser_list.nth(0)).to_contain_text("Which server runs the benchmark?")
    expect(attendee_list.nth(0).locator("button[data-vote-for]")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(organiser.locator("#qa-summary")).to_have_text("2 open questions, 0 answered")
    expect(attendee.locator("#live-online")).to_have_text("2")
    attendee.screenshot(path=artifacts / "live-attendee-desktop.png", full_page=True)
    organiser.screenshot(path=artifacts / "live-organiser-desktop.png", full_page=True)

    # Keyboard: a vote by Enter keeps focus on that question's button after the push.
    button = attendee_list.nth(1).locator("button[data-vote-for]")
    key = button.get_attribute("data-focus-key")
    button.focus()
    attendee.keyboard.press("Enter")
    # Now tied at one vote each, the older question moves up: the push re-rendered the list.
    expect(attendee_list.nth(0)).to_contain_text("How does the hub fan out")
    expect(attendee.locator(f'[data-focus-key="{key}"]')).to_have_attribute("aria-pressed", "true")
    expect(attendee.locator(f'[data-focus-key="{key}"]')).to_be_focused()
    attendee.keyboard.press("Enter")  # and take it back
    expect(attendee.locator(f'[data-focus-key="{key}"]')).to_have_attribute("aria-pressed", "false")

    # The organiser hides it: it leaves the attendee's screen, and waits in "Hidden".
    organiser_list.nth(0).get_by_role("button", name="Hide").click()
    expect(attendee_list).to_have_count(1)
    expect(attendee.locator("#qa-open")).not_to_contain_text("Which server runs the benchmark?")
    expect(organiser.locator("#qa-hidden")).to_contain_text("Which server runs the benchmark?")

    # Pin the remaining one: the presenter view shows it, large.
    organiser_list.nth(0).get_by_role("button", name="Pin: now answering").click()
    expect(attendee.locator("#live-stage")).to_contain_text("Now answering")
    # The presenter view is the organiser's (or a speaker's), not every attendee's.
    presenter = _signed_in_page(browser, base, data["organiser"]["session"], width=1600, axe=True)
    presenter.goto(f"{base}/events/{data['slug']}/live/presenter/?qa={data['talk_slug']}")
    expect(presenter.locator("#live-connection")).to_have_text("● Live")
    expect(presenter.locator("#presenter-stage")).to_contain_text("How does the hub fan out")
    presenter.screenshot(path=artifacts / "live-presenter.png", full_page=True)
    assert axe_violations(presenter) == []

    phone = _signed_in_page(browser, base, data["users"][0]["session"], width=390, axe=True)
    _open_live(phone, base, data)
    phone.screenshot(path=artifacts / "live-attendee-phone.png", full_page=True)
    assert axe_violations(phone) == []
    checked = _signed_in_page(browser, base, data["organiser"]["session"], axe=True)
    _open_live(checked, base, data)
    assert axe_violations(checked) == []
    checked.context.close()

    for page in (attendee, organiser):
        assert page.evaluate("window.__noReload") is True
    for page in (attendee, organiser, presenter, phone):
        page.context.close()

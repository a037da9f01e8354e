"""A live poll through a real daphne: the organiser prepares and runs it, two attendees answer
on their phones and laptops, the projector shows it, and the talk page keeps it.

Same server set-up as test_live_qa.py (a copy of the session's seeded running event with
signed-in sessions, `live_seed` in tests/browser/conftest.py; daphne in a subprocess).
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import axe_violations
from tests.browser.daphne import serve


@pytest.fixture(scope="module")
def live_server_process(live_seed, tmp_path_factory):
    source, data = live_seed
    work = tmp_path_factory.mktemp("polls-browser")
    with serve(source, work, LIVE_HEARTBEAT_SECONDS="5") as (base, _env):
        yield base, data


def _page(browser: Browser, base: str, session: str, width: int = 1280, *, axe=False) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=axe)
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    return page


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _open_live(page: Page, base: str, data: dict) -> None:
    page.goto(f"{base}/events/{data['slug']}/live/")
    expect(page.locator("#live-connection")).to_have_text("● Live")


def test_a_poll_opened_answered_revealed_closed_and_archived(
    browser: Browser, live_server_process, artifacts
):
    base, data = live_server_process
    organiser = _page(browser, base, data["organiser"]["session"], axe=True)
    laptop = _page(browser, base, data["users"][0]["session"], axe=True)
    phone = _page(browser, base, data["users"][1]["session"], width=390, axe=True)
    presenter = _page(browser, base, data["organiser"]["session"], width=1600)

    # The organiser prepares a poll whose results wait for the reveal.
    organiser.goto(f"{base}/events/{data['slug']}/live/polls/")
    organiser.get_by_label("Question").fill("Which fan-out do you run?")
    organiser.get_by_label("For").select_option(label="Fan-out")
    organiser.get_by_label("Results").select_option("reveal")
    organiser.locator("[name=option_1]").fill("Channels groups")
    organiser.locator("[name=option_2]").fill("A hub per process")
    organiser.get_by_role("button", name="Prepare poll").click()
    expect(organiser.locator("body")).to_contain_text("Poll prepared: “Which fan-out do you run?”")
    organiser.goto(f"{base}/events/{data['slug']}/live/polls/")  # axe checks an unredirected page
    expect(organiser.locator("[data-poll]")).to_have_count(1)
    assert axe_violations(organiser) == []

    for page in (laptop, phone):
        _open_live(page, base, data)
        expect(page.locator("#live-polls")).not_to_contain_text("Which fan-out")
    presenter.goto(f"{base}/events/{data['slug']}/live/presenter/")
    expect(presenter.locator("#live-connection")).to_have_text("● Live")

    # Open it: it appears on every screen without a reload.
    organiser.locator("[data-poll]").get_by_role("button", name="Open").click()
    for page in (laptop, phone):
        expect(page.locator("#live-polls")).to_contain_text("Which fan-out do you run?")
        page.evaluate("window.__noReload = true")
    expect(presenter.locator("#presenter-polls")).to_contain_text("Which fan-out do you run?")

    # Two answers, by htmx: the room sees how many answered, not what, until the reveal.
    laptop.get_by_label("Channels groups").check()
    laptop.get_by_role("button", name="Answer", exact=True).click()
    expect(laptop.locator("#live-polls")).to_contain_text("Thanks: your answer is in.")
    phone.get_by_label("A hub per process").check()
    phone.get_by_role("button", name="Answer", exact=True).click()
    expect(phone.locator("#live-polls")).to_contain_text("Thanks: your answer is in.")
    for page in (laptop, phone, presenter):
        expect(page.locator("[data-ballots]").first).to_have_text("2 people answered")
        expect(page.locator("[data-votes-for]")).to_have_count(0)
    laptop.screenshot(path=artifacts / "polls-laptop-hidden.png", full_page=True)
    phone.screenshot(path=artifacts / "polls-phone-hidden.png", full_page=True)

    # Reveal: the results reach every screen.
    organiser.locator("[data-poll]").get_by_role("button", name="Reveal results").click()
    for page in (laptop, phone, presenter):
        expect(page.locator("[data-votes-for]").first).to_have_text("1 · 50%")
        expect(page.locator("[data-votes-for]").nth(1)).to_have_text("1 · 50%")
    presenter.screenshot(path=artifacts / "polls-presenter.png", full_page=True)
    laptop.screenshot(path=artifacts / "polls-laptop-revealed.png", full_page=True)
    phone.screenshot(path=artifacts / "polls-phone-revealed.png", full_page=True)
    assert axe_violations(phone) == []
    assert axe_violations(laptop) == []

    # Close: the form goes, the results stay, and the talk page keeps them.
    organiser.locator("[data-poll]").get_by_role("button", name="Close").click()
    for page in (laptop, phone):
        expect(page.locator("#live-polls")).to_contain_text("Closed")
        expect(page.locator('#live-polls input[name="option"]')).to_have_count(0)
        assert page.evaluate("window.__noReload") is True
    organiser.screenshot(path=artifacts / "polls-organiser.png", full_page=True)
    phone.goto(f"{base}/talks/{data['talk_slug']}/")
    archive = phone.locator('section[aria-labelledby="polls-archive-heading"]')
    expect(archive).to_contain_text("Which fan-out do you run?")
    expect(archive.locator("[data-votes-for]").first).to_have_text("1 · 50%")
    phone.screenshot(path=artifacts / "polls-talk-page-phone.png", full_page=True)
    assert axe_violations(phone) == []

    for page in (organiser, laptop, phone, presenter):
        assert _overflow(page) <= 0
        assert page.errors == []
        page.context.close()

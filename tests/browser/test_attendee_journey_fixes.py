"""Issue #15, the attendee journey in Chromium: home to ticket within 4 clicks, Back from the
ticket shows the current panel, cancel offers Undo (with and without JavaScript), the phone's
bottom bar, who's going at 320 px; screenshots at 390 and 1280 px, axe clean."""

from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories
from tests.browser.a11y import axe_violations

# live_server speaks plain HTTP (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"phone": 390, "desktop": 1280}
CLICK_BUDGET_TO_TICKET = 4  # home card → event page → "I'm going" → ticket (issue #15)


@pytest.fixture
def scene(transactional_db):
    group = factories.make_group(name="SyDjango")
    venue = factories.make_venue(name="Canva HQ", address="110 Kippax St, Surry Hills")
    event = factories.make_event(
        group=group,
        title="SyDjango: async views in anger",
        capacity=6,
        venue=venue,
        description="Three talks on async Django.\n\n" + "More about the evening. " * 40,
    )
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    crowd = [
        factories.make_user(username=name.lower(), first_name=name, last_name="Smith")
        for name in ("Ada", "Bob")
    ]
    services.rsvp_create(event=event, user=crowd[0], guests=1)
    services.rsvp_create(event=event, user=crowd[1], listed=False)
    member = factories.make_user(username="mia", first_name="Mia", last_name="Member")
    return {"event": event, "member": member, "crowd": crowd}


@pytest.fixture
def signed_in(browser: Browser, live_server, contexts):
    def open_page(user, width: int, **options) -> Page:
        client = Client()
        client.force_login(user)
        # bypass_csp: axe is injected as an inline script (tests/browser/a11y.py).
        options.setdefault("bypass_csp", True)
        context = browser.new_context(viewport={"width": width, "height": 800}, **options)
        contexts.append(context)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    return open_page


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _focused(page: Page) -> str:
    return page.evaluate(
        "document.activeElement.id || document.activeElement.dataset.focusKey || "
        "document.activeElement.tagName"
    )


@pytest.mark.parametrize("size", WIDTHS)
def test_home_to_ticket_within_the_click_budget(signed_in, live_server, scene, artifacts, size):
    """Guards: ~7 clicks over 5 pages to a ticket; the success panel must link to the ticket,
    focus must land on it after the swap, the home card must then say "You're going"."""
    page = signed_in(scene["member"], WIDTHS[size])
    page.goto(live_server.url + "/")
    clicks = 0

    page.get_by_role("link", name="Details and RSVP").click()
    clicks += 1
    # A click before the deferred htmx has run posts the plain form (which works, but swaps
    # nothing and moves no focus); a person cannot click that fast, so wait for the load.
    page.wait_for_url(live_server.url + scene["event"].get_absolute_url())
    page.locator("#rsvp-panel").get_by_role("button", name="I'm going").click()
    clicks += 1
    ticket_link = page.locator("#rsvp-ticket-link")
    expect(ticket_link).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(
        "You're going! Your ticket is on its way by email."
    )
    page.screenshot(path=artifacts / f"attendee-rsvp-success-{size}.png", full_page=True)
    ticket_link.click()
    clicks += 1

    expect(page.get_by_role("heading", level=1)).to_have_text(scene["event"].title)
    expect(page.locator("svg title")).to_have_text("Check-in code for this ticket")
    assert clicks <= CLICK_BUDGET_TO_TICKET
    page.screenshot(path=artifacts / f"attendee-ticket-{size}.png", full_page=True)
    assert _overflow(page) <= 0
    assert axe_violations(page) == []

    page.goto(live_server.url + "/")
    expect(page.locator("main")).to_contain_text("You're going")
    expect(page.get_by_role("link", name="Details and ticket")).to_be_visible()
    page.screenshot(path=artifacts / f"attendee-home-going-{size}.png", full_page=True)
    assert page.errors == []


def test_back_from_the_ticket_shows_the_current_panel(signed_in, live_server, scene, artifacts):
    """Guards: Back from the ticket showing an old seat count. Playwright turns Chromium's
    back-forward cache off, so this Back is a fresh load of a `no-store` page; the next test
    covers a restore from that cache."""
    event = scene["event"]
    page = signed_in(scene["member"], 390)
    page.goto(live_server.url + event.get_absolute_url())
    panel = page.locator("#rsvp-panel")
    panel.get_by_role("button", name="I'm going").click()
    expect(panel).to_contain_text("2 of 6 seats left")

    page.locator("#rsvp-ticket-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    # Meanwhile someone else takes a seat.
    services.rsvp_create(event=event, user=factories.make_user(first_name="Late"))
    page.go_back()

    expect(panel).to_contain_text("1 of 6 seats left")
    expect(panel).to_contain_text("You're going.")
    expect(page.locator("#rsvp-sticky")).to_contain_text("You're going")
    page.screenshot(path=artifacts / "attendee-back-from-ticket-phone.png")
    assert page.errors == []


def test_page_restored_from_the_back_forward_cache_refreshes_its_panel(
    signed_in, live_server, scene
):
    """Guards: the stale panel after Back in browsers that keep `no-store` pages in their
    back-forward cache (Chrome is rolling this out). Playwright cannot restore a page from
    that cache, so the restore's `pageshow` (persisted) is dispatched as the browser would;
    without meetups/event_page.js nothing re-fetches and the old count stays."""
    event = scene["event"]
    page = signed_in(scene["member"], 390)
    page.goto(live_server.url + event.get_absolute_url())
    panel = page.locator("#rsvp-panel")
    bar = page.locator("#rsvp-sticky")
    expect(panel).to_contain_text("3 of 6 seats left")
    expect(bar).to_contain_text("3 seats left")
    page.evaluate("window.__sameDocument = true")

    services.rsvp_create(event=event, user=scene["member"])  # on another device, say
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")

    expect(panel).to_contain_text("2 of 6 seats left")
    expect(panel).to_contain_text("You're going.")
    expect(bar.get_by_role("link", name="Ticket")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    assert page.errors == []


@pytest.mark.parametrize("size", WIDTHS)
def test_cancel_then_undo_with_javascript(signed_in, live_server, scene, artifacts, size):
    """Guards: cancel in one click with no way back; focus lost after the swaps."""
    event = scene["event"]
    services.rsvp_create(event=event, user=scene["member"], guests=1)
    page = signed_in(scene["member"], WIDTHS[size])
    page.goto(live_server.url + event.get_absolute_url())
    page.evaluate("window.__noReload = true")
    panel = page.locator("#rsvp-panel")

    panel.get_by_role("button", name="Cancel my RSVP").click()

    undo = panel.get_by_role("button", name="Undo cancelling my RSVP")
    expect(undo).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Your RSVP is cancelled.")
    expect(panel).to_contain_text("You cancelled your RSVP (you + 1).")
    page.screenshot(path=artifacts / f"attendee-cancelled-undo-{size}.png", full_page=True)
    assert axe_violations(page) == []

    undo.click()

    expect(panel).to_contain_text("Cancellation undone: you're going again.")
    expect(page.locator("#rsvp-ticket-link")).to_be_focused()
    assert page.evaluate("window.__noReload") is True
    rsvp = Rsvp.objects.get(user=scene["member"])
    assert (rsvp.status, rsvp.guests) == ("going", 1)
    assert page.errors == []


def test_cancel_then_undo_without_javascript(signed_in, live_server, scene, artifacts):
    """Guards: Undo that needs JavaScript (plain forms must cancel and undo)."""
    event = scene["event"]
    services.rsvp_create(event=event, user=scene["member"])
    page = signed_in(scene["member"], 390, java_script_enabled=False)
    page.goto(live_server.url + event.get_absolute_url())

    page.locator("#rsvp-panel").get_by_role("button", name="Cancel my RSVP").click()
    expect(page.locator("#messages")).to_contain_text("Your RSVP is cancelled.")
    page.screenshot(path=artifacts / "attendee-cancelled-undo-nojs-phone.png", full_page=True)
    page.locator("#rsvp-panel").get_by_role("button", name="Undo cancelling my RSVP").click()

    expect(page.locator("#messages")).to_contain_text("Cancellation undone: you're going again.")
    expect(page.locator("#rsvp-panel")).to_contain_text("You're going.")
    assert Rsvp.objects.get(user=scene["member"]).status == "going"


def test_phone_bar_jumps_to_the_panel_and_hides_on_desktop(
    signed_in, live_server, scene, artifacts
):
    """Guards: the RSVP card below the fold on a phone with no sticky action; the bar must not
    cover the end of the page, and must not show at desktop widths."""
    event = scene["event"]
    page = signed_in(scene["member"], 390)
    page.goto(live_server.url + event.get_absolute_url())
    bar = page.locator("#rsvp-sticky .sticky-action")
    panel = page.locator("#rsvp-panel")

    expect(bar).to_be_in_viewport()
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(800, abs=1)  # pinned to the bottom
    expect(panel).not_to_be_in_viewport()
    page.screenshot(path=artifacts / "attendee-phone-bar-390.png")

    bar.get_by_role("link", name="RSVP").click()
    expect(panel).to_be_in_viewport()
    panel.get_by_role("button", name="I'm going").click()
    expect(bar.get_by_role("link", name="Ticket")).to_be_visible()

    # At the end of the page the body keeps room for the bar: the footer's last line shows.
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    footer_end = page.evaluate(
        "document.querySelector('footer').lastElementChild.getBoundingClientRect().bottom"
    )
    assert footer_end <= bar.bounding_box()["y"]
    page.screenshot(path=artifacts / "attendee-phone-bar-end-390.png")
    assert _overflow(page) <= 0
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(bar).to_be_hidden()
    page.screenshot(path=artifacts / "attendee-event-going-1280.png", full_page=True)
    assert page.errors == []


@pytest.mark.parametrize("width", [320, 390])
def test_whos_going_fits_narrow_phones(signed_in, live_server, scene, artifacts, width):
    """Guards: long names pushing the page sideways; hidden people appearing by name."""
    event = scene["event"]
    event.capacity = 40
    event.save()
    services.rsvp_create(
        event=event,
        user=factories.make_user(
            first_name="Maximiliana-Alexandrina", last_name="Wolfeschlegelsteinhausenberger"
        ),
    )
    page = signed_in(scene["member"], width)
    page.goto(live_server.url + event.get_absolute_url())

    going = page.locator("#rsvp-going")
    expect(going).to_contain_text("Ada Smith")
    expect(going).not_to_contain_text("Bob")
    expect(going).to_contain_text("and 2 more")
    going.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"attendee-whos-going-{width}.png", full_page=True)
    assert _overflow(page) <= 0
    assert page.errors == []


@pytest.mark.parametrize("size", WIDTHS)
def test_talk_page_and_my_events_fit(signed_in, live_server, scene, artifacts, size):
    """Guards: the talk's start time and My events pushing the page sideways; screenshots."""
    past = factories.make_event(
        group=scene["event"].group,
        starts_in=-timedelta(days=30),
        recording_url="https://www.youtube.com/watch?v=jeJmQazH3jA",
    )
    talk = factories.make_talk(event=past, title="Concurrency", recording_start_seconds=1710)
    services.rsvp_create(event=scene["event"], user=scene["member"])
    page = signed_in(scene["member"], WIDTHS[size])
    # The player is a youtube-nocookie frame: no network here, so keep it out of the page.
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.abort())

    page.goto(live_server.url + talk.get_absolute_url())
    expect(page.locator("main")).to_contain_text("This talk starts at 28:30")
    assert _overflow(page) <= 0
    page.screenshot(path=artifacts / f"attendee-talk-start-{size}.png", full_page=True)

    page.goto(live_server.url + "/my-events/")
    expect(page.get_by_role("link", name=f"Ticket for {scene['event'].title}")).to_be_visible()
    assert _overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / f"attendee-my-events-{size}.png", full_page=True)

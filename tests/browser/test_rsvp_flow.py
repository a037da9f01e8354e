"""RSVP panel, ticket and door check-in in Chromium: htmx swaps, no reloads, screenshots."""

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories
from tests.browser.a11y import axe_violations

# live_server speaks plain HTTP (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def scene(transactional_db):
    group = factories.make_group(name="SyDjango")
    organiser = factories.make_user(username="olivia", first_name="Olivia", last_name="Org")
    group.organisers.add(organiser)
    venue = factories.make_venue(name="Canva HQ", address="110 Kippax St, Surry Hills")
    event = factories.make_event(
        group=group, title="SyDjango: async views in anger", capacity=6, venue=venue
    )
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    crowd = [
        factories.make_user(username=name.lower(), first_name=name, last_name="Smith")
        for name in ("Ada", "Bob", "Chen")
    ]
    for person, guests in zip(crowd, (1, 0, 1), strict=True):
        services.rsvp_create(event=event, user=person, guests=guests)
    member = factories.make_user(username="mia", first_name="Mia", last_name="Member")
    return {"event": event, "organiser": organiser, "member": member, "crowd": crowd}


@pytest.fixture
def signed_in(browser: Browser, live_server, contexts):
    def open_page(user, width: int, **options) -> Page:
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": width, "height": 1000}, **options)
        contexts.append(context)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        return context.new_page()

    return open_page


@pytest.mark.parametrize("size", WIDTHS)
def test_rsvp_panel_rsvp_change_guests_and_cancel_without_reload(
    signed_in, live_server, scene, artifacts, size
):
    event = scene["event"]
    page = signed_in(scene["member"], WIDTHS[size])
    page.goto(live_server.url + event.get_absolute_url())
    page.evaluate("window.__noReload = true")
    panel = page.locator("#rsvp-panel")
    expect(panel).to_contain_text("1 of 6 seats left")
    page.screenshot(path=artifacts / f"rsvp-panel-open-{size}.png", full_page=True)

    panel.get_by_label("Who's coming").select_option("0")
    panel.get_by_role("button", name="I'm going").click()

    expect(panel).to_contain_text("You're going! Your ticket is on its way by email.")
    expect(panel).to_contain_text("Full · 6 seats taken")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"rsvp-panel-going-{size}.png", full_page=True)

    panel.get_by_label("Guests you bring").select_option("2")
    panel.get_by_role("button", name="Save changes").click()
    expect(panel).to_contain_text("The event is full, so you can't add guests now.")
    page.screenshot(path=artifacts / f"rsvp-panel-refused-{size}.png", full_page=True)

    panel.get_by_role("button", name="Cancel my RSVP").click()
    expect(panel).to_contain_text("Your RSVP is cancelled.")
    expect(panel).to_contain_text("1 of 6 seats left")
    assert page.evaluate("window.__noReload") is True
    assert Rsvp.objects.get(user=scene["member"]).status == Rsvp.Status.CANCELLED


def test_rsvp_panel_full_event_joins_the_waitlist(signed_in, live_server, scene, artifacts):
    event = scene["event"]
    services.rsvp_create(event=event, user=factories.make_user(username="late"))
    page = signed_in(scene["member"], 1280)
    page.goto(live_server.url + event.get_absolute_url())

    page.get_by_role("button", name="Join the waitlist").click()

    panel = page.locator("#rsvp-panel")
    expect(panel).to_contain_text("You're number 1 on the waitlist.")
    page.screenshot(path=artifacts / "rsvp-panel-waitlisted-desktop.png", full_page=True)


def test_rsvp_panel_works_without_javascript(signed_in, live_server, scene):
    event = scene["event"]
    page = signed_in(scene["member"], 1280, java_script_enabled=False)
    page.goto(live_server.url + event.get_absolute_url())

    page.locator("#rsvp-panel").get_by_role("button", name="I'm going").click()

    expect(page.locator("#rsvp-panel")).to_contain_text("You're going.")
    expect(page.locator("#messages")).to_contain_text("You're going! Your ticket")


@pytest.mark.parametrize("size", WIDTHS)
def test_ticket_page_shows_the_qr_code(signed_in, live_server, scene, artifacts, size):
    rsvp = Rsvp.objects.get(user=scene["crowd"][0])
    page = signed_in(scene["crowd"][0], WIDTHS[size])

    page.goto(live_server.url + rsvp.get_ticket_url())

    expect(page.get_by_role("heading", level=1)).to_have_text(scene["event"].title)
    expect(page.locator("svg title")).to_have_text("Check-in code for this ticket")
    expect(page.get_by_text("You + 1 guest")).to_be_visible()
    page.screenshot(path=artifacts / f"rsvp-ticket-{size}.png", full_page=True)


@pytest.mark.parametrize("size", WIDTHS)
def test_door_check_in_search_tap_and_undo(signed_in, live_server, scene, artifacts, size):
    event = scene["event"]
    page = signed_in(scene["organiser"], WIDTHS[size])
    page.goto(f"{live_server.url}/events/{event.slug}/check-in/")
    page.evaluate("window.__noReload = true")
    totals = page.locator("#check-in-totals")
    expect(totals).to_contain_text("Checked in0")

    page.get_by_label("Find a name or email").fill("chen")
    results = page.locator("#check-in-results")
    expect(results.locator("li")).to_have_count(1)
    results.get_by_role("button", name="Chen Smith and 1 guest").click()

    expect(totals).to_contain_text("Checked in2")
    expect(results.get_by_role("button", name="check-in of Chen Smith and 1 guest")).to_be_visible()
    page.get_by_label("Find a name or email").fill("")
    expect(results.locator("li")).to_have_count(3)
    page.screenshot(path=artifacts / f"rsvp-check-in-{size}.png", full_page=True)

    results.get_by_role("button", name="check-in of Chen Smith and 1 guest").click()
    expect(totals).to_contain_text("Checked in0")
    assert page.evaluate("window.__noReload") is True


def test_rsvp_pages_have_no_axe_violations(signed_in, live_server, scene, artifacts):
    event = scene["event"]
    rsvp = Rsvp.objects.get(user=scene["crowd"][0])
    member = signed_in(scene["crowd"][0], 1280, bypass_csp=True)
    organiser = signed_in(scene["organiser"], 1280, bypass_csp=True)
    pages = [
        (member, event.get_absolute_url()),
        (member, rsvp.get_ticket_url()),
        (member, "/my-events/"),
        (organiser, f"/events/{event.slug}/check-in/"),
        (organiser, f"/events/{event.slug}/attendees/"),
        (organiser, rsvp.get_check_in_url()),
    ]
    found = {}
    for page, path in pages:
        page.goto(live_server.url + path, wait_until="networkidle")
        found[path] = axe_violations(page)
        if path in ("/my-events/", f"/events/{event.slug}/attendees/"):
            name = path.strip("/").split("/")[-1]
            page.screenshot(path=artifacts / f"rsvp-{name}-desktop.png", full_page=True)

    assert found == {path: [] for _, path in pages}

"""The door on a phone (#15): guests checked in one by one, admitting from the waitlist over
capacity with a confirm step, a walk-in, fake ticket scans for every outcome, focus kept and
results announced, no overflow at 320 and 390 px, axe clean, no console errors."""

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

LONG_EMAIL = "bartholomew.maximilian.longname-at-the-door@averyveryverylongdomainname.example.org"


@pytest.fixture
def door(transactional_db):
    group = factories.make_group(name="SyDjango")
    organiser = factories.make_user(username="olivia", first_name="Olivia", last_name="Org")
    group.organisers.add(organiser)
    event = factories.make_event(group=group, title="SyDjango at the door", capacity=4)
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    other = factories.make_event(group=group, title="Django Girls workshop")

    def person(username, first, **fields):
        return factories.make_user(username=username, first_name=first, last_name="Smith", **fields)

    eve = services.rsvp_create(event=event, user=person("eve", "Eve")).rsvp
    services.rsvp_cancel(rsvp_id=eve.pk, user=eve.user)
    ada = services.rsvp_create(event=event, user=person("ada", "Ada"), guests=2).rsvp
    bob = services.rsvp_create(event=event, user=person("bob", "Bob", email=LONG_EMAIL)).rsvp
    chen = services.rsvp_create(event=event, user=person("chen", "Chen")).rsvp
    dora = services.rsvp_create(event=other, user=person("dora", "Dora")).rsvp
    assert (chen.status, event.capacity) == (Rsvp.Status.WAITLISTED, 4)
    return {
        "event": event,
        "organiser": organiser,
        "ada": ada,
        "bob": bob,
        "chen": chen,
        "dora": dora,
        "eve": eve,
    }


@pytest.fixture
def organiser_page(browser: Browser, live_server, contexts, door):
    def open_page(width: int, **options) -> Page:
        client = Client()
        client.force_login(door["organiser"])
        # bypass_csp: axe is injected as an inline script (tests/browser/a11y.py).
        options.setdefault("bypass_csp", True)
        context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        contexts.append(context)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(f"{live_server.url}/events/{door['event'].slug}/check-in/")
        return page

    return open_page


def unexpected_errors(page: Page) -> list[str]:
    """Console and page errors, less Chromium's network line for the refusals this test asks
    for on purpose (a full event's 409, an unknown ticket's 422)."""
    expected = tuple(
        f"Failed to load resource: the server responded with a status of {status}"
        for status in (409, 422)
    )
    return [error for error in page.errors if not error.startswith(expected)]


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def focus_key(page: Page) -> str:
    return page.evaluate(
        "document.activeElement.dataset.focusKey || document.activeElement.tagName"
    )


def test_door_guests_waitlist_walk_in_and_scans_on_a_phone(
    organiser_page, live_server, door, artifacts
):
    """Guards: each door feature of #15 as a person at the door uses it, at 390 px."""
    page = organiser_page(390)
    ada, bob, chen = door["ada"], door["bob"], door["chen"]
    announcer = page.locator("#announcer")
    totals = page.locator("#check-in-totals")
    expect(totals).to_contain_text("Checked in0")
    assert overflow(page) <= 0
    page.screenshot(path=artifacts / "door-phone-start.png", full_page=True)

    # The host, then one guest: each counted, focus kept on the control, the result announced.
    row = page.locator(f"#check-in-{ada.pk}")
    row.get_by_role("button", name="Ada Smith only").click()
    expect(announcer).to_have_text("Checked in Ada Smith. (1 of 4 in)")
    expect(totals).to_contain_text("Checked in1")
    assert focus_key(page) == f"host-{ada.pk}"
    row.get_by_role("button", name="of Ada Smith in").click()
    expect(announcer).to_have_text("Ada Smith: 1 guest in. (2 of 4 in)")
    expect(row).to_contain_text("1 of 2 guests in")
    assert focus_key(page) == f"guest-add-{ada.pk}"
    # The totals are not a live region: only #announcer speaks.
    assert totals.get_attribute("aria-live") is None

    # Admit Chen from the waitlist: full, so the door asks first.
    waiting = page.locator(f"#check-in-{chen.pk}")
    waiting.get_by_role("button", name="Chen Smith from the waitlist").click()
    anyway = waiting.get_by_role("button", name="Chen Smith, over capacity")
    # Focus moves to the reason (the Admit button is gone), the choice is the next Tab.
    reason = waiting.get_by_text("The event is full (4 of 4 seats taken).")
    expect(reason).to_be_focused()
    page.keyboard.press("Tab")
    expect(anyway).to_be_focused()
    page.screenshot(path=artifacts / "door-phone-admit-confirm.png", full_page=True)
    anyway.click()
    expect(announcer).to_have_text("Admitted Chen Smith from the waitlist. (3 of 5 in)")
    expect(waiting).to_contain_text("✓ In")
    expect(page.locator("#door-total-going")).to_have_text("5")

    # A walk-in: full too, so confirm, then they are in.
    walk_in = page.locator("#walk-in")
    walk_in.get_by_label("Name").fill("Wanda Walker")
    walk_in.get_by_label("Email (optional)").fill("wanda@example.org")
    walk_in.get_by_role("button", name="Register and check in").click()
    expect(walk_in).to_contain_text("Admitting Wanda Walker (1 person) takes it to 6")
    walk_in.get_by_role("button", name="Register anyway (over capacity)").click()
    expect(walk_in).to_contain_text("✓ Checked in Wanda Walker (walk-in).")
    expect(announcer).to_have_text("Checked in Wanda Walker (walk-in). (4 of 6 in)")
    walk_in_rsvp = Rsvp.objects.get(is_walk_in=True)
    assert (walk_in_rsvp.user.first_name, walk_in_rsvp.walk_in_email) == (
        "Wanda Walker",
        "wanda@example.org",
    )

    # Fake scans: the page's handler gets what the camera would decode.
    result = page.locator("#scan-result")
    scans = [
        (live_server.url + bob.get_check_in_url(), "in", "✓ Checked in Bob Smith."),
        (bob.get_check_in_url(), "used", "⚠ Already used: Bob Smith checked in at "),
        (door["eve"].get_check_in_url(), "refused", "✗ Cancelled: Eve Smith cancelled this RSVP"),
        (door["dora"].get_check_in_url(), "refused",
         "✗ Another event: Dora Smith's ticket is for Django Girls workshop"),
        ("/check-in/t/nosuchticketnosuchticket/", "refused", "✗ Not a ticket for this event."),
    ]  # fmt: skip
    for text, outcome, message in scans:
        assert page.evaluate("text => window.doorScan.handle(text)", text) is True
        expect(result.locator(f'[data-outcome="{outcome}"]')).to_contain_text(message)
        expect(announcer).to_contain_text(message[2:])
        page.screenshot(path=artifacts / f"door-phone-scan-{outcome}.png", full_page=True)
    expect(page.locator("#door-total-checked-in")).to_have_text("5")
    bob.refresh_from_db()
    assert bob.is_checked_in is True

    assert overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "door-phone-end.png", full_page=True)
    assert unexpected_errors(page) == []


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_door_and_attendee_list_fit_and_pass_axe(
    organiser_page, live_server, door, artifacts, width
):
    """Guards: long emails wrap instead of being cut (1.4.10); the attendee table stacks."""
    page = organiser_page(width)
    email = page.get_by_text(LONG_EMAIL)
    expect(email).to_be_visible()
    box = email.bounding_box()
    assert box["x"] + box["width"] <= width
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / f"door-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/events/{door['event'].slug}/attendees/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendees")
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / f"door-attendees-{width}.png", full_page=True)
    assert unexpected_errors(page) == []


def test_door_admit_over_capacity_without_javascript(organiser_page, door):
    """Guards: the confirm step is plain forms; nothing needs JavaScript at the door."""
    page = organiser_page(390, java_script_enabled=False)
    chen = door["chen"]

    page.locator(f"#check-in-{chen.pk}").get_by_role("button", name="Admit").click()
    expect(page.get_by_role("heading", name="Admit over capacity?")).to_be_visible()
    page.get_by_role("button", name="Admit anyway").first.click()

    expect(page.locator("#messages")).to_contain_text("Admitted Chen Smith from the waitlist.")
    chen.refresh_from_db()
    assert (chen.status, chen.is_checked_in) == ("going", True)


@pytest.mark.parametrize("width", [390, 1280])
def test_organise_list_shows_who_came_to_a_past_event(
    organiser_page, live_server, door, artifacts, width
):
    """Guards: the past event reads "35 came" on the organise list, as on its own page."""
    factories.make_event(
        group=door["event"].group, title="Reconnect", capacity=50, recorded_attendance=35,
        starts_in=-timedelta(days=60),
    )  # fmt: skip
    page = organiser_page(width)

    page.goto(f"{live_server.url}/organise/{door['event'].group.slug}/")

    past = page.locator("section", has=page.locator("#past-heading"))
    expect(past).to_contain_text("35 came")
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / f"organise-group-{width}.png", full_page=True)
    assert unexpected_errors(page) == []

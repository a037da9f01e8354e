"""Failures are told, state heals (portal/static/portal/failures.js), in Chromium.

The server "goes down" for one URL through Playwright's route interception (the request is
aborted, as when the server is unreachable); the error must be visible and in the page's
role="alert" region; once the server is back the panel shows the current seats again, and the
action succeeds. A refusal replaces an earlier success message.
"""

import re

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from rsvp import services
from rsvp.models import Rsvp, RsvpSettings
from tests import factories

# live_server speaks plain HTTP (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def scene(transactional_db):
    group = factories.make_group(name="SyDjango")
    event = factories.make_event(group=group, title="SyDjango: failure modes", capacity=6)
    RsvpSettings.objects.create(event=event, guests_allowed=2)
    crowd = [factories.make_user(username=name) for name in ("ada", "bob", "chen")]
    for person, guests in zip(crowd, (1, 0, 1), strict=True):
        services.rsvp_create(event=event, user=person, guests=guests)
    member = factories.make_user(username="mia")
    return {"event": event, "member": member, "crowd": crowd}


@pytest.fixture
def page_for(browser: Browser, live_server, transactional_db):
    opened = []

    def open_page(user, width: int) -> Page:
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": width, "height": 900})
        opened.append(context)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


def _no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", WIDTHS)
def test_server_down_is_told_and_the_panel_heals_after(
    page_for, live_server, scene, artifacts, size
):
    event = scene["event"]
    page = page_for(scene["member"], WIDTHS[size])
    page.goto(live_server.url + event.get_absolute_url())
    panel = page.locator("#rsvp-panel")
    expect(panel).to_contain_text("1 of 6 seats left")
    alert = page.locator("#request-failure")
    expect(alert).to_have_attribute("role", "alert")

    going = re.compile(r".*/rsvp/going/$")
    page.route(going, lambda route: route.abort())
    panel.get_by_role("button", name="I'm going").click()
    expect(alert).to_contain_text("The server could not be reached.")
    expect(alert).to_contain_text("may not have been saved")
    expect(page.get_by_role("alert").filter(has_text="could not be reached")).to_have_count(1)
    assert Rsvp.objects.filter(user=scene["member"]).count() == 0
    page.screenshot(path=artifacts / f"failure-server-down-{size}.png", full_page=True)
    assert _no_horizontal_overflow(page)

    # While it was down, someone else cancelled: the panel must not keep the old count.
    services.rsvp_cancel(
        rsvp_id=Rsvp.objects.get(user=scene["crowd"][0]).pk, user=scene["crowd"][0]
    )
    page.unroute(going)
    alert.get_by_role("button", name="Show the current state").click()
    expect(panel).to_contain_text("3 of 6 seats left")
    expect(alert).to_have_text("")

    panel.get_by_role("button", name="I'm going").click()
    expect(panel).to_contain_text("You're going")
    expect(panel).to_contain_text("2 of 6 seats left")
    assert Rsvp.objects.get(user=scene["member"]).status == Rsvp.Status.GOING


def test_server_error_on_a_read_is_told_and_retried(page_for, live_server, scene):
    event = scene["event"]
    page = page_for(scene["member"], WIDTHS["desktop"])
    page.goto(live_server.url + event.get_absolute_url())
    panel_url = re.compile(r".*/rsvp/$")
    page.route(panel_url, lambda route: route.fulfill(status=500, body="boom"))
    page.evaluate("document.body.dispatchEvent(new CustomEvent('portal:refresh'))")
    alert = page.get_by_role("alert").filter(has_text="error 500")
    expect(alert).to_contain_text("Something went wrong on our side (error 500).")

    services.rsvp_create(event=event, user=scene["member"], guests=0)
    page.unroute(panel_url)
    alert.get_by_role("button", name="Retry").click()
    expect(page.locator("#rsvp-panel")).to_contain_text("You're going")
    expect(page.locator("#request-failure")).to_have_text("")


def test_a_refusal_replaces_an_earlier_success_message(page_for, live_server, scene, artifacts):
    event = scene["event"]
    page = page_for(scene["member"], WIDTHS["desktop"])
    page.goto(live_server.url + event.get_absolute_url())
    # The no-JavaScript path: a plain POST, a redirect, the success in the page's messages.
    page.locator("#rsvp-panel form").first.evaluate("form => form.submit()")
    messages = page.locator("#messages")
    expect(messages).to_contain_text("You're going!")

    panel = page.locator("#rsvp-panel")
    panel.get_by_label("Guests you bring").select_option("2")
    panel.get_by_role("button", name="Save changes to my RSVP").click()
    expect(panel).to_contain_text("The event is full, so you can't add guests now.")
    expect(messages).not_to_contain_text("You're going!")
    expect(panel.get_by_role("status")).to_have_count(0)
    assert Rsvp.objects.get(user=scene["member"]).guests == 0

"""The organiser's reminders page in a real browser, at a phone's and a desktop's width:
screenshots to look at, axe clean, no console errors, no sideways scroll; too many reminders
are refused next to the field (htmx swaps the form), then a valid choice is saved."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from reminders.models import ReminderPlan
from tests import factories
from tests.browser.a11y import axe_violations

WIDTHS = (390, 1280)


@pytest.fixture(autouse=True)
def _browser_settings(plain_http_cookies):
    pass


@pytest.mark.parametrize("width", WIDTHS)
def test_organiser_sets_an_event_s_reminders(
    browser: Browser, live_server, contexts, artifacts, width, transactional_db
):
    organiser = factories.make_user(username="olive", first_name="Olive")
    group = factories.make_group(name="SyDjango", owner=organiser)
    event = factories.make_event(
        group=group, title="SyDjango: Channels and HTMX night", starts_in=timedelta(days=5)
    )
    client = Client()
    client.force_login(organiser)
    # bypass_csp: axe is injected as an inline script (tests/browser/a11y.py).
    context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
    contexts.append(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = live_server.url + reverse(
        "reminders:event_reminders", kwargs={"group": group.slug, "event": event.slug}
    )

    page.goto(url)
    expect(page.get_by_label("1 day before", exact=True)).to_be_checked()
    expect(page.get_by_label("2 hours before", exact=True)).to_be_checked()
    page.screenshot(path=artifacts / f"reminders-page-{width}.png", full_page=True)
    assert axe_violations(page) == []
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") == 0

    page.get_by_label("15 minutes before", exact=True).check()
    page.get_by_label("1 week before", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#offsets-error")).to_have_text("Choose at most 3 reminders.")
    page.screenshot(path=artifacts / f"reminders-refused-{width}.png", full_page=True)
    assert axe_violations(page) == []  # the document is still the page; htmx swapped the form

    page.get_by_label("2 hours before", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: this event's reminders.")).to_be_visible()
    expect(page.get_by_text("Reminder, 1 week before", exact=True)).to_be_visible()
    assert ReminderPlan.objects.get(event=event).offsets_minutes == [10080, 1440, 15]
    # The one failed load is the deliberate 422 (four reminders); Chromium logs it.
    assert problems == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]

"""An anonymous visitor on pages served from the page cache (portal/pagecache.py): the archive's
live search (htmx) works, and from a cached event page they log in and RSVP (an htmx POST,
its CSRF header from the now signed-in page), with no console errors."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.pagecache import HIT_HEADER
from tests import factories
from tests.browser.a11y import axe_violations
from tests.browser.conftest import overflow


def served_from_cache(page, url: str) -> None:
    """Loads `url` until the cache answers it (the first render of an event page is not kept)."""
    for _ in range(3):
        response = page.goto(url)
        if response.headers.get(HIT_HEADER.lower()) == "hit":
            return
    raise AssertionError(f"{url} never came from the cache")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_anonymous_visitor_acts_from_cached_pages(
    open_page, live_server, page_cache, plain_http_cookies, artifacts, width
):
    group = factories.make_group(name="Cache Group")
    event = factories.make_event(group=group, title="Cached evening")
    factories.make_event(group=group, title="Old evening", starts_in=-timedelta(days=30))
    factories.make_user(username="visitor", email="visitor@example.com")
    page = open_page(width)

    served_from_cache(page, live_server.url + "/events/past/")
    page.get_by_label("Search past events").fill("Old")
    results = page.locator("#archive-results")
    expect(results).to_contain_text("1 event matching “Old”")
    expect(results.get_by_role("link", name="Old evening")).to_be_visible()

    url = live_server.url + event.get_absolute_url()
    served_from_cache(page, url)
    assert page.locator("body").get_attribute("hx-headers") is None
    assert axe_violations(page) == []
    assert overflow(page) == 0
    page.screenshot(path=artifacts / f"cached-event-{width}.png", full_page=True)

    page.locator("#rsvp-panel").get_by_role("link", name="Log in to RSVP").click()
    page.get_by_label("Email").fill("visitor@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cached evening")
    page.locator("#rsvp-panel").get_by_role("button", name="I'm going").click()

    expect(page.locator("#rsvp-panel")).to_contain_text("You're going.")
    assert page.errors == []
    page.screenshot(path=artifacts / f"cached-event-rsvp-{width}.png", full_page=True)

"""A visitor browses home -> event -> talk -> speaker, and searches the archive live."""

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_visitor_walks_home_event_talk_speaker(page: Page, live_server, demo, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Next event")).to_be_visible()
    page.screenshot(path=artifacts / f"home-{width}.png", full_page=True)

    page.get_by_role("link", name="All past events").click()
    page.get_by_role("link", name="SyDjango #1 2024 (Re-connect)").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SyDjango #1 2024 (Re-connect)")
    expect(page.get_by_text("35 people came")).to_be_visible()
    page.screenshot(path=artifacts / f"event-{width}.png", full_page=True)

    page.get_by_role("link", name="Concurrency in Python and Django", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concurrency in Python and Django")
    page.screenshot(path=artifacts / f"talk-{width}.png", full_page=True)

    page.get_by_role("link", name="Hashim Muqtadir").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hashim Muqtadir")
    expect(
        page.get_by_role("link", name="Concurrency in Python and Django", exact=True)
    ).to_be_visible()
    page.screenshot(path=artifacts / f"speaker-{width}.png", full_page=True)


def test_archive_search_swaps_results_without_reload(page: Page, live_server, demo, artifacts):
    page.goto(live_server.url + "/events/past/")
    # A marker on the window survives htmx swaps but not a full page load.
    page.evaluate("window.__noReload = true")

    page.get_by_label("Search past events").fill("drf")

    results = page.locator("#archive-results")
    expect(results).to_contain_text("1 event matching “drf”")
    expect(results.get_by_role("link", name="SyDjango #1 2024 (Re-connect)")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    assert page.url.endswith("/events/past/?q=drf")

    page.get_by_label("Search past events").fill("no such talk anywhere")
    expect(results).to_contain_text("No past events match “no such talk anywhere”.")
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=artifacts / "archive-search.png", full_page=True)

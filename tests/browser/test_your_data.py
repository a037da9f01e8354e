"""Your data and time zones in Chromium: the browser's own zone shown next to an event's time
(Playwright `timezone_id`), and the profile's data section: download, then delete the account;
at 390 and 1280 px, axe clean, no console error, no horizontal overflow."""

import json
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from portal.time_zones import profile_time_zone_set
from tests import factories
from tests.browser.a11y import axe_violations
from tests.browser.conftest import overflow

pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"phone": 390, "desktop": 1280}
# 7 pm in Sydney (AEDT) on 3 December 2026 = 8 am in London.
STARTS = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def sydney_event(transactional_db):
    group = factories.make_group(name="Sydney Django", slug="sydney-django")
    return factories.make_event(
        group=group,
        starts_at=STARTS,
        time_zone="Australia/Sydney",
        title="Summer meetup",
        slug="summer-meetup",
    )


@pytest.mark.parametrize("size", WIDTHS)
def test_browser_zone_is_added_next_to_the_event_zone(
    open_page, live_server, sydney_event, artifacts, size
):
    # The portal's own CSP applies here (no bypass): the script is a static file.
    page = open_page(WIDTHS[size], timezone_id="Europe/London")
    page.goto(live_server.url + sydney_event.get_absolute_url())
    when = page.locator("main [data-event-when]").first
    expect(when.locator("time").first).to_have_text("Thursday 3 December 2026, 7:00 PM")
    expect(when.locator("[data-local-time]")).to_have_text(
        "Your time (Europe/London): Thu, 3 Dec, 8:00 am\u201310:00 am GMT"
    )
    expect(when.locator("[data-local-time] time")).to_have_attribute(
        "datetime", "2026-12-03T08:00:00.000Z"
    )
    assert page.errors == []
    assert overflow(page) == 0
    page.screenshot(path=artifacts / f"event-local-time-{size}.png", full_page=True)

    checked = open_page(WIDTHS[size], timezone_id="Europe/London", bypass_csp=True)
    checked.goto(live_server.url + sydney_event.get_absolute_url())
    expect(checked.locator("[data-local-time]").first).to_be_visible()
    assert axe_violations(checked) == []


def test_browser_in_the_event_zone_adds_nothing(open_page, live_server, sydney_event):
    page = open_page(1280, timezone_id="Australia/Sydney")
    page.goto(live_server.url + sydney_event.get_absolute_url())
    expect(page.locator("main [data-event-when] time").first).to_have_text(
        "Thursday 3 December 2026, 7:00 PM"
    )
    page.wait_for_load_state("load")
    expect(page.locator("[data-local-time]")).to_have_count(0)
    assert page.errors == []


def test_profile_zone_wins_over_the_browser(open_page, live_server, sydney_event):
    member = factories.make_user(username="mia", first_name="Mia")
    profile_time_zone_set(user=member, time_zone="America/New_York")
    page = open_page(1280, user=member, timezone_id="Europe/London")
    page.goto(live_server.url + sydney_event.get_absolute_url())
    when = page.locator("main [data-event-when]").first
    expect(when.locator("[data-viewer-time]")).to_have_text(
        "Your time (America/New York): Thu 3 Dec, 3:00 AM\u20135:00 AM EST"
    )
    page.wait_for_load_state("load")
    expect(page.locator("[data-local-time]")).to_have_count(0)


@pytest.mark.parametrize("size", WIDTHS)
def test_member_downloads_data_then_deletes_the_account(
    open_page, live_server, sydney_event, artifacts, size
):
    member = factories.make_user(
        username="zquill", email="zeph@example.org", first_name="Zephyrine"
    )
    page = open_page(WIDTHS[size], user=member, bypass_csp=True)
    page.goto(live_server.url + "/accounts/profile/")
    section = page.locator("#your-data")
    expect(section.get_by_role("heading", name="Your data")).to_be_visible()
    assert axe_violations(page) == []
    assert overflow(page) == 0
    section.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"profile-your-data-{size}.png", full_page=True)

    with page.expect_download() as download_info:
        section.get_by_role("link", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename.startswith("my-data-")
    data = json.loads(download.path().read_text(encoding="utf-8"))
    assert data["sections"]["account"]["email"] == "zeph@example.org"

    section.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete your account", level=1)).to_be_visible()
    assert axe_violations(page) == []
    assert overflow(page) == 0
    page.screenshot(path=artifacts / f"account-delete-{size}.png", full_page=True)

    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#id_password_error")).to_have_text("That is not your password.")
    expect(page.get_by_label("Your password")).to_be_focused()
    assert axe_violations(page, status=422) == []

    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status").filter(has_text="Your account was deleted.")).to_be_visible()
    assert page.url == live_server.url + "/"
    assert get_user_model().objects.filter(email="zeph@example.org").count() == 0
    assert page.errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]

"""Email preferences and the unsubscribe link in Chromium: the htmx save of one group's
choices, the confirm-then-unsubscribe page without login, and the 400 page for a bad link;
at 390 and 1280 px, axe clean, no console error, no horizontal overflow."""

import pytest
from playwright.sync_api import expect

from members.models import Membership
from notify.preferences import wants
from notify.unsubscribe import unsubscribe_token
from tests import factories
from tests.browser.a11y import axe_violations
from tests.browser.conftest import overflow

pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture
def member_of_two(transactional_db):
    user = factories.make_user(username="ada", first_name="Ada")
    groups = [
        factories.make_group(name="Sydney Django", slug="sydney-django"),
        factories.make_group(name="Python Newcastle and the Hunter Valley", slug="pynewy"),
    ]
    for group in groups:
        Membership.objects.create(group=group, user=user)
    return user, groups


@pytest.mark.parametrize("size", WIDTHS)
def test_preferences_page_saves_one_group_on_change(
    open_page, live_server, member_of_two, artifacts, size
):
    user, (sydney, newcastle) = member_of_two
    page = open_page(WIDTHS[size], user=user)
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="Email preferences").click()
    expect(page.get_by_role("heading", name="Email preferences", level=1)).to_be_visible()
    section = page.locator("#prefs-pynewy")
    box = section.get_by_role("checkbox", name="Announcements from the organisers")
    expect(box).to_be_checked()
    box.uncheck()
    expect(page.locator("#prefs-pynewy [data-saved]")).to_have_text("Saved.")
    expect(page.locator("#announcer")).to_have_text(
        "Saved your email choices for Python Newcastle and the Hunter Valley."
    )
    expect(
        page.locator("#prefs-pynewy").get_by_role(
            "checkbox", name="Announcements from the organisers"
        )
    ).not_to_be_checked()
    assert wants(user=user, group=newcastle, category="announcements") is False
    assert wants(user=user, group=sydney, category="announcements") is True
    assert page.errors == []
    assert overflow(page) == 0
    page.screenshot(path=artifacts / f"notify-preferences-{size}.png", full_page=True)

    checked = open_page(WIDTHS[size], user=user, bypass_csp=True)
    checked.goto(live_server.url + "/accounts/email-preferences/")
    assert axe_violations(checked) == []


def test_preferences_page_works_without_javascript(open_page, live_server, member_of_two):
    user, (sydney, _newcastle) = member_of_two
    page = open_page(1280, user=user, java_script_enabled=False)
    page.goto(live_server.url + "/accounts/email-preferences/")
    section = page.locator("#prefs-sydney-django")
    section.get_by_role("checkbox", name="New events").uncheck()
    section.get_by_role("button", name="Save choices for Sydney Django").click()
    expect(page.get_by_text("Saved your email choices for Sydney Django.")).to_be_visible()
    assert page.url == live_server.url + "/accounts/email-preferences/"
    assert wants(user=user, group=sydney, category="events") is False


@pytest.mark.parametrize("size", WIDTHS)
def test_unsubscribe_link_confirms_then_unsubscribes_without_login(
    open_page, live_server, member_of_two, artifacts, size
):
    user, (sydney, _newcastle) = member_of_two
    token = unsubscribe_token(user=user, group=sydney, category="events")
    page = open_page(WIDTHS[size])
    page.goto(f"{live_server.url}/u/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop new events from Sydney Django?")
    assert wants(user=user, group=sydney, category="events") is True
    assert overflow(page) == 0
    page.screenshot(path=artifacts / f"notify-unsubscribe-{size}.png", full_page=True)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    assert wants(user=user, group=sydney, category="events") is False
    assert page.errors == []
    page.screenshot(path=artifacts / f"notify-unsubscribed-{size}.png", full_page=True)

    checked = open_page(WIDTHS[size], bypass_csp=True)
    checked.goto(f"{live_server.url}/u/{token}/")
    assert axe_violations(checked) == []
    checked.goto(f"{live_server.url}/u/{token}x/")
    expect(checked.get_by_role("heading", level=1)).to_have_text(
        "This unsubscribe link is not valid"
    )
    assert axe_violations(checked, status=400) == []

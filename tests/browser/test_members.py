"""Joining a group from its page in a real browser, with and without JavaScript, at a phone's
and a desktop's width; the members pages (the public list and the organisers'): screenshots to
look at, axe clean, no console errors, no sideways scroll."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from members.models import GroupPolicy, Membership
from tests import factories
from tests.browser.a11y import axe_violations

WIDTHS = (390, 1280)


@pytest.fixture(autouse=True)
def _browser_settings(plain_http_cookies):
    pass


def _page(browser, live_server, contexts, user, width, *, javascript=True):
    client = Client()
    client.force_login(user)
    # bypass_csp: axe is injected as an inline script (tests/browser/a11y.py).
    context = browser.new_context(
        viewport={"width": width, "height": 844}, bypass_csp=True, java_script_enabled=javascript
    )
    contexts.append(context)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def _seed_group():
    owner = factories.make_user(username="olive", first_name="Olive Organiser")
    group = factories.make_group(
        name="SyDjango", tagline="The Sydney Django and Python web community", owner=owner
    )
    for n in range(3):
        person = factories.make_user(username=f"attendee{n}", first_name=f"Attendee {n}")
        Membership.objects.create(group=group, user=person, listed=n != 2)
    return owner, group


@pytest.mark.parametrize("width", WIDTHS)
def test_join_and_leave_from_the_group_page_with_htmx(
    browser: Browser, live_server, contexts, artifacts, width, transactional_db
):
    _owner, group = _seed_group()
    mia = factories.make_user(username="mia", first_name="Mia Member")
    page, problems = _page(browser, live_server, contexts, mia, width)

    page.goto(live_server.url + group.get_absolute_url())
    count = page.locator("[data-member-count]")
    expect(count).to_have_text("3")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_role("button", name="Leave the group")).to_be_visible()
    expect(count).to_have_text("4")
    expect(page.locator("#announcer")).to_have_text("Welcome to SyDjango!")
    page.screenshot(path=artifacts / f"members-group-joined-{width}.png", full_page=True)
    assert axe_violations(page) == []
    assert _no_sideways_scroll(page) == 0
    assert Membership.objects.filter(group=group, user=mia).count() == 1

    page.get_by_role("button", name="Leave the group").click()
    expect(page.get_by_role("button", name="Join the group")).to_be_visible()
    expect(count).to_have_text("3")
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_join_without_javascript_then_the_members_page(
    browser: Browser, live_server, contexts, artifacts, width, transactional_db
):
    _owner, group = _seed_group()
    mia = factories.make_user(username="mia", first_name="Mia Member")
    page, problems = _page(browser, live_server, contexts, mia, width, javascript=False)

    page.goto(live_server.url + group.get_absolute_url())
    page.get_by_role("button", name="Join the group").click()

    expect(page.get_by_text("Welcome to SyDjango!")).to_be_visible()
    expect(page.locator("[data-member-count]")).to_have_text("4")
    assert page.url == live_server.url + group.get_absolute_url()

    page.get_by_role("link", name="See who's in").click()
    expect(page.get_by_role("heading", name="Members of SyDjango")).to_be_visible()
    names = page.locator("main li span:first-child")
    expect(names).to_have_text(["Attendee 0", "Attendee 1", "Mia Member"])
    page.screenshot(path=artifacts / f"members-list-{width}.png", full_page=True)
    assert _no_sideways_scroll(page) == 0
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_organisers_members_page_ban(
    browser: Browser, live_server, contexts, artifacts, width, transactional_db
):
    owner, group = _seed_group()
    page, problems = _page(browser, live_server, contexts, owner, width)
    url = live_server.url + reverse("organise:members", kwargs={"group": group.slug})

    page.goto(url)
    assert axe_violations(page) == []
    row = page.locator("li", has_text="Attendee 1")
    row.get_by_label("Reason (shown to them)").fill("Spam in the Q&A")
    row.get_by_role("button", name="Ban attendee1").click()

    expect(page.get_by_text("Banned: attendee1 can no longer take part.")).to_be_visible()
    expect(page.get_by_text("“Spam in the Q&A”")).to_be_visible()
    page.screenshot(path=artifacts / f"members-organise-{width}.png", full_page=True)
    page.goto(url)  # the audit wants the page itself, not the answer of a redirect
    expect(page.get_by_role("button", name="Lift the ban on attendee1")).to_be_visible()
    assert axe_violations(page) == []
    assert _no_sideways_scroll(page) == 0
    assert Membership.objects.get(user__username="attendee1").state == "banned"
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_members_only_event_offers_join_in_the_rsvp_panel(
    browser: Browser, live_server, contexts, artifacts, width, transactional_db
):
    _owner, group = _seed_group()
    GroupPolicy.objects.create(group=group, rsvp_audience="members")
    event = factories.make_event(group=group, title="SyDjango: Channels and HTMX night")
    mia = factories.make_user(username="mia", first_name="Mia Member")
    page, problems = _page(browser, live_server, contexts, mia, width)

    page.goto(live_server.url + event.get_absolute_url())
    panel = page.locator("#rsvp-panel")
    expect(panel.locator("#rsvp-refusal")).to_have_text(
        "This event is for members of the group: join the group to RSVP."
    )
    page.screenshot(path=artifacts / f"members-rsvp-join-offer-{width}.png", full_page=True)
    assert axe_violations(page) == []

    panel.get_by_role("button", name="Join the group").click()

    # The join answers membershipChanged; the panel refreshes itself and offers the RSVP.
    expect(page.locator("#rsvp-refusal")).to_have_count(0)
    expect(page.locator("#rsvp-panel").get_by_role("button", name="I'm going")).to_be_visible()
    assert Membership.objects.filter(group=group, user=mia, state="active").count() == 1
    assert _no_sideways_scroll(page) == 0
    assert problems == []

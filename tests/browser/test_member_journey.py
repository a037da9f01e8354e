"""One member's way through the member features in Chromium, from joining to unsubscribing:
join the group on its page → an organiser publishes an event and the new-event email arrives →
its link → "I'm going" → the reminder and its ticket link → the reminder's unsubscribe link,
confirmed without signing in; then the next reminder run leaves that member out.

Emails land in the locmem outbox (`mailoutbox`): the live server runs in this process, and the
immediate task backend sends during the request or service call. SITE_URL is the live server,
so the links in the emails are followed exactly as they were written."""

import re

import pytest
from playwright.sync_api import expect

from meetups.models import Event
from members.models import Membership
from notify.preferences import wants
from reminders.models import Delivery
from reminders.sending import reminders_send
from rsvp.models import Rsvp
from tests import factories
from tests.browser.conftest import overflow

pytestmark = pytest.mark.usefixtures("plain_http_cookies")

ZONE = "Australia/Sydney"
TITLE = "SyDjango: Channels and HTMX night"


@pytest.fixture
def site_is_live_server(settings, live_server):
    settings.SITE_URL = live_server.url


def _link_after(label: str, body: str) -> str:
    [url] = re.findall(rf"^{re.escape(label)} (\S+)$", body, flags=re.MULTILINE)
    return url


def test_join_announced_rsvp_reminder_unsubscribe(
    open_page, live_server, site_is_live_server, mailoutbox, artifacts, transactional_db
):
    organiser = factories.make_user(username="olivia", first_name="Olivia", last_name="Org")
    group = factories.make_group(name="SyDjango", slug="sydjango", time_zone=ZONE, owner=organiser)
    group.organisers.add(organiser)
    mia = factories.make_user(username="mia", first_name="Mia", last_name="Member")
    venue = factories.make_venue(name="Cover Genius", address="Level 1, 1 Smail St, Ultimo")
    event = factories.make_event(
        group=group, title=TITLE, slug="channels-htmx", venue=venue, status=Event.Status.DRAFT
    )

    # 1. Mia joins the group from its page.
    page = open_page(390, user=mia)
    page.goto(live_server.url + group.get_absolute_url())
    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_role("button", name="Leave the group")).to_be_visible()
    expect(page.locator("#announcer")).to_have_text("Welcome to SyDjango!")
    assert Membership.objects.filter(group=group, user=mia, state="active").count() == 1
    assert mailoutbox == []

    # 2. The organiser publishes the event on its organiser page; Mia gets the new-event email
    # and follows its link.
    desk = open_page(1280, user=organiser)
    # The dashboard's live socket: live_server speaks no WebSocket (tests/browser/test_dashboard.py
    # runs daphne for that); here it is held open and silent, as when nothing changes.
    desk.route_web_socket(re.compile(r"/ws/events/\d+/live/"), lambda socket: None)
    desk.goto(f"{live_server.url}/organise/sydjango/channels-htmx/")
    desk.get_by_role("button", name="Publish the event").click()
    published = "Published: the event is on the public pages."
    # The message shows in #messages; the page's script then repeats it in #announcer.
    expect(desk.locator("#messages").get_by_text(published)).to_be_visible()
    expect(desk.locator("#announcer")).to_have_text(published)
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    assert desk.errors == []
    [announced] = mailoutbox
    assert announced.to == ["mia@example.com"]
    assert announced.subject == f"New event: {TITLE}"
    event_link = _link_after("See the event and RSVP:", announced.body)
    assert event_link == f"{live_server.url}/events/channels-htmx/"
    page.goto(event_link)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # 3. Mia RSVPs.
    panel = page.locator("#rsvp-panel")
    panel.get_by_role("button", name="I'm going").click()
    expect(panel).to_contain_text("You're going! Your ticket is on its way by email.")
    rsvp = Rsvp.objects.get(event=event, user=mia)
    assert rsvp.status == Rsvp.Status.GOING
    assert [m.subject for m in mailoutbox[1:]] == [f"You're going: {TITLE}"]

    # 4. The day-before reminder goes out; its ticket link shows Mia's ticket.
    mailoutbox.clear()
    sent = reminders_send(event_id=event.pk, offset_minutes=1440, for_time=event.starts_at)
    assert sent == 1
    [reminder] = mailoutbox
    assert reminder.to == ["mia@example.com"]
    starts = event.starts_at.astimezone(event.tzinfo)
    assert reminder.subject == f"Reminder: {TITLE}, {starts:%a %-d %b, %H:%M}"
    ticket_link = _link_after("Your ticket:", reminder.body)
    assert ticket_link == f"{live_server.url}/my-events/{rsvp.pk}/ticket/"
    page.goto(ticket_link)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("svg title")).to_have_text("Check-in code for this ticket")
    assert page.errors == []

    # 5. The reminder's footer link, opened signed out: confirm, and reminders are off.
    unsubscribe_link = _link_after("Stop these emails from SyDjango:", reminder.body)
    assert unsubscribe_link == reminder.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe_link.startswith(f"{live_server.url}/u/")
    stranger = open_page(390)
    stranger.goto(unsubscribe_link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "Stop reminders before events you're going to from SyDjango?"
    )
    assert wants(user=mia, group=group, category="reminders") is True
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(stranger.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    expect(stranger.locator("main p[role=status]")).to_have_text(
        "You will no longer get reminders before events you're going to from SyDjango. "
        "Other emails from the group are unchanged."
    )
    assert wants(user=mia, group=group, category="reminders") is False
    assert wants(user=mia, group=group, category="events") is True

    mailoutbox.clear()
    assert reminders_send(event_id=event.pk, offset_minutes=120, for_time=event.starts_at) == 0
    assert mailoutbox == []
    assert list(Delivery.objects.values_list("user__username", "offset_minutes")) == [("mia", 1440)]
    assert stranger.errors == []
    assert overflow(stranger) == 0
    stranger.screenshot(path=artifacts / "member-journey-unsubscribed-390.png", full_page=True)

"""The organiser dashboard in Chromium, through a real daphne (websockets need an ASGI server).

An organiser logs in, creates an event, publishes it and opens RSVPs; a member RSVPs in a second
browser context; the dashboard's RSVP and door numbers change without a reload, pushed by the
live app's broadcast. Then screenshots of a busier dashboard at desktop and phone widths.

Like tests/browser/test_live_qa.py, daphne runs in a subprocess on a copy of the SQLite file
migrated once per session (`migrated_db`, tests/browser/conftest.py); pytest's own test
database is not used.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.browser.a11y import axe_violations
from tests.browser.daphne import manage_shell, serve

PASSWORD = "dashboard-test-pw"

SEED = """
from django.contrib.auth import get_user_model
from meetups.models import Group
User = get_user_model()
owner = User.objects.create_user(username="olive", email="olive@example.com", password="{pw}",
                                 first_name="Olive", last_name="Organiser")
User.objects.create_user(username="mia", email="mia@example.com", password="{pw}",
                         first_name="Mia", last_name="Member")
Group.objects.create(name="Sydney Django", slug="sydjango", owner=owner,
                     time_zone="Australia/Sydney")
"""

# A busier evening for the screenshots: RSVPs over two weeks, check-ins, a talk, questions.
BUSY = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from live.models import Question
from meetups.models import Event, Talk, Speaker
from rsvp.models import Rsvp
User = get_user_model()
event = Event.objects.get(title="December meetup")
Event.objects.filter(pk=event.pk).update(capacity=22)
now = timezone.now()
names = ["Ava", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kai",
         "Luca", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Ruby", "Sam", "Tara"]
for i, name in enumerate(names):
    user = User.objects.create_user(username=name.lower(), email=f"{name.lower()}@example.com",
                                    first_name=name, last_name="Example")
    status = "going" if i < 17 else "waitlisted"
    checked_in_at = now if i < 9 and status == "going" else None
    guests = 1 if i % 5 == 0 else 0
    # A party checked in whole: the host and every guest (guests are checked in one by one).
    r = Rsvp.objects.create(event=event, user=user, status=status, guests=guests,
                            queued_at=now, checked_in_at=checked_in_at,
                            guests_checked_in=guests if checked_in_at else 0)
    Rsvp.objects.filter(pk=r.pk).update(created_at=now - timedelta(days=14 - (i * 13 // 20)))
speaker = Speaker.objects.create(name="Sam Speaker", slug="sam-speaker")
titles = ["Async views in Django 6", "Tasks without Celery", "Lightning: HTMX tips"]
for n, title in enumerate(titles):
    talk = Talk.objects.create(event=event, title=title, slug=f"talk-{n}", order=n,
                               duration_minutes=[25, 20, 5][n])
    talk.speakers.add(speaker)
first = Talk.objects.get(event=event, slug="talk-0")
for n, text in enumerate(["Does async help with slow third-party APIs?",
                          "How do you retry a failed task?",
                          "Will django.tasks replace Celery for most projects?"]):
    Question.objects.create(event=event, talk=first, text=text, vote_count=5 - n,
                            author=User.objects.get(username=names[n].lower()))
Question.objects.create(event=event, talk=first, author=User.objects.get(username="ruby"),
                        text="Can we get the slides afterwards?", status="pending")
"""


@pytest.fixture(scope="module")
def server(migrated_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("dashboard-browser")
    setup = SEED.format(pw=PASSWORD)
    with serve(migrated_db, work, setup=setup, LIVE_HEARTBEAT_SECONDS="5") as (base, env):
        yield base, env


def _log_in(browser: Browser, base: str, email: str, *, width: int = 1280) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


# Sydney in summer (AEDT); the form reads local times in the zone chosen on it.
SYDNEY_SUMMER = timezone.get_fixed_timezone(11 * 60)


def _local(when) -> str:
    return timezone.localtime(when, SYDNEY_SUMMER).strftime("%Y-%m-%dT%H:%M")


def test_dashboard_rsvp_panel_updates_live_when_a_member_rsvps(browser: Browser, server, artifacts):
    base, env = server
    organiser = _log_in(browser, base, "olive@example.com")
    expect(organiser.get_by_role("link", name="Organise", exact=True)).to_be_visible()

    # Create: RSVPs set to open tomorrow, so the organiser opens them by hand below.
    organiser.get_by_role("link", name="Organise", exact=True).click()
    organiser.get_by_role("link", name="New event").first.click()
    start = (timezone.now() + timedelta(days=7)).astimezone(SYDNEY_SUMMER)
    start = start.replace(hour=18, minute=0, second=0, microsecond=0)
    organiser.get_by_label("Title").fill("December meetup")
    organiser.get_by_label("Starts").fill(_local(start))
    organiser.get_by_label("Ends").fill(_local(start + timedelta(hours=3)))
    organiser.get_by_label("Time zone").select_option("Australia/Sydney")
    organiser.get_by_label("Seats").fill("40")
    organiser.get_by_label("Or a new venue").fill("Canva HQ")
    organiser.get_by_label("RSVPs open").fill(_local(timezone.now() + timedelta(days=1)))

    # An htmx-validated form: a bad end time comes back inline (422), nothing is created.
    organiser.get_by_label("Ends").fill(_local(start - timedelta(hours=1)))
    organiser.get_by_role("button", name="Create draft").click()
    expect(organiser.locator("#id_ends_at_error")).to_have_text(
        "The event must end after it starts."
    )
    organiser.get_by_label("Ends").fill(_local(start + timedelta(hours=3)))
    organiser.get_by_role("button", name="Create draft").click()
    expect(organiser.get_by_role("heading", name="December meetup", level=1)).to_be_visible()

    organiser.get_by_role("button", name="Publish the event").click()
    expect(organiser.locator("#panel-actions [data-state=rsvps]")).to_have_text("Closed")
    organiser.get_by_role("button", name="Open RSVPs").click()
    expect(organiser.locator("#panel-actions [data-state=rsvps]")).to_have_text("Open")
    expect(organiser.locator("#live-connection")).to_have_text("● Live")
    going = organiser.locator("#organise-rsvp-numbers [data-stat=going]")
    expect(going).to_have_text("0")
    organiser.evaluate("window.__noReload = true")
    dashboard_url = organiser.url

    member = _log_in(browser, base, "mia@example.com")
    member.goto(base + "/")
    member.get_by_role("link", name="December meetup").first.click()
    member.get_by_role("button", name="I'm going").click()
    expect(member.get_by_role("button", name="Cancel my RSVP")).to_be_visible()

    # Pushed over the websocket: no reload on the organiser's side.
    expect(going).to_have_text("1")
    expect(organiser.locator("#organise-rsvp-numbers [data-stat=seats-left]")).to_have_text("39")
    door = organiser.locator("#organise-door #check-in-totals dd")
    expect(door.nth(1)).to_have_text("1")  # checked in, going, capacity
    expect(organiser.locator("#organise-rsvp-chart table")).to_have_count(1)
    assert organiser.evaluate("window.__noReload") is True

    # A busier evening arrives behind the scenes; then the member cancels through the site,
    # and the broadcast carries the whole current state, still without a reload.
    manage_shell(env, BUSY)
    member.get_by_role("button", name="Cancel my RSVP").click()
    # 21 seeded + the member filled all 22 seats; the member's seat went to the waitlist's head.
    expect(going).to_have_text("22")
    expect(organiser.locator("#organise-rsvp-numbers [data-stat=waitlisted]")).to_have_text("2")
    expect(door.nth(0)).to_have_text("11")
    assert organiser.evaluate("window.__noReload") is True
    member.context.close()

    # On stage now: the first talk. The dashboard's Q&A follows the talk on stage; approving a
    # queued question moves it to the top questions through the live app's broadcast.
    organiser.goto(dashboard_url)
    organiser.get_by_label("Current talk").select_option(label="Async views in Django 6")
    organiser.get_by_role("button", name="Set", exact=True).click()
    expect(organiser.locator("#panel-actions")).to_contain_text(
        "On stage: Async views in Django 6."
    )
    organiser.goto(dashboard_url)
    expect(organiser.locator("#live-connection")).to_have_text("● Live")
    expect(going).to_have_text("22")
    organiser.evaluate("window.__noReload = true")
    expect(organiser.locator("#qa-queue")).to_contain_text("Can we get the slides afterwards?")
    organiser.locator("#qa-queue").get_by_role("button", name="Approve").click()
    expect(organiser.locator("#qa-queue")).to_contain_text("Nothing waiting.")
    expect(organiser.locator("#qa-open li")).to_have_count(4)
    assert organiser.evaluate("window.__noReload") is True
    organiser.screenshot(path=artifacts / "dashboard-1280.png", full_page=True)

    phone = organiser.context.browser.new_context(viewport={"width": 390, "height": 844})
    cookies = organiser.context.cookies()
    phone.add_cookies(cookies)
    phone_page = phone.new_page()
    phone_page.goto(dashboard_url)
    expect(phone_page.locator("#live-connection")).to_have_text("● Live")
    phone_page.screenshot(path=artifacts / "dashboard-390.png", full_page=True)
    phone_page.screenshot(path=artifacts / "dashboard-390-first-screen.png")

    # Keyboard: the quick actions are reachable and operable with Tab and Enter.
    phone_page.get_by_role("button", name="Stop live mode").focus()
    phone_page.keyboard.press("Enter")
    expect(phone_page.locator("#panel-actions [data-state=live]")).to_have_text(
        "Off: not taking questions"
    )
    phone.close()

    # Message attendees: the preview step, then sent and recorded.
    organiser.goto(dashboard_url + "message/")
    organiser.get_by_label("Waitlisted").check()
    organiser.get_by_label("Subject").fill("A seat may open up")
    organiser.get_by_label("Message").fill("We will email you the moment one does.")
    organiser.get_by_role("button", name="Preview").click()
    expect(organiser.locator("#compose")).to_contain_text("To: Waitlisted, 2 people")
    organiser.screenshot(path=artifacts / "dashboard-message-preview.png", full_page=True)
    organiser.get_by_role("button", name="Send to 2").click()
    expect(organiser.get_by_role("heading", name="Sent")).to_be_visible()
    expect(organiser.locator("main")).to_contain_text("Waitlisted · 2 people · olive")
    organiser.goto(dashboard_url + "edit/")
    organiser.screenshot(path=artifacts / "dashboard-event-form.png", full_page=True)
    organiser.context.close()

    # WCAG 2.1 A/AA (axe-core) on the organiser pages; axe is injected inline, so only this
    # context ignores the CSP.
    checker = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    checker.add_cookies(cookies)
    page = checker.new_page()
    found = {}
    for path in ("", "edit/", "message/", "panels/door/", "../", "../organisers/"):
        page.goto(dashboard_url + path)
        if violations := axe_violations(page):
            found[path] = violations
    checker.close()
    assert found == {}

"""Journey 4, the organiser: a new event without the admin, published, RSVPs opened; a member
RSVPs; the door finds and checks them in, registers a walk-in; the attendee CSV is downloaded.

Guards against: "This event is not published yet." beside the "Published" badge; a door that
cannot register a walk-in; a check-in that drops focus to <body> or leaves the totals stale;
a CSV whose name column is empty for self-sign-ups or whose times are UTC with microseconds
instead of the event's local time; the dashboard's live numbers not following the RSVP; and,
at every step, console errors, 5xx, overflow at 320/390/1280 px and axe violations.
"""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.journeys.harness import PASSES, Journey

JOURNEY = "organiser"
# Organise, New event, Create draft, Publish, Open RSVPs (5); the member's event link and
# I'm going (2); Door check-in, Check in Mia, Register the walk-in (3); Attendee list,
# Download CSV (2).
BUDGET = 12
SYDNEY = ZoneInfo("Australia/Sydney")
TITLE = "December meetup"


def _local(when: datetime) -> str:
    return when.astimezone(SYDNEY).strftime("%Y-%m-%dT%H:%M")


@PASSES
def test_organiser_creates_publishes_admits_and_exports(portal, journey: Journey, width, mode):
    data = portal.data
    olivia = journey.watch(portal.page(width, session=data["organiser"]["session"]), "organiser")
    journey.open(olivia, portal.base + "/", "home")

    # A new event, without the admin.
    journey.nav(olivia, "Organise", "organise")
    journey.click(
        olivia.get_by_role("main").get_by_role("link", name=re.compile("^new event", re.I)).first,
        "new event form", navigates=True,
    )  # fmt: skip
    start = (datetime.now(SYDNEY) + timedelta(days=7)).replace(hour=18, minute=0, second=0)
    journey.fill(olivia.get_by_label("Title"), TITLE)
    journey.fill(olivia.get_by_label("Starts"), _local(start))
    journey.fill(olivia.get_by_label("Ends"), _local(start + timedelta(hours=3)))
    journey.choose(olivia.get_by_label("Time zone"), value="Australia/Sydney")
    journey.fill(olivia.get_by_label("Seats"), "40")
    journey.fill(olivia.get_by_label("Or a new venue"), "Canva HQ")
    # RSVPs open tomorrow, so the organiser opens them by hand below.
    journey.fill(
        olivia.get_by_label("RSVPs open"), _local(datetime.now(SYDNEY) + timedelta(days=1))
    )
    journey.click(
        olivia.get_by_role("button", name="Create draft"), "draft created",
        then=lambda: expect(olivia.get_by_role("heading", level=1)).to_have_text(TITLE),
    )  # fmt: skip

    journey.click(
        olivia.get_by_role("button", name="Publish the event"), "published",
        then=lambda: expect(olivia.get_by_text("Published", exact=True).first).to_be_visible(),
    )  # fmt: skip
    journey.soft(
        lambda: expect(olivia.get_by_role("main")).not_to_contain_text(
            re.compile("not published", re.I)
        ),
        "no “not published” text once published",
    )
    expect(olivia.locator("#live-connection")).to_have_text("● Live")
    journey.click(
        olivia.get_by_role("button", name="Open RSVPs"), "RSVPs open", swap=True,
        then=lambda: expect(olivia.get_by_role("button", name="Close RSVPs")).to_be_visible(),
    )  # fmt: skip
    going = olivia.locator("#organise-rsvp-numbers [data-stat=going]")
    expect(going).to_have_text("0")

    # A member RSVPs from the home page; the dashboard follows without a reload.
    mia = journey.watch(portal.page(width, session=data["member"]["session"]), "member")
    journey.open(mia, portal.base + "/", "member home")
    journey.click(
        mia.get_by_role("main").get_by_role("link", name=TITLE).first, "member event page",
        navigates=True,
    )  # fmt: skip
    rsvp = mia.get_by_role("region", name="RSVP")
    journey.click(
        rsvp.get_by_role("button", name="I'm going"), "member going", swap=True,
        then=lambda: expect(rsvp).to_contain_text("You're going"),
    )  # fmt: skip
    expect(going).to_have_text("1")
    journey.check(olivia, "dashboard after the RSVP", focus_kept=True)

    # The door: search, tap to check in; then a walk-in.
    journey.click(
        olivia.get_by_role("link", name=re.compile("door check-in|check-in", re.I)).first,
        "door", navigates=True,
    )  # fmt: skip
    journey.fill(olivia.get_by_label("Find a name or email"), "mia")
    # The search answers after a short delay and replaces the list: wait for its result, or
    # the tap lands on the row it is about to replace (a person would see the list change).
    expect(olivia.get_by_role("main").get_by_text(re.compile("match “mia”"))).to_be_visible()
    mia_row = olivia.get_by_role("button", name=re.compile("^check in.*Mia Member", re.I))
    expect(mia_row).to_have_count(1)
    journey.click(
        mia_row, "Mia checked in", swap=True,
        then=lambda: expect(
            olivia.get_by_role("button", name=re.compile("undo check-in of Mia Member", re.I))
        ).to_be_visible(),
    )  # fmt: skip
    walk_in = olivia.get_by_role("region", name="Walk-in")
    journey.fill(walk_in.get_by_label("Name"), "Wendy Walker")
    journey.click(
        walk_in.get_by_role("button", name=re.compile("^register", re.I)), "walk-in", swap=True,
        then=lambda: expect(walk_in).to_contain_text("Wendy Walker"),
    )  # fmt: skip

    # The attendee list and its CSV: names, and times in the event's own zone.
    journey.click(
        olivia.get_by_role("link", name=re.compile("attendee list", re.I)).first,
        "attendee list", navigates=True,
    )  # fmt: skip
    with olivia.expect_download() as download:
        journey.count("Download CSV")
        journey.activate(olivia.get_by_role("link", name=re.compile("csv", re.I)).first)
    journey.flush("CSV download")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    (journey.folder / "attendees.csv").write_text(download.value.path().read_text())
    assert [row["name"] for row in rows] == ["Mia Member", "Wendy Walker"], rows
    # Times in the event's zone, to the second at most: no microseconds, not UTC.
    local = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?([+-]1[01]:?00)?$")
    for row in rows:
        assert local.match(row["rsvp_at"]), row
        assert local.match(row["checked_in_at"]), row
    now = datetime.now(SYDNEY)
    minutes = {(now - timedelta(minutes=m)).strftime("%Y-%m-%d %H:%M") for m in range(3)}
    assert rows[0]["checked_in_at"][:16].replace("T", " ") in minutes, (rows[0], minutes)
    journey.check(olivia, "CSV downloaded")
    journey.finish()

"""Journey 1, the attendee: a new visitor signs up, opens the next event from the home page,
RSVPs, opens the ticket, comes back to the event and cancels, with a confirmation and an undo.

Guards against: a sign-up that asks for a username or the password twice or no display name
(the ticket would show a made-up username); a path from home to ticket longer than 4 clicks;
Back from the ticket showing the old "I'm going" panel (a cached page); a cancel that is one
click with neither a confirmation nor an undo; focus dropped to <body> by the RSVP panel's
swaps; and, at every step, console errors, 5xx, overflow at 320/390/1280 px and axe
violations.
"""

import re

from playwright.sync_api import Page, expect

from tests.browser.journeys.harness import PASSES, Journey

JOURNEY = "attendee"
# sign-up link, sign-up; home; event, I'm going, ticket; Back; cancel, confirm, undo (a cancel
# that asks first may also offer an undo; one that does not ask must).
BUDGET = 10
HOME_TO_TICKET = 4  # issue #15: a signed-in member's path to a ticket

DISPLAY_NAME = "Priya Patel"


def _rsvp(page: Page):
    return page.get_by_role("region", name="RSVP")


def _sign_up(journey: Journey, page: Page, email: str) -> None:
    journey.nav(page, "Sign up", "sign-up form")
    # One password field, a display name, an e-mail; no username.
    expect(page.get_by_label(re.compile("password", re.I))).to_have_count(1)
    expect(page.get_by_label(re.compile("username", re.I))).to_have_count(0)
    journey.fill(page.get_by_label("Display name"), DISPLAY_NAME)
    journey.fill(page.get_by_label(re.compile(r"^e-?mail", re.I)), email)
    journey.fill(page.get_by_label(re.compile("password", re.I)), "a-long-Passphrase-42")
    journey.click(
        page.get_by_role("main").get_by_role("button", name=re.compile("^sign up", re.I)),
        "signed up", navigates=True,
    )  # fmt: skip
    expect(page.get_by_role("banner")).to_contain_text(DISPLAY_NAME, use_inner_text=False)


@PASSES
def test_attendee_signs_up_rsvps_sees_ticket_and_cancels_with_undo(
    portal, journey: Journey, width, mode
):
    event = portal.data["event"]
    capacity = event["capacity"]
    seats_left = capacity - 3  # two seeded RSVPs and this one
    page = journey.watch(portal.page(width), "visitor")
    journey.open(page, portal.base + "/", "home as a visitor")
    _sign_up(journey, page, f"priya-{width}-{mode}@example.com")

    if page.url != portal.base + "/":
        journey.nav(page, "Events", "home")
    with journey.segment("home to ticket", HOME_TO_TICKET):
        journey.click(
            page.get_by_role("main").get_by_role("link", name=event["title"]).first,
            "event page", navigates=True,
            then=lambda: expect(page.get_by_role("heading", level=1)).to_have_text(event["title"]),
        )  # fmt: skip
        panel = _rsvp(page)
        expect(panel).to_contain_text(f"{event['capacity'] - 2} of {event['capacity']} seats left")
        journey.click(
            panel.get_by_role("button", name="I'm going"), "going", swap=True,
            then=lambda: expect(panel).to_contain_text("You're going"),
        )  # fmt: skip
        expect(panel).to_contain_text(f"{event['capacity'] - 3} of {event['capacity']} seats left")
        journey.click(
            panel.get_by_role("link", name=re.compile("ticket", re.I)), "ticket", navigates=True,
            then=lambda: expect(page.get_by_role("heading", level=1)).to_have_text(event["title"]),
        )  # fmt: skip
    # The ticket carries the display name, not a made-up username.
    expect(page.get_by_role("main")).to_contain_text(DISPLAY_NAME)
    expect(page.get_by_role("img", name=re.compile("check-in code", re.I))).to_be_visible()

    # Back: the event page as it is now (going, one seat fewer), not the page before the RSVP.
    journey.back(page, "back to the event", then=lambda: expect(panel).to_contain_text(
        f"{event['capacity'] - 3} of {event['capacity']} seats left"
    ))  # fmt: skip
    expect(panel.get_by_role("button", name="I'm going")).to_have_count(0)
    expect(panel.get_by_role("button", name=re.compile("cancel", re.I)).first).to_be_visible()

    # Cancel is destructive: it asks first (nothing cancelled yet) or offers an undo, or both
    # (issue #15, point 3).
    journey.click(
        panel.get_by_role("button", name=re.compile("^cancel my rsvp", re.I)), "cancel",
        swap=True,
    )  # fmt: skip
    confirm = panel.get_by_role("button", name=re.compile(r"^(yes|confirm)", re.I))
    asked = confirm.count() > 0
    if asked:
        journey.soft(
            lambda: expect(panel).to_contain_text(f"{seats_left} of {capacity} seats left"),
            "the seat still held while the cancel waits for its confirmation",
        )
        journey.click(confirm, "cancelled", swap=True)
    expect(panel).to_contain_text(re.compile("cancelled", re.I))
    expect(panel).to_contain_text(f"{seats_left + 1} of {capacity} seats left")
    undo = panel.get_by_role("button", name=re.compile("^undo", re.I))
    if asked and undo.count() == 0:
        journey.finish()
        return
    journey.soft(lambda: expect(undo).to_be_visible(), "an undo after a cancel that did not ask")
    journey.click(
        undo, "undone", swap=True, then=lambda: expect(panel).to_contain_text("You're going")
    )
    expect(panel).to_contain_text(f"{seats_left} of {capacity} seats left")
    journey.finish()

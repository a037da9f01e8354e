"""Journey 3, the live room: the organiser runs it from the dashboard, an attendee (a second
browser context) asks and votes, and a projector (a third, the presenter view) shows the
room's questions.

Guards against: a question that does not reach the projector; vote buttons that do not say
which question they are for; no way to pause the re-sorting lists (2.2.2), or a pause that
lets pushes through; pin, answered and hide that do not reach the other screens; a talk switch
after which the presenter's header or the attendee's Q&A stay on the old talk; a stop of live
mode that leaves the attendee a working-looking Ask form; focus dropped to <body> by swaps
and pushes; and, at every step, console errors, 5xx, overflow at 320/390/1280 px and axe
violations on all three screens.
"""

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.journeys.harness import PASSES, Journey

JOURNEY = "live"
# Organiser: Start live mode, Pin, Mark answered, Hide, the next talk, Set, Stop live mode (7).
# Attendee: the Live link, Ask, Upvote, Pause, Resume (5).
BUDGET = 12
PROJECTOR = 1280  # a projector is a wide screen whatever the pass

ASKED = "Can the hub fan out to a thousand sockets?"


def _about(page: Page | Locator, role: str, action: str, question: str) -> Locator:
    """The `role` named for `action` on `question` (the name must say both)."""
    words = re.escape(question[:30])
    return page.get_by_role(role, name=re.compile(rf"(?=.*{action})(?=.*{words})", re.I | re.S))


def _live(page: Page) -> None:
    expect(page.locator("#live-connection")).to_have_text("● Live")


@PASSES
def test_live_room_with_audience_and_projector(portal, journey: Journey, width, mode):
    data = portal.data
    first, second = data["talks"]
    seeded = data["question"]
    event_url = f"{portal.base}/events/{data['event']['slug']}/"
    olivia = journey.watch(portal.page(width, session=data["organiser"]["session"]), "organiser")
    journey.open(olivia, f"{portal.base}/organise/{data['group']}/{data['event']['slug']}/",
                 "dashboard")  # fmt: skip
    _live(olivia)

    journey.click(
        olivia.get_by_role("button", name="Start live mode"), "live mode on", swap=True,
        then=lambda: expect(olivia.get_by_role("button", name="Stop live mode")).to_be_visible(),
    )  # fmt: skip

    # The attendee follows the event page's Live link; the projector opens the presenter view.
    mia = journey.watch(portal.page(width, session=data["audience"][0]["session"]), "attendee")
    journey.open(mia, event_url, "event page")
    journey.click(
        mia.get_by_role("main").get_by_role("link", name=re.compile(r"\blive\b", re.I)).first,
        "live page", navigates=True, then=lambda: _live(mia),
    )  # fmt: skip
    expect(mia.get_by_role("heading", name=re.compile(f"Q&A.*{first['title']}"))).to_be_visible()
    projector = journey.watch(
        portal.page(PROJECTOR, session=data["organiser"]["session"]), "projector"
    )
    journey.open(projector, event_url + "live/presenter/", "presenter view")
    _live(projector)
    expect(projector.get_by_role("heading", level=1)).to_contain_text(first["title"])

    # Ask, and vote for the other question: the projector shows both, the votes on top.
    journey.fill(mia.get_by_label("Your question"), ASKED)
    journey.click(
        mia.get_by_role("button", name="Ask", exact=True), "asked", swap=True,
        then=lambda: expect(mia.get_by_role("main")).to_contain_text("Your question is up"),
    )  # fmt: skip
    expect(projector.get_by_role("main")).to_contain_text(ASKED)
    journey.click(
        _about(mia, "button", "upvote", seeded), "upvoted", swap=True,
        then=lambda: expect(_about(mia, "button", "upvote", seeded)).to_have_attribute(
            "aria-pressed", "true"
        ),
    )  # fmt: skip
    journey.check(projector, "projector: both questions")

    # The attendee pauses: what the organiser does next waits until Resume.
    pause = mia.get_by_role("button", name=re.compile("^(pause|resume) updates", re.I))
    journey.click(
        pause, "paused", then=lambda: expect(pause).to_have_attribute("aria-pressed", "true")
    )

    journey.click(
        _about(olivia, "button", "^pin", ASKED), "pinned", swap=True,
        then=lambda: expect(
            projector.get_by_role("region", name="Now answering")
        ).to_contain_text(ASKED),
    )  # fmt: skip
    journey.check(projector, "projector: now answering")
    journey.click(
        _about(olivia, "button", "^mark answered", ASKED), "answered", swap=True,
        then=lambda: expect(
            projector.get_by_role("region", name="Now answering")
        ).not_to_contain_text(ASKED),
    )  # fmt: skip
    journey.click(
        _about(olivia, "button", "^hide", seeded), "hidden", swap=True,
        then=lambda: expect(_about(olivia, "button", "^hide", seeded)).to_have_count(0),
    )  # fmt: skip
    # Hiding is destructive: it is offered back at once, where the organiser is looking.
    journey.soft(
        lambda: expect(
            olivia.get_by_role("button", name=re.compile(r"^(undo|restore)", re.I)).first
        ).to_be_visible(),
        "an undo (or restore) in view right after hiding",
    )
    expect(projector.get_by_role("main")).not_to_contain_text(seeded)
    # Paused: the hidden question is still on the attendee's screen, the update waiting.
    expect(mia.get_by_role("main")).to_contain_text(seeded)
    resume = pause
    expect(resume).to_contain_text(re.compile("resume updates.*waiting", re.I))
    journey.check(mia, "attendee: updates waiting", focus_kept=True)
    journey.click(
        resume, "resumed",
        then=lambda: expect(mia.get_by_role("main")).not_to_contain_text(seeded),
    )  # fmt: skip
    expect(pause).to_have_attribute("aria-pressed", "false")

    # The next talk: the presenter's header and the attendee's Q&A follow.
    journey.choose(olivia.get_by_label("Current talk"), label=second["title"])
    journey.click(
        olivia.get_by_role("button", name="Set", exact=True), "next talk", swap=True,
        then=lambda: expect(olivia.get_by_role("main")).to_contain_text(
            f"On stage: {second['title']}"
        ),
    )  # fmt: skip
    expect(projector.get_by_role("heading", level=1)).to_contain_text(second["title"])
    expect(projector.get_by_role("main")).not_to_contain_text(ASKED)
    journey.check(projector, "projector: next talk")
    expect(mia.get_by_role("heading", name=re.compile(f"Q&A.*{second['title']}"))).to_be_visible()
    journey.check(mia, "attendee: next talk", focus_kept=True)

    # Stop: the attendee sees the Q&A has ended, and no Ask form that would be refused.
    journey.click(
        olivia.get_by_role("button", name="Stop live mode"), "live mode off", swap=True,
        then=lambda: expect(olivia.get_by_role("button", name="Start live mode")).to_be_visible(),
    )  # fmt: skip
    # Rendered text (innerText): what is on the screen, not what a hidden element still holds.
    expect(mia.get_by_role("main")).to_contain_text(
        re.compile("has ended|closed", re.I), use_inner_text=True
    )
    expect(mia.get_by_role("button", name="Ask", exact=True)).to_have_count(0)
    journey.soft(
        lambda: expect(mia.get_by_role("main")).not_to_contain_text(
            "Your question is up", use_inner_text=True
        ),
        "no leftover “Thanks! Your question is up.” once the Q&A has ended",
    )
    journey.check(mia, "attendee: Q&A ended", focus_kept=True)
    journey.finish()

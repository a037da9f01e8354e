"""Journey 2, the speaker: from a talk idea to a scheduled talk, with the organiser (a second
browser context) accepting it and putting it in the line-up.

Guards against: the detour to the speaker profile throwing away the typed proposal and the
chosen idea; a length that defaults to 5 minutes; a status page without its dates (when voting
closes, when decisions come); the accepted talk missing from the line-up, My proposals or the
talk page; and, at every step, console errors, 5xx, overflow at 320/390/1280 px and axe
violations.
"""

import re

from playwright.sync_api import expect

from tests.browser.journeys.harness import PASSES, Journey

JOURNEY = "speaker"
# Speaker: Talk ideas, Propose on the idea, Edit my speaker profile, Save profile and go back,
# Submit (5). Organiser: the proposal, Accept, the event, Add to the agenda (4). Speaker:
# My proposals, the event, the talk (3).
BUDGET = 12
IDEA_TO_SUBMITTED = 5
ACCEPT_AND_SCHEDULE = 4

TITLE = "Live Q&A with Channels and HTMX"
ABSTRACT = "How a live Q&A pushes server-rendered fragments to every open browser."


@PASSES
def test_speaker_from_idea_to_scheduled_talk(portal, journey: Journey, width, mode):
    data = portal.data
    idea = data["idea"]
    sam = journey.watch(portal.page(width, session=data["speaker"]["session"]), "speaker")
    journey.open(sam, portal.base + "/", "home")

    with journey.segment("speaker: idea to submitted proposal", IDEA_TO_SUBMITTED):
        journey.nav(sam, "Talk ideas", "talk ideas")
        journey.click(
            sam.get_by_role("link", name=f"Propose a talk on “{idea['title']}”"), "proposal form",
            navigates=True,
        )  # fmt: skip
        idea_field = sam.get_by_label("Talk idea it answers")
        expect(idea_field).to_have_value(str(idea["pk"]))
        journey.fill(sam.get_by_label("Title"), TITLE)
        journey.fill(sam.get_by_label("Abstract"), ABSTRACT)
        # The length is a sensible default, not five minutes.
        journey.soft(
            lambda: expect(sam.get_by_role("radio", name=re.compile(r"^5\b"))).not_to_be_checked(),
            "a length other than 5 minutes by default",
        )

        # Detour: the speaker profile, and back to the draft as it was.
        journey.click(
            sam.get_by_role("button", name=re.compile("speaker profile", re.I)), "speaker profile",
            navigates=True,
        )  # fmt: skip
        journey.fill(sam.get_by_label("Bio"), "Builds live pages with Django.")
        journey.click(
            sam.get_by_role("button", name=re.compile("^save profile", re.I)), "back to the draft",
            then=lambda: expect(sam.get_by_label("Title")).to_have_value(TITLE),
        )  # fmt: skip
        expect(sam.get_by_label("Abstract")).to_have_value(ABSTRACT)
        expect(idea_field).to_have_value(str(idea["pk"]))

        journey.click(
            sam.get_by_role("button", name="Submit proposal"), "submitted",
            then=lambda: expect(sam.get_by_role("heading", name=TITLE)).to_be_visible(),
        )  # fmt: skip
    expect(sam.get_by_text("Submitted", exact=True).first).to_be_visible()
    journey.soft(
        lambda: expect(sam.get_by_role("main")).to_contain_text("Voting closes"),
        "the status page to say when voting closes",
    )
    journey.soft(
        lambda: expect(sam.get_by_role("main")).to_contain_text("Decisions"),
        "the status page to say when decisions come",
    )

    # The organiser, in another browser, accepts it and puts it on the agenda.
    olivia = journey.watch(portal.page(width, session=data["organiser"]["session"]), "organiser")
    journey.open(olivia, f"{portal.base}/groups/{data['group']}/review/", "review list")
    with journey.segment("organiser: accept and schedule", ACCEPT_AND_SCHEDULE):
        journey.click(olivia.get_by_role("link", name=TITLE), "review", navigates=True)
        journey.click(
            olivia.get_by_role("button", name="Accept"), "accepted",
            then=lambda: expect(olivia.get_by_text("Accepted", exact=True).first).to_be_visible(),
        )  # fmt: skip
        journey.choose(olivia.get_by_label("Event"), label=data["event"]["title"])
        journey.click(
            olivia.get_by_role("button", name="Add to the agenda"), "line-up",
            then=lambda: expect(olivia.get_by_role("heading", level=1)).to_have_text(
                f"Line-up: {data['event']['title']}"
            ),
        )  # fmt: skip
        expect(olivia.get_by_role("main")).to_contain_text(TITLE)

    # The speaker sees it scheduled, and on the talk's own page.
    journey.nav(sam, "My proposals", "my proposals")
    expect(sam.get_by_text("Scheduled", exact=True).first).to_be_visible()
    journey.click(
        sam.get_by_role("main").get_by_role("link", name=data["event"]["title"]).first,
        "event page", navigates=True,
    )  # fmt: skip
    journey.click(
        sam.get_by_role("main").get_by_role("link", name=TITLE).first, "talk page",
        navigates=True,
        then=lambda: expect(sam.get_by_role("heading", level=1)).to_have_text(TITLE),
    )  # fmt: skip
    expect(sam.get_by_role("main")).to_contain_text(data["speaker"]["name"])
    journey.finish()

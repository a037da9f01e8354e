"""The speaker's journey without friction (issue #15), in Chromium: the draft survives a detour
to the speaker profile (with and without JavaScript), withdraw asks first and can be undone by
resubmitting, the status page says when things happen, and the ideas and review pages fit a
phone. Screenshots at 390 and 1280 px go to tests/artifacts/."""

import pprint
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from cfp import services
from cfp.models import CallForTalks, Proposal, Review
from tests import factories
from tests.browser import test_proposals_flow as flow
from tests.browser.a11y import axe_violations
from tests.browser.test_proposals_flow import DESKTOP, PHONE, _login
from tests.factories import PASSWORD

NARROW = {"width": 320, "height": 700}
# The proposals flow's world (a group with an open call, an organiser, a speaker, two voters,
# ideas and an event) and its context clean-up, as fixtures of this module too.
cfp = flow.cfp
_close_contexts = flow._close_contexts


def _login_without_js(browser: Browser, base: str, user, viewport=DESKTOP) -> Page:
    page = browser.new_context(viewport=viewport, java_script_enabled=False).new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def _overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _console_errors(page: Page) -> list[str]:
    """Collects the page's console errors and uncaught exceptions from now on."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _cut_off(page: Page) -> list[str]:
    """Visible elements that reach past the right edge of the viewport (a control the page
    clips or that needs a sideways scroll), as tag#id.class; elements inside a scrollable
    region or a visually hidden one are left out."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const out = [];
            for (const el of document.body.querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height <= 1 || box.right <= width + 0.5) continue;
                let inside = false;
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    const style = getComputedStyle(up);
                    if (/(auto|scroll|hidden|clip)/.test(style.overflowX)) { inside = true; break; }
                }
                if (!inside) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                                      "." + [...el.classList].join("."));
            }
            return out;
        }"""
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_draft_survives_the_speaker_profile_detour(
    browser: Browser, live_server, cfp, artifacts, javascript
):
    """Guards: following "speaker profile" from the proposal form threw away the typed abstract
    and the chosen idea. The button now keeps the draft in the session and the form restores it
    after the profile is saved, over htmx and as a plain form post."""
    base, group, idea = live_server.url, cfp["group"], cfp["idea"]
    login = _login if javascript else _login_without_js
    page = login(browser, base, cfp["speaker"])
    errors = _console_errors(page)
    page.goto(f"{base}/groups/{group.slug}/propose/?idea={idea.pk}")
    page.get_by_label("Title").fill("Live Q&A with Channels")
    page.get_by_label("Abstract").fill("How a live Q&A pushes fragments to every browser.")
    page.get_by_role("radio", name="30 minutes").check()
    page.get_by_role("button", name="Edit my speaker profile").click()

    expect(page.get_by_role("heading", name="Your speaker profile", level=1)).to_be_visible()
    page.get_by_label("Bio").fill("Builds live pages with Django.")
    page.get_by_role("button", name="Save profile and go back").click()

    expect(page.get_by_role("heading", name="Propose a talk", level=1)).to_be_visible()
    assert page.url == f"{base}/groups/{group.slug}/propose/"
    expect(page.get_by_text("Your draft is back as you left it.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Live Q&A with Channels")
    expect(page.get_by_label("Abstract")).to_have_value(
        "How a live Q&A pushes fragments to every browser."
    )
    expect(page.get_by_label("Talk idea it answers")).to_have_value(str(idea.pk))
    expect(page.get_by_role("radio", name="30 minutes")).to_be_checked()
    page.screenshot(path=artifacts / f"speaker_draft_restored_{page_id(javascript)}.png")

    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_role("heading", name="Live Q&A with Channels", level=1)).to_be_visible()
    proposal = Proposal.objects.get()
    assert (proposal.idea_id, proposal.length_minutes) == (idea.pk, 30)
    assert cfp["speaker"].speaker_profile.bio == "Builds live pages with Django."
    # Submitted, the draft is gone: the next proposal starts empty.
    page.goto(f"{base}/groups/{group.slug}/propose/")
    expect(page.get_by_label("Title")).to_have_value("")
    assert errors == []


def page_id(javascript: bool) -> str:
    return "htmx" if javascript else "nojs"


def test_withdraw_asks_in_place_keeps_focus_and_can_be_undone(
    browser: Browser, live_server, cfp, artifacts
):
    """Guards: withdraw was one click with no confirmation, and a withdrawn proposal could not
    come back. With htmx the question replaces the buttons and takes focus; "Resubmit" undoes."""
    base = live_server.url
    proposal = services.proposal_submit(
        user=cfp["speaker"], group=cfp["group"], title="Live Q&A", abstract="A", length_minutes=20
    )
    page = _login(browser, base, cfp["speaker"], PHONE)
    errors = _console_errors(page)
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Withdraw…").focus()
    page.keyboard.press("Enter")
    question = page.get_by_text("Withdraw “Live Q&A”?")
    expect(question).to_be_visible()
    expect(question).to_be_focused()
    assert page.url == f"{base}/proposals/{proposal.pk}/"
    assert Proposal.objects.get().status == "submitted"  # asking wrote nothing
    page.screenshot(path=artifacts / "speaker_withdraw_confirm_phone.png", full_page=True)

    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.get_by_text("Withdrawn", exact=True)).to_be_visible()
    assert Proposal.objects.get().status == "withdrawn"
    page.screenshot(path=artifacts / "speaker_withdrawn_phone.png", full_page=True)

    page.get_by_role("button", name="Resubmit this proposal").click()
    expect(page.get_by_text("“Live Q&A” is submitted again.")).to_be_visible()
    expect(page.get_by_text("Submitted", exact=True)).to_be_visible()
    assert Proposal.objects.get().status == "submitted"
    assert errors == []


def test_withdraw_confirm_page_without_javascript(browser: Browser, live_server, cfp):
    """Guards: the confirmation must not depend on htmx; without JavaScript "Withdraw…" opens a
    page asking first, and "No, keep it" leaves the proposal as it was."""
    base = live_server.url
    proposal = services.proposal_submit(
        user=cfp["speaker"], group=cfp["group"], title="Live Q&A", abstract="A", length_minutes=20
    )
    page = _login_without_js(browser, base, cfp["speaker"])
    page.goto(f"{base}/proposals/{proposal.pk}/")
    page.get_by_role("link", name="Withdraw…").click()
    expect(page.get_by_role("heading", name="Withdraw your proposal?", level=1)).to_be_visible()
    page.get_by_role("link", name="No, keep it").click()
    assert Proposal.objects.get().status == "submitted"
    page.get_by_role("link", name="Withdraw…").click()
    page.get_by_role("button", name="Yes, withdraw it").click()
    expect(page.get_by_text("Withdrawn", exact=True)).to_be_visible()
    assert page.url == f"{base}/proposals/{proposal.pk}/"
    assert Proposal.objects.get().status == "withdrawn"


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_status_page_shows_the_calls_dates(
    browser: Browser, live_server, cfp, artifacts, size, viewport
):
    """Guards: the status page showed no dates. Close, voting close and decisions are shown in
    the group's time zone (Sydney: UTC+11 in December), and a date not set says so."""
    group = cfp["group"]
    group.time_zone = "Australia/Sydney"
    group.save()
    call = CallForTalks.objects.get(group=group)
    call.closes_at = datetime(2099, 12, 1, 7, 0, tzinfo=UTC)
    call.voting_closes_at = datetime(2099, 12, 8, 7, 0, tzinfo=UTC)
    call.decisions_at = None
    call.save()
    proposal = services.proposal_submit(
        user=cfp["speaker"], group=group, title="Live Q&A", abstract="A", length_minutes=20
    )
    page = _login(browser, live_server.url, cfp["speaker"], viewport, bypass_csp=True)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    dates = page.locator("section[aria-labelledby=dates-heading] dl")
    expect(dates).to_have_text(
        re.compile(
            r"Proposals close\s*Tue 1 Dec 2099, 18:00\s*Voting closes\s*Tue 8 Dec 2099, 18:00"
            r"\s*Decisions\s*No date set yet: the organisers will email you"
        )
    )
    page.screenshot(path=artifacts / f"speaker_status_dates_{size}.png", full_page=True)
    assert axe_violations(page) == []
    assert _overflow(page) == 0
    page.goto(f"{live_server.url}/proposals/")
    expect(page.locator("dl").first).to_contain_text("Tue 8 Dec 2099, 18:00")
    page.screenshot(path=artifacts / f"speaker_my_proposals_{size}.png", full_page=True)
    assert _overflow(page) == 0


@pytest.mark.parametrize(("size", "viewport"), [("320", NARROW), ("390", PHONE), ("1280", DESKTOP)])
def test_ideas_and_review_pages_fit_the_viewport(
    browser: Browser, live_server, cfp, artifacts, size, viewport
):
    """Guards: on a phone the Talk ideas page overflowed (its sort control clipped) and the
    review table pushed columns off-screen. Nothing is wider than the viewport, the sort links
    are on screen, and below the breakpoint each proposal is a card with labelled numbers."""
    base, group = live_server.url, cfp["group"]
    long_name = factories.make_user(username="maximiliana-konstantinopoulou-wetherby")
    proposal = services.proposal_submit(
        user=long_name, group=group, title="Live Q&A with Channels and HTMX, end to end",
        abstract="A", length_minutes=20, idea=cfp["idea"],
    )  # fmt: skip
    services.proposal_open_voting(user=cfp["organiser"], proposal=proposal)
    services.proposal_vote_add(user=cfp["voters"][0], proposal=proposal)
    Review.objects.create(proposal=proposal, reviewer=cfp["organiser"], score=4, note="Good.")

    member = _login(browser, base, cfp["voters"][0], viewport, bypass_csp=True)
    member.goto(f"{base}/groups/{group.slug}/ideas/")
    newest = member.get_by_role("link", name="Newest")
    expect(newest).to_be_in_viewport(ratio=1)
    assert (_overflow(member), _cut_off(member)) == (0, [])
    member.screenshot(path=artifacts / f"speaker_ideas_{size}.png", full_page=True)
    assert axe_violations(member) == []

    organiser = _login(browser, base, cfp["organiser"], viewport, bypass_csp=True)
    organiser.goto(f"{base}/groups/{group.slug}/review/")
    expect(organiser.get_by_role("link", name=proposal.title)).to_be_visible()
    assert (_overflow(organiser), _cut_off(organiser)) == (0, [])
    organiser.screenshot(path=artifacts / f"speaker_review_{size}.png", full_page=True)
    # Below the breakpoint each cell is a line of its card, labelled from data-label.
    labels = organiser.locator("#review-results tbody td").evaluate_all(
        "cells => cells.map(c => [getComputedStyle(c, '::before').content, c.innerText])"
    )
    if viewport["width"] < 640:
        assert labels == [['"Status"', "In voting"], ['"Votes"', "1"], ['"Avg score"', "4.0"],
                          ['"Your score"', "4"]]  # fmt: skip
    else:
        assert [content for content, _ in labels] == ["none"] * 4
        expect(organiser.get_by_role("columnheader", name="Votes")).to_be_visible()
    violations = axe_violations(organiser)
    assert violations == [], pprint.pformat(violations)


def test_vote_buttons_name_their_item_and_keep_focus(browser: Browser, live_server, cfp):
    """Guards: vote buttons that did not say which item they were for, "1 votes", and focus
    lost to <body> when htmx swapped the button. The idea's upvote names the idea and a
    pluralised count, and pressing it by keyboard keeps focus on the new button."""
    base, idea = live_server.url, cfp["idea"]
    page = _login(browser, base, cfp["voters"][0])
    page.goto(f"{base}/groups/{cfp['group'].slug}/ideas/")
    button = page.locator(f"#idea-vote-button-{idea.pk}")
    expect(button).to_have_attribute("aria-label", f"Upvote “{idea.title}”, 0 votes")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-label", f"Upvote “{idea.title}”, 1 vote")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.activeElement.id") == f"idea-vote-button-{idea.pk}"
    expect(page.locator("#announcer")).to_have_text(f"You upvoted “{idea.title}”. 1 vote.")


def test_call_settings_take_the_decision_date(browser: Browser, live_server, cfp):
    """Guards: there was nowhere to say when decisions come. The organiser sets it on the
    settings page; it is stored."""
    base, group = live_server.url, cfp["group"]
    page = _login(browser, base, cfp["organiser"])
    page.goto(f"{base}/groups/{group.slug}/call-for-talks/")
    page.get_by_label("Decisions announced").fill("2099-12-15T19:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The call for talks is updated.")).to_be_visible()
    call = CallForTalks.objects.get(group=group)
    assert call.decisions_at is not None
    assert call.decisions_at > datetime.now(UTC) + timedelta(days=365)

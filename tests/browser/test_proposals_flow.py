"""The call for talks end to end in Chromium: propose against an idea, two members vote, the
organiser accepts and schedules, and the talk is on the event page. Screenshots of the ideas
board, the proposal form, the voting page and the review page go to tests/artifacts/."""

import re
import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cfp.models import CallForTalks, Proposal, TalkIdea
from tests import factories
from tests.factories import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cfp(transactional_db):
    group = factories.make_group(name="SyDjango", slug="sydjango")
    organiser = factories.make_user(username="olivia", first_name="Olivia", last_name="Org")
    group.organisers.add(organiser)
    speaker = factories.make_user(username="sam", first_name="Sam", last_name="Speaker")
    voters = [factories.make_user(username=f"voter{n}") for n in (1, 2)]
    event = factories.make_event(group=group, title="Channels and HTMX night", slug="htmx-night")
    factories.make_talk(event=event, title="Welcome and news", order=1)
    now = timezone.now()
    CallForTalks.objects.create(
        group=group,
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=14),
        tallies=CallForTalks.Tallies.PUBLIC,
    )
    idea = TalkIdea.objects.create(
        group=group,
        title="Have you used channels for websockets? How about using them with an HTMX project?",
        description="Live updates without a single-page app.",
        author=organiser,
    )
    TalkIdea.objects.create(
        group=group,
        title="Database tips and tricks",
        description="ORM queries that read well and run fast.",
        author=organiser,
    )
    return {"group": group, "organiser": organiser, "speaker": speaker, "voters": voters,
            "event": event, "idea": idea}  # fmt: skip


@pytest.fixture(autouse=True)
def _close_contexts(browser: Browser, live_server, transactional_db):
    """Closes the contexts a test opened before the database is flushed: an open voting page
    keeps polling, and a request landing during teardown would race the flush."""
    yield
    for context in browser.contexts:
        context.close()


def _login(browser: Browser, base: str, user, viewport=DESKTOP, bypass_csp=False) -> Page:
    page = browser.new_context(viewport=viewport, bypass_csp=bypass_csp).new_page()
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))
    return page


def test_speaker_proposes_members_vote_organiser_schedules(
    browser: Browser, live_server, cfp, artifacts
):
    base = live_server.url
    group, idea = cfp["group"], cfp["idea"]

    # The speaker finds the idea on the board and proposes a talk for it.
    speaker = _login(browser, base, cfp["speaker"])
    speaker.goto(f"{base}/groups/{group.slug}/ideas/")
    expect(speaker.get_by_role("heading", name="Talk ideas", level=1)).to_be_visible()
    speaker.screenshot(path=artifacts / "proposals_ideas_desktop.png", full_page=True)
    speaker.get_by_role("link", name=f"Propose a talk on “{idea.title}”").click()
    expect(speaker.get_by_label("Talk idea it answers")).to_have_value(str(idea.pk))

    # An invalid submit is answered by htmx with the form and its errors, in place.
    speaker.get_by_label("Title").fill("Live Q&A with Channels and HTMX")
    speaker.get_by_role("button", name="Submit proposal").click()
    expect(speaker.locator("#id_abstract_error")).to_have_text("This field is required.")
    # The swap replaced the focused button: focus is on the new one, not lost to <body>.
    assert speaker.evaluate("document.activeElement.dataset.focusKey") == "proposal-submit"
    assert speaker.url.endswith(f"/propose/?idea={idea.pk}")
    speaker.screenshot(path=artifacts / "proposals_form_errors_desktop.png", full_page=True)

    speaker.get_by_label("Abstract").fill("How a **live** Q&A pushes fragments to every browser.")
    # The length starts at a talk, not a lightning talk, and every choice is on show.
    expect(speaker.get_by_role("radio", name="20 minutes")).to_be_checked()
    speaker.get_by_role("radio", name="30 minutes").check()
    speaker.get_by_label("Private notes for the organisers").fill("I need an HDMI adapter.")
    speaker.get_by_role("button", name="Submit proposal").click()
    expect(speaker.get_by_role("heading", name="Live Q&A with Channels and HTMX")).to_be_visible()
    expect(speaker.get_by_text("Submitted", exact=True)).to_be_visible()
    proposal = Proposal.objects.get()

    # The organiser puts it to the vote.
    organiser = _login(browser, base, cfp["organiser"])
    organiser.goto(f"{base}/groups/{group.slug}/review/{proposal.pk}/")
    organiser.get_by_role("button", name="Put to the vote").click()
    expect(organiser.get_by_text("In voting", exact=True).first).to_be_visible()

    # Two members vote; the first one's page picks up the second vote without a reload.
    first = _login(browser, base, cfp["voters"][0])
    second = _login(browser, base, cfp["voters"][1])
    for page in (first, second):
        page.goto(f"{base}/groups/{group.slug}/vote/")
    tally = f"#tally-{proposal.pk} span"
    first.get_by_role("button", name=re.compile("^Vote for")).click()
    expect(first.locator(tally)).to_have_text("1")
    expect(first.get_by_role("button", name=re.compile("Voted"))).to_have_attribute(
        "aria-pressed", "true"
    )
    # By keyboard: focus stays on the button after htmx swaps it.
    second.get_by_role("button", name=re.compile("^Vote for")).focus()
    second.keyboard.press("Enter")
    expect(second.locator(tally)).to_have_text("2")
    assert second.evaluate("document.activeElement.id") == f"vote-button-{proposal.pk}"
    expect(first.locator(tally)).to_have_text("2", timeout=15_000)  # the 10 s poll
    first.screenshot(path=artifacts / "proposals_voting_desktop.png", full_page=True)

    # The organiser reviews, accepts and schedules; the line-up can be reordered.
    organiser.goto(f"{base}/groups/{group.slug}/review/")
    expect(organiser.get_by_role("cell", name="2", exact=True)).to_be_visible()
    organiser.screenshot(path=artifacts / "proposals_review_desktop.png", full_page=True)
    organiser.get_by_role("link", name="Live Q&A with Channels and HTMX").click()
    organiser.get_by_label("Your score").select_option("5")
    organiser.get_by_label("Your private note").fill("Exactly what the idea asked for.")
    organiser.get_by_role("button", name="Save review").click()
    expect(organiser.get_by_text("Saved.")).to_be_visible()
    organiser.get_by_label("Message to the speaker (optional)").fill("See you in a fortnight!")
    organiser.get_by_role("button", name="Accept").click()
    expect(organiser.get_by_text("Accepted", exact=True).first).to_be_visible()
    organiser.get_by_label("Event").select_option(str(cfp["event"].pk))
    organiser.get_by_role("button", name="Add to the agenda").click()
    expect(
        organiser.get_by_role("heading", name="Line-up: Channels and HTMX night")
    ).to_be_visible()
    organiser.get_by_role("button", name="Move “Live Q&A with Channels and HTMX” up").click()
    expect(organiser.locator("#agenda li").first).to_contain_text("Live Q&A with Channels")

    # Everyone sees it on the event page, first in the agenda, with its speaker.
    visitor = browser.new_context(viewport=DESKTOP).new_page()
    visitor.goto(f"{base}/events/htmx-night/")
    first_talk = visitor.locator("section[aria-labelledby=agenda-heading] li").first
    expect(first_talk).to_contain_text("Live Q&A with Channels and HTMX")
    expect(first_talk).to_contain_text("Sam Speaker")

    # The speaker's list shows the outcome.
    speaker.goto(f"{base}/proposals/")
    expect(speaker.get_by_text("Scheduled", exact=True)).to_be_visible()


def _shoot(page: Page, url: str, heading: str, path) -> None:
    """Open `url`, check it is the page asked for (200, no redirect, its heading), save it."""
    response = page.goto(url)
    assert (response.status, response.request.redirected_from) == (200, None), url
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.screenshot(path=path, full_page=True)


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_cfp_pages_screenshots(browser: Browser, live_server, cfp, artifacts, size, viewport):
    """The main pages at desktop and phone widths, with realistic content; each is checked to
    be the page it claims (a login page or an error would otherwise be photographed)."""
    from cfp import services

    base, group = live_server.url, cfp["group"]
    title = "Live Q&A with Channels and HTMX"
    proposal = services.proposal_submit(
        user=cfp["speaker"],
        group=group,
        title=title,
        abstract="How a **live** Q&A pushes server-rendered fragments to every open browser.",
        length_minutes=20,
        idea=cfp["idea"],
    )
    services.proposal_open_voting(user=cfp["organiser"], proposal=proposal)
    for voter in cfp["voters"]:
        services.idea_vote_toggle(user=voter, idea=cfp["idea"])
        services.proposal_vote_add(user=voter, proposal=proposal)
    groups = f"{base}/groups/{group.slug}"

    member = _login(browser, base, cfp["voters"][0], viewport)
    _shoot(member, f"{groups}/ideas/", "Talk ideas", artifacts / f"proposals_ideas_{size}.png")
    upvote = member.locator(f"#idea-vote-button-{cfp['idea'].pk}")
    expect(upvote).to_have_attribute("aria-label", f"Upvote “{cfp['idea'].title}”, 2 votes")
    expect(upvote).to_have_attribute("aria-pressed", "true")
    _shoot(member, f"{groups}/propose/", "Propose a talk", artifacts / f"proposals_form_{size}.png")
    expect(member.get_by_label("Title")).to_be_visible()
    _shoot(
        member, f"{groups}/vote/", "Vote on proposed talks",
        artifacts / f"proposals_voting_{size}.png",
    )  # fmt: skip
    expect(member.locator(f"#tally-{proposal.pk}")).to_have_text("2votes")
    expect(member.locator(f"#vote-button-{proposal.pk}")).to_have_attribute("aria-pressed", "true")

    organiser = _login(browser, base, cfp["organiser"], viewport)
    _shoot(organiser, f"{groups}/review/", "Review proposals",
           artifacts / f"proposals_review_{size}.png")  # fmt: skip
    expect(organiser.get_by_role("link", name=title)).to_be_visible()
    _shoot(organiser, f"{groups}/review/{proposal.pk}/", title,
           artifacts / f"proposals_review_detail_{size}.png")  # fmt: skip
    expect(organiser.get_by_role("button", name="Accept")).to_be_visible()
    _shoot(organiser, f"{groups}/call-for-talks/", "Call for talks settings",
           artifacts / f"proposals_settings_{size}.png")  # fmt: skip
    _shoot(organiser, f"{groups}/lineup/{cfp['event'].slug}/", "Line-up: Channels and HTMX night",
           artifacts / f"proposals_lineup_{size}.png")  # fmt: skip
    expect(organiser.locator("#agenda > li")).to_have_count(1)
    expect(organiser.locator("#agenda > li")).to_contain_text("Welcome and news")

    speaker = _login(browser, base, cfp["speaker"], viewport)
    _shoot(speaker, f"{base}/proposals/{proposal.pk}/", title,
           artifacts / f"proposals_detail_{size}.png")  # fmt: skip
    _shoot(speaker, f"{base}/proposals/", "My proposals", artifacts / f"proposals_mine_{size}.png")
    expect(speaker.get_by_text("In voting", exact=True)).to_be_visible()


def test_speaker_profile_photo_upload_through_htmx(
    browser: Browser, live_server, cfp, artifacts, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    page = _login(browser, base, cfp["speaker"])
    page.goto(base + "/speaker-profile/")
    # A wrong type is refused next to the field, in place (422 partial).
    page.get_by_label("Photo").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": b"GIF89a not a png"}]
    )
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("The photo must be a PNG, JPEG or WebP image.")).to_be_visible()

    png = _tiny_png()
    page.get_by_label("Bio").fill("Builds live pages with **Django**.")
    page.get_by_label("Link 1 label").fill("Website")
    page.get_by_label("Link 1 address").fill("https://sam.example")
    page.get_by_label("Photo").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png}]
    )
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your speaker profile is saved.")).to_be_visible()
    photo = page.get_by_role("img", name="Your current photo")
    expect(photo).to_be_visible()
    # Retried: the image may still be loading when it first shows (0 until it has loaded).
    expect(photo).to_have_js_property("naturalWidth", 2)
    page.screenshot(path=artifacts / "proposals_speaker_profile_desktop.png", full_page=True)


def _tiny_png() -> bytes:
    """A valid 2x2 green PNG, built by hand (Pillow is not a dependency)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x0b\x6e\x4f" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )

"""Slides and links, and the join code, in a real browser: each page touched at a phone's and a
desktop's width, screenshots to look at, axe clean, no console errors, no sideways scroll.
The speaker uploads a PDF with the plain form (no JavaScript needed) and finds it on the talk."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from live.join import join_code
from meetups import services
from tests import factories
from tests.browser.a11y import axe_violations
from tests.browser.daphne import serve
from tests.meetups.resource_helpers import TINY_PDF

WIDTHS = (390, 1280)


@pytest.fixture(autouse=True)
def _browser_settings(plain_http_cookies, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scene(transactional_db):
    organiser = factories.make_user(username="olive", first_name="Olive", last_name="Organiser")
    speaker_user = factories.make_user(username="hashim", first_name="Hashim")
    group = factories.make_group(name="SyDjango", owner=organiser)
    event = factories.make_event(
        group=group, title="SyDjango: Channels and HTMX night", slug="channels-night",
        starts_in=timedelta(days=2),
    )  # fmt: skip
    speaker = factories.make_speaker(name="Hashim Muqtadir", user=speaker_user)
    talk = factories.make_talk(
        event=event,
        title="Concurrency in Python and Django",
        slug="concurrency",
        speakers=[speaker],
    )
    services.talk_link_add(
        user=speaker_user, talk=talk, kind="video", url="https://www.youtube.com/watch?v=jeJmQazH3jA",
        title="This talk in the evening's recording", start="28:30",
    )  # fmt: skip
    return {"event": event, "talk": talk, "speaker": speaker_user, "organiser": organiser}


@pytest.fixture
def open_page(browser: Browser, live_server, contexts):
    def open_(width: int, user=None) -> tuple[Page, list[str]]:
        # bypass_csp only lets axe-core be injected (tests/browser/a11y.py).
        context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page, problems

    return open_


def _check(page: Page, problems: list[str], artifacts, name: str, width: int, status: int = 200):
    page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)
    assert axe_violations(page, status=status) == []
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") == 0
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_speaker_uploads_slides_without_javascript_and_finds_them_on_the_talk(
    browser: Browser, live_server, scene, width, artifacts, tmp_path, contexts
):
    context = browser.new_context(
        viewport={"width": width, "height": 844}, java_script_enabled=False
    )
    contexts.append(context)
    client = Client()
    client.force_login(scene["speaker"])
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(live_server.url + "/talks/concurrency/")
    page.get_by_role("link", name="Add or remove slides and links").click()
    expect(page.get_by_role("heading", name="Slides and links", level=1)).to_be_visible()

    not_pdf = tmp_path / "slides.pdf"
    not_pdf.write_bytes(b"<html>not a pdf</html>" * 5)
    page.get_by_label("PDF file").set_input_files(str(not_pdf))
    page.get_by_role("button", name="Upload slides").click()
    expect(page.get_by_text("The file is not a PDF: export your slides as PDF.")).to_be_visible()
    page.screenshot(path=artifacts / f"talk-resources-error-{width}.png", full_page=True)

    pdf = tmp_path / "Concurrency deck.pdf"
    pdf.write_bytes(TINY_PDF)
    page.get_by_label("PDF file").set_input_files(str(pdf))
    page.get_by_label("Title (optional)").first.fill("Slides (PDF)")
    page.get_by_role("button", name="Upload slides").click()
    expect(page.get_by_text("The slides are added to the talk.")).to_be_visible()
    expect(page.get_by_role("link", name="Slides (PDF)")).to_be_visible()

    page.goto(live_server.url + "/talks/concurrency/")
    expect(page.get_by_role("link", name="Slides (PDF)")).to_be_visible()
    expect(page.get_by_text("(Slides, PDF, 125 bytes)")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_talk_resources_pages_fit_and_are_accessible(
    open_page, live_server, scene, width, artifacts
):
    page, problems = open_page(width, scene["speaker"])
    page.goto(live_server.url + "/talks/concurrency/")
    link = page.get_by_role("link", name="This talk in the evening's recording")
    expect(link).to_have_attribute("href", "https://www.youtube.com/watch?v=jeJmQazH3jA&t=1710s")
    _check(page, problems, artifacts, "talk-resources-talk", width)

    page.goto(live_server.url + "/talks/concurrency/resources/")
    expect(
        page.get_by_role("button", name="Remove This talk in the evening's recording")
    ).to_be_visible()
    _check(page, problems, artifacts, "talk-resources-edit", width)


@pytest.fixture(scope="module")
def daphne_room(live_seed, tmp_path_factory):
    """The presenter view needs its websocket: a real daphne on a copy of the session's seeded
    SQLite file, with an event on now (so live mode is on), as tests/browser/test_live_qa.py
    does."""
    source, data = live_seed
    with serve(source, tmp_path_factory.mktemp("join-presenter")) as (base, _env):
        yield base, data


@pytest.mark.parametrize("width", WIDTHS)
def test_presenter_view_shows_a_large_join_code_in_live_mode(
    browser: Browser, daphne_room, width, artifacts, contexts
):
    base, data = daphne_room
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    contexts.append(context)
    context.add_cookies([{"name": "sessionid", "value": data["organiser"]["session"], "url": base}])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/events/{data['slug']}/live/presenter/")
    expect(page.locator("#live-connection")).to_have_text("● Live")
    qr = page.get_by_role("img", name=re.compile("^QR code: opens the live page of "))
    expect(qr).to_be_visible()
    code = page.locator("[data-join-code]")
    expect(code).to_have_text(re.compile("^[0-9A-HJKMNP-TV-Z]{4}$"))
    # Readable from the back of a room: the code in large type, the QR a good size.
    font_px = float(code.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert font_px >= (72 if width >= 640 else 36)
    assert qr.bounding_box()["width"] >= (224 if width >= 1024 else 128)
    _check(page, problems, artifacts, "join-presenter", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_join_code_on_the_event_page_and_the_join_form(
    browser: Browser, daphne_room, width, artifacts, contexts
):
    """The event page follows live mode over its websocket (live/consumers.py, view=event),
    so it runs on the room's daphne rather than the WSGI `live_server`."""
    base, data = daphne_room
    context = browser.new_context(viewport={"width": width, "height": 900})
    contexts.append(context)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/events/{data['slug']}/")
    qr = page.get_by_role("img", name="QR code: opens the live page of Live bench")  # the seed's
    expect(qr).to_be_visible()
    # Waited for in the page until laid out: the socket's first state swaps the block in
    # again, and a box asked for mid-swap was gone (None) or not yet laid out (0 wide).
    box = page.wait_for_function(
        """() => {
          const svg = document.querySelector('svg[aria-label^="QR code: opens the live page"]');
          const r = svg && svg.getBoundingClientRect();
          return r && r.width > 0 ? [r.width, r.height] : null;
        }"""
    ).json_value()
    assert box[0] >= 112 and box[0] == box[1]
    code = join_code(data["event_id"])
    expect(page.locator("[data-join-code]")).to_have_text(code)
    _check(page, problems, artifacts, "join-event-page", width)

    page.goto(f"{base}/j/")
    _check(page, problems, artifacts, "join-form", width)
    page.get_by_label("Code").fill(code.lower())
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(f"{base}/events/{data['slug']}/live/")

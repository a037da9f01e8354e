"""The shared layout on a phone and a desktop (templates/base.html, the theme's CSS, portal/
menu.js and portal/a11y.js): nothing wider than the viewport, no console errors or failed
assets, a header menu that works by keyboard and without JavaScript, a focus ring of at least
3:1 wherever it is drawn, focus and announcements kept across htmx swaps, and the reusable
`.table-cards` and `.sticky-action` components."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from meetups.demo import ORGANISER_EMAIL
from rsvp.models import Rsvp
from tests import factories
from tests.browser.a11y import axe_violations

# live_server speaks plain HTTP (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("plain_http_cookies")

EVENT = "/events/sydjango-channels-and-htmx-night/"
PAGES = {
    "home": "/",
    "event": EVENT,
    "archive": "/events/past/",
    "talk": "/talks/concurrency-in-python-and-django/",
    "ideas": "/groups/sydjango/ideas/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
}
User = get_user_model()
WIDTHS = [320, 390, 1280]
CLIP = {"x": 0, "y": 0, "width": 390, "height": 120}

# The colour of a CSS colour string as sRGB bytes (Chromium reports Tailwind's colours in
# oklch), and the WCAG contrast ratio of two of them.
CONTRAST_JS = """
(() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  function rgb(colour) {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "#000";
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 1, 1);
    return Array.from(ctx.getImageData(0, 0, 1, 1).data);
  }
  function luminance([r, g, b]) {
    const lin = (c) => {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }
  function ratio(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  // The first opaque background behind the element's outline: its parent's, or further up.
  function backdrop(element) {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour[3] === 255) { return colour; }
    }
    return [255, 255, 255, 255];
  }
  window.focusRing = (element) => {
    const style = getComputedStyle(element);
    const ring = rgb(style.outlineColor);
    const behind = backdrop(element);
    return {
      width: style.outlineWidth, style: style.outlineStyle, ring: ring, behind: behind,
      ratio: Math.round(ratio(ring, behind) * 100) / 100,
    };
  };
})();
"""


@pytest.fixture
def member(demo):
    return factories.make_user(username="mia_m", first_name="Mia", last_name="Member")


@pytest.fixture
def open_page(browser: Browser, live_server, contexts):
    def open_(width: int, user=None, **options) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 844}, **options)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies["sessionid"].value
            context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        return context.new_page()

    return open_


class Watch:
    """Console errors, uncaught page errors and failed responses seen by a page."""

    def __init__(self, page: Page):
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_pages_fit_the_viewport_without_errors(
    open_page, live_server, member, width, signed_in, artifacts
):
    """Guards the shared layout at 320, 390 and 1280 px: the header that wrapped into three
    rows, long names and fields that widened the page, and any console error or asset 404
    (such as /favicon.ico)."""
    page = open_page(width, member if signed_in else None)
    watch = Watch(page)
    too_wide = {}
    for name, url in PAGES.items():
        if signed_in and name in ("login", "signup"):
            continue  # they send a signed-in person on
        response = page.goto(live_server.url + url)
        assert response.status == 200, (url, response.status)
        page.wait_for_load_state("networkidle")
        if extra := overflow(page):
            too_wide[name] = extra
        if width != 320:
            who = "member" if signed_in else "anonymous"
            page.screenshot(path=artifacts / f"layout-{name}-{who}-{width}.png", full_page=True)
    assert too_wide == {}
    assert watch.problems == []


@pytest.mark.parametrize("width", [320, 390])
def test_phone_header_is_one_row_with_a_menu(open_page, live_server, member, width, artifacts):
    """Guards the phone header: one row (the name and a Menu button, no link wrapping below)
    and the signed-in person's display name in the menu instead of their username."""
    page = open_page(width, member)
    page.goto(live_server.url + "/")
    page.screenshot(path=artifacts / f"layout-home-member-{width}.png", full_page=True)

    header = page.locator("body > header")
    assert header.bounding_box()["height"] <= 64  # one row; it was three (133 px)
    expect(page.get_by_role("link", name="Past events", exact=True)).to_be_hidden()
    button = header.locator("summary")
    expect(button).to_have_text("Menu")
    expect(button).to_have_attribute("aria-expanded", "false")

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = header.get_by_role("list")
    expect(page.get_by_role("link", name="Past events", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Your profile: Mia Member")).to_be_visible()
    expect(header).not_to_contain_text("mia_m")
    assert menu.first.bounding_box()["width"] <= width
    assert overflow(page) == 0
    page.screenshot(path=artifacts / f"layout-menu-open-{width}.png")

    page.mouse.click(width // 2, 800)  # outside the menu
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Past events", exact=True)).to_be_hidden()


def test_desktop_header_shows_every_link_in_one_row(open_page, live_server, member, artifacts):
    """Guards the desktop header: the whole navigation in one row, no menu button, and the
    display name (not the username) linking to the profile."""
    page = open_page(1280, member)
    page.goto(live_server.url + "/")

    header = page.locator("body > header")
    expect(header.locator("summary")).to_be_hidden()
    for name in ("Events", "Past events", "My events", "Talk ideas", "My proposals"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Your profile: Mia Member")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(header).not_to_contain_text("mia_m")
    assert header.bounding_box()["height"] <= 64  # one row; it was three (133 px)
    expect(page.get_by_role("link", name="Events", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.screenshot(path=artifacts / "layout-home-member-1280.png", full_page=True)


def test_menu_opens_and_closes_by_keyboard(open_page, live_server, demo):
    """Guards the menu's keyboard behaviour (portal/menu.js): Enter opens it and says so,
    its links are next in the Tab order, Escape closes it and puts focus back on the button."""
    page = open_page(390)
    page.goto(live_server.url + EVENT)
    button = page.locator("body > header summary")

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the portal's name
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Events", exact=True)).to_be_focused()

    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(page.get_by_role("link", name="Events", exact=True)).to_be_hidden()

    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "false")


def test_menu_works_without_javascript(open_page, live_server, demo):
    """Guards the no-JavaScript menu: a <details> opens on its own and its links navigate."""
    page = open_page(390, java_script_enabled=False)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Past events", exact=True)).to_be_hidden()

    page.locator("body > header summary").click()
    page.get_by_role("link", name="Past events", exact=True).click()

    expect(page).to_have_url(live_server.url + "/events/past/")
    expect(page.get_by_role("link", name="Past events", exact=True)).to_be_hidden()


@pytest.mark.parametrize("width", [390, 1280])
def test_focus_ring_reaches_3_to_1_in_the_header_and_the_page(
    open_page, live_server, demo, width, artifacts
):
    """Guards the two-tone focus ring: the old amber ring measured 2.06:1 on the page and the
    dark ring alone would vanish on the green header."""
    page = open_page(width)
    page.goto(live_server.url + EVENT)
    page.evaluate(CONTRAST_JS)

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the portal's name, in the header
    in_header = page.evaluate("focusRing(document.activeElement)")
    page.screenshot(path=artifacts / f"layout-focus-header-{width}.png", clip=CLIP)
    assert page.evaluate("document.activeElement.closest('header') !== null")
    main_link = page.locator("main a").first
    main_link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(main_link).to_be_focused()
    in_main = page.evaluate("focusRing(document.activeElement)")
    box = main_link.bounding_box()
    around = {
        "x": box["x"] - 12,
        "y": box["y"] - 12,
        "width": box["width"] + 24,
        "height": box["height"] + 24,
    }
    page.screenshot(path=artifacts / f"layout-focus-main-{width}.png", clip=around)

    assert (in_header["style"], in_header["width"]) == ("solid", "3px")
    assert in_header["ring"] == [255, 255, 255, 255]
    assert in_header["ratio"] >= 3, in_header
    assert (in_main["style"], in_main["width"]) == ("solid", "3px")
    assert in_main["ring"] == [28, 25, 23, 255]
    assert in_main["ratio"] >= 3, in_main


@pytest.fixture
def bypass_csp_page(open_page):
    # axe is injected as an inline script, which the portal's CSP rightly blocks.
    return lambda width, user=None: open_page(width, user, bypass_csp=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_header_with_menu_open_has_no_axe_violations(bypass_csp_page, live_server, member, width):
    """Guards the header's markup (the menu button's name and state, landmarks, contrast)."""
    page = bypass_csp_page(width, member)
    page.goto(live_server.url + EVENT)
    if width < 1024:
        page.locator("body > header summary").click()

    assert axe_violations(page) == []


def test_rsvp_swap_keeps_focus_in_the_panel(open_page, live_server, member):
    """Guards portal/a11y.js on a real swap: the "I'm going" button is replaced with the whole
    RSVP panel, and focus used to fall to <body> (WCAG 2.4.3); the result the view announces
    (HX-Trigger `announce`) reaches #announcer."""
    page = open_page(390, member)
    page.goto(live_server.url + EVENT)
    button = page.locator("#rsvp-panel").get_by_role("button", name="I'm going")
    button.focus()
    with page.expect_response(re.compile(r".*/rsvp/going/$")) as answer:
        page.keyboard.press("Enter")

    expect(page.locator("#rsvp-panel")).to_contain_text("You're going")
    page.wait_for_function("document.activeElement !== document.body")
    assert page.evaluate("document.activeElement.closest('#rsvp-panel') !== null")
    said = json.loads(answer.value.headers["hx-trigger"])["announce"]["message"]
    expect(page.locator("#announcer")).to_have_text(said)
    assert Rsvp.objects.filter(user=member, status=Rsvp.Status.GOING).count() == 1


def test_messages_after_a_redirect_are_announced_once_loaded(open_page, live_server, member):
    """Guards the announcement of messages rendered with a page (the no-JavaScript RSVP's
    redirect): #messages is a lasting region whose items carry no live role of their own, and
    their text reaches #announcer."""
    page = open_page(1280, member)
    page.goto(live_server.url + EVENT)
    page.locator("#rsvp-panel form").first.evaluate("form => form.submit()")

    message = page.locator("#messages [data-message]")
    expect(message).to_have_text("You're going! Your ticket is on its way by email.")
    expect(page.locator("#announcer")).to_have_text(
        "You're going! Your ticket is on its way by email."
    )
    assert page.locator("#messages [role], #messages [aria-live]").count() == 0


# A stand-in region on a real page: the swaps below are htmx's own, answered by page.route.
REGION = """
document.querySelector("main").insertAdjacentHTML("afterbegin", `
  <section id="demo-region">
    <button type="button" id="demo-keyed" data-focus-key="demo-key"
            hx-get="/__demo/keyed" hx-target="#demo-region" hx-swap="outerHTML">Keyed</button>
    <button type="button" hx-get="/__demo/message" hx-target="#demo-region"
            hx-swap="outerHTML">Unkeyed</button>
    <button type="button" hx-get="/__demo/plain" hx-target="#demo-region"
            hx-swap="outerHTML">Plain</button>
  </section>
  <div id="demo-other">Other</div>
  <section id="demo-pushed">
    <button type="button" hx-get="/__demo/pushed" hx-swap="none">Pushed</button>
  </section>`);
htmx.process(document.querySelector("main"));
"""
ANSWERS = {
    # The same control comes back (its key kept); another part arrives out of band first.
    "keyed": (
        '<div id="demo-other" hx-swap-oob="true">Other, updated</div>'
        '<section id="demo-region"><p>Saved.</p>'
        '<button type="button" data-focus-key="demo-key">Keyed again</button></section>',
        {"HX-Trigger": '{"announce": {"message": "Saved the thing."}}'},
    ),
    # The control is gone; a message takes its place.
    "message": (
        '<section id="demo-region" data-announce="Cancelled.">'
        "<p data-focus-after-swap>Cancelled. Changed your mind?</p></section>",
        {},
    ),
    # Nothing to focus inside: the region itself takes focus.
    "plain": ('<section id="demo-region"><p>Done.</p></section>', {}),
    # Out of band only (as a websocket push is): the region with the focused control's
    # ancestor's id is replaced; focus goes to the message it marks.
    "pushed": (
        '<div id="demo-other" hx-swap-oob="true">Other, pushed</div>'
        '<section id="demo-pushed" hx-swap-oob="true" data-announce="Moved on.">'
        "<p data-focus-after-swap>Moved on.</p></section>",
        {},
    ),
}


@pytest.mark.parametrize("case", ["keyed", "message", "plain", "pushed"])
def test_a11y_js_keeps_focus_and_announces_after_a_swap(open_page, live_server, demo, case):
    """Guards each rule of portal/a11y.js: focus goes to the control with the same key, else
    to the new content's [data-focus-after-swap], else to the swapped region; the response's
    `announce` event and a fragment's data-announce reach #announcer."""
    page = open_page(390)
    page.route(
        re.compile(r".*/__demo/.*"),
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers=ANSWERS[route.request.url.rsplit("/", 1)[1]][1],
            body=ANSWERS[route.request.url.rsplit("/", 1)[1]][0],
        ),
    )
    page.goto(live_server.url + "/")
    page.evaluate(REGION)
    name = {"keyed": "Keyed", "message": "Unkeyed", "plain": "Plain", "pushed": "Pushed"}[case]
    page.get_by_role("button", name=name, exact=True).focus()
    page.keyboard.press("Enter")

    if case == "pushed":
        expect(page.locator("#demo-pushed [data-focus-after-swap]")).to_be_focused()
        expect(page.locator("#demo-other")).to_have_text("Other, pushed")
        expect(page.locator("#announcer")).to_have_text("Moved on.")
        return
    expect(page.locator("#demo-region p")).to_be_visible()
    if case == "keyed":
        expect(page.get_by_role("button", name="Keyed again")).to_be_focused()
        expect(page.locator("#demo-other")).to_have_text("Other, updated")
        expect(page.locator("#announcer")).to_have_text("Saved the thing.")
    elif case == "message":
        expect(page.locator("#demo-region [data-focus-after-swap]")).to_be_focused()
        expect(page.locator("#announcer")).to_have_text("Cancelled.")
    else:
        expect(page.locator("#demo-region")).to_be_focused()
        expect(page.locator("#demo-region")).to_have_attribute("tabindex", "-1")
        expect(page.locator("#announcer")).to_have_text("")


CARDS_TABLE = """
document.querySelector("main").insertAdjacentHTML("afterbegin", `
  <table class="table-cards w-full" id="demo-table">
    <thead><tr><th>Name</th><th>Email</th><th>Guests</th></tr></thead>
    <tbody>
      <tr><th scope="row">Ada Lovelace</th>
          <td data-label="Email">ada.lovelace.with.a.long.address@analytical-engines.example</td>
          <td data-label="Guests">2</td></tr>
      <tr><th scope="row">Bob</th><td data-label="Email">bob@example.org</td>
          <td data-label="Guests">0</td></tr>
    </tbody>
  </table>`);
"""


@pytest.mark.parametrize("width", [320, 1280])
def test_table_cards_stack_rows_on_a_phone(open_page, live_server, demo, width, artifacts):
    """Guards the `.table-cards` component: below `sm` each row is a card with each cell's
    label beside its value and a long email wraps; on a desktop it stays a table."""
    page = open_page(width)
    page.goto(live_server.url + "/")
    page.evaluate(CARDS_TABLE)
    row = page.locator("#demo-table tbody tr").first
    email = row.locator("td").first
    label = email.evaluate("td => getComputedStyle(td, '::before').content")
    page.locator("#demo-table").screenshot(path=artifacts / f"layout-table-cards-{width}.png")

    assert overflow(page) == 0
    if width < 640:
        assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
        assert label == '"Email"'
        expect(page.locator("#demo-table thead")).to_have_css("position", "absolute")
        assert email.bounding_box()["width"] <= width
    else:
        assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
        assert label == "none"


@pytest.mark.parametrize("width", [390, 800, 1280])
def test_sticky_action_stays_clear_of_the_content(open_page, live_server, demo, width, artifacts):
    """Guards the `.sticky-action` bar: below `lg` it is fixed to the bottom and the body
    keeps room for it, so the footer's last line is not hidden behind it; from `lg` up (where
    the event page's RSVP panel sits beside the content) it is not shown. At 800 px it used to
    be hidden while the panel was still out of sight below the content."""
    page = open_page(width)
    page.goto(live_server.url + EVENT)
    page.evaluate(
        """document.querySelector("main").insertAdjacentHTML("beforeend",
        '<div class="sticky-action" id="demo-bar">' +
        '<a class="btn-primary" href="#rsvp-panel">RSVP</a></div>')"""
    )
    bar = page.locator("#demo-bar")
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")

    if width < 1024:
        expect(bar).to_be_visible()
        box = bar.bounding_box()
        assert box["y"] + box["height"] == 844
        footer_end = page.evaluate(
            "document.querySelector('footer').lastElementChild.getBoundingClientRect().bottom"
        )
        assert footer_end <= box["y"]
        page.screenshot(path=artifacts / f"layout-sticky-action-{width}.png")
    else:
        expect(bar).to_be_hidden()
        assert page.evaluate("getComputedStyle(document.body).paddingBottom") == "0px"


def test_a_refusal_clears_the_earlier_messages(open_page, live_server, member):
    """Guards portal/failures.js with the role-less messages: a refusal (409) is the newest
    answer, so the success message shown with the page goes (it used to look for role=status,
    which the messages no longer carry)."""
    page = open_page(1280, member)
    page.route(
        re.compile(r".*/__demo/refused$"),
        lambda route: route.fulfill(
            status=409, content_type="text/html", body='<p id="demo-refused">Not now.</p>'
        ),
    )
    page.goto(live_server.url + EVENT)
    page.locator("#rsvp-panel form").first.evaluate("form => form.submit()")
    expect(page.locator("#messages [data-message]")).to_have_count(1)
    # The whole page, deferred scripts and htmx's own start included, before adding to it: a
    # button processed before htmx had started once went unanswered on a busy machine.
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")  # deferred: after the DOM
    page.evaluate(
        """document.querySelector("main").insertAdjacentHTML("afterbegin",
        '<div id="demo-target"></div><button type="button" id="demo-ask" ' +
        'hx-get="/__demo/refused" hx-target="#demo-target">Ask</button>');
        htmx.process(document.querySelector("#demo-ask"));"""
    )
    with page.expect_response(re.compile(r".*/__demo/refused$")):
        page.locator("#demo-ask").click()

    expect(page.locator("#demo-refused")).to_have_text("Not now.")
    expect(page.locator("#messages [data-message]")).to_have_count(0)


@pytest.mark.parametrize("width", [1024, 1280])
def test_desktop_header_holds_the_longest_navigation(
    open_page, live_server, demo, width, artifacts
):
    """Guards the desktop header with every link it can show (an organiser who is staff, with a
    long display name): still one row, the name cut short rather than pushing links down."""
    organiser = User.objects.get(email=ORGANISER_EMAIL)
    organiser.first_name, organiser.last_name = "Maximiliana Alexandrina", "Featherstonehaugh"
    organiser.save()
    page = open_page(width, organiser)
    page.goto(live_server.url + "/")

    for name in ("Organise", "Admin", "My proposals"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(
        page.get_by_role(
            "link", name="Your profile: Maximiliana Alexandrina Featherstonehaugh", exact=True
        )
    ).to_be_visible()
    rows = page.evaluate(
        """[...new Set([...document.querySelectorAll("header a, header button")]
            .filter((e) => e.offsetParent).map((e) => {
              const box = e.getBoundingClientRect();
              return Math.round(box.top + box.height / 2);
            }))]"""
    )
    assert len(rows) == 1, rows
    assert overflow(page) == 0
    page.screenshot(
        path=artifacts / f"layout-header-organiser-{width}.png", clip=CLIP | {"width": width}
    )

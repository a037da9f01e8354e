"""Talk feedback in Chromium: rate with htmx (no reload), change it, and read it as the
speaker; at phone and desktop widths, axe clean, no console errors, no sideways scrolling."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from feedback.models import TalkFeedback
from rsvp.models import Rsvp
from tests import factories
from tests.browser.a11y import axe_violations

pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def scene(transactional_db):
    group = factories.make_group(name="SyDjango")
    now = timezone.now().replace(second=0, microsecond=0)
    event = factories.make_event(
        group=group,
        title="SyDjango: async views in anger",
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
    )
    speaker_user = factories.make_user(username="sam", first_name="Sam Speaker")
    speaker = factories.make_speaker(name="Sam Speaker", user=speaker_user)
    talk = factories.make_talk(
        event=event, slug="async-views", title="Async views in anger", speakers=[speaker]
    )
    member = factories.make_user(username="mia", first_name="Mia Member")
    Rsvp.objects.create(
        event=event,
        user=member,
        status=Rsvp.Status.GOING,
        queued_at=event.starts_at,
        checked_in_at=event.starts_at,
    )
    return {"event": event, "talk": talk, "member": member, "speaker": speaker_user}


@pytest.fixture
def signed_in(browser: Browser, live_server, contexts):
    def open_page(user, width: int) -> Page:
        client = Client()
        client.force_login(user)
        # bypass_csp: axe is injected as an inline script (tests/browser/a11y.py).
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        contexts.append(context)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        return page

    return open_page


def _no_sideways_scroll(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("size", WIDTHS)
def test_give_and_change_feedback_without_reload(signed_in, live_server, scene, artifacts, size):
    page = signed_in(scene["member"], WIDTHS[size])
    page.goto(live_server.url + "/talks/async-views/")
    page.get_by_role("link", name="Rate this talk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback: Async views in anger")
    assert axe_violations(page) == []
    page.evaluate("window.__noReload = true")

    form = page.locator("#feedback-form")
    form.get_by_label("4").check()
    form.get_by_label("Comment for the speaker (optional)").fill("Loved the <b>demos</b>.")
    form.get_by_role("button", name="Send feedback").click()
    expect(form).to_contain_text("Thank you: your feedback is saved.")
    expect(form.get_by_role("button", name="Update feedback")).to_be_visible()
    expect(form.get_by_label("4")).to_be_checked()
    page.screenshot(path=artifacts / f"feedback-saved-{size}.png", full_page=True)

    # No rating chosen is refused next to the field (422 swapped in place).
    page.evaluate("document.querySelectorAll('input[name=rating]').forEach(r => r.checked = false)")
    form.get_by_role("button", name="Update feedback").click()
    expect(page.locator("#rating-error")).to_have_text("Choose a rating from 1 to 5.")

    form.get_by_label("5 (excellent)").check()
    form.get_by_role("button", name="Update feedback").click()
    expect(form).to_contain_text("Thank you: your feedback is saved.")
    assert page.evaluate("window.__noReload") is True
    row = TalkFeedback.objects.get()
    assert (row.rating, row.comment) == (5, "Loved the <b>demos</b>.")
    assert axe_violations(page) == []
    assert _no_sideways_scroll(page)
    # The refused submit above is answered 422 on purpose; Chromium logs every 4xx response.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]


@pytest.mark.parametrize("size", WIDTHS)
def test_speaker_reads_feedback_without_names(signed_in, live_server, scene, artifacts, size):
    TalkFeedback.objects.create(
        talk=scene["talk"], user=scene["member"], rating=4, comment="Loved the <b>demos</b>."
    )
    page = signed_in(scene["speaker"], WIDTHS[size])
    page.goto(live_server.url + "/talks/async-views/feedback/")
    received = page.locator("section", has=page.get_by_role("heading", name="Feedback received"))
    expect(received).to_contain_text("4.0 out of 5, from 1 rating")
    expect(received).to_contain_text("Loved the <b>demos</b>.")
    expect(received).not_to_contain_text("Mia")
    expect(page.locator("#feedback-form")).to_contain_text("Speakers cannot rate their own talk.")
    page.screenshot(path=artifacts / f"feedback-speaker-{size}.png", full_page=True)
    assert axe_violations(page) == []
    assert _no_sideways_scroll(page)

    page.goto(live_server.url + "/speaker-profile/")
    expect(page.get_by_role("heading", name="Feedback on your talks")).to_be_visible()
    page.get_by_role("heading", name="Feedback on your talks").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / f"feedback-speaker-profile-{size}.png", full_page=True)
    assert axe_violations(page) == []
    assert _no_sideways_scroll(page)
    assert page.console_errors == []

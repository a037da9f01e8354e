"""A new visitor signs up in Chromium with a display name, an email address and one password,
lands signed in under that name, and changes it on the profile page; at 390 and 1280 px, with
no horizontal overflow, no console error and no axe violation on either page."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.browser.a11y import axe_violations

# live_server speaks plain HTTP (tests/browser/conftest.py).
pytestmark = pytest.mark.usefixtures("plain_http_cookies")

WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which the portal's CSP rightly blocks.
    return {**browser_context_args, "bypass_csp": True}


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0 when nothing sticks out)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("size", WIDTHS)
def test_new_visitor_signs_up_with_a_display_name_and_renames_themselves(
    page: Page, live_server, transactional_db, artifacts, size
):
    """Guards: sign-up asks for a display name, an email and one password (no username, no
    second password), the new member is signed in and named by the display name, and the
    profile page changes it; all without overflow, console errors or axe violations."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    failures: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            failures.append((r.status, r.url.removeprefix(live_server.url)))
            if r.status >= 400
            else None
        ),
    )
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})

    page.goto(live_server.url + "/accounts/signup/")
    form = page.locator("main form")
    expect(form.locator("input:not([type=hidden])")).to_have_count(3)
    expect(form.get_by_label("Username")).to_have_count(0)
    assert axe_violations(page) == []
    assert _overflow(page) == 0
    page.screenshot(path=artifacts / f"signup-{size}.png", full_page=True)

    # Spaces pass the browser's `required` but not the server: refused next to the field,
    # focus on it, the typed email kept.
    page.get_by_label("Display name").fill("   ")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("an-analytical-engine")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.locator("#id_name_error")).to_have_text("Enter the name to show on your ticket.")
    expect(page.get_by_label("Display name")).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value("ada@example.com")
    assert axe_violations(page) == []
    assert _overflow(page) == 0
    page.screenshot(path=artifacts / f"signup-error-{size}.png", full_page=True)

    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("Password").fill("an-analytical-engine")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_text("Successfully signed in as Ada Lovelace.")).to_be_visible()
    user = get_user_model().objects.get(email="ada@example.com")
    assert (user.first_name, user.username) == ("Ada Lovelace", "ada")

    page.goto(live_server.url + "/accounts/profile/")
    name = page.get_by_label("Display name")
    expect(name).to_have_value("Ada Lovelace")
    assert axe_violations(page) == []
    assert _overflow(page) == 0
    page.screenshot(path=artifacts / f"profile-{size}.png", full_page=True)

    name.fill("Ada King")
    page.get_by_role("button", name="Save name").click()

    expect(
        page.get_by_role("status").filter(has_text="Your display name is now “Ada King”.")
    ).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value("Ada King")

    page.get_by_label("Display name").fill("   ")
    page.get_by_role("button", name="Save name").click()

    expect(page.locator("#id_first_name_error")).to_have_text(
        "Enter the name to show on your ticket."
    )
    expect(page.get_by_label("Display name")).to_be_focused()
    assert axe_violations(page, status=422) == []
    assert _overflow(page) == 0
    page.screenshot(path=artifacts / f"profile-error-{size}.png", full_page=True)
    user.refresh_from_db()
    assert user.first_name == "Ada King"
    # The one failed load is the deliberate 422 (the refused name); Chromium logs it.
    assert failures == [(422, "/accounts/profile/")]
    assert errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Content)"
    ]

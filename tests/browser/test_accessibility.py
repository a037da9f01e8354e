"""The public pages pass axe-core's WCAG 2.1 A/AA rules (contrast, labels, names, landmarks)."""

import pprint

import pytest
from playwright.sync_api import Page

from meetups.demo import load_demo
from tests.browser.a11y import axe_violations

PAGES = [
    "/",
    "/events/sydjango-1-2024-re-connect/",
    "/events/sydjango-channels-and-htmx-night/",
    "/events/past/?q=django",
    "/talks/concurrency-in-python-and-django/",
    "/speakers/hashim-muqtadir/",
    "/groups/sydjango/",
    "/accounts/login/",
    "/accounts/signup/",
    "/no-such-page/",
]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which the portal's CSP rightly blocks; the check
    # is about markup and colours, so only this test's browser ignores the CSP.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def demo(transactional_db):
    load_demo()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_public_pages_have_no_wcag_violations(page: Page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for url in PAGES:
        page.goto(live_server.url + url)
        if violations := axe_violations(page):
            found[url] = violations

    assert found == {}, pprint.pformat(found)

"""The public pages pass axe-core's WCAG 2.1 A/AA rules (contrast, labels, names, landmarks);
each answers the status it should, so an error page in its place fails."""

import pprint

import pytest
from playwright.sync_api import Page

from tests.browser.a11y import audit

# Each page with the status it must answer: an error page instead of the event would pass
# axe just as well.
PAGES = {
    "/": 200,
    "/events/sydjango-1-2024-re-connect/": 200,
    "/events/sydjango-channels-and-htmx-night/": 200,
    "/events/past/?q=django": 200,
    "/talks/concurrency-in-python-and-django/": 200,
    "/speakers/hashim-muqtadir/": 200,
    "/groups/sydjango/": 200,
    "/accounts/login/": 200,
    "/accounts/signup/": 200,
    "/no-such-page/": 404,
}


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which the portal's CSP rightly blocks; the check
    # is about markup and colours, so only this test's browser ignores the CSP.
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_public_pages_have_no_wcag_violations(page: Page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for url, status in PAGES.items():
        if violations := audit(page, live_server.url + url, status=status):
            found[url] = violations

    assert found == {}, pprint.pformat(found)

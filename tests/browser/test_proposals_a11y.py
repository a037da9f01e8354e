"""The call-for-talks pages pass axe-core's WCAG 2.1 A/AA rules, as a member and an organiser."""

import pprint

import pytest
from playwright.sync_api import Browser

from cfp import services
from tests.browser.a11y import axe_violations
from tests.browser.test_proposals_flow import (  # noqa: F401
    DESKTOP,
    PHONE,
    _close_contexts,
    _login,
    cfp,
)


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_cfp_pages_have_no_wcag_violations(browser: Browser, live_server, cfp, size, viewport):  # noqa: F811
    group, base = cfp["group"], live_server.url
    proposal = services.proposal_submit(
        user=cfp["speaker"], group=group, title="Live Q&A", abstract="**Live**", length_minutes=20,
        idea=cfp["idea"],
    )  # fmt: skip
    services.proposal_open_voting(user=cfp["organiser"], proposal=proposal)
    pages = {
        cfp["speaker"]: ["ideas/", "propose/", "vote/", f"/proposals/{proposal.pk}/",
                         "/proposals/", "/speaker-profile/", f"/proposals/{proposal.pk}/withdraw/",
                         f"/speaker-profile/?next=/groups/{group.slug}/propose/"],
        cfp["organiser"]: ["review/", f"review/{proposal.pk}/", "call-for-talks/",
                           f"lineup/{cfp['event'].slug}/", f"ideas/{cfp['idea'].pk}/"],
    }  # fmt: skip
    found = {}
    for user, paths in pages.items():
        # axe is injected as an inline script, which the portal's CSP blocks; bypass for this.
        page = _login(browser, base, user, viewport, bypass_csp=True)
        for path in paths:
            url = path if path.startswith("/") else f"/groups/{group.slug}/{path}"
            page.goto(base + url)
            if violations := axe_violations(page):
                found[url] = violations
    assert found == {}, pprint.pformat(found)

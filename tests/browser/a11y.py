"""WCAG 2 A/AA checks with axe-core, loaded from the theme's npm packages (no CDN).

An error page or the login page can be perfectly accessible, so every check first asserts that
the page under test is the one asked for: the status the test expects, reached without a
redirect.
"""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "theme/static_src/node_modules/axe-core/axe.min.js"


@cache
def axe_source() -> str:
    """axe-core's script (650 kB), read once per session rather than once per check."""
    return AXE.read_text()


def load_axe(page: Page) -> None:
    """Put axe-core on the page's current document, unless it is there already. Evaluated
    through the browser's debugger protocol, so the portal's CSP (no inline script) does not
    refuse it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())


def document_status(page: Page) -> tuple[int, int]:
    """The HTTP status of the document on `page` and how many redirects led to it (from the
    Navigation Timing entry, so it holds however the page was reached)."""
    return tuple(
        page.evaluate(
            """() => {
                const nav = performance.getEntriesByType("navigation")[0];
                return [nav.responseStatus, nav.redirectCount];
            }"""
        )
    )


def axe_violations(page: Page, *, status: int = 200) -> list[str]:
    """One line per WCAG 2.x A/AA violation on the current page (empty when clean), after
    asserting that the page answered `status` without a redirect."""
    assert document_status(page) == (status, 0), (page.url, document_status(page))
    load_axe(page)
    # Only the violations cross to Python: the passes and the inapplicable rules are most of
    # axe's result and would be serialised for nothing.
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        })).violations.map((v) => ({id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target)}))
        """
    )
    return [f"{v['id']}: {v['help']} -> {v['nodes'][:3]}" for v in violations]


def audit(page: Page, url: str, *, status: int = 200) -> list[str]:
    """Open `url` and return its violations; the page must answer `status`, not redirect."""
    response = page.goto(url)
    assert response is not None, url
    assert (response.status, response.request.redirected_from) == (status, None), (
        url,
        response.status,
        response.url,
    )
    return axe_violations(page, status=status)

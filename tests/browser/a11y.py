"""WCAG 2 A/AA checks with axe-core, loaded from the theme's npm packages (no CDN).

An error page or the login page can be perfectly accessible, so every check first asserts that
the page under test is the one asked for: the status the test expects, reached without a
redirect.
"""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "theme/static_src/node_modules/axe-core/axe.min.js"


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
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        })"""
    )
    return [
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


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

"""WCAG 2 A/AA checks with axe-core, loaded from the theme's npm packages (no CDN)."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "theme/static_src/node_modules/axe-core/axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """One line per WCAG 2.x A/AA violation on the current page (empty when clean)."""
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

"""The journeys harness: a `Journey` drives one or more pages the way a person would and
checks every step on the way.

After every action it fails the journey (at `finish()`, with every problem listed) on:
- a console error or an uncaught page error, on any page the journey watches;
- a response with a status of 500 or more;
- horizontal overflow at the current width, and (phone passes) at 320 px by a resize;
- an axe-core WCAG 2.x A/AA violation (whatever the status or redirects that led to the page:
  reached by a redirect is how journeys reach most pages);
- focus lost to <body> after an action that swapped content in place (htmx);
and every step's screenshot is saved as NN-<step>.png in the journey's artifacts folder.

Clicks are counted against the journey's budget (and against a segment's, as "home to ticket").
In a keyboard pass nothing is clicked: the journey tabs to each control (Tab or Shift+Tab) and
activates it with Enter (Space for a checkbox or radio); each activation counts as a click, the
Tab presses are reported beside them. Typing into a field is typing; choosing an option of a
<select> is done on the focused select and counts as a click.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.a11y import load_axe

# Every journey: at a phone's and a desktop's width with a pointer, and once by keyboard alone.
PASSES = pytest.mark.parametrize(
    ("width", "mode"),
    [(390, "pointer"), (1280, "pointer"), (1280, "keyboard")],
    ids=["390", "1280", "keyboard-1280"],
)

# Counts htmx swaps (in-page and out-of-band, and websocket messages), so an action can wait for
# the swap it caused. Added before any page script runs; evaluated by the browser's debugger
# protocol, so the portal's CSP (no inline script) does not apply to it.
INIT_SCRIPT = """
(() => {
  const state = {swaps: 0, messages: 0, csp: []};
  window.__journey = state;
  // Where a CSP refusal came from (the console only says what was refused).
  document.addEventListener("securitypolicyviolation", (e) => {
    const el = e.target && e.target.tagName ? e.target : null;
    const on = el ? " on <" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                    " style='" + el.getAttribute("style") + "'>" : "";
    state.csp.push(e.effectiveDirective + " refused at " + (e.sourceFile || e.documentURI) + ":" +
                   e.lineNumber + ":" + e.columnNumber + on);
  });
  document.addEventListener("htmx:afterSettle", () => { state.swaps++; });
  document.addEventListener("htmx:oobAfterSwap", () => { state.swaps++; });
  document.addEventListener("htmx:wsAfterMessage", () => { state.messages++; });
})();
"""

OVERFLOW = """() => {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const wider = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
    .slice(0, 3)
    .map((el) => {
      const cls = (el.getAttribute("class") || "").split(" ")[0];
      return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (cls ? "." + cls : "");
    });
  return {scroll: Math.max(doc.scrollWidth, document.body.scrollWidth), width, wider};
}"""

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("aria-label") ? "[" + el.getAttribute("aria-label") + "]" :
     " " + (el.textContent || el.value || "").trim().slice(0, 40));
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations.map((v) =>
    v.id + ": " + v.help + " -> " + JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target)));
}"""

# Where the target is relative to the focused element: 1 after it (Tab), -1 before (Shift+Tab).
DIRECTION = """(el) => {
  const active = document.activeElement;
  if (!active || active === document.body) return 1;
  return active.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING ? -1 : 1;
}"""

MAX_TABS = 150
# From this width up the header shows every link (Tailwind's `lg`); below, they are in a menu.
DESKTOP_NAV = 1024


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


@dataclass
class Journey:
    name: str
    width: int
    folder: Path
    budget: int
    keyboard: bool = False
    clicks: int = 0
    tabs: int = 0
    menu_opens: int = 0
    actions: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)
    _who: dict = field(default_factory=dict)

    # -- pages ------------------------------------------------------------------------------

    def watch(self, page: Page, who: str) -> Page:
        """Listen to `page` for console errors, page errors and 5xx answers from now on."""
        self._who[id(page)] = who
        page.add_init_script(INIT_SCRIPT)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self._pending.append(f"{who}: console error: {message.text} ({page.url})")

        def on_response(response: Response) -> None:
            if response.status >= 500:
                self._pending.append(f"{who}: {response.status} from {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self._pending.append(f"{who}: page error: {error}"))
        page.on("response", on_response)
        page.set_default_timeout(10_000)
        return page

    def open(self, page: Page, url: str, step: str) -> None:
        """Go to `url` as typed into the address bar or followed from an e-mail (not a click)."""
        page.goto(url)
        self.check(page, step)

    # -- actions ----------------------------------------------------------------------------

    def click(
        self, target: Locator, step: str, *, swap: bool = False, then=None, navigates: bool = False
    ) -> None:
        """Activate `target` (a click, or Tab to it and Enter/Space), then wait: for the htmx
        swap it causes (`swap`), for the next page (`navigates`), and for `then` (the caller's
        expectation of what the step shows). Then check the step."""
        page = target.page
        swaps = self._swaps(page)
        self.count(step)
        if navigates:
            with page.expect_navigation():
                self.activate(target)
        else:
            self.activate(target)
        if swap:
            page.wait_for_function(f"() => window.__journey.swaps > {swaps}")
        if then is not None:
            then()
        if swap:
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
            if self._focus_lost(page):
                self.problems.append(
                    f"{self._who.get(id(page))}: step {self._count() + 1} {step}: "
                    "focus lost to <body> after the swap"
                )
        self.check(page, step)

    def nav(self, page: Page, name: str, step: str) -> None:
        """Follow a link of the site's header; on a phone, open the header's menu first."""
        link = page.get_by_role("banner").get_by_role("link", name=name, exact=True)
        if not link.is_visible():
            menu = page.get_by_role("banner").get_by_role("button", name="Menu")
            menu = menu.or_(page.get_by_role("banner").get_by_text("Menu", exact=True))
            if page.viewport_size["width"] < DESKTOP_NAV:
                self.menu_opens += 1  # the phone's price for a one-row header: not budgeted
            else:
                self.count("open the menu (at a desktop width!)")
            self.activate(menu.first)
        self.click(link, step, navigates=True)

    def back(self, page: Page, step: str, *, then=None) -> None:
        """The browser's Back (a click on the back button, or Alt+Left)."""
        self.count(f"Back: {step}")
        page.go_back()
        if then is not None:
            then()
        self.check(page, step)

    def fill(self, target: Locator, text: str) -> None:
        """Type into a field; in a keyboard pass, Tab to it first."""
        if self.keyboard:
            self.tab_to(target)
            if target.evaluate("(el) => el.type") in ("date", "time", "datetime-local"):
                target.fill(text)  # a date picker's segments take digits in the locale's order
                return
            if target.input_value():
                target.press("ControlOrMeta+a")  # typing over what is there
            target.page.keyboard.type(text)
        else:
            target.fill(text)

    def choose(self, select: Locator, *, label: str | None = None, value: str | None = None):
        """Pick an option of a <select>, by its value or by text its label contains (one click;
        none if it is already chosen)."""
        if label is not None:
            options = select.evaluate("(el) => [...el.options].map((o) => [o.value, o.label])")
            found = [v for v, text in options if label in text]
            assert found, f"no option “{label}” in {options}"
            value = found[0]
        if select.input_value() == value:
            return
        if self.keyboard:
            self.tab_to(select)
        self.count(f"choose {label or value}")
        select.select_option(value)

    def count(self, what: str) -> None:
        """One click (or activation by keyboard) towards the budget."""
        self.clicks += 1
        self.actions.append(f"{self.clicks}. {what}")

    def tab_to(self, target: Locator) -> None:
        """Move focus to `target` with Tab (or Shift+Tab when it lies before the focus)."""
        target.wait_for(state="visible")
        page = target.page
        key = "Shift+Tab" if target.evaluate(DIRECTION) < 0 else "Tab"
        for _ in range(MAX_TABS):
            if target.evaluate("(el) => el === document.activeElement"):
                return
            page.keyboard.press(key)
            self.tabs += 1
        raise AssertionError(f"{self.name}: {MAX_TABS} presses of {key} never reached {target}")

    def activate(self, target: Locator) -> None:
        if not self.keyboard:
            target.click()
            return
        self.tab_to(target)
        kind = target.evaluate("(el) => (el.type || '').toLowerCase()")
        target.page.keyboard.press("Space" if kind in ("checkbox", "radio") else "Enter")

    @staticmethod
    def _swaps(page: Page) -> int:
        return page.evaluate("() => (window.__journey || {swaps: 0}).swaps")

    # -- checks -----------------------------------------------------------------------------

    def soft(self, assertion, what: str) -> bool:
        """An expectation the rest of the journey does not depend on: when it fails, it is
        recorded as a problem (the journey fails at `finish()`) and the walk goes on, so one
        run lists every friction, not only the first."""
        try:
            assertion()
        except AssertionError as error:
            first = str(error).strip().splitlines()[0]
            self.problems.append(f"step {self._count()}: expected {what}: {first}")
            return False
        return True

    @staticmethod
    def _focus_lost(page: Page) -> bool:
        """Focus on <body> and not given back. A push that lands while the check runs leaves
        focus on <body> for one task before portal/a11y.js restores it (its settle step runs
        in the next task); lost focus stays lost, so waiting a moment only skips that gap."""
        try:
            page.wait_for_function(f"() => ({FOCUS})() !== null", timeout=1_500)
        except PlaywrightTimeoutError:
            return True
        return False

    def check(self, page: Page, step: str, *, focus_kept: bool = False) -> None:
        """Everything checked after an action: errors so far, overflow, axe, a screenshot;
        with `focus_kept`, that focus is not on <body> (after a websocket push, say)."""
        who = self._who.get(id(page), "page")
        number = self._count() + 1
        label = f"{who}: step {number} {step}"
        page.wait_for_load_state()
        if focus_kept and self._focus_lost(page):
            self.problems.append(f"{label}: focus lost to <body>")
        self.steps.append(f"{number:02d} {who}: {step} ({page.url})")
        page.screenshot(
            path=self.folder / f"{number:02d}-{_slug(who)}-{_slug(step)}.png",
            full_page=True,
            # Hiding the caret for a screenshot leaves empty style attributes on inputs, which
            # htmx copies when it swaps them and the CSP refuses (a false console error).
            caret="initial",
        )
        self.flush(label)
        for where in page.evaluate("() => (window.__journey || {csp: []}).csp.splice(0)"):
            self.problems.append(f"{label}: CSP: {where}")
        self._overflow(page, label)
        self._axe(page, label)
        # Errors logged while the checks ran (a push arriving, or the checks themselves).
        self.flush(f"{label} (during its checks)")

    def flush(self, label: str = "") -> None:
        """Move errors noticed by the listeners (on any watched page) into the problems."""
        self.problems.extend(f"{label}: {p}" if label else p for p in self._pending)
        self._pending.clear()

    def _overflow(self, page: Page, label: str) -> None:
        size = page.viewport_size
        widths = [size["width"]] + ([320] if size["width"] <= 390 else [])
        for width in widths:
            if width != size["width"]:
                page.set_viewport_size({"width": width, "height": size["height"]})
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["width"]:
                self.problems.append(
                    f"{label}: horizontal overflow at {width} px: {found['scroll']} px wide, "
                    f"past the edge: {found['wider']}"
                )
        if page.viewport_size != size:
            page.set_viewport_size(size)

    def _axe(self, page: Page, label: str) -> None:
        load_axe(page)  # its source is read once per session, not once per step
        for violation in page.evaluate(AXE_RUN):
            self.problems.append(f"{label}: axe {violation}")

    def _count(self) -> int:
        return len(self.steps)

    # -- budgets and the end ----------------------------------------------------------------

    @contextmanager
    def segment(self, name: str, budget: int):
        """A stretch of the journey with its own click budget ("home to ticket", 4)."""
        start = self.clicks
        yield
        spent = self.clicks - start
        self.segments.append(f"{name}: {spent} clicks (budget {budget})")
        if spent > budget:
            self.problems.append(f"{name}: {spent} clicks, over the budget of {budget}")

    def report(self) -> str:
        lines = [
            f"journey {self.name}: {self.clicks} clicks (budget {self.budget})"
            + (f", {self.tabs} Tab presses" if self.keyboard else "")
            + (f", and the phone menu opened {self.menu_opens} times" if self.menu_opens else ""),
            *self.segments,
            "clicks:",
            *self.actions,
            "steps:",
            *self.steps,
            f"problems ({len(self.problems)}):",
            *self.problems,
        ]
        return "\n".join(lines)

    def write_report(self) -> None:
        self.flush()
        (self.folder / "report.txt").write_text(self.report() + "\n")

    def finish(self) -> None:
        """Fail on anything found on the way, or on a journey over its click budget."""
        self.flush()
        if self.clicks > self.budget:
            self.problems.append(f"{self.clicks} clicks, over the budget of {self.budget}")
        assert self.problems == [], self.report()

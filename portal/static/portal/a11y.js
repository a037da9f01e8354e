// Focus and announcements after htmx swaps (every page, loaded by templates/base.html).
//
// Focus (WCAG 2.4.3): when a swap or a websocket push replaces the element that had focus, the
// browser drops focus to <body> and the next Tab starts over at the top. Before every swap the
// focused element's key is noted: its `data-focus-key`, else its id. After the swap, if focus
// was lost, it goes to the element with the same key in the new content; else to the new
// content's `[data-focus-after-swap]` (a message that replaced the control, say); else to the
// swapped element itself (made focusable with tabindex=-1).
//
// Announcements (WCAG 4.1.3): `#announcer` (role=status) is in the page from the start and never
// swapped, so screen readers notice when its text changes. A response announces with the
// `announce` client event (`portal.http.announce(response, "…")`, an HX-Trigger header);
// a fragment may carry `data-announce="…"` on its root for the same effect.
(function () {
  "use strict";

  function announce(text) {
    var box = document.getElementById("announcer");
    if (!box || !text) { return; }
    // Clear first so the same sentence twice is announced twice.
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 50);
  }
  window.portalAnnounce = announce;

  document.addEventListener("announce", function (event) {
    var detail = event.detail || {};
    announce(typeof detail === "string" ? detail : detail.message || detail.value);
  });

  var noted = null;
  function keyOf(element) {
    if (!element || element === document.body || !element.dataset) { return null; }
    if (element.dataset.focusKey) { return { attr: "data-focus-key", value: element.dataset.focusKey }; }
    if (element.id) { return { attr: "id", value: element.id }; }
    return null;
  }
  function note() {
    noted = keyOf(document.activeElement);
  }
  function lost() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }
  function restore(swapped) {
    var key = noted;
    noted = null;
    if (!lost()) { return; }
    var target = null;
    if (key) {
      target = document.querySelector("[" + key.attr + '="' + CSS.escape(key.value) + '"]');
    }
    if (!target && swapped && swapped.isConnected) {
      target = swapped.querySelector("[data-focus-after-swap]") || swapped;
    }
    if (!target || !target.isConnected) { return; }
    if (target.tabIndex < 0 && !target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: false });
  }

  document.addEventListener("htmx:beforeSwap", note);
  document.addEventListener("htmx:oobBeforeSwap", note);
  document.addEventListener("htmx:wsBeforeMessage", note);
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail && (event.detail.elt || event.detail.target);
    if (noted) { restore(swapped); }
    var root = swapped && swapped.closest ? swapped.closest("[data-announce]") || swapped.querySelector("[data-announce]") : null;
    if (root && root.dataset.announce) { announce(root.dataset.announce); }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (noted) { restore(event.detail && event.detail.target); }
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (noted) { restore(null); }
  });
})();

// Focus and announcements after htmx swaps (every page, loaded by templates/base.html).
//
// Focus (WCAG 2.4.3): when a swap or a websocket push replaces the element that had focus, the
// browser drops focus to <body> and the next Tab starts over at the top. Before every swap the
// focused element's key is noted: its `data-focus-key`, else its id. After the swap, if focus
// was lost, it goes to the element with the same key in the new content; else to the new
// content's `[data-focus-after-swap]` (a message that replaced the control, say); else to the
// swapped element itself (made focusable with tabindex=-1). "The new content" is what replaced
// the region that held the focus: the request's target, or the out-of-band or pushed element
// with that region's id. Focus that was not lost (htmx itself keeps an element with an id) is
// left alone, and so is a page where nothing had focus.
//
// Announcements (WCAG 4.1.3): `#announcer` (role=status) is in the page from the start and never
// swapped, so screen readers notice when its text changes. A response announces with the
// `announce` client event (`portal.http.announce(response, "…")`, an HX-Trigger header);
// a fragment may carry `data-announce="…"` on its root (or on an element inside it) for the
// same effect, each time it is swapped in. Texts arriving together are read as one sentence
// list, once. Messages rendered with a page (Django messages in #messages, after a redirect)
// are announced once it has loaded. `window.portalAnnounce(text)` does the same from a script.
(function () {
  "use strict";

  // --- announcements -------------------------------------------------------------------------
  var queued = [];
  var timer = null;
  function announce(text) {
    var box = document.getElementById("announcer");
    text = (text || "").trim();
    if (!box || !text) { return; }
    if (queued.indexOf(text) < 0) { queued.push(text); }
    if (timer) { return; }
    // Cleared first, written a moment later: the same sentence twice is announced twice.
    box.textContent = "";
    timer = setTimeout(function () {
      timer = null;
      box.textContent = queued.join(" ");
      queued = [];
    }, 50);
  }
  window.portalAnnounce = announce;

  document.addEventListener("announce", function (event) {
    var detail = event.detail || {};
    announce(typeof detail === "string" ? detail : detail.message || detail.value);
  });

  function announceWithin(element) {
    if (!element || !element.isConnected || !element.querySelectorAll) { return; }
    if (element.matches("[data-announce]")) { announce(element.dataset.announce); }
    element.querySelectorAll("[data-announce]").forEach(function (inner) {
      announce(inner.dataset.announce);
    });
  }

  // --- focus ---------------------------------------------------------------------------------
  // One swap cycle: an htmx response (its out-of-band parts, then its target) or a websocket
  // message (its out-of-band parts). Noted before the first swap, settled once all are done.
  var cycle = null;

  function keyOf(element) {
    if (!element || element === document.body || !element.dataset) { return null; }
    if (element.dataset.focusKey) { return { attr: "data-focus-key", value: element.dataset.focusKey }; }
    if (element.id) { return { attr: "id", value: element.id }; }
    return null;
  }
  function focused() {
    var active = document.activeElement;
    return active && active !== document.body && active !== document.documentElement ? active : null;
  }
  function begin() {
    if (cycle) { return cycle; }
    var active = focused();
    cycle = { active: active, key: keyOf(active), regions: [], added: [] };
    // Every swap of one response or message runs in this task: settle after it (a response
    // that swaps nothing settles an empty cycle).
    setTimeout(settle, 0);
    return cycle;
  }
  // Called before each swap with the element about to be replaced (or filled): those that
  // hold the focused element are where its successor will be.
  function beforeSwap(target) {
    var current = begin();
    if (current.active && target && target.contains && target.contains(current.active)) {
      current.regions.push({ element: target, id: target.id || null });
    }
  }
  // Called after each swap with the new content: the swapped element, or the one filled anew.
  function afterSwap(element) {
    var current = begin();
    if (element && element.nodeType === 1 && current.added.indexOf(element) < 0) {
      current.added.push(element);
    }
  }

  function visible(element) {
    return element.isConnected && element.getClientRects().length > 0;
  }
  function tryFocus(element) {
    if (!element || !visible(element)) { return false; }
    if (element.tabIndex < 0 && !element.hasAttribute("tabindex")) { element.setAttribute("tabindex", "-1"); }
    element.focus({ preventScroll: false });
    return document.activeElement === element;
  }
  function successor(current) {
    // What replaced the region that held the focus: the new element with its id (the last
    // such swap, the closest to the control), else the same element filled anew, else the
    // content a swap added.
    var i;
    for (i = current.regions.length - 1; i >= 0; i--) {
      var region = current.regions[i];
      if (!region.element.isConnected && region.id && document.getElementById(region.id)) {
        return document.getElementById(region.id);
      }
    }
    for (i = current.regions.length - 1; i >= 0; i--) {
      if (current.regions[i].element.isConnected) { return current.regions[i].element; }
    }
    for (i = 0; i < current.added.length; i++) {
      if (current.added[i].isConnected) { return current.added[i]; }
    }
    return null;
  }
  function settle() {
    var current = cycle;
    cycle = null;
    if (!current) { return; }
    current.added.forEach(announceWithin);
    if (!current.active || (current.active.isConnected && focused())) { return; }
    if (focused() && focused() !== current.active) { return; }  // someone moved it on purpose
    if (current.key) {
      var selector = "[" + current.key.attr + '="' + CSS.escape(current.key.value) + '"]';
      var same = document.querySelectorAll(selector);
      for (var i = 0; i < same.length; i++) {
        if (tryFocus(same[i])) { return; }
      }
    }
    var region = successor(current);
    if (!region) { return; }
    if (tryFocus(region.querySelector("[data-focus-after-swap]"))) { return; }
    if (region.matches("[data-focus-after-swap]") && tryFocus(region)) { return; }
    tryFocus(region);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.shouldSwap !== false) { beforeSwap(event.detail.target); }
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) { beforeSwap(event.detail.target); });
  document.addEventListener("htmx:wsBeforeMessage", function () { begin(); });
  document.addEventListener("htmx:afterSwap", function (event) { afterSwap(event.target); });
  // Fired on every element swapped so far in the response (the socket's element too, for a
  // push): what this swap put in is its target, still there (filled anew), or the new
  // element with the target's id (replaced).
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (!target) { return; }
    afterSwap(target.isConnected ? target : target.id && document.getElementById(target.id));
  });

  // --- messages rendered with the page -------------------------------------------------------
  function announceMessages() {
    var texts = [];
    document.querySelectorAll("#messages [data-message]").forEach(function (message) {
      texts.push(message.textContent.trim());
    });
    // A moment after load, once the screen reader has taken in the new page.
    if (texts.length) { setTimeout(function () { texts.forEach(announce); }, 500); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", announceMessages);
  } else {
    announceMessages();
  }
})();

// Live page helpers (no framework; htmx and its ws extension do the work):
// - mark the vote buttons this person pressed (the server pushes one shared HTML fragment to
//   everyone, so "pressed" comes from this person's own data: #my-votes in the page, or the
//   newer copy each vote response puts in #qa-flash, the response's own target, because an
//   out-of-band swap can miss when a push has just replaced the button that sent it);
// - follow live mode: hide the Ask form while the pushed #qa-closed says the Q&A has ended;
// - announce what changed on stage (pinned question, talk, live mode) and a question newly
//   answered, once each, via #announcer (counts and lists are not live regions);
// - Pause / Resume (WCAG 2.2.2): while paused, pushes are kept (the newest of each kind) and
//   applied on resume;
// - show whether the socket is connected and the page has the current state;
// - reconnect after the server closed for a stopped heartbeat (a sleeping tab) or a restart,
//   spread out so a room of thousands does not come back in the same second (below).
// Keeping focus across pushes is portal/a11y.js's job (data-focus-key on our buttons).
(function () {
  "use strict";

  // -- Reconnecting ------------------------------------------------------------------------
  // When a server restarts, every screen in the room loses its socket at the same moment. If
  // all came back at once, one worker would take them in a queue (and drop some from its
  // backlog). So the first attempt waits a random time in a window scaled to the room's size,
  // as the server last reported it ("online now"): RATE screens a second, at least 1 s, at
  // most 30 s. Each failed attempt doubles the window ("full jitter": anywhere from 0 to the
  // window), up to a minute; the count starts again once a socket opens. bench/idle_sockets.py
  // mirrors this function (keep them in step).
  var RECONNECT = { rate: 2000, minSpread: 1000, maxSpread: 30000, cap: 60000 };
  function onlineNow() {
    var shown = document.getElementById("live-online");
    var count = shown ? parseInt(shown.textContent.replace(/[^0-9]/g, ""), 10) : NaN;
    return isNaN(count) ? 0 : count;
  }
  function reconnectDelay(retryCount, online, random) {
    var spread = Math.min(RECONNECT.maxSpread,
      Math.max(RECONNECT.minSpread, 1000 * online / RECONNECT.rate));
    var window = Math.min(RECONNECT.cap, spread * Math.pow(2, Math.min(retryCount, 6)));
    return window * random;
  }
  window.portalLive = { reconnectDelay: reconnectDelay, onlineNow: onlineNow };
  if (window.htmx) {
    // The ws extension asks this for every retry after 1006/1011/1012/1013 (it counts them and
    // resets the count when a socket opens).
    htmx.config.wsReconnectDelay = function (retryCount) {
      return reconnectDelay(retryCount, onlineNow(), Math.random());
    };
  }

  function markVotes() {
    var holder = document.querySelector("#qa-flash [data-my-votes]") ||
      document.getElementById("my-votes");
    var mine = new Set(holder ? (holder.dataset.myVotes || "").split(" ").filter(Boolean) : []);
    document.querySelectorAll("button[data-vote-for]").forEach(function (button) {
      button.setAttribute("aria-pressed", mine.has(button.dataset.voteFor) ? "true" : "false");
    });
  }

  function say(text) {
    if (window.portalAnnounce && text) { window.portalAnnounce(text); }
  }

  function setConnection(state, text) {
    var status = document.getElementById("live-connection");
    if (status && status.dataset.state !== state) {
      status.dataset.state = state;
      status.textContent = text;
    }
  }

  // Live mode: the Ask form is shown only while the room takes questions.
  function followLiveMode() {
    var notice = document.querySelector("#qa-closed [data-qa-closed]");
    var form = document.getElementById("question-form");
    if (!form || !document.getElementById("qa-closed")) { return; }
    var hadFocus = form.contains(document.activeElement);
    form.hidden = !!notice;
    if (notice && hadFocus) { notice.focus(); }
  }

  // Stage changes are announced once, when their key changes (not on the first state).
  var stageKey = null;
  function announceStage() {
    var marker = document.querySelector("#live-stage [data-stage-key]");
    if (!marker) { return; }
    var key = marker.dataset.stageKey;
    if (stageKey !== null && key !== stageKey) { say(marker.dataset.stageSay); }
    stageKey = key;
  }

  // A question newly in the answered list is said once ("Answered: …").
  var answered = null;
  function answeredIds() {
    var ids = new Map();
    document.querySelectorAll("#qa-answered [data-question]").forEach(function (item) {
      var text = item.querySelector("p.break-words");
      ids.set(item.dataset.question, text ? text.textContent.trim().slice(0, 80) : "");
    });
    return ids;
  }
  var scope = null;
  function announceAnswered() {
    if (!document.getElementById("qa-answered")) { return; }
    var now = answeredIds();
    var scopeNow = (document.getElementById("qa-scope") || {}).textContent;
    // Another Q&A (a talk switch): its answered list is not news.
    if (scope !== scopeNow) { answered = null; scope = scopeNow; }
    if (answered !== null) {
      now.forEach(function (text, id) { if (!answered.has(id)) { say("Answered: " + text); } });
    }
    answered = now;
  }

  // Pushed lists and my own vote responses both re-render buttons: re-mark after any change.
  var pending = false;
  function scheduleMark() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(function () { pending = false; markVotes(); });
    }
  }

  // -- Pause / Resume ----------------------------------------------------------------------
  var paused = false;
  var held = new Map(); // which ids a push swaps -> its newest text (whole state per kind)
  var replaying = false;
  function kindOf(text) {
    var ids = [];
    text.replace(/<[a-z0-9]+\s[^>]*?\bid="([^"]+)"[^>]*hx-swap-oob/gi, function (_m, id) { ids.push(id); });
    return ids.sort().join(" ");
  }
  function pauseButton() { return document.getElementById("live-pause"); }
  function showPause() {
    var button = pauseButton();
    if (!button) { return; }
    button.textContent = paused ? "Resume updates" + (held.size ? " (" + held.size + " waiting)" : "") : "Pause updates";
    button.setAttribute("aria-pressed", paused ? "true" : "false");
  }
  function resume() {
    paused = false;
    var texts = Array.from(held.values());
    held.clear();
    replaying = true;
    try {
      texts.forEach(function (text) { htmx.swap(document.body, text, { swapStyle: "none" }); });
    } finally {
      replaying = false;
    }
    afterPush();
    showPause();
  }

  function afterPush() {
    markVotes();
    followLiveMode();
    announceStage();
    announceAnswered();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("live-root") || document.getElementById("dashboard");
    if (root) {
      new MutationObserver(scheduleMark).observe(root, { childList: true, subtree: true });
    }
    var button = pauseButton();
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        if (paused) { resume(); } else { paused = true; showPause(); say("Live updates paused."); }
      });
    }
    var marker = document.querySelector("#live-stage [data-stage-key]");
    stageKey = marker ? marker.dataset.stageKey : null;
    if (document.getElementById("qa-answered")) {
      answered = answeredIds();
      scope = (document.getElementById("qa-scope") || {}).textContent;
    }
  });

  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    if (!paused || replaying) { return; }
    var text = event.detail.message;
    // "Online now" alone is not a re-sort; let it through.
    var kind = kindOf(text);
    if (kind === "live-online") { return; }
    held.delete(kind);
    held.set(kind, text);
    event.preventDefault();
    showPause();
  });

  document.addEventListener("htmx:wsAfterMessage", afterPush);
  document.addEventListener("htmx:afterSettle", markVotes);
  // "Live" once the state the server sends on every (re)connect has been swapped in, not at
  // the socket's open: until then the page shows what it was rendered (or last pushed) with.
  var awaitingState = true;
  document.addEventListener("htmx:wsOpen", function () { awaitingState = true; });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (awaitingState) {
      awaitingState = false;
      setConnection("open", "● Live");
    }
  });
  document.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail.event.code;
    awaitingState = true;
    setConnection("closed", "Reconnecting…");
    // The extension itself retries 1006/1011/1012/1013; these two it would leave closed (a
    // server going away closes the whole room with 1001: spread those out too).
    if (code === 4408 || code === 1001) {
      var wait = reconnectDelay(0, code === 1001 ? onlineNow() : 0, Math.random());
      setTimeout(function () { event.detail.socketWrapper.reconnect(); }, wait);
    } else if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      setConnection("closed", "Disconnected: reload the page");
    }
  });
})();

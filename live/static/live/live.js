// Live page helpers (no framework; htmx and its ws extension do the work):
// - mark the vote buttons this person pressed (the server pushes one shared HTML fragment to
//   everyone, so "pressed" comes from this person's own data: #my-votes in the page, or the
//   newer copy each vote response puts in #qa-flash, the response's own target, because an
//   out-of-band swap can miss when a push has just replaced the button that sent it);
// - keep keyboard focus on "the same" button when a push replaces the list it was in;
// - show whether the socket is connected and the page has the current state;
// - reconnect after the server closed for a stopped heartbeat (a sleeping tab) or a restart.
(function () {
  "use strict";

  function markVotes() {
    var holder = document.querySelector("#qa-flash [data-my-votes]") ||
      document.getElementById("my-votes");
    var mine = new Set(holder ? (holder.dataset.myVotes || "").split(" ").filter(Boolean) : []);
    document.querySelectorAll("button[data-vote-for]").forEach(function (button) {
      button.setAttribute("aria-pressed", mine.has(button.dataset.voteFor) ? "true" : "false");
    });
  }

  function setConnection(state, text) {
    var status = document.getElementById("live-connection");
    if (status && status.dataset.state !== state) {
      status.dataset.state = state;
      status.textContent = text;
    }
  }

  // Pushed lists and my own vote responses both re-render buttons: re-mark after any change.
  var pending = false;
  function scheduleMark() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(function () { pending = false; markVotes(); });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("live-root");
    if (root) {
      new MutationObserver(scheduleMark).observe(root, { childList: true, subtree: true });
    }
  });
  var focusKey = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    focusKey = active && active.dataset ? active.dataset.focusKey || null : null;
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (focusKey && !(document.activeElement && document.activeElement.dataset &&
                      document.activeElement.dataset.focusKey === focusKey)) {
      var again = document.querySelector('[data-focus-key="' + focusKey + '"]');
      if (again) { again.focus(); }
    }
    focusKey = null;
  });
  document.addEventListener("htmx:wsAfterMessage", markVotes);
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
    // The extension itself retries 1006/1011/1012/1013; these two it would leave closed.
    if (code === 4408 || code === 1001) {
      setTimeout(function () { event.detail.socketWrapper.reconnect(); }, 1000 + Math.random() * 4000);
    } else if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      setConnection("closed", "Disconnected: reload the page");
    }
  });
})();

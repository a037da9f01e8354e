// Live page helpers (no framework; htmx and its ws extension do the work):
// - mark the vote buttons this person pressed (the server pushes one shared HTML fragment to
//   everyone, so "pressed" comes from #my-votes, which only this person's responses update);
// - show whether the socket is connected;
// - reconnect after the server closed for a stopped heartbeat (a sleeping tab) or a restart.
(function () {
  "use strict";

  function markVotes() {
    var holder = document.getElementById("my-votes");
    var mine = new Set(holder ? (holder.dataset.ids || "").split(" ").filter(Boolean) : []);
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

  document.addEventListener("htmx:wsAfterMessage", markVotes);
  document.addEventListener("htmx:afterSettle", markVotes);
  document.addEventListener("htmx:wsOpen", function () { setConnection("open", "● Live"); });
  document.addEventListener("htmx:wsClose", function (event) {
    var code = event.detail.event.code;
    setConnection("closed", "Reconnecting…");
    // The extension itself retries 1006/1011/1012/1013; these two it would leave closed.
    if (code === 4408 || code === 1001) {
      setTimeout(function () { event.detail.socketWrapper.reconnect(); }, 1000 + Math.random() * 4000);
    } else if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      setConnection("closed", "Disconnected: reload the page");
    }
  });
})();

// Event page: a page restored from the back-forward cache (Back from the ticket, say) is the
// page as it was left, with its old seat count and RSVP state. Ask the parts that show server
// state to re-fetch themselves: the RSVP panel and the phone's bar listen for portal:refresh
// (rsvp/templates/rsvp/panel.html), as they do when the connection comes back.
(function () {
  "use strict";
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.body.dispatchEvent(new CustomEvent("portal:refresh", { bubbles: true }));
  });
})();

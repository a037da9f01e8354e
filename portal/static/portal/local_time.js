// Progressive enhancement for times (templates/components/event_when.html): where the
// browser's time zone differs from the event's, add the start and end in the browser's zone.
// A signed-in person who chose a zone on their profile already has it from the server
// ([data-viewer-time]); without JavaScript the event's own zone is shown alone.
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function offsetAt(date, zone) {
    // Minutes east of UTC for `zone` at `date`, from the parts Intl gives for that zone.
    var parts = {};
    new Intl.DateTimeFormat("en-AU", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit"
    }).formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    var asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
    return Math.round((asUtc - Math.floor(date.getTime() / 60000) * 60000) / 60000);
  }

  function enhance(root) {
    var zone = browserZone();
    if (!zone) return;
    root.querySelectorAll("[data-event-when]").forEach(function (when) {
      if (when.querySelector("[data-viewer-time], [data-local-time]")) return;
      var eventZone = when.getAttribute("data-event-tz");
      var startEl = when.querySelector("time[datetime]");
      if (!eventZone || !startEl || eventZone === zone) return;
      var starts = new Date(startEl.getAttribute("datetime"));
      var ends = new Date(when.getAttribute("data-ends"));
      if (isNaN(starts) || isNaN(ends)) return;
      try {
        if (offsetAt(starts, zone) === offsetAt(starts, eventZone)) return;
      } catch (error) {
        return; // a zone this browser does not know
      }
      var day = new Intl.DateTimeFormat("en-AU", {
        timeZone: zone, weekday: "short", day: "numeric", month: "short",
        hour: "numeric", minute: "2-digit"
      });
      // "Thu, 3 Dec, 8:00 am" in en-AU
      var until = new Intl.DateTimeFormat("en-AU", {
        timeZone: zone, hour: "numeric", minute: "2-digit", timeZoneName: "short"
      });
      var span = document.createElement("span");
      span.className = "local-time block text-sm text-stone-600";
      span.setAttribute("data-local-time", zone);
      var time = document.createElement("time");
      time.setAttribute("datetime", starts.toISOString());
      time.textContent = day.format(starts);
      span.append("Your time (" + zone.replace(/_/g, " ") + "): ", time, "–" + until.format(ends));
      when.append(span);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    enhance(event.detail.elt || document);
  });
})();

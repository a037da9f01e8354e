// Failures are told, state heals (every page, loaded by templates/base.html).
//
// htmx swaps 2xx, 409, 422 and 429 (base.html's responseHandling); anything else used to end
// silently: a network error or a timeout (htmx:sendError, htmx:timeout) or a 403/404/5xx
// (htmx:responseError). Each now writes a message into the page's one role="alert" region
// (#request-failure, in templates/components/messages.html) with a button: Retry re-issues the
// GETs that failed; a write is never re-sent behind the person's back (a lost answer may hide a saved
// change), so its button fetches the current state and the message asks them to try again.
//
// State heals: after a network failure, the next answer that gets through, the browser's
// `online` event and a websocket that reconnects all fire `portal:refresh` on <body>; parts of
// the page that show server state re-fetch themselves on it (the RSVP panel:
// hx-trigger="online from:window, portal:refresh from:body").
//
// A refusal (409, 422, 429) is the newest answer: it replaces any earlier success message.
(function () {
  "use strict";

  var REFUSED = [409, 422, 429];
  var disconnected = false;
  var socketClosed = false;

  function region() { return document.getElementById("request-failure"); }

  function clearFailure() {
    var box = region();
    if (box && box.firstChild) { box.replaceChildren(); }
  }

  function clearSuccess() {
    // Earlier messages (Django messages and swapped notices) in the page's messages area.
    document.querySelectorAll("#messages [data-message]").forEach(function (message) {
      message.remove();
    });
  }

  function refresh() {
    document.body.dispatchEvent(new CustomEvent("portal:refresh", { bubbles: true }));
  }

  function show(text, buttonLabel, onClick) {
    var box = region();
    var template = document.getElementById("request-failure-template");
    if (!box || !template) { return; }
    var message = template.content.firstElementChild.cloneNode(true);
    message.querySelector("[data-failure-text]").textContent = text;
    var button = message.querySelector("button");
    button.textContent = buttonLabel;
    button.addEventListener("click", function () {
      clearFailure();
      onClick();
    });
    box.replaceChildren(message);
  }

  function describe(detail) {
    var config = detail.requestConfig || {};
    return {
      verb: (config.verb || "get").toLowerCase(),
      path: config.path || (detail.pathInfo && detail.pathInfo.requestPath),
      source: detail.elt,
      target: detail.target,
    };
  }

  // Reads that failed since they last succeeded, one per element: a page event such as
  // portal:refresh can start several (the RSVP panel and its phone bar), and Retry re-issues
  // them all, not only the last one told.
  var failedReads = [];
  function forgetRead(source) {
    failedReads = failedReads.filter(function (read) { return read.source !== source; });
  }
  function retryReads() {
    var reads = failedReads;
    failedReads = [];
    reads.forEach(function (read) {
      if (read.source.isConnected) {
        htmx.ajax("GET", read.path, { source: read.source, target: read.target });
      }
    });
  }

  function retryOrRefresh(request) {
    if (request.verb === "get" && request.path && request.source && request.source.isConnected) {
      forgetRead(request.source);
      failedReads.push(request);
      return retryReads;
    }
    return refresh;
  }

  function unreachable(event, why) {
    disconnected = true;
    var request = describe(event.detail);
    var text = why + (request.verb === "get"
      ? " Check your connection, then retry."
      : " Your change may not have been saved: check your connection, then try again.");
    show(text, request.verb === "get" ? "Retry" : "Show the current state", retryOrRefresh(request));
  }

  document.addEventListener("htmx:sendError", function (event) {
    unreachable(event, "The server could not be reached.");
  });
  document.addEventListener("htmx:timeout", function (event) {
    unreachable(event, "The server took too long to answer.");
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var request = describe(event.detail);
    if (status === 403 || status === 404 || status === 401) {
      var what = status === 404 ? "This is no longer here." : "This is not allowed for you now.";
      show(what + " Your session may have ended or the page is out of date: reload the page.",
           "Reload the page", function () { window.location.reload(); });
    } else {
      var text = "Something went wrong on our side (error " + status + ").";
      text += request.verb === "get" ? " Retry in a moment." :
        " Your change may not have been saved: try again in a moment.";
      show(text, request.verb === "get" ? "Retry" : "Show the current state",
           retryOrRefresh(request));
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (REFUSED.indexOf(status) >= 0) {
      clearFailure();
      clearSuccess();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) { return; }
    forgetRead(event.detail.elt);
    clearFailure();
    if (disconnected) {
      disconnected = false;
      refresh();
    }
  });

  window.addEventListener("online", function () {
    if (disconnected) { disconnected = false; refresh(); }
  });

  // The live page's socket: the server sends its own full state on every (re)connect; the
  // rest of the page (the RSVP panel) re-fetches.
  document.addEventListener("htmx:wsClose", function () { socketClosed = true; });
  document.addEventListener("htmx:wsOpen", function () {
    if (socketClosed) { socketClosed = false; refresh(); }
  });
})();

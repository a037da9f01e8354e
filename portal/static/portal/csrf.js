// The CSRF header for htmx on pages shared from the page cache (portal/pagecache.py).
//
// A page rendered for the cache carries no CSRF token (it is the same for every anonymous
// visitor), so templates/base.html leaves out its `hx-headers`. Before each htmx request that
// writes, this adds the header from the visitor's own `csrftoken` cookie, when they have one
// (any page with a form sets it). A page that has its `hx-headers` keeps them.
(function () {
  "use strict";

  var COOKIE = "csrftoken";
  var HEADER = "X-CSRFToken";
  var SAFE = { GET: true, HEAD: true, OPTIONS: true, TRACE: true };

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (SAFE[(detail.verb || "").toUpperCase()] || detail.headers[HEADER]) { return; }
    var token = cookie(COOKIE);
    if (token) { detail.headers[HEADER] = token; }
  });
})();

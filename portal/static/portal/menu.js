// The header's menu on phones (templates/base.html, every page).
//
// It is a <details>, so it opens and closes without JavaScript. With it, the menu also behaves
// as a disclosure button should: the summary says whether it is open (aria-expanded), Escape
// closes it and puts focus back on the button, and a click or focus outside closes it.
(function () {
  "use strict";

  document.querySelectorAll("details[data-menu]").forEach(function (menu) {
    var button = menu.querySelector("summary");
    if (!button) { return; }

    function sync() { button.setAttribute("aria-expanded", menu.open ? "true" : "false"); }
    function close(refocus) {
      if (!menu.open) { return; }
      menu.open = false;
      sync();
      if (refocus) { button.focus(); }
    }

    sync();
    menu.addEventListener("toggle", sync);
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        event.preventDefault();
        close(true);
      }
    });
    document.addEventListener("click", function (event) {
      if (!menu.contains(event.target)) { close(false); }
    });
    // Tabbing past the last link leaves the menu: close it so it does not cover the page.
    menu.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) { close(false); }
    });
  });
})();

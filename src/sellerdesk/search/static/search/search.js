// The header search box from anywhere: "/" (outside a text field) or Ctrl+K (anywhere)
// puts the cursor in it; Enter searches. On the results page, the first hit takes the focus
// on ArrowDown so Enter opens it. A static file: pages forbid inline scripts.
(function () {
  "use strict";

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) return;
    var ctrlK = (event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K");
    var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target);
    if (ctrlK || slash) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.key === "ArrowDown" && (event.target === box || event.target.id === "search-page-q")) {
      var first = document.querySelector("main a.search-hit");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
})();

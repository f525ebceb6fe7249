// Keyboard triage for the inbox: j/k move, o or Enter open, x select.
// Rows are looked up on every key press, so rows swapped in by htmx (the live inbox) work
// without rebinding; the current row is remembered by its ticket id across swaps.
(function () {
  "use strict";
  var currentId = null;
  var selected = {}; // ticket id -> true, kept across htmx swaps of the rows

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-rows tr[data-ticket]"));
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function mark(row) {
    rows().forEach(function (r) {
      r.classList.toggle("current", r === row);
      if (r === row) r.setAttribute("aria-current", "true");
      else r.removeAttribute("aria-current");
    });
    if (!row) return;
    currentId = row.getAttribute("data-ticket");
    row.scrollIntoView({ block: "nearest" });
    var link = row.querySelector("a.open");
    if (link) link.focus({ preventScroll: true });
  }

  function current() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-ticket") === currentId) return i;
    }
    return -1;
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = current();
    index = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    mark(all[index]);
  }

  function syncSelected(box) {
    var row = box.closest("tr");
    if (!row) return;
    row.classList.toggle("selected", box.checked);
    if (box.checked) selected[box.value] = true;
    else delete selected[box.value];
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var all = rows();
    var index = current();
    var row = index >= 0 ? all[index] : null;
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (row && (event.key === "o" ||
        (event.key === "Enter" && (event.target === document.body || row.contains(event.target))))) {
      var link = row.querySelector("a.open");
      if (link) { event.preventDefault(); window.location.assign(link.href); }
    } else if (event.key === "x" && row) {
      var box = row.querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; syncSelected(box); event.preventDefault(); }
    }
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.matches) return;
    if (box.matches("#inbox-rows input[type=checkbox]")) syncSelected(box);
    else if (box.id === "select-all") {
      document.querySelectorAll("#inbox-rows input[type=checkbox]").forEach(function (each) {
        each.checked = box.checked;
        syncSelected(each);
      });
    }
  });

  document.addEventListener("click", function (event) {
    var row = event.target && event.target.closest && event.target.closest("#inbox-rows tr[data-ticket]");
    if (row) mark(row);
  });

  // After an htmx swap of the rows: keep the current row and what was checked.
  document.addEventListener("htmx:afterSettle", function () {
    var index = current();
    if (index >= 0) rows()[index].classList.add("current");
    document.querySelectorAll("#inbox-rows input[type=checkbox]").forEach(function (box) {
      if (selected[box.value]) box.checked = true;
      box.closest("tr").classList.toggle("selected", box.checked);
    });
  });
})();

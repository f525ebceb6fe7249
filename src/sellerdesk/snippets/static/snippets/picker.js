// The composer's snippet picker, by keyboard. Ctrl+Space in the reply (or the search box
// itself) opens it; the server renders each snippet for this ticket (htmx swaps the list in);
// arrows choose, Enter inserts the chosen snippet's text at the cursor, Esc goes back. A
// snippet missing a value is refused with the missing names; Alt+Enter (or its button)
// inserts it with the gaps marked, and the reply guard will not send it until they are
// filled in. No inline script anywhere: the ticket page's CSP forbids it.
(function () {
  "use strict";

  function parts() {
    var picker = document.querySelector("[data-snippet-picker]");
    if (!picker) return null;
    var form = picker.closest("form");
    return {
      picker: picker,
      search: picker.querySelector("#snippet-search"),
      results: picker.querySelector("#snippet-results"),
      status: picker.querySelector("#snippet-status"),
      reply: form ? form.querySelector("textarea[name=text]") : null,
    };
  }

  var saved = null; // where the cursor was in the reply when the picker opened

  function options(p) {
    return Array.prototype.slice.call(p.results.querySelectorAll(".snippet-option"));
  }

  function selected(p) {
    return p.results.querySelector('.snippet-option[aria-selected="true"]');
  }

  function select(p, option) {
    options(p).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      p.search.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.search.removeAttribute("aria-activedescendant");
    }
  }

  function move(p, step) {
    var all = options(p);
    if (!all.length) return;
    var index = all.indexOf(selected(p));
    index = index < 0 ? 0 : (index + step + all.length) % all.length;
    select(p, all[index]);
  }

  function say(p, text, isError) {
    p.status.textContent = text;
    p.status.classList.toggle("error", !!isError);
  }

  function insert(p, option, withBlanks) {
    if (!option || !p.reply) return;
    if (option.dataset.broken) {
      say(p, "Not inserted: this snippet is broken; an admin must fix it.", true);
      return;
    }
    var missing = option.dataset.missing || "";
    if (missing && !withBlanks) {
      say(p, "Not inserted: this ticket has no " + missing + ". Alt+Enter inserts it with the blanks marked.", true);
      return;
    }
    var text = option.dataset.text || "";
    var start = saved ? saved.start : p.reply.selectionStart;
    var end = saved ? saved.end : p.reply.selectionEnd;
    p.reply.focus();
    p.reply.setRangeText(text, start, end, "end");
    // The live compliance check (htmx, "input changed") runs on the new text too.
    p.reply.dispatchEvent(new Event("input", { bubbles: true }));
    saved = null;
    say(p, missing
      ? "Inserted “" + option.dataset.title + "” with blanks: fill in " + missing + " before sending."
      : "Inserted “" + option.dataset.title + "”.", !!missing);
  }

  function open(p) {
    if (p.reply) saved = { start: p.reply.selectionStart, end: p.reply.selectionEnd };
    p.search.focus();
    p.search.select();
  }

  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (!p) return;
    if (event.target === p.reply && event.ctrlKey && (event.code === "Space" || event.key === " ")) {
      event.preventDefault();
      open(p);
      return;
    }
    if (event.target !== p.search) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(p, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the reply form from the search box
      insert(p, selected(p) || options(p)[0], event.altKey);
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (p.reply) p.reply.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var p = parts();
    if (!p || !p.results.contains(event.target)) return;
    var option = event.target.closest(".snippet-option");
    if (event.target.closest("[data-snippet-insert]")) {
      insert(p, option, false);
    } else if (event.target.closest("[data-snippet-insert-blanks]")) {
      insert(p, option, true);
    } else if (option) {
      select(p, option);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts();
    if (!p || event.target !== p.results) return;
    var all = options(p);
    p.search.setAttribute("aria-expanded", all.length ? "true" : "false");
    select(p, all[0] || null);
    say(p, all.length ? all.length + (all.length === 1 ? " snippet" : " snippets") : "", false);
  });
})();

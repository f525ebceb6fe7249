// The inbox, live (realtime issue): rows refresh as tickets arrive, change state or move in
// the deadline order; tickets that teammates have open carry a marker. Protocol:
// src/sellerdesk/realtime/events.py. The rows come from the inbox's own htmx fragment
// (same URL, #inbox-rows swapped, counts and pager out of band).
(function () {
  "use strict";
  var root = document.getElementById("inbox-live");
  if (!root || !window.WebSocket) {
    return;
  }
  var me = Number(root.dataset.user);
  var HEARTBEAT_MS = 10000;
  var DEBOUNCE_MS = 700;
  // Time left ticks even when nothing happens: the rows are refreshed at least this often.
  var IDLE_REFRESH_MS = 60000;

  var socket = null;
  var retryDelay = 1000;
  var heartbeat = null;
  var stopped = false;
  var markers = {}; // ticket id -> {viewers: [{user, name}], replying}
  var refreshTimer = null;
  var lastRefresh = Date.now();

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-rows tr[data-ticket]"));
  }

  function watch() {
    send({
      type: "watch",
      tickets: rows().map(function (row) { return Number(row.dataset.ticket); }).slice(0, 200)
    });
  }

  function paint() {
    rows().forEach(function (row) {
      row.querySelectorAll(".live-marker").forEach(function (el) { el.remove(); });
      var seen = markers[row.dataset.ticket];
      if (!seen) return;
      var others = seen.viewers.filter(function (v) { return v.user !== me; });
      var replying = seen.replying && seen.replying.user !== me ? seen.replying : null;
      if (!others.length && !replying) return;
      var cell = row.querySelector("td.subj") || row.lastElementChild;
      var marker = document.createElement("span");
      marker.className = "live-marker" + (replying ? " replying" : "");
      var names = others.map(function (v) { return v.name; });
      marker.textContent = replying ? replying.name + " replying" : "open: " + names.join(", ");
      marker.title = (names.length ? names.join(", ") + " has this ticket open" : "") +
        (replying ? (names.length ? "; " : "") + replying.name + " is replying" : "");
      // Beside the subject, where the eye is when scanning the rows.
      var subject = row.querySelector("td.subj a");
      if (subject) {
        subject.after(marker);
      } else {
        cell.appendChild(marker);
      }
    });
  }

  function refresh() {
    refreshTimer = null;
    // A checked row is work in progress (bulk actions): the inbox keeps what was checked
    // across swaps, so refreshing is safe.
    if (!window.htmx || !document.getElementById("inbox-rows")) return;
    lastRefresh = Date.now();
    window.htmx.ajax("GET", window.location.pathname + window.location.search, {
      target: "#inbox-rows",
      swap: "outerHTML"
    });
  }

  function scheduleRefresh() {
    if (refreshTimer) return; // a burst of changes makes one request
    refreshTimer = window.setTimeout(refresh, DEBOUNCE_MS);
  }

  document.addEventListener("htmx:afterSettle", function () {
    paint();
    watch();
  });

  window.setInterval(function () {
    if (document.visibilityState === "visible" && Date.now() - lastRefresh >= IDLE_REFRESH_MS) {
      scheduleRefresh();
    }
  }, 5000);

  function connect() {
    if (stopped) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/inbox/");
    socket.onopen = function () {
      retryDelay = 1000;
      watch();
      heartbeat = window.setInterval(function () { send({ type: "heartbeat" }); }, HEARTBEAT_MS);
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "inbox.snapshot") {
        markers = {};
        message.tickets.forEach(function (t) { markers[t.ticket] = t; });
        paint();
      } else if (message.type === "inbox.presence") {
        markers[message.ticket] = message;
        paint();
      } else if (message.type === "ticket.changed") {
        scheduleRefresh();
      }
    };
    socket.onclose = function (event) {
      window.clearInterval(heartbeat);
      if (event.code === 4403) {
        stopped = true;
        return;
      }
      window.setTimeout(connect, retryDelay + Math.random() * 500);
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }
  connect();
})();

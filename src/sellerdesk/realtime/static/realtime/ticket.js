// The ticket page, live (realtime issue): who else is here and typing, new messages and
// notes as they arrive, and drafts saved on the server as the agent types.
// Protocol: src/sellerdesk/realtime/events.py. Without JavaScript the page still works: the
// reply guard is on the server, and a reload shows everything.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) {
    return;
  }
  var ticket = Number(root.dataset.ticket);
  var me = Number(root.dataset.user);
  // The version the forms carry stays the one the page was rendered with, even when the
  // conversation below is refreshed: a reply typed before a teammate's answer is held by
  // the server so the agent decides with both in view.
  var shownVersion = Number(root.dataset.version);
  var presenceBox = document.getElementById("presence");
  var news = document.getElementById("live-news");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";

  var HEARTBEAT_MS = 10000;
  var TYPING_EVERY_MS = 2000;
  var DRAFT_DELAY_MS = 1200;

  var socket = null;
  var retryDelay = 1000;
  var heartbeat = null;
  var stopped = false;
  var viewers = []; // {user, name, activity, typingUntil, expiresAt}
  var claim = null;
  var repaintTimer = null;

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  // --- presence ------------------------------------------------------------------------

  function describe(viewer, now) {
    var typing = viewer.typingUntil > now ? viewer.activity : "viewing";
    if (typing === "reply") return viewer.name + " is typing a reply";
    if (typing === "note") return viewer.name + " is writing a note";
    return viewer.name + " is viewing";
  }

  function repaint() {
    if (repaintTimer) {
      window.clearTimeout(repaintTimer);
      repaintTimer = null;
    }
    var now = Date.now();
    // Entries lapse on their own: a teammate whose network dropped is gone within the
    // presence TTL even if the server has nobody left to tell us.
    viewers = viewers.filter(function (v) { return v.expiresAt > now; });
    var next = Infinity;
    while (presenceBox.firstChild) presenceBox.removeChild(presenceBox.firstChild);
    viewers.forEach(function (v) {
      if (v.user === me) return;
      var span = document.createElement("span");
      var typing = v.typingUntil > now ? v.activity : "viewing";
      span.className = "presence-person activity-" + typing;
      span.dataset.user = String(v.user);
      span.textContent = describe(v, now);
      if (claim && claim.user === v.user) {
        var badge = document.createElement("span");
        badge.className = "badge claim";
        badge.textContent = "replying";
        span.appendChild(document.createTextNode(" "));
        span.appendChild(badge);
      }
      presenceBox.appendChild(span);
      next = Math.min(next, v.expiresAt, v.typingUntil > now ? v.typingUntil : Infinity);
    });
    if (next !== Infinity) {
      repaintTimer = window.setTimeout(repaint, Math.max(next - now, 50) + 20);
    }
  }

  function takePresence(message) {
    var now = Date.now();
    viewers = message.viewers.map(function (v) {
      return {
        user: v.user,
        name: v.name,
        activity: v.activity,
        typingUntil: v.activity === "viewing" ? 0 : now + v.typing_for * 1000,
        expiresAt: now + v.expires_in * 1000
      };
    });
    claim = message.claim;
    repaint();
  }

  // --- the conversation, refreshed in place ---------------------------------------------

  var refreshing = false;
  var refreshAgain = false;

  function openDetails(container) {
    // Which "show the full message" and the like the agent has open, per message, so a
    // refresh does not fold them away under their eyes.
    var open = {};
    container.querySelectorAll("article[id]").forEach(function (article) {
      article.querySelectorAll("details").forEach(function (details, n) {
        if (details.open) open[article.id + ":" + n] = true;
      });
    });
    return open;
  }

  function replaceFrom(doc, selector, conversation) {
    var fresh = doc.querySelector(selector);
    var old = document.querySelector(selector);
    if (!fresh || !old) return;
    var known = {};
    var open = conversation ? openDetails(old) : {};
    if (conversation) {
      old.querySelectorAll("[id]").forEach(function (el) { known[el.id] = true; });
    }
    old.replaceWith(fresh);
    if (conversation) {
      fresh.querySelectorAll("article[id]").forEach(function (article) {
        if (!known[article.id]) article.classList.add("live-new");
        article.querySelectorAll("details").forEach(function (details, n) {
          if (open[article.id + ":" + n]) details.open = true;
        });
      });
    }
    if (window.htmx) window.htmx.process(fresh);
  }

  var wantConversation = false;
  var failures = 0;

  function refresh(conversation) {
    wantConversation = wantConversation || conversation;
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    var withConversation = wantConversation;
    wantConversation = false;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        failures = 0;
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (withConversation) replaceFrom(doc, "#conversation", true);
        replaceFrom(doc, "p.ticket-facts", false);
        replaceFrom(doc, "ol.history", false);
      })
      .catch(function () {
        // A server hiccup must not leave a new message unseen: try again, a little later
        // each time (a reload shows it in any case).
        failures += 1;
        wantConversation = wantConversation || withConversation;
        if (failures <= 5) window.setTimeout(function () { refresh(false); }, 500 * failures);
      })
      .then(function () {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refresh(false);
        }
      });
  }

  var SAID = {
    replied: "replied",
    message_received: "a new message came in",
    note_added: "added a note",
    replied_elsewhere: "a reply was sent from elsewhere",
    merged: "tickets were merged",
    message_moved: "a message was moved"
  };

  function announce(message) {
    if (message.version <= shownVersion) {
      refresh(false); // status, assignee, tags: the facts and history only
      return;
    }
    shownVersion = message.version;
    var what = message.kinds.map(function (k) { return SAID[k]; }).filter(Boolean);
    var who = message.actor && message.actor !== root.dataset.username ? message.actor + ": " : "";
    news.textContent = "New since you opened the ticket" + (what.length ? " (" + who + what.join(", ") + ")" : "") +
      ". It is shown below; a reply you send now is held until you confirm it.";
    news.hidden = false;
    refresh(true);
  }

  // --- typing and drafts ----------------------------------------------------------------

  var lastTyping = {};
  var draftTimers = {};

  function saveDraft(kind, text) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    body.append("kind", kind);
    body.append("text", text);
    body.append("version", root.dataset.version);
    return fetch(root.dataset.draftUrl, { method: "POST", body: body, credentials: "same-origin" });
  }

  function onInput(event) {
    var field = event.target;
    var kind = field && field.dataset ? field.dataset.typing : null;
    if (kind !== "reply" && kind !== "note") return;
    var now = Date.now();
    if (field.value.trim() === "") {
      lastTyping[kind] = 0;
      send({ type: "idle", ticket: ticket });
    } else if (!lastTyping[kind] || now - lastTyping[kind] > TYPING_EVERY_MS) {
      lastTyping[kind] = now;
      send({ type: "typing", ticket: ticket, kind: kind });
    }
    window.clearTimeout(draftTimers[kind]);
    draftTimers[kind] = window.setTimeout(function () {
      draftTimers[kind] = null;
      saveDraft(kind, field.value);
    }, DRAFT_DELAY_MS);
  }

  function onSubmit(event) {
    var form = event.target;
    var field = form.querySelector("[data-typing]");
    if (!field) return;
    var kind = field.dataset.typing;
    // The form carries the text now: a late autosave must not bring the draft back.
    window.clearTimeout(draftTimers[kind]);
    draftTimers[kind] = null;
    send({ type: "idle", ticket: ticket });
    if (kind === "note" && navigator.sendBeacon) {
      // A sent reply's draft is dropped by the server with the send (or kept if held);
      // notes are posted elsewhere, so their draft is cleared from here.
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf);
      body.append("kind", "note");
      body.append("text", "");
      navigator.sendBeacon(root.dataset.draftUrl, body);
    }
  }

  document.addEventListener("input", onInput);
  document.addEventListener("submit", onSubmit, true);
  window.addEventListener("pagehide", function () {
    // Leaving with a save still pending: send it now, the page will not wait for a timer.
    Object.keys(draftTimers).forEach(function (kind) {
      if (!draftTimers[kind] || !navigator.sendBeacon) return;
      var field = document.querySelector("[data-typing=" + kind + "]");
      if (!field) return;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrf);
      body.append("kind", kind);
      body.append("text", field.value);
      body.append("version", root.dataset.version);
      navigator.sendBeacon(root.dataset.draftUrl, body);
    });
  });

  // --- the socket -----------------------------------------------------------------------

  function connect() {
    if (!window.WebSocket || stopped) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/tickets/" + ticket + "/");
    socket.onopen = function () {
      retryDelay = 1000;
      heartbeat = window.setInterval(function () {
        send({ type: "heartbeat", ticket: ticket });
      }, HEARTBEAT_MS);
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "presence") {
        takePresence(message);
      } else if (message.type === "hello") {
        // Anything missed while the socket was down (or before it opened) shows now.
        if (message.version > shownVersion) announce({ version: message.version, kinds: [], actor: null });
      } else if (message.type === "ticket.changed") {
        announce(message);
      }
    };
    socket.onclose = function (event) {
      window.clearInterval(heartbeat);
      viewers = [];
      repaint();
      if (event.code === 4403) {
        stopped = true; // signed out or no longer allowed: a reload shows why
        return;
      }
      // Reconnect with a growing pause (and some spread, so a restarted server is not
      // hit by every tab in the same instant).
      window.setTimeout(connect, retryDelay + Math.random() * 500);
      retryDelay = Math.min(retryDelay * 2, 30000);
    };
  }
  connect();
})();

// The notification bell, live: the server pushes the unread count over a websocket.
// Without JavaScript (or when the socket drops) the count is simply the one the page had.
(function () {
  "use strict";
  var bell = document.getElementById("bell-count");
  if (!bell || !window.WebSocket) {
    return;
  }
  var delay = 1000;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () {
      delay = 1000;
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "unread") {
        bell.textContent = data.count > 0 ? String(data.count) : "";
      }
    };
    socket.onclose = function () {
      // Reconnect with a growing pause, so a restarting server is not hammered.
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();

// Draws the dashboard's charts from the figures the page embeds as JSON. The numbers are
// already on the page as text; this only adds pictures, so the page works without it, and
// it runs from a file (no inline script) so a `script-src 'self'` policy holds.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.Chart === "undefined") {
      return; // chart assets not installed (`npm ci`): the tables still show every number
    }
    var data = JSON.parse(source.textContent);
    var Chart = window.Chart;

    function bars(id, labels, values, extra, yMax) {
      var canvas = document.getElementById(id);
      if (!canvas || labels.length === 0) {
        return;
      }
      var datasets = [{ label: canvas.getAttribute("aria-label"), data: values, backgroundColor: "#0b5cad" }];
      new Chart(canvas, {
        type: "bar",
        data: { labels: labels, datasets: datasets.concat(extra || []) },
        options: {
          animation: false,
          plugins: { legend: { display: Boolean(extra) } },
          scales: { y: { beginAtZero: true, max: yMax } },
        },
      });
    }

    var groups = data.groups;
    var percents = groups.response_rate.map(function (rate) {
      return rate === null ? null : Math.round(rate * 1000) / 10;
    });
    // The target as a line across the bars, so a group below it stands out.
    var target = {
      type: "line",
      label: "target " + data.target * 100 + " %",
      data: groups.labels.map(function () { return data.target * 100; }),
      borderColor: "#b42318",
      borderDash: [6, 4],
      pointRadius: 0,
    };
    bars("chart-groups", groups.labels, percents, [target], 100);
    bars("chart-intent", Object.keys(data.by_intent), Object.values(data.by_intent));
    bars("chart-root-cause", Object.keys(data.by_root_cause), Object.values(data.by_root_cause));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

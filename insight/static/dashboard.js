// Draws the dashboard's charts from the page's own JSON (no inline script: CSP forbids it).
(function () {
  "use strict";
  var palette = ["#0b5c4b", "#b35900", "#3d5a99", "#7a1f5c", "#4a4a4a", "#8c7a00"];
  var data = JSON.parse(document.getElementById("insight-data").textContent);
  window.cairnCharts = {};

  function draw(table) {
    var canvas = document.getElementById("chart-" + table.id);
    if (!canvas || !window.Chart) { return; }
    var horizontal = table.chart === "hbar" || table.chart === "hstacked";
    var stacked = table.chart === "stacked" || table.chart === "hstacked";
    var chart = new window.Chart(canvas, {
      type: table.chart === "line" ? "line" : "bar",
      data: {
        labels: table.labels,
        datasets: table.datasets.map(function (set, i) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: palette[i % palette.length],
            borderColor: palette[i % palette.length],
            spanGaps: false
          };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        scales: {
          x: { stacked: stacked, beginAtZero: true },
          y: { stacked: stacked, beginAtZero: true }
        },
        plugins: {
          legend: { display: table.datasets.length > 1 },
          subtitle: {
            display: table.hidden > 0,
            text: table.hidden + " small or protecting figure(s) hidden (see the table)"
          }
        }
      }
    });
    window.cairnCharts[table.id] = chart;
    canvas.setAttribute("data-drawn", "true");
  }

  data.tables.forEach(draw);
})();

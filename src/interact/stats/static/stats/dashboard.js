// Statistics dashboard (STA-1): draw each table's chart from the JSON beside it. The table below
// the chart holds the same numbers, so the page reads the same without JavaScript.
(function () {
  "use strict";
  var palette = ["#6d4aff", "#22a06b", "#f0b429", "#e5484d", "#0091ff", "#8e8c99", "#ff8b3e"];
  function draw() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart.replace(/^chart-/, ""));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var round = spec.type === "doughnut";
      var datasets = spec.datasets.map(function (d, i) {
        return {label: d.label, data: d.data, borderWidth: round ? 1 : 0,
                backgroundColor: round ? palette : palette[i % palette.length]};
      });
      new window.Chart(canvas, {
        type: spec.type, data: {labels: spec.labels, datasets: datasets},
        options: {responsive: true, maintainAspectRatio: false, animation: false,
                  plugins: {legend: {display: round || datasets.length > 1, position: "bottom"}},
                  scales: round ? {} : {y: {beginAtZero: true, ticks: {precision: 0}}}}
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

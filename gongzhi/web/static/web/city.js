// 全市视图: reads the ranking (data.json) and draws each district's on-time rate and
// satisfaction as bars (the tables below the chart hold the same figures).
(function () {
  "use strict";
  var RED = "#b71c1c", GREEN = "#116b3a";

  function draw(root, el, data) {
    var rows = data.districts.slice().reverse(); // the best at the top of a horizontal bar chart
    el.style.height = Math.max(260, 56 * rows.length + 80) + "px";
    var chart = echarts.init(el);
    function values(key) {
      return rows.map(function (d) { return d[key] === null ? "-" : d[key]; });
    }
    chart.setOption({
      color: [RED, GREEN],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === "-" ? "—" : v + "%"; } },
      legend: { top: 0, left: "center", data: [root.dataset.onTime, root.dataset.satisfaction] },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: rows.map(function (d) { return d.name; }) },
      series: [
        { name: root.dataset.onTime, type: "bar", data: values("on_time_rate") },
        { name: root.dataset.satisfaction, type: "bar", data: values("satisfaction") },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
    root.dataset.ready = "1";
  }

  function start() {
    var root = document.getElementById("city");
    var el = document.getElementById("city-chart");
    if (!root || !el || !window.echarts) return;
    fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) { draw(root, el, data); })
      .catch(function () { el.textContent = root.dataset.failed; el.classList.add("muted"); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

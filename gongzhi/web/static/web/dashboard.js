// The command centre: draws the trend and the category mix with ECharts and the map with
// casemap.js, then re-reads the figures (data.json) every `data-refresh` seconds and updates
// everything in place, without reloading the page.
(function () {
  "use strict";
  var RED = "#b71c1c", GREEN = "#116b3a";
  var PALETTE = ["#b71c1c", "#f97316", "#eab308", "#116b3a", "#0e7490", "#4338ca", "#9333ea", "#6b7280"];

  function start() {
    var root = document.getElementById("dashboard");
    if (!root || !window.echarts) return;
    var screen = root.classList.contains("screen");
    var text = screen ? "#e5e7eb" : "#1f2328";
    var trend = echarts.init(document.getElementById("dash-trend"));
    var mix = echarts.init(document.getElementById("dash-mix"));
    var mapEl = document.getElementById("dash-map");
    var map = mapEl && window.L && window.gongzhiCaseMap
      ? window.gongzhiCaseMap(mapEl, null, function (byCode) { areaLayers = byCode; drawCare(); }) : null;

    // The care layer (关爱): per residential area, the open alerts and the overdue visits, as a
    // label at the area's centre. The figures carry area codes and counts only, never a name.
    var careEl = document.getElementById("dash-care");
    var careLayer = null, careAreas = [], areaLayers = {};
    function drawCare() {
      if (!map || !careEl) return;
      if (!careLayer) {
        careLayer = L.layerGroup().addTo(map.map);
        var overlays = {};
        overlays[careEl.dataset.layerLabel] = careLayer;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map.map);
      }
      careLayer.clearLayers();
      careAreas.forEach(function (a) {
        var area = areaLayers[a.code];
        if (!area) return;
        var label = document.createElement("span");
        label.textContent = careEl.dataset.alertsLabel + " " + a.alerts + " · " + careEl.dataset.overdueLabel + " " + a.overdue;
        var icon = L.divIcon({ className: "care-count" + (a.alerts ? " hot" : ""), html: label, iconSize: null });
        L.marker(area.getBounds().getCenter(), { icon: icon, keyboard: false, interactive: false }).addTo(careLayer);
      });
    }
    function care(data) {
      if (!data.care || !careEl) return;
      document.getElementById("dash-care-open").textContent = data.care.open_alerts;
      var ack = data.care.ack;
      document.getElementById("dash-care-ack").textContent = ack.value === null ? "—" : ack.value + "%";
      document.getElementById("dash-care-ack-ratio").textContent = ack.numerator + "/" + ack.denominator;
      document.getElementById("dash-care-overdue").textContent = data.care.overdue_visits;
      careAreas = data.care.areas;
      drawCare();
    }

    // 直报: every open report until closed (kind, place, time, the reporter's post; no text)
    function direct(data) {
      var list = document.getElementById("dash-direct-list");
      if (!data.direct || !list) return;
      document.getElementById("dash-direct-open").textContent = data.direct.open;
      var unacked = document.getElementById("dash-direct-unacked");
      unacked.textContent = unacked.dataset.label + " " + data.direct.unacknowledged;
      document.getElementById("dash-direct").classList.toggle("hot", data.direct.unacknowledged > 0);
      var ack = data.direct.ack;
      document.getElementById("dash-direct-ack").textContent = ack.value === null ? "—" : ack.value + "%";
      document.getElementById("dash-direct-ack-ratio").textContent = ack.numerator + "/" + ack.denominator;
      list.textContent = "";
      data.direct.reports.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "direct-row" + (r.acknowledged ? "" : " hot");
        var a = document.createElement("a");
        a.href = list.dataset.href + r.id + "/";
        var kind = document.createElement("strong");
        kind.textContent = r.kind;
        a.appendChild(kind);
        a.appendChild(document.createTextNode(" " + r.place + " · " + r.post + " "));
        var time = document.createElement("time");
        time.textContent = r.reported_at;
        a.appendChild(time);
        function badge(cls, text) {
          var b = document.createElement("span");
          b.className = cls;
          b.textContent = text;
          a.appendChild(document.createTextNode(" "));
          a.appendChild(b);
        }
        if (!r.acknowledged) badge("badge", list.dataset.unacked);
        if (r.follow_up_overdue) badge("badge late", list.dataset.overdue);
        if (r.misuse) badge("tag", list.dataset.misuse);
        li.appendChild(a);
        list.appendChild(li);
      });
      var empty = document.getElementById("dash-direct-empty");
      if (empty) empty.hidden = data.direct.reports.length > 0;
    }
    // The mobilisation tile (应急动员): counts of the incidents running now, no title or name.
    function mobilisation(data) {
      var m = data.mobilisation;
      if (!m || !document.getElementById("dash-mobilisation")) return;
      document.getElementById("dash-mob-running").textContent = m.running;
      document.getElementById("dash-mob-gaps").textContent = m.gaps;
      document.getElementById("dash-mob-manned").textContent = m.entrances_manned + "/" + m.entrances_to_guard;
      document.getElementById("dash-mob-households").textContent = m.households_reached + "/" + m.households_to_reach;
      document.getElementById("dash-mob-supplies").textContent = m.supplies_delivered + "/" + m.supplies_to_deliver;
    }

    function draw(data) {
      currentTrend = data.trend;
      trend.setOption({
        color: [RED, GREEN],
        textStyle: { color: text },
        tooltip: { trigger: "axis" },
        legend: { top: 0, left: "center", data: [root.dataset.received, root.dataset.closed], textStyle: { color: text } },
        grid: { left: 40, right: 12, top: 40, bottom: 28, containLabel: true },
        xAxis: { type: "category", data: data.trend.map(function (d) { return d.day.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: root.dataset.received, type: "line", smooth: true, data: data.trend.map(function (d) { return d.received; }) },
          { name: root.dataset.closed, type: "line", smooth: true, data: data.trend.map(function (d) { return d.closed; }) },
        ],
      });
      mix.setOption({
        color: PALETTE,
        textStyle: { color: text },
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{
          type: "pie", radius: ["35%", "65%"], avoidLabelOverlap: true,
          label: { color: text, formatter: "{b}\n{c}" },
          data: data.categories.map(function (c) { return { name: c.name, value: c.count, group: c.group }; }),
        }],
      });
      care(data);
      direct(data);
      mobilisation(data);
      document.getElementById("dash-waiting").textContent = data.waiting;
      document.getElementById("dash-open").textContent = data.open;
      data.kpis.forEach(function (k) {
        var tile = root.querySelector('.tile[data-key="' + k.key + '"]');
        if (!tile) return;
        tile.querySelector(".value").textContent = k.value === null ? "—" : k.value + "%";
        var grade = tile.querySelector(".grade");
        grade.textContent = k.grade || "";
        grade.className = "grade grade-" + (k.grade || "none");
        var links = tile.querySelectorAll(".ratio a");  // numerator / denominator drill-downs
        if (links.length === 2) { links[0].textContent = k.numerator; links[1].textContent = k.denominator; }
      });
      ranking("dash-streets", data.streets);
      ranking("dash-areas", data.areas);
      ranking("dash-units", data.units);
      if (screen) { turn("dash-streets", 0); turn("dash-areas", 0); turn("dash-units", 0); }
      var asOf = document.getElementById("dash-as-of");
      if (data.as_of) asOf.textContent = asOf.dataset.label + " " + data.as_of.slice(11, 16);
    }

    // Every figure opens the list behind it: a day of the trend its reported or closed cases,
    // a slice of the mix the cases of that 大类 (其他 sums several: no one list), a ranking
    // row the area's or unit's figures.
    function go(url) { if (url) window.location.href = url; }
    var trendEl = document.getElementById("dash-trend"), mixEl = document.getElementById("dash-mix");
    trend.on("click", function (p) {
      var day = currentTrend[p.dataIndex];
      if (!day) return;
      var base = p.seriesIndex === 1 ? trendEl.dataset.closedUrl : trendEl.dataset.receivedUrl;
      go(base + "&start=" + day.day + "&end=" + day.day);
    });
    mix.on("click", function (p) {
      if (p.data && p.data.group) go(mixEl.dataset.url + "&group=" + encodeURIComponent(p.data.group));
    });
    var currentTrend = [];

    function ranking(id, entries) {
      var list = document.getElementById(id);
      if (!list || !entries.length) return;
      var empty = document.getElementById(id + "-empty");
      if (empty) empty.remove();
      list.textContent = "";
      entries.forEach(function (e) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = e.name;
        var value = document.createElement("b");
        value.textContent = e.value;
        var grade = document.createElement("i");
        grade.className = "grade grade-" + e.grade;
        grade.textContent = e.grade || "";
        var link = document.createElement("a");
        link.href = list.dataset.href.replace("{code}", encodeURIComponent(e.code));
        link.append(name, " ", value, " ", grade);
        li.appendChild(link);
        list.appendChild(li);
      });
    }

    // On the wall the rankings show as many rows as their card holds and turn a page every
    // PAGE_SECONDS, so every area and unit passes on the screen without anyone scrolling.
    var PAGE_SECONDS = 8, pages = {};
    function turn(id, step) {
      var list = document.getElementById(id);
      if (!list) return;
      var rows = Array.prototype.slice.call(list.children);
      if (!rows.length) return;
      rows.forEach(function (li) { li.classList.remove("off-page"); });
      var first = rows[0].getBoundingClientRect();
      var perPage = Math.max(1, Math.floor(list.clientHeight / Math.max(first.height, 1)));
      var count = Math.ceil(rows.length / perPage);
      var page = ((pages[id] || 0) + step) % count;
      pages[id] = page;
      rows.forEach(function (li, i) { if (i < page * perPage || i >= (page + 1) * perPage) li.classList.add("off-page"); });
      var label = document.getElementById(id + "-page");
      if (label) {
        label.textContent = count > 1 ? root.dataset.pageLabel.replace("{from}", page * perPage + 1)
          .replace("{to}", Math.min(rows.length, (page + 1) * perPage)) : "";
      }
    }

    function refresh() {
      fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { draw(data); root.classList.remove("stale"); if (map) map.refresh(); })
        .catch(function () { root.classList.add("stale"); root.title = root.dataset.failed; });
    }

    draw(JSON.parse(document.getElementById("dash-data").textContent));
    window.addEventListener("resize", function () { trend.resize(); mix.resize(); });
    setInterval(refresh, (parseInt(root.dataset.refresh, 10) || 60) * 1000);
    if (screen) setInterval(function () { turn("dash-streets", 1); turn("dash-areas", 1); turn("dash-units", 1); }, PAGE_SECONDS * 1000);
    root.dataset.ready = "1"; // the page tests wait for this
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

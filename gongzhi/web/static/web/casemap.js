// Map of open cases by residential area: boundaries coloured by the open-case count the
// server scoped to this user. A tile layer is added only when the page names one (MAP_TILE_URL).
// window.gongzhiCaseMap(el, listEl, onDraw) draws it and returns {refresh, map}; the map page
// and the command centre both use it. onDraw(byCode), if given, gets each drawn area's layer
// by its code after every drawing (the command centre lays its care counts over them).
(function () {
  "use strict";
  var COLOURS = ["#e8f5e9", "#fff3c4", "#fdba74", "#f97316", "#b71c1c"];
  function bucket(n) { return n === 0 ? 0 : n < 5 ? 1 : n < 20 ? 2 : n < 50 ? 3 : 4; }

  function caseMap(el, list, onDraw) {
    var map = L.map(el, { attributionControl: false });
    map.setView([31.2, 121.45], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    var layer = null;
    var fitted = false;

    function link(code) { return el.dataset.list + "?node=" + encodeURIComponent(code); }

    function draw(data) {
      var drawn = data.features.filter(function (f) { return f.geometry; });
      var byCode = {};
      if (layer) map.removeLayer(layer);
      layer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
        style: function (f) {
          return { color: "#5f6670", weight: 1, fillColor: COLOURS[bucket(f.properties.open)], fillOpacity: 0.75 };
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name + " " + f.properties.open + el.dataset.unit, { sticky: true });
          l.on("click", function () { window.location = link(f.properties.code); });
          byCode[f.properties.code] = l;
        },
      }).addTo(map);
      if (onDraw) onDraw(byCode);
      if (drawn.length && !fitted) { map.fitBounds(layer.getBounds()); fitted = true; }
      if (!drawn.length) el.classList.add("empty-map");
      if (!list) return;
      // The same figures as a list: readable without the map, and tappable on a phone.
      list.textContent = "";
      data.features
        .slice()
        .sort(function (a, b) { return b.properties.open - a.properties.open; })
        .forEach(function (f) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = link(f.properties.code);
          a.textContent = f.properties.name;
          var n = document.createElement("span");
          n.className = "tag c" + bucket(f.properties.open);
          n.textContent = el.dataset.openLabel + " " + f.properties.open + el.dataset.unit;
          li.appendChild(a);
          li.appendChild(document.createTextNode(" "));
          li.appendChild(n);
          list.appendChild(li);
        });
    }

    function refresh() {
      return fetch(el.dataset.src, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(draw);
    }
    refresh();
    return { refresh: refresh, map: map };
  }

  window.gongzhiCaseMap = caseMap;

  function start() {
    var el = document.getElementById("casemap");
    if (el && window.L) caseMap(el, document.getElementById("casemap-list"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

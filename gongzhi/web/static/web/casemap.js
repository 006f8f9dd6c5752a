// Map of open cases by residential area: boundaries coloured by the open-case count the
// server scoped to this user. A tile layer is added only when the page names one (MAP_TILE_URL).
(function () {
  "use strict";
  var COLOURS = ["#e8f5e9", "#fff3c4", "#fdba74", "#f97316", "#b71c1c"];
  function bucket(n) { return n === 0 ? 0 : n < 5 ? 1 : n < 20 ? 2 : n < 50 ? 3 : 4; }
  function start() {
    var el = document.getElementById("casemap");
    if (!el || !window.L) return;
    var map = L.map(el, { attributionControl: false });
    map.setView([31.2, 121.45], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    var list = document.getElementById("casemap-list");
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var drawn = data.features.filter(function (f) { return f.geometry; });
        var layer = L.geoJSON({ type: "FeatureCollection", features: drawn }, {
          style: function (f) {
            return { color: "#5f6670", weight: 1, fillColor: COLOURS[bucket(f.properties.open)], fillOpacity: 0.75 };
          },
          onEachFeature: function (f, l) {
            l.bindTooltip(f.properties.name + " " + f.properties.open + el.dataset.unit, { sticky: true });
            l.on("click", function () { window.location = el.dataset.list + "?node=" + encodeURIComponent(f.properties.code); });
          },
        }).addTo(map);
        if (drawn.length) map.fitBounds(layer.getBounds());
        else el.classList.add("empty-map");
        // The same figures as a list: readable without the map, and tappable on a phone.
        data.features
          .slice()
          .sort(function (a, b) { return b.properties.open - a.properties.open; })
          .forEach(function (f) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = el.dataset.list + "?node=" + encodeURIComponent(f.properties.code);
            a.textContent = f.properties.name;
            var n = document.createElement("span");
            n.className = "tag c" + bucket(f.properties.open);
            n.textContent = el.dataset.openLabel + " " + f.properties.open + el.dataset.unit;
            li.appendChild(a);
            li.appendChild(document.createTextNode(" "));
            li.appendChild(n);
            list.appendChild(li);
          });
      });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

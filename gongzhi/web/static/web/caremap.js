// The care board's map: one circle per building with open alerts, sized and coloured by the
// count the server scoped to this user (care.selectors.alert_buildings). The layer carries a
// building and a number, never a person; the list under the map gives the same figures.
(function () {
  "use strict";
  var COLOURS = ["#fff3c4", "#fdba74", "#f97316", "#b71c1c"];
  function bucket(n) { return n < 2 ? 0 : n < 4 ? 1 : n < 10 ? 2 : 3; }

  function careMap(el, list) {
    var map = L.map(el, { attributionControl: false });
    map.setView([31.2, 121.45], 14);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);

    function draw(data) {
      var placed = data.features.filter(function (f) { return f.geometry; });
      var layer = L.geoJSON({ type: "FeatureCollection", features: placed }, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: 8 + Math.min(f.properties.open, 10),
            color: "#5f6670",
            weight: 1,
            fillColor: COLOURS[bucket(f.properties.open)],
            fillOpacity: 0.85,
          });
        },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name + " " + f.properties.open + el.dataset.unit);
        },
      }).addTo(map);
      if (placed.length) map.fitBounds(layer.getBounds(), { maxZoom: 17, padding: [20, 20], animate: false });
      else el.classList.add("empty-map");
      if (!list) return;
      list.textContent = "";
      if (!data.features.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.textContent = el.dataset.empty;
        list.appendChild(none);
      }
      data.features.forEach(function (f) {
        var li = document.createElement("li");
        li.className = "building";
        li.dataset.code = f.properties.code;
        li.textContent = f.properties.name + " ";
        var n = document.createElement("span");
        n.className = "tag overdue";
        n.textContent = f.properties.open + el.dataset.unit;
        li.appendChild(n);
        list.appendChild(li);
      });
    }

    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(draw);
  }

  function start() {
    var el = document.getElementById("caremap");
    if (el && window.L) careMap(el, document.getElementById("caremap-list"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

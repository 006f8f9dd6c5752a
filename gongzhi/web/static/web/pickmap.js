// Report page: tap the map to choose where the problem is. The boundaries of the residential
// areas and estates come from the server; no tile layer is needed (works offline). Tapping
// fills the hidden lat/lon inputs; choosing an estate in the select takes precedence.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("pickmap");
    if (!el || !window.L) return;
    var lat = document.getElementById(el.dataset.lat);
    var lon = document.getElementById(el.dataset.lon);
    var picked = document.getElementById("picked");
    var map = L.map(el, { zoomControl: true, attributionControl: false });
    map.setView([31.2, 121.45], 14);
    var marker = null;
    function show(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, { radius: 9, color: "#b71c1c", fillOpacity: 0.6 }).addTo(map);
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (picked) picked.textContent = picked.dataset.label + "：" + lat.value + ", " + lon.value;
    }
    fetch(el.dataset.places, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: function (f) {
            return { color: "#8e1414", weight: f.properties.level === 3 ? 2 : 1, fillOpacity: 0.05 };
          },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.name); },
        }).addTo(map);
        layer.on("click", function (e) { show(e.latlng); });
        if (layer.getLayers().length) map.fitBounds(layer.getBounds());
        if (lat.value && lon.value) show(L.latLng(+lat.value, +lon.value));
      })
      .catch(function () { el.classList.add("failed"); });
    map.on("click", function (e) { show(e.latlng); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Searchable post pickers: an <input data-filter-for="ID"> keeps in the <select id="ID"> only the
// options whose label holds every typed word (post, place, duty, name). Options are taken out and
// put back rather than hidden, since phones ignore hidden options; the chosen one always stays.
(function () {
  "use strict";
  function setup(input) {
    var select = document.getElementById(input.getAttribute("data-filter-for"));
    if (!select) return;
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (g) {
      return { group: g, options: Array.prototype.slice.call(g.querySelectorAll("option")) };
    });
    var count = document.getElementById(input.getAttribute("data-filter-count") || "");
    function apply() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      groups.forEach(function (entry) {
        var keep = entry.options.filter(function (o) {
          var text = o.textContent.toLowerCase();
          return o.selected || words.every(function (w) { return text.indexOf(w) >= 0; });
        });
        shown += keep.length;
        entry.group.replaceChildren.apply(entry.group, keep);
        if (keep.length && !entry.group.parentNode) select.appendChild(entry.group);
        if (!keep.length && entry.group.parentNode) entry.group.remove();
      });
      if (count) count.textContent = words.length ? String(shown) : "";
    }
    input.addEventListener("input", apply);
  }
  function init() {
    document.querySelectorAll("input[data-filter-for]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

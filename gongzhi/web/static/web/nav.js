// On a phone the menu scrolls sideways: bring the current page's entry into view.
(function () {
  "use strict";
  function show() {
    var active = document.querySelector(".nav a.active");
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest", inline: "center" });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();

// Attendance on the meeting page saves as a radio changes (htmx). Choosing 委托 waits for the
// delegate's name: the request is held back and the name field takes the focus; leaving the
// field with a name saves both. Without JS the form's 保存 button does the same.
(function () {
  "use strict";
  document.addEventListener("htmx:confirm", function (evt) {
    var form = evt.target;
    if (!form || !form.classList || !form.classList.contains("attend")) return;
    var mark = form.querySelector("input[name=attendance]:checked");
    var name = form.querySelector("input[name=delegate]");
    if (mark && mark.value === "delegate" && name && !name.value.trim()) {
      evt.preventDefault();
      name.focus();
    }
  });
})();

/* Follow the archive jobs on the page; reload when one finishes. */
(function () {
  "use strict";
  var rows = document.querySelectorAll("[data-job-status]");
  function poll(row) {
    var state = row.getAttribute("data-state");
    if (state === "done" || state === "failed") { return; }
    fetch(row.getAttribute("data-job-status"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var bar = row.querySelector("[data-progress]");
        if (bar) { bar.value = data.percent; }
        if (data.state === "done" || data.state === "failed") {
          window.location.reload();
        } else {
          window.setTimeout(function () { poll(row); }, 1500);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, 5000); });
  }
  rows.forEach(poll);
})();

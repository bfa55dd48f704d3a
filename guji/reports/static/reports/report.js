// Follow a report being compiled: poll its status, move the bar, reload the page when it is over.
(function () {
  "use strict";
  var card = document.getElementById("report-job");
  if (!card) return;
  var bar = document.getElementById("report-progress");
  var text = document.getElementById("report-progress-text");
  var status = document.getElementById("report-status");
  function poll() {
    fetch(card.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (bar && s.total) { bar.max = s.total; bar.value = s.done; }
        if (text) text.textContent = s.percent + "%";
        if (status) status.textContent = s.status_display;
        if (s.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();

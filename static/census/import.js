// Follow a running import: poll its status, move the bar, reload the page when it is over.
(function () {
  "use strict";
  var card = document.getElementById("import-job");
  if (!card) return;
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  var status = document.getElementById("import-status");
  function poll() {
    fetch(card.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.total) { bar.max = s.total; bar.value = s.done; }
        text.textContent = s.done.toLocaleString() + " / " + s.total.toLocaleString() + " · " + s.percent + "%";
        status.textContent = s.status_display;
        if (s.state) {
          status.className = "badge job-" + s.state;
          bar.className = "job-progress state-" + s.state;
          bar.dataset.state = s.state;
        }
        if (s.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();

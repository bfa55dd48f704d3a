// Follow a running logger upload: poll its status, move the bar, reload when it is over.
(function () {
  "use strict";
  var card = document.getElementById("upload-job");
  if (!card) return;
  var bar = document.getElementById("upload-progress");
  var text = document.getElementById("upload-progress-text");
  var status = document.getElementById("upload-status");
  function poll() {
    fetch(card.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        bar.value = s.percent;
        text.textContent = s.percent + "%";
        status.textContent = s.status_display;
        if (s.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();

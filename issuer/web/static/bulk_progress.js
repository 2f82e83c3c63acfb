// Live progress of a bulk issuing job: polls the JSON progress endpoint (same origin, the
// admin's session cookie) once a second and updates the <progress> bar until the job is done.
(function () {
  "use strict";
  var root = document.getElementById("bulk-progress");
  if (!root) { return; }
  var url = root.getAttribute("data-progress-url");
  var bar = root.querySelector("progress");
  var text = root.querySelector(".progress-text");

  function render(p) {
    bar.max = p.total;
    bar.value = p.done;
    bar.textContent = p.percent + "%";
    text.textContent = p.done + " of " + p.total + " rows done (" + p.issued + " issued, " +
      p.skipped + " skipped, " + p.failed + " failed) — " + p.status;
    root.setAttribute("data-status", p.status);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (p) {
        render(p);
        if (p.status !== "done") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  poll();
}());

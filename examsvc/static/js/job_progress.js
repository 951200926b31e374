// Progress of a background job: polls its JSON state and reloads the page when it ends
// (inline scripts are blocked by the page's CSP).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || (box.dataset.state !== "queued" && box.dataset.state !== "running")) return;
  var bar = document.getElementById("job-bar");
  var phase = document.getElementById("job-phase");
  var delay = 1000;

  function show(job) {
    if (job.total > 0) {
      bar.max = job.total;
      bar.value = job.progress;
      phase.textContent = box.dataset.textWriting
        .replace("{done}", String(job.progress)).replace("{total}", String(job.total));
    } else if (job.state === "running") {
      phase.textContent = box.dataset.textChecking;
    }
  }

  function poll() {
    fetch(box.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (job && (job.state === "done" || job.state === "failed")) {
          window.location.reload();
          return;
        }
        if (job) show(job);
        delay = Math.min(delay * 1.2, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, delay);
})();

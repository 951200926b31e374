// The live view of a sitting (监考): refresh the rows from the JSON twin every few seconds and
// count the time left down in between. Without script the page is complete, only static.
(function () {
  "use strict";
  var textsNode = document.getElementById("live-texts");
  var status = document.getElementById("refresh-status");
  if (!textsNode || !status) return;
  var texts = JSON.parse(textsNode.textContent);
  var every = (parseInt(status.dataset.refreshSeconds, 10) || 12) * 1000;
  var fetchedAt = Date.now();
  var busy = false;

  function clock(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  function tick() {
    var gone = Math.floor((Date.now() - fetchedAt) / 1000);
    document.querySelectorAll("#live-table td.left").forEach(function (cell) {
      if (cell.dataset.seconds === "") return;
      var left = Math.max(0, parseInt(cell.dataset.seconds, 10) - gone);
      cell.textContent = clock(left);
      cell.classList.toggle("text-danger", left <= 300);
      cell.classList.toggle("fw-semibold", left <= 300);
    });
  }

  function badge(text, kind) {
    var span = document.createElement("span");
    span.className = "badge text-bg-" + kind;
    span.textContent = text;
    return span;
  }

  function update(row, data) {
    row.dataset.state = data.state;
    var label = texts.states[data.state] || [data.state, "secondary"];
    var state = row.querySelector("td.state");
    state.replaceChildren(badge(label[0], label[1] + " border"));
    var note = data.by_invigilator ? texts.by_invigilator : data.at_focus_limit ? texts.at_focus_limit : "";
    if (note) {
      state.append(" ");
      var extra = badge(note, "danger-subtle text-danger-emphasis border");
      if (data.by_invigilator) extra.classList.add("by-invigilator");
      state.append(extra);
    }
    row.querySelector("td.answered").textContent = data.answered + " / " + data.items;
    row.querySelector("td.last-save").textContent = data.last_saved || "—";
    var focus = row.querySelector("td.focus");
    var link = focus.querySelector("a");
    if (link) {
      link.textContent = data.focus_losses;
      link.className = data.focus_losses ? "text-danger fw-semibold" : "text-body-secondary";
    } else if (data.attempt_id) {
      focus.textContent = data.focus_losses;  // the events link appears on the next reload
    }
    var other = row.querySelector("td.other");
    other.textContent = data.attempt_id ? data.other_events : "—";
    other.title = Object.keys(data.events).filter(function (k) { return k !== "blur"; })
      .map(function (k) { return (texts.events[k] || k) + "：" + data.events[k]; })
      .join(texts.separator);
    var left = row.querySelector("td.left");
    left.dataset.seconds = data.seconds_left === null ? "" : String(data.seconds_left);
    if (data.seconds_left === null) {
      left.textContent = "—";
      left.classList.remove("text-danger", "fw-semibold");
    }
    row.querySelector("td.extra").textContent = data.extra_minutes
      ? texts.minutes.replace("{n}", data.extra_minutes) : "—";
    var running = data.state === "in_progress" || data.state === "time_over";
    var extend = running || data.state === "not_started";
    var details = row.querySelector("details.live-actions");
    var typing = details && details.contains(document.activeElement);
    if (details && !typing) {
      details.querySelector("form.act-hand-in").classList.toggle("d-none", !running);
      details.querySelector("form.act-extra").classList.toggle("d-none", !extend);
      details.classList.toggle("d-none", !running && !extend);
      if (!running && !extend) details.open = false;
    }
  }

  function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(texts.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        fetchedAt = Date.now();
        var all = 0;
        Object.keys(body.counts).forEach(function (k) {
          all += body.counts[k];
          var node = document.querySelector('[data-count="' + k + '"]');
          if (node) node.textContent = body.counts[k];
        });
        var total = document.querySelector('[data-count="all"]');
        if (total) total.textContent = all;
        body.rows.forEach(function (data) {
          var row = document.getElementById("candidate-" + data.enrolment_id);
          if (row) update(row, data);
        });
        tick();
        document.getElementById("refreshed-at").textContent =
          texts.updated.replace("{t}", body.refreshed);
        document.getElementById("refresh-error").classList.add("d-none");
      })
      .catch(function () {
        document.getElementById("refresh-error").classList.remove("d-none");
      })
      .finally(function () { busy = false; });
  }

  // Handing in cannot be undone: ask first.
  document.querySelectorAll("form.act-hand-in").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  setInterval(tick, 1000);
  setInterval(refresh, every);
  window.proctorRefresh = refresh;  // for the browser tests: refresh now
})();

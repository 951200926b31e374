// The exam page: draws the paper the server gives, autosaves every change with a growing
// sequence number, keeps unsent answers in localStorage, and counts down to the server's
// deadline. The server decides everything; this page only shows and sends.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var TEXT = JSON.parse(document.getElementById("exam-text").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var state = { attempt: null, seq: 0, answers: {}, dirty: {}, offset: 0, deadline: 0, inflight: null, timer: null, closed: false };

  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function storeKey() { return "examsvc.attempt." + state.attempt.attempt_id; }
  function persistLocal() {
    try { localStorage.setItem(storeKey(), JSON.stringify({ seq: state.seq, pending: state.dirty })); } catch (e) { /* storage full or off */ }
  }
  function api(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { data._status = r.status; return data; });
    });
  }
  function showError(message, withResultLink) {
    var box = document.getElementById("exam-error");
    box.textContent = message;
    if (withResultLink && state.attempt) {
      var a = el("a", { href: resultUrl(), class: "alert-link ms-2" }, TEXT.view_result);
      box.appendChild(a);
    }
    box.classList.remove("d-none");
  }
  function resultUrl() {
    var id = state.attempt ? state.attempt.attempt_id : root.dataset.existingAttempt;
    return root.dataset.resultUrl.replace(/0$/, id);
  }
  function setStatus(text, cls) {
    var s = document.getElementById("save-status");
    s.textContent = text; s.className = "small " + (cls || "text-body-secondary");
  }

  // ---- rendering -------------------------------------------------------------------
  function render(paper) {
    var list = document.getElementById("items");
    var nav = document.getElementById("navigator");
    var lastHeading = null;
    paper.items.forEach(function (item, i) {
      // The blueprint's section title where it gives one, else the question type.
      var heading = item.section || TEXT.sections[item.type] || item.type;
      if (heading !== lastHeading) {
        list.appendChild(el("h2", { class: "h6 section-title mt-3" }, heading));
        lastHeading = heading;
      }
      list.appendChild(renderItem(item, i + 1));
      var link = el("a", { href: "#item-" + item.id, class: "nav-dot", id: "nav-" + item.id }, String(i + 1));
      nav.appendChild(link);
    });
  }
  function renderItem(item, number) {
    var card = el("div", { class: "card shadow-sm mb-3 item-card", id: "item-" + item.id, "data-item-id": item.id, "data-type": item.type });
    var body = el("div", { class: "card-body" });
    var head = el("div", { class: "d-flex justify-content-between" });
    head.appendChild(el("span", { class: "fw-semibold me-2" }, number + "."));
    var stem = el("div", { class: "flex-grow-1 question-stem" });
    head.appendChild(stem);
    head.appendChild(el("span", { class: "badge text-bg-light ms-2 align-self-start" }, fmt(TEXT.points, { n: item.points })));
    body.appendChild(head);
    var saved = state.answers[item.id];
    if (item.type === "fill") {
      var parts = item.stem.split(/_{3,}/);
      parts.forEach(function (part, i) {
        stem.appendChild(document.createTextNode(part));
        if (i < parts.length - 1) {
          var input = el("input", { type: "text", class: "form-control d-inline-block blank-input", "aria-label": fmt(TEXT.blank, { n: i + 1 }), "data-blank": i, maxlength: 500 });
          input.value = saved && saved[i] ? saved[i] : "";
          stem.appendChild(input);
        }
      });
    } else {
      stem.textContent = item.stem;
    }
    if (item.type === "short") {
      var ta = el("textarea", { class: "form-control mt-2", rows: 5, maxlength: 20000 });
      ta.value = saved || "";
      body.appendChild(ta);
    }
    var inputType = item.type === "multiple" ? "checkbox" : "radio";
    item.options.forEach(function (opt) {
      var id = "opt-" + item.id + "-" + String(opt.key);
      var wrap = el("div", { class: "form-check option-row" });
      var input = el("input", { class: "form-check-input", type: inputType, name: "item-" + item.id, id: id, value: JSON.stringify(opt.key) });
      if (isChosen(item.type, saved, opt.key)) input.checked = true;
      var label = el("label", { class: "form-check-label", for: id });
      if (item.type === "judge") { label.textContent = opt.text; } else {
        label.appendChild(el("strong", {}, opt.key + ". "));
        label.appendChild(document.createTextNode(opt.text));
      }
      wrap.appendChild(input); wrap.appendChild(label);
      body.appendChild(wrap);
    });
    card.appendChild(body);
    card.addEventListener("input", function () { onChange(item, card); });
    card.addEventListener("change", function () { onChange(item, card); });
    return card;
  }
  function isChosen(type, saved, key) {
    if (saved === undefined || saved === null) return false;
    if (type === "multiple") return saved.indexOf(key) >= 0;
    return saved === key;
  }
  function readResponse(item, card) {
    if (item.type === "fill") {
      return Array.prototype.map.call(card.querySelectorAll(".blank-input"), function (i) { return i.value; });
    }
    if (item.type === "short") return card.querySelector("textarea").value;
    var checked = Array.prototype.map.call(card.querySelectorAll("input:checked"), function (i) { return JSON.parse(i.value); });
    if (item.type === "multiple") return checked;
    return checked.length ? checked[0] : null;
  }
  function isAnswered(response) {
    if (response === null || response === undefined) return false;
    if (Array.isArray(response)) return response.some(function (r) { return r !== "" && r !== null; });
    return response !== "";
  }
  function refreshNavigator() {
    var total = state.attempt.items.length, done = 0;
    state.attempt.items.forEach(function (item) {
      var answered = isAnswered(state.answers[item.id]);
      if (answered) done++;
      var dot = document.getElementById("nav-" + item.id);
      if (dot) dot.classList.toggle("answered", answered);
    });
    document.getElementById("answered-count").textContent = done + " / " + total;
    return total - done;
  }

  // ---- saving ----------------------------------------------------------------------
  function onChange(item, card) {
    if (state.closed) return;
    var response = readResponse(item, card);
    state.answers[item.id] = response;
    state.dirty[item.id] = response;
    persistLocal();
    refreshNavigator();
    scheduleSave(600);
  }
  function scheduleSave(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(save, delay);
  }
  // One save request at a time; it sends every answer changed since the last acknowledged one.
  function save() {
    if (state.closed) return Promise.resolve(false);
    if (state.inflight) return state.inflight;
    var ids = Object.keys(state.dirty);
    if (!ids.length) return Promise.resolve(true);
    // After a refusal, answers go one at a time until the refused one is found.
    if (state.oneByOne) ids = ids.slice(0, 1);
    var batch = {};
    ids.forEach(function (id) { batch[id] = state.dirty[id]; });
    state.seq += 1;
    var seq = state.seq;
    persistLocal();
    setStatus(TEXT.saving);
    state.inflight = api("PUT", "/api/v1/attempts/" + state.attempt.attempt_id + "/answers", { answers: batch, seq: seq })
      .then(function (data) {
        state.inflight = null;
        if (data._status === 200) {
          ids.forEach(function (id) { if (state.dirty[id] === batch[id]) delete state.dirty[id]; });
          persistLocal();
          syncClock(data);
          setStatus(fmt(TEXT.saved, { t: new Date().toLocaleTimeString() }), "text-success");
          if (Object.keys(state.dirty).length) scheduleSave(200);
          else state.oneByOne = false;
          return true;
        }
        if (data._status === 409) { closeExam(TEXT.closed); return false; }
        if (data._status === 400) { return refused(ids, data); }
        setStatus(data.message || TEXT.retrying, "text-danger");
        if (data._status >= 500 || data._status === 429) scheduleSave(3000);
        return false;
      }, function () {
        state.inflight = null;
        setStatus(TEXT.offline, "text-warning");
        scheduleSave(3000);
        return false;
      });
    return state.inflight;
  }
  // The server refused a save: find the one answer it will not take and let the others go on.
  function refused(ids, data) {
    if (ids.length > 1) { state.oneByOne = true; scheduleSave(0); return false; }
    var id = ids[0];
    delete state.dirty[id];
    persistLocal();
    var card = document.getElementById("item-" + id);
    var number = card ? card.querySelector(".fw-semibold").textContent.replace(".", "") : id;
    var message = fmt(TEXT.refused, { n: number, reason: data.message || "" });
    setStatus(message, "text-danger");
    showError(message, false);
    if (Object.keys(state.dirty).length) scheduleSave(200);
    else state.oneByOne = false;
    return false;
  }
  // Resolves once every answer is acknowledged (or the server has closed the attempt).
  function flush(triesLeft) {
    return save().then(function (ok) {
      if (state.closed || !Object.keys(state.dirty).length) return;
      if (triesLeft <= 0) throw new Error("unsaved answers");
      return new Promise(function (resolve) { setTimeout(resolve, ok ? 0 : 1500); })
        .then(function () { return flush(triesLeft - 1); });
    });
  }
  function syncClock(data) {
    if (data.server_time) state.offset = Date.parse(data.server_time) - Date.now();
    if (data.deadline) state.deadline = Date.parse(data.deadline);
  }

  // ---- time and submission ---------------------------------------------------------
  function tick() {
    var left = Math.max(0, state.deadline - (Date.now() + state.offset));
    var s = Math.floor(left / 1000);
    var text = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
    var clock = document.getElementById("countdown");
    clock.textContent = text;
    clock.classList.toggle("text-danger", s < 300);
    if (left <= 0 && !state.closed) {
      setStatus(TEXT.time_up, "text-danger");
      finish();
      return;
    }
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  function finish() {
    clearTimeout(state.timer);
    // Hand in only after every answer given here has reached the server.
    return flush(8).then(function () {
      return api("POST", "/api/v1/attempts/" + state.attempt.attempt_id + "/submit");
    }).then(function (data) {
      if (data._status === 200) {
        state.closed = true;
        try { localStorage.removeItem(storeKey()); } catch (e) { /* ignore */ }
        window.location.assign(resultUrl());
      } else {
        showError(data.message || TEXT.closed, true);
      }
    }, function () { setStatus(TEXT.offline, "text-warning"); setTimeout(finish, 3000); });
  }
  function closeExam(message) {
    state.closed = true;
    document.querySelectorAll("#items input, #items textarea").forEach(function (i) { i.disabled = true; });
    document.getElementById("submit-button").disabled = true;
    showError(message, true);
  }
  function askSubmit() {
    var missing = refreshNavigator();
    var total = state.attempt.items.length;
    document.getElementById("confirm-text").textContent = missing
      ? fmt(TEXT.unanswered, { n: missing, total: total }) : fmt(TEXT.all_answered, { total: total });
    bootstrap.Modal.getOrCreateInstance(document.getElementById("confirm-submit")).show();
  }

  // ---- start -----------------------------------------------------------------------
  function restoreLocal() {
    var raw = null;
    try { raw = JSON.parse(localStorage.getItem(storeKey()) || "null"); } catch (e) { raw = null; }
    if (!raw) return;
    state.seq = Math.max(state.seq, raw.seq || 0);
    // Answers this browser made but the server had not confirmed: send them again.
    Object.keys(raw.pending || {}).forEach(function (id) {
      state.answers[id] = raw.pending[id];
      state.dirty[id] = raw.pending[id];
    });
  }
  api("POST", root.dataset.startUrl).then(function (data) {
    document.getElementById("exam-loading").classList.add("d-none");
    if (data._status !== 200) {
      showError(data.message || TEXT.load_failed, data._status === 409 && root.dataset.existingAttempt);
      return;
    }
    state.attempt = data;
    state.seq = data.seq || 0;
    state.answers = data.answers || {};
    restoreLocal();
    syncClock(data);
    render(data);
    refreshNavigator();
    document.getElementById("submit-button").disabled = false;
    document.getElementById("submit-button").addEventListener("click", askSubmit);
    document.getElementById("confirm-submit-button").addEventListener("click", function () {
      bootstrap.Modal.getOrCreateInstance(document.getElementById("confirm-submit")).hide();
      finish();
    });
    window.addEventListener("online", function () { scheduleSave(0); });
    window.addEventListener("beforeunload", function (e) {
      if (Object.keys(state.dirty).length && !state.closed) { save(); e.preventDefault(); }
    });
    if (Object.keys(state.dirty).length) scheduleSave(0);
    tick();
  }, function () {
    document.getElementById("exam-loading").classList.add("d-none");
    showError(TEXT.load_failed);
  });
})();

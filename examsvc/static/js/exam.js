// The exam page: the rules and a confirmation before the clock starts, then the paper the
// server gives. Every change is journalled in localStorage with a growing seq and sent;
// the journal empties only as the server acknowledges. The countdown follows the server's
// deadline. The server decides everything; this page only shows and sends.
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var POLL_MS = 120000;  // the deadline may move (extra time); saves also bring it
  var LAST_MINUTES_POLL_MS = 15000;  // …and more often in the last five minutes
  var TEXT = JSON.parse(document.getElementById("exam-text").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var state = {
    attempt: null, store: null, seq: 0, answers: {}, journal: {}, flags: {}, order: [],
    offset: 0, deadline: 0, inflight: null, timer: null, closed: false, failing: false,
    lastSaved: null, single: false, current: 0, warned: 0, integrity: null, finishing: false
  };

  function $(id) { return document.getElementById(id); }
  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
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
  function resultUrl() {
    var id = state.attempt ? state.attempt.attempt_id : root.dataset.existingAttempt;
    return root.dataset.resultUrl.replace(/0$/, id);
  }
  function showError(message, withResultLink) {
    var box = $("exam-error");
    box.textContent = message;
    if (withResultLink && (state.attempt || root.dataset.existingAttempt)) {
      box.appendChild(el("a", { href: resultUrl(), class: "alert-link ms-2", id: "result-link" }, TEXT.view_result));
    }
    box.classList.remove("d-none");
  }
  function numberOf(itemId) { return state.order.indexOf(String(itemId)) + 1; }
  var sheet = ExamSheet({ state: state, TEXT: TEXT, $: $, el: el, fmt: fmt, isAnswered: isAnswered, numberOf: numberOf, unsent: unsent });

  // ---- rendering -------------------------------------------------------------------
  function render(paper) {
    var list = $("items"), nav = $("navigator"), lastHeading = null;
    paper.items.forEach(function (item, i) {
      // The blueprint's section title where it gives one, else the question type.
      var heading = item.section || TEXT.sections[item.type] || item.type;
      if (heading !== lastHeading) {
        list.appendChild(el("h2", { class: "h6 section-title mt-3" }, heading));
        lastHeading = heading;
      }
      list.appendChild(renderItem(item, i + 1, heading));
      var dot = el("button", { type: "button", class: "nav-dot", id: "nav-" + item.id, "data-item-id": item.id, role: "listitem", "aria-label": fmt(TEXT.question, { n: i + 1 }) }, String(i + 1));
      dot.addEventListener("click", function () { sheet.goTo(item.id); });
      nav.appendChild(dot);
    });
  }
  function renderItem(item, number, heading) {
    var card = el("div", { class: "card shadow-sm mb-3 item-card", id: "item-" + item.id, "data-item-id": item.id, "data-type": item.type, tabindex: "-1" });
    var body = el("div", { class: "card-body" });
    body.appendChild(el("div", { class: "item-section small" }, heading));
    var head = el("div", { class: "d-flex align-items-center gap-2 mb-1" });
    head.appendChild(el("span", { class: "fw-semibold item-number" }, number + "."));
    head.appendChild(el("span", { class: "badge text-bg-light border" }, fmt(TEXT.points, { n: item.points })));
    var flag = el("button", { type: "button", class: "btn btn-sm btn-outline-warning ms-auto flag-button", "aria-pressed": "false", "aria-label": fmt(TEXT.flag_label, { n: number }) }, TEXT.flag);
    flag.addEventListener("click", function () { sheet.toggleFlag(item.id); });
    head.appendChild(flag);
    body.appendChild(head);
    var stem = el("div", { class: "question-stem mb-2" });
    body.appendChild(stem);
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
      var ta = el("textarea", { class: "form-control", rows: 5, maxlength: 20000 });
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
    card.addEventListener("input", function (e) { if (e.target.matches("input, textarea")) onChange(item, card); });
    card.addEventListener("change", function (e) { if (e.target.matches("input, textarea")) onChange(item, card); });
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

  // ---- the journal and saving ------------------------------------------------------
  function persist(acked) { state.store.saveJournal(state.seq, state.journal, acked); }
  function unsent() { return Object.keys(state.journal).length; }
  function onChange(item, card) {
    if (state.closed) return;
    var response = readResponse(item, card);
    state.answers[item.id] = response;
    state.seq += 1;  // every change gets its own seq, kept with it until acknowledged
    state.journal[item.id] = { r: response, seq: state.seq };
    persist();
    sheet.refresh();
    showSaveState();
    scheduleSave(navigator.onLine ? 500 : 3000);
  }
  function scheduleSave(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(save, delay);
  }
  function showSaveState() {
    var badge = $("save-status"), n = unsent(), name, text;
    if (n && !navigator.onLine) { name = "offline"; text = fmt(TEXT.offline, { n: n }); }
    else if (state.inflight) { name = "saving"; text = TEXT.saving; }
    else if (n && state.failing) { name = "retrying"; text = fmt(TEXT.retrying, { n: n }); }
    else if (n) { name = "pending"; text = fmt(TEXT.unsent, { n: n }); }
    else { name = "saved"; text = fmt(TEXT.saved, { t: state.lastSaved ? state.lastSaved.toLocaleTimeString("zh-CN", { hour12: false }) : "" }).trim(); }
    var classes = { offline: "text-bg-warning", saving: "text-bg-light border", retrying: "text-bg-danger", pending: "text-bg-light border", saved: "text-bg-success" };
    badge.className = "badge rounded-pill save-status " + classes[name];
    badge.dataset.state = name;
    badge.textContent = text;
  }
  // One save request at a time; it carries every journalled answer. The request's seq is
  // the highest seq among them: for each answer its own seq or a later one of this
  // browser, so a later answer of this browser is never overwritten by an earlier one.
  function save() {
    if (state.closed) return Promise.resolve(false);
    if (state.inflight) return state.inflight;
    var ids = Object.keys(state.journal);
    if (!ids.length) { showSaveState(); return Promise.resolve(true); }
    if (state.oneByOne) ids = ids.slice(0, 1);  // after a refusal: find the refused one
    var batch = {}, sent = {}, seq = 0;
    ids.forEach(function (id) {
      batch[id] = state.journal[id].r;
      sent[id] = state.journal[id].seq;
      seq = Math.max(seq, state.journal[id].seq);
    });
    state.inflight = api("PUT", "/api/v1/attempts/" + state.attempt.attempt_id + "/answers", { answers: batch, seq: seq })
      .then(function (data) {
        state.inflight = null;
        if (data._status === 200) {
          var acked = settle(sent, data.stale_items || {});
          persist(acked);
          syncClock(data);
          state.failing = false;
          state.lastSaved = new Date();
          if (unsent()) scheduleSave(100); else state.oneByOne = false;
          showSaveState();
          return true;
        }
        if (data._status === 409) { closeExam(TEXT.closed); return false; }
        if (data._status === 400 && data.error === "csrf_failed") renewToken();
        else if (data._status === 400) return refused(ids, data);
        if (data._status === 401) showError(data.message || TEXT.closed, false);
        state.failing = true;
        showSaveState();
        scheduleSave(3000);
        return false;
      }, function () {
        state.inflight = null;
        state.failing = true;
        showSaveState();
        scheduleSave(3000);
        return false;
      });
    showSaveState();
    return state.inflight;
  }
  // What the server wrote is acknowledged. An answer it did not write because it holds a
  // higher seq for the item came from another page (a second tab, the phone the candidate
  // moved to): the one given here, later, stands, so it goes again with a seq above the
  // stored one. The same seq stored means this very answer was written before (a retry).
  function settle(sent, staleItems) {
    var acked = [];
    Object.keys(sent).forEach(function (id) {
      var entry = state.journal[id], stored = staleItems[id];
      if (stored !== undefined) state.seq = Math.max(state.seq, stored);
      if (!entry || entry.seq > sent[id]) return;  // changed again meanwhile: goes next
      if (stored !== undefined && stored > sent[id]) {
        state.seq += 1;
        entry.seq = state.seq;
        return;
      }
      delete state.journal[id];
      acked.push(id);
    });
    return acked;
  }
  // The server refused a save: find the one answer it will not take and let the others go on.
  function refused(ids, data) {
    if (ids.length > 1) { state.oneByOne = true; scheduleSave(0); return false; }
    var id = ids[0];
    delete state.journal[id];
    persist([id]);
    var message = fmt(TEXT.refused, { n: numberOf(id), reason: data.message || "" });
    showError(message, false);
    if (unsent()) scheduleSave(200); else state.oneByOne = false;
    showSaveState();
    return false;
  }
  // The security token went stale (a new session in another tab): fetch the current one,
  // and the answers in the journal go again with it; none is dropped for this.
  function renewToken() {
    api("GET", "/api/v1/session").then(function (data) {
      if (data.csrf_token) csrf = data.csrf_token;
    }, function () { /* offline: the next try */ });
  }
  // Resolves once every answer is acknowledged (or the server has closed the attempt).
  function flush(triesLeft) {
    return save().then(function (ok) {
      if (state.closed || !unsent()) return;
      if (triesLeft <= 0) throw new Error("unsaved answers");
      return new Promise(function (resolve) { setTimeout(resolve, ok ? 0 : 1500); })
        .then(function () { return flush(triesLeft - 1); });
    });
  }
  function syncClock(data) {
    if (data.server_time) state.offset = Date.parse(data.server_time) - Date.now();
    if (data.deadline) state.deadline = Date.parse(data.deadline);
  }
  // Now and then ask the server for the deadline (an extension moves it) and the status.
  function poll() {
    if (state.closed) return;
    api("GET", "/api/v1/attempts/" + state.attempt.attempt_id).then(function (data) {
      if (data._status !== 200) return;
      syncClock(data);
      if (data.status !== "in_progress") closeExam(TEXT.closed);
    }, function () { /* offline: the next poll */ });
    setTimeout(poll, timeLeft() < 300000 ? LAST_MINUTES_POLL_MS : POLL_MS);
  }
  function timeLeft() { return state.deadline - (Date.now() + state.offset); }

  // ---- time and handing in ---------------------------------------------------------
  // A notice in the sticky bar, always in sight until the candidate closes it.
  function notice(box, text, cls) {
    box.textContent = "";
    box.appendChild(el("span", {}, text));
    var close = el("button", { type: "button", class: "btn-close btn-sm ms-2", "aria-label": TEXT.close });
    close.addEventListener("click", function () { box.classList.add("d-none"); });
    box.appendChild(close);
    box.className = "alert bar-notice " + cls;
  }
  function warn(text) { notice($("time-warning"), text, "alert-warning"); }
  function tick() {
    if (state.closed) return;
    var left = Math.max(0, timeLeft());
    var s = Math.floor(left / 1000);
    var text = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
    var clock = $("countdown");
    clock.textContent = text;
    clock.classList.toggle("text-danger", s < 300);
    if (s <= 300 && state.warned < 5) { state.warned = 5; warn(TEXT.warn_5); }
    else if (s <= 900 && state.warned < 15) { state.warned = 15; warn(TEXT.warn_15); }
    if (left <= 0) {
      showError(TEXT.time_up, false);
      finish(true);
      return;
    }
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  // Inputs are locked while the page hands in because its clock ran out.
  function lock(on) {
    document.querySelectorAll("#items input, #items textarea").forEach(function (i) { i.disabled = on; });
  }
  // Hand in: asked for by the candidate, or ``timeUp`` when the countdown ended. Then the
  // server decides: an extension the page has not heard of yet keeps the exam going.
  function finish(timeUp) {
    if (state.finishing) return;
    state.finishing = true;
    clearTimeout(state.timer);
    if (timeUp) lock(true);
    // Hand in only after every answer given here has reached the server.
    flush(8).then(function () {
      return api("POST", "/api/v1/attempts/" + state.attempt.attempt_id + "/submit", timeUp ? { reason: "time_up" } : undefined);
    }).then(function (data) {
      state.finishing = false;
      if (data._status === 200) {
        state.closed = true;
        if (state.integrity) state.integrity.stop();
        state.store.clear();
        window.location.assign(resultUrl());
      } else if (data._status === 409 && data.error === "time_left") {
        var before = state.deadline;
        syncClock(data);
        lock(false);
        $("exam-error").classList.add("d-none");
        // A deadline that moved is an extension; the same one means this clock ran a little
        // ahead of the server's: the countdown goes on quietly.
        if (state.deadline - before > 5000) notice($("time-warning"), TEXT.time_extended, "alert-info");
        tick();
      } else {
        showError(data.message || TEXT.closed, true);
      }
    }, function () {
      state.finishing = false;
      showSaveState();
      setTimeout(function () { finish(timeUp); }, 3000);
    });
  }
  function closeExam(message) {
    if (state.closed) return;
    state.closed = true;
    clearTimeout(state.timer);
    if (state.integrity) state.integrity.stop();
    document.querySelectorAll("#items input, #items textarea").forEach(function (i) { i.disabled = true; });
    $("submit-button").disabled = true;
    document.querySelectorAll(".flag-button").forEach(function (b) { b.disabled = true; });
    $("time-warning").classList.add("d-none");
    $("countdown").textContent = "--:--:--";
    showError(message, true);
    $("exam-error").scrollIntoView({ block: "center", behavior: "instant" });
  }
  // ---- integrity: what the server says about focus losses -----------------------------
  function showFocus(losses, limit) {
    var box = $("focus-warning");
    if (!losses) { box.classList.add("d-none"); return; }
    var last = limit && losses >= limit - 1;
    if (String(losses) === box.dataset.losses) return;  // nothing new: leave it closed
    notice(box, fmt(last ? TEXT.focus_last : TEXT.focus_count, { n: losses }), last ? "alert-danger" : "alert-warning");
    box.dataset.losses = losses;
  }
  function onEvents(data) {
    if (data.handed_in) {
      closeExam(fmt(TEXT.focus_handed_in, { n: data.focus_losses }));
      $("focus-warning").classList.add("d-none");
      state.store.clear();
      return;
    }
    showFocus(data.focus_losses, data.limit);
  }

  // ---- start -----------------------------------------------------------------------
  function restoreLocal() {
    var saved = state.store.journal();
    state.seq = Math.max(state.seq, saved.seq);
    // Answers this browser gave that the server had not acknowledged: shown, and sent again.
    Object.keys(saved.journal).forEach(function (id) {
      if (state.order.indexOf(id) < 0) return;
      state.journal[id] = saved.journal[id];
      state.answers[id] = saved.journal[id].r;
    });
    state.store.flags().forEach(function (id) { if (state.order.indexOf(String(id)) >= 0) state.flags[id] = true; });
  }
  function load(data) {
    state.attempt = data;
    state.store = ExamStore.forAttempt(data.attempt_id);
    state.seq = data.seq || 0;
    state.answers = data.answers || {};
    state.order = data.items.map(function (item) { return String(item.id); });
    restoreLocal();
    syncClock(data);
    render(data);
    $("exam-loading").classList.add("d-none");
    $("exam-main").classList.remove("d-none");
    sheet.setSingle(ExamStore.singleMode());
    showSaveState();
    showFocus(data.focus_losses, data.focus_loss_limit);
    $("submit-button").disabled = false;
    $("submit-button").addEventListener("click", sheet.askSubmit);
    $("confirm-submit-button").addEventListener("click", function () {
      bootstrap.Modal.getOrCreateInstance($("confirm-submit")).hide();
      finish(false);
    });
    $("single-mode").addEventListener("change", function (e) { ExamStore.saveSingleMode(e.target.checked); sheet.setSingle(e.target.checked); });
    $("prev-button").addEventListener("click", function () { sheet.step(-1); });
    $("next-button").addEventListener("click", function () { sheet.step(1); });
    if (document.fullscreenEnabled) {
      $("fullscreen-button").classList.remove("d-none");
      $("fullscreen-button").addEventListener("click", function () {
        if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen().catch(function () {});
      });
    }
    window.addEventListener("online", function () { showSaveState(); scheduleSave(0); });
    window.addEventListener("offline", showSaveState);
    window.addEventListener("beforeunload", function (e) {
      if (unsent() && !state.closed) { save(); e.preventDefault(); e.returnValue = ""; }
    });
    // Answers go before the events: a focus loss that reaches the limit hands the attempt in,
    // and an answer clicked just before it must be on the paper handed in.
    var answersFirst = function () { return flush(2).catch(function () { /* offline: events wait too */ }); };
    state.integrity = ExamIntegrity.start({ attemptId: data.attempt_id, store: state.store, api: api, beforeSend: answersFirst, onResult: onEvents, onClosed: function () { closeExam(TEXT.closed); } });
    state.store.onOtherPage(function () { notice($("focus-warning"), TEXT.other_page, "alert-warning"); });
    if (unsent()) scheduleSave(0);
    tick();
    setTimeout(poll, timeLeft() < 300000 ? LAST_MINUTES_POLL_MS : POLL_MS);
  }
  function begin() {
    var rules = $("rules-screen");
    if (rules) rules.classList.add("d-none");
    $("exam-loading").classList.remove("d-none");
    api("POST", root.dataset.startUrl).then(function (data) {
      if (data._status !== 200) {
        $("exam-loading").classList.add("d-none");
        showError(data.message || TEXT.start_failed, data._status === 409 && root.dataset.existingAttempt);
        return;
      }
      load(data);
    }, function () {
      $("exam-loading").classList.add("d-none");
      if (rules) rules.classList.remove("d-none");
      showError(TEXT.load_failed);
    });
  }
  if (root.dataset.inProgress) {
    begin();  // resuming: the rules were accepted when the clock started
  } else {
    $("rules-agree").addEventListener("change", function (e) { $("start-button").disabled = !e.target.checked; });
    $("start-button").addEventListener("click", function () {
      $("start-button").disabled = true;
      $("exam-error").classList.add("d-none");
      begin();
    });
  }
})();

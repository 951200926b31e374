// The answer sheet of the exam page: a side card on wide screens, a bottom sheet on phones;
// answered, unanswered and flagged questions; flags (the candidate's own aid, kept in this
// browser); one question per screen; the hand-in dialog listing unanswered and flagged
// questions with links to each. exam.js owns the state and hands it in here.
window.ExamSheet = function (ctx) {
  "use strict";
  var state = ctx.state, TEXT = ctx.TEXT, $ = ctx.$, el = ctx.el, fmt = ctx.fmt;
  var isAnswered = ctx.isAnswered, numberOf = ctx.numberOf, unsent = ctx.unsent;

  function refresh() {
    var total = state.order.length, done = 0;
    state.order.forEach(function (id, i) {
      var answered = isAnswered(state.answers[id]);
      if (answered) done++;
      var dot = $("nav-" + id);
      dot.classList.toggle("answered", answered);
      dot.classList.toggle("flagged", !!state.flags[id]);
      dot.classList.toggle("current", state.single && i === state.current);
      var button = $("item-" + id).querySelector(".flag-button");
      button.setAttribute("aria-pressed", state.flags[id] ? "true" : "false");
      button.textContent = state.flags[id] ? TEXT.unflag : TEXT.flag;
      button.classList.toggle("btn-warning", !!state.flags[id]);
      button.classList.toggle("btn-outline-warning", !state.flags[id]);
    });
    document.querySelectorAll(".answered-count").forEach(function (span) { span.textContent = done + " / " + total; });
    return total - done;
  }
  function toggleFlag(itemId) {
    if (state.flags[itemId]) delete state.flags[itemId]; else state.flags[itemId] = true;
    state.store.saveFlags(Object.keys(state.flags));
    refresh();
  }
  function goTo(itemId) {
    var index = state.order.indexOf(String(itemId));
    if (index < 0) return;
    state.current = index;
    var sheet = bootstrap.Offcanvas.getInstance($("nav-sheet"));
    if (sheet && $("nav-sheet").classList.contains("show")) sheet.hide();
    showCurrent();
    var card = $("item-" + itemId);
    card.scrollIntoView({ block: "start", behavior: "instant" });
    card.focus({ preventScroll: true });
  }
  function setSingle(on) {
    state.single = on;
    $("single-mode").checked = on;
    $("exam").classList.toggle("single-mode", on);
    $("pager").classList.toggle("d-none", !on);
    $("pager").classList.toggle("d-flex", on);
    showCurrent();
  }
  function showCurrent() {
    state.order.forEach(function (id, i) {
      $("item-" + id).classList.toggle("d-none", state.single && i !== state.current);
    });
    $("pager-position").textContent = fmt(TEXT.position, { n: state.current + 1, total: state.order.length });
    $("prev-button").disabled = state.current === 0;
    $("next-button").disabled = state.current === state.order.length - 1;
    refresh();
  }
  function step(delta) {
    var next = Math.min(state.order.length - 1, Math.max(0, state.current + delta));
    goTo(state.order[next]);
    window.scrollTo({ top: 0, behavior: "instant" });
  }

  function jumpButton(itemId, style) {
    var b = el("button", { type: "button", class: "btn btn-sm jump-link " + style, "data-item-id": itemId }, fmt(TEXT.question, { n: numberOf(itemId) }));
    b.addEventListener("click", function () {
      var modal = $("confirm-submit");
      modal.addEventListener("hidden.bs.modal", function () { goTo(itemId); }, { once: true });
      bootstrap.Modal.getOrCreateInstance(modal).hide();
    });
    return b;
  }
  function fillJumps(listId, blockId, ids, style) {
    var list = $(listId);
    list.textContent = "";
    ids.forEach(function (id) { list.appendChild(jumpButton(id, style)); });
    $(blockId).classList.toggle("d-none", !ids.length);
  }
  function askSubmit() {
    var missing = refresh(), total = state.order.length;
    var unanswered = state.order.filter(function (id) { return !isAnswered(state.answers[id]); });
    var flagged = state.order.filter(function (id) { return state.flags[id]; });
    var text = missing ? fmt(TEXT.unanswered, { n: missing, total: total }) : fmt(TEXT.all_answered, { total: total });
    if (flagged.length) text += fmt(TEXT.flagged_count, { n: flagged.length });
    $("confirm-text").textContent = text;
    fillJumps("unanswered-list", "unanswered-block", unanswered, "btn-outline-secondary");
    fillJumps("flagged-list", "flagged-block", flagged, "btn-outline-warning");
    var n = unsent();
    $("confirm-unsent").textContent = n ? fmt(TEXT.unsent_at_hand_in, { n: n }) : "";
    $("confirm-unsent").classList.toggle("d-none", !n);
    bootstrap.Modal.getOrCreateInstance($("confirm-submit")).show();
  }


  return { refresh: refresh, toggleFlag: toggleFlag, goTo: goTo, setSingle: setSingle, step: step, askSubmit: askSubmit };
};

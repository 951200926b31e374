// What the exam page keeps in localStorage for one attempt: the journal of answers the
// server has not acknowledged yet (each with the seq it was given when typed), the
// candidate's own flags, and integrity events not yet reported. A reload, a crash or an
// evening offline loses none of it; the page sends it when it can.
window.ExamStore = (function () {
  "use strict";
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function remove(key) {
    try { localStorage.removeItem(key); } catch (e) { /* storage off */ }
  }
  function forAttempt(attemptId) {
    var base = "examsvc.attempt." + attemptId;
    return {
      // {seq: the highest seq this browser gave, journal: {itemId: {r: response, seq: n}}}
      journal: function () {
        var raw = read(base) || {};
        var journal = raw.journal || {};
        // An older page kept {seq, pending: {itemId: response}}: same meaning, one seq.
        Object.keys(raw.pending || {}).forEach(function (id) {
          if (!journal[id]) journal[id] = { r: raw.pending[id], seq: raw.seq || 0 };
        });
        return { seq: raw.seq || 0, journal: journal };
      },
      saveJournal: function (seq, journal) { return write(base, { seq: seq, journal: journal }); },
      flags: function () { return read(base + ".flags") || []; },
      saveFlags: function (ids) { write(base + ".flags", ids); },
      events: function () { return read(base + ".events") || []; },
      saveEvents: function (events) { write(base + ".events", events); },
      clear: function () {
        remove(base); remove(base + ".flags"); remove(base + ".events");
      }
    };
  }
  // One question per screen: the candidate's choice, else on for phones.
  function singleMode() {
    var chosen = read("examsvc.single-mode");
    if (chosen === true || chosen === false) return chosen;
    return window.matchMedia("(max-width: 576px)").matches;
  }
  function saveSingleMode(on) { write("examsvc.single-mode", !!on); }
  return { forAttempt: forAttempt, singleMode: singleMode, saveSingleMode: saveSingleMode };
})();

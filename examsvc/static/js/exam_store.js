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
      // Another tab of this attempt writes the same key: merge per item (the higher seq
      // stays), and drop only what this page has just seen acknowledged (``acked`` ids).
      saveJournal: function (seq, journal, acked) {
        var stored = read(base) || {}, merged = {};
        var theirs = stored.journal || {}, gone = {};
        (acked || []).forEach(function (id) { gone[id] = true; });
        Object.keys(theirs).forEach(function (id) { if (!gone[id]) merged[id] = theirs[id]; });
        Object.keys(journal).forEach(function (id) {
          if (!merged[id] || merged[id].seq <= journal[id].seq) merged[id] = journal[id];
        });
        return write(base, { seq: Math.max(seq, stored.seq || 0), journal: merged });
      },
      // Calls ``callback`` once when another tab or window opens or answers this attempt.
      onOtherPage: function (callback) {
        var told = false;
        window.addEventListener("storage", function (e) {
          if (told || (e.key !== base && e.key !== base + ".page")) return;
          told = true;
          callback();
        });
        write(base + ".page", Date.now() + "-" + Math.random());
      },
      flags: function () { return read(base + ".flags") || []; },
      saveFlags: function (ids) { write(base + ".flags", ids); },
      events: function () { return read(base + ".events") || []; },
      saveEvents: function (events) { write(base + ".events", events); },
      clear: function () {
        remove(base); remove(base + ".flags"); remove(base + ".events"); remove(base + ".page");
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

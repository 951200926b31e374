// Integrity events: the exam page tells the server, in batches, when it loses focus, leaves
// full screen, sees a copy or a paste, goes offline or comes back. Nothing is blocked; the
// events are evidence for the invigilators, and the server alone applies a sitting's
// focus-loss limit. Events wait in localStorage until the server has them.
window.ExamIntegrity = (function () {
  "use strict";
  var MAX_BATCH = 100;  // the server takes at most 100 a call
  var MAX_QUEUE = 1000;

  function start(options) {
    var store = options.store;
    var url = "/api/v1/attempts/" + options.attemptId + "/events";
    var queue = store.events();
    var inflight = false, timer = null, due = 0, away = false, leaving = false, stopped = false;
    var wasFullscreen = !!document.fullscreenElement;

    function add(type) {
      if (stopped || leaving) return;
      queue.push({ type: type, at: new Date().toISOString() });
      if (queue.length > MAX_QUEUE) queue.splice(0, queue.length - MAX_QUEUE);
      store.saveEvents(queue);
      schedule(type === "blur" || type === "focus" ? 300 : 2000);
    }
    // Batch: wait a little for more events, but never put off one already due sooner.
    function schedule(delay) {
      var when = Date.now() + delay;
      if (timer && due <= when) return;
      clearTimeout(timer);
      due = when;
      timer = setTimeout(function () { timer = null; flush(); }, delay);
    }
    function flush() {
      if (stopped || inflight || !queue.length) return;
      inflight = true;
      var ready = options.beforeSend ? options.beforeSend() : Promise.resolve();
      ready.then(function () {
        if (stopped) return { _status: 0 };
        var batch = queue.slice(0, MAX_BATCH);
        return options.api("POST", url, { events: batch }).then(function (data) { data._batch = batch; return data; });
      }).then(function (data) {
        var batch = data._batch || [];
        if (stopped) { inflight = false; return; }
        inflight = false;
        if (data._status === 200) {
          queue.splice(0, batch.length);
          store.saveEvents(queue);
          options.onResult(data);
          if (queue.length) schedule(1000);
        } else if (data._status === 409) {
          stop();
          options.onClosed();
        } else if ((data._status === 400 && data.error !== "csrf_failed") || data._status === 413) {
          queue.splice(0, batch.length);  // the server will never take these: do not loop
          store.saveEvents(queue);
        } else {
          schedule(5000);  // rate-limited, signed out or a server error: later
        }
      }, function () { inflight = false; schedule(5000); });
    }
    function lost() { if (!away) { away = true; add("blur"); } }
    function back() { if (away) { away = false; add("focus"); } }
    function stop() {
      stopped = true;
      clearTimeout(timer);
      queue = [];
      store.saveEvents(queue);
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") lost(); else back();
    });
    window.addEventListener("blur", lost);
    window.addEventListener("focus", back);
    // Leaving the page (reload, hand-in, closing the tab) is no focus loss.
    window.addEventListener("pagehide", function () { leaving = true; });
    window.addEventListener("pageshow", function () { leaving = false; });
    document.addEventListener("fullscreenchange", function () {
      if (document.fullscreenElement) { wasFullscreen = true; return; }
      if (wasFullscreen) { wasFullscreen = false; add("fullscreen_exit"); }
    });
    document.addEventListener("copy", function () { add("copy"); });
    document.addEventListener("paste", function () { add("paste"); });
    window.addEventListener("offline", function () { add("offline"); });
    window.addEventListener("online", function () { add("online"); schedule(0); });
    if (queue.length) schedule(0);
    return { stop: stop, flush: flush };
  }
  return { start: start };
})();

// The question form: shows the fields of the chosen type and looks up similar questions.
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  if (!form) return;
  var TEXT = JSON.parse(document.getElementById("form-text").textContent);
  var typeSelect = form.querySelector("#type");
  var TYPES = ["single", "multiple", "judge", "fill", "short"];

  function showType() {
    var chosen = typeSelect.value;
    TYPES.forEach(function (t) {
      document.querySelectorAll(".type-" + t).forEach(function (el) {
        var show = el.className.split(/\s+/).some(function (c) { return c === "type-" + chosen; });
        el.classList.toggle("d-none", !show);
        if (el.tagName === "INPUT") el.disabled = !show;
      });
    });
  }

  var timer = null;
  function lookSimilar() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var stem = form.querySelector("#stem").value;
      if (stem.trim().length < 6) return;
      var options = Array.prototype.map.call(form.querySelectorAll(".option-input"), function (i) { return i.value; })
        .filter(function (v) { return v.trim(); });
      fetch(form.dataset.similarUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": form.querySelector("[name=csrf_token]").value },
        body: JSON.stringify({ stem: stem, options: options, exclude: parseInt(form.dataset.exclude, 10) || null })
      }).then(function (r) { return r.json(); }).then(function (data) { showSimilar(data.similar || []); });
    }, 500);
  }

  function showSimilar(items) {
    var list = document.getElementById("similar-list");
    list.textContent = "";
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "list-group-item text-body-secondary small";
      none.textContent = TEXT.none;
      list.appendChild(none);
      return;
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "list-group-item small similar-item";
      var score = document.createElement("span");
      score.className = "badge text-bg-warning me-1";
      score.textContent = TEXT.similarity + " " + Math.round(item.score * 100) + "%";
      li.appendChild(score);
      var status = document.createElement("span");
      status.className = "badge text-bg-light border me-1";
      status.textContent = TEXT.status[item.status] || item.status;
      li.appendChild(status);
      if (item.stem === undefined) {
        // Somebody else's question (or the bank's revision of one's own): never its text.
        li.appendChild(document.createTextNode((item.own ? "#" + item.id + " (" + TEXT.own + ") " : "") + TEXT.hidden));
      } else {
        li.appendChild(document.createTextNode("#" + item.id + (item.own ? " (" + TEXT.own + ") " : " ") + item.stem));
      }
      list.appendChild(li);
    });
  }

  typeSelect.addEventListener("change", showType);
  form.addEventListener("input", function (e) {
    if (e.target.id === "stem" || e.target.classList.contains("option-input")) lookSimilar();
  });
  showType();
  lookSimilar();
})();

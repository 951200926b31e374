// The blueprint editor: live totals, and per row how many approved items fit it and the
// lowest exposure the bank allows, checked against the server as the admin types.
(function () {
  "use strict";
  var form = document.getElementById("blueprint-form");
  if (!form) return;
  var TEXT = JSON.parse(document.getElementById("bp-text").textContent);
  var csrf = form.querySelector("[name=csrf_token]").value;
  var timer = null;

  function fmt(s, vars) { return s.replace(/\{(\w+)\}/g, function (_, k) { return vars[k]; }); }
  function used(row) { return (parseInt(row.querySelector(".bp-count").value, 10) || 0) > 0; }

  function totals() {
    var items = 0, points = 0;
    form.querySelectorAll(".bp-row").forEach(function (row) {
      var c = parseInt(row.querySelector(".bp-count").value, 10) || 0;
      var p = parseFloat(row.querySelector(".bp-points").value) || 0;
      if (c > 0 && p > 0) { items += c; points += c * p; }
    });
    document.getElementById("bp-total-items").textContent = items;
    document.getElementById("bp-total-points").textContent = Math.round(points * 10) / 10;
  }

  function check() {
    var rows = Array.prototype.filter.call(form.querySelectorAll(".bp-row"), used);
    if (!rows.length) return;
    var body = {
      exam_kind: form.querySelector("#exam_kind").value,
      level: form.querySelector("#level").value,
      exposure_cap: form.querySelector("#exposure_cap").value,
      rows: rows.map(function (row) {
        return {
          area: row.querySelector(".bp-area").value, type: row.querySelector(".bp-type").value,
          count: row.querySelector(".bp-count").value, min: row.querySelector(".bp-min").value,
          max: row.querySelector(".bp-max").value
        };
      })
    };
    fetch(form.dataset.checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); }).then(function (data) {
      (data.rows || []).forEach(function (result, i) {
        var cell = rows[i].querySelector(".bp-check");
        var text = fmt(TEXT.available, { n: result.available });
        if (!result.enough) text += " · " + fmt(TEXT.short, { n: result.needed - result.available });
        else text += " · " + fmt(TEXT.cap, { p: Math.round(result.lowest_cap * 1000) / 10 });
        cell.textContent = text;
        cell.className = "small bp-check text-nowrap " + (result.enough && result.cap_ok ? "text-success" : "text-danger");
      });
    });
  }

  // The share of a correct subset matters only under the fixed_partial rule.
  var rule = form.querySelector("#multiple_rule");
  var share = document.getElementById("partial-share-group");
  function showShare() { share.hidden = rule.value !== "fixed_partial"; }
  rule.addEventListener("change", showShare);
  showShare();

  form.addEventListener("input", function () { totals(); clearTimeout(timer); timer = setTimeout(check, 400); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(check, 100); });
  totals();
  check();
})();

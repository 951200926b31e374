// Live totals of the blueprint editor.
(function () {
  "use strict";
  var form = document.getElementById("blueprint-form");
  if (!form) return;
  function update() {
    var items = 0, points = 0;
    form.querySelectorAll(".bp-row").forEach(function (row) {
      var c = parseInt(row.querySelector(".bp-count").value, 10) || 0;
      var p = parseFloat(row.querySelector(".bp-points").value) || 0;
      if (c > 0 && p > 0) { items += c; points += c * p; }
    });
    document.getElementById("bp-total-items").textContent = items;
    document.getElementById("bp-total-points").textContent = Math.round(points * 10) / 10;
  }
  form.addEventListener("input", update);
  update();
})();

// Marking an answer: the running total of the criteria, capped at the item's points as the
// server caps it, so the examiner sees what they are about to give.
(function () {
  "use strict";
  var total = document.getElementById("mark-total");
  if (!total) return;
  var inputs = document.querySelectorAll(".mark-criterion");
  var points = parseFloat(total.dataset.points);

  function show() {
    var sum = 0;
    inputs.forEach(function (input) {
      var value = parseFloat(input.value.replace(/[，,]/, "."));
      var most = parseFloat(input.dataset.most);
      var bad = input.value.trim() !== "" && !(value >= 0 && value <= most);
      input.classList.toggle("is-invalid", bad);
      if (value >= 0 && value <= most) sum += value;
    });
    sum = Math.min(Math.round(sum * 100) / 100, points);
    total.textContent = total.dataset.text.replace("{sum}", sum).replace("{points}", points);
    total.hidden = false;
  }

  inputs.forEach(function (input) { input.addEventListener("input", show); });
  show();
})();

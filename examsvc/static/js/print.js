// The print button of a paper preview (inline handlers are blocked by the page's CSP).
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) button.addEventListener("click", function () { window.print(); });
})();

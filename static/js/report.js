// The annual report page: a Print button (hidden without JavaScript; the browser's own print works too).
(function () {
  function setUp(root) {
    var button = root.querySelector ? root.querySelector("#report-print") : null;
    if (!button || button.dataset.ready) return;
    button.dataset.ready = "1";
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  if (window.htmx) window.htmx.onLoad(setUp);
})();

/* The activity pages' small helpers, on load and on every htmx swap (htmx.onLoad):
 * - [data-print] buttons print the page (hidden until this script runs: without it, the browser's own
 *   print command does the same);
 * - [data-add-form="<prefix>"] buttons add an empty row to a Django formset from <template id="<prefix>-template">
 *   (hidden until this script runs: without it, the form always offers one empty row). */
(function () {
  "use strict";

  function setUpPrint(button) {
    if (button.dataset.ready) return;
    button.dataset.ready = "1";
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function setUpAddRow(button) {
    if (button.dataset.ready) return;
    var prefix = button.dataset.addForm;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-template");
    var rows = document.getElementById(prefix + "-rows");
    if (!total || !template || !rows) return;
    button.dataset.ready = "1";
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  }

  function setUp(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-print]").forEach(setUpPrint);
    root.querySelectorAll("[data-add-form]").forEach(setUpAddRow);
  }

  function start() {
    setUp(document);
    if (window.htmx) window.htmx.onLoad(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

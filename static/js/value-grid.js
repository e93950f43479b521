/* Keyboard navigation of the bulk entry grid (table[data-value-grid] of text inputs), spreadsheet-like:
 * arrow keys move between cells (left and right only at the start or end of the text), Enter moves
 * down and Shift+Enter up (Enter never submits the form), Tab moves right as it always does. A cell's
 * text is selected when the cell is entered, so typing replaces it. Hooked on htmx.onLoad, so the grid
 * works again after a save re-renders it. */
(function () {
  "use strict";

  function cellInputs(table) {
    return Array.prototype.map.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (row) {
      return Array.prototype.slice.call(row.querySelectorAll("input"));
    });
  }

  function position(rows, input) {
    for (var r = 0; r < rows.length; r++) {
      var c = rows[r].indexOf(input);
      if (c !== -1) return [r, c];
    }
    return null;
  }

  function move(rows, at, dr, dc) {
    var r = at[0] + dr, c = at[1] + dc;
    if (r < 0 || r >= rows.length) return null;
    if (c < 0 || c >= rows[r].length) return null;
    return rows[r][c];
  }

  function onKeydown(event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    var table = input.closest("table[data-value-grid]");
    if (!table || event.altKey || event.ctrlKey || event.metaKey) return;
    var rows = cellInputs(table);
    var at = position(rows, input);
    if (!at) return;
    var start = input.selectionStart, end = input.selectionEnd, length = input.value.length;
    var whole = start === 0 && end === length;
    var next = null;
    switch (event.key) {
      case "ArrowUp": next = move(rows, at, -1, 0); break;
      case "ArrowDown": next = move(rows, at, 1, 0); break;
      case "ArrowLeft": if (whole || (start === 0 && end === 0)) next = move(rows, at, 0, -1); break;
      case "ArrowRight": if (whole || (start === length && end === length)) next = move(rows, at, 0, 1); break;
      case "Enter":
        event.preventDefault(); // Enter moves, it never submits half a grid
        next = move(rows, at, event.shiftKey ? -1 : 1, 0);
        break;
      default: return;
    }
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  function onFocus(event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.closest("table[data-value-grid]")) {
      input.select();
    }
  }

  function attach(root) {
    if (!root || !root.querySelectorAll) return;
    var tables = root.matches && root.matches("table[data-value-grid]") ? [root] : root.querySelectorAll("table[data-value-grid]");
    Array.prototype.forEach.call(tables, function (table) {
      if (table.dataset.keyboard) return;
      table.dataset.keyboard = "on";
      table.addEventListener("keydown", onKeydown);
      table.addEventListener("focusin", onFocus);
    });
  }

  function start() {
    attach(document);
    if (window.htmx) window.htmx.onLoad(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

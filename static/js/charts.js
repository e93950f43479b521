/* Draw every plotly figure on the page: a <script type="application/json" id="chart-..."> block
 * (written by Django's json_script) inside a <figure>, drawn into the figure's .chart-canvas.
 * Runs on load and on every htmx swap (htmx.onLoad), so charts inside fragments are drawn too. */
(function () {
  "use strict";

  // plotly.js adds its CSS rules through <style> elements it appends to <head>. The chart pages allow
  // styles carrying this page's nonce (never 'unsafe-inline'), so such an element gets the nonce of
  // this script before it is inserted; the browser then lets plotly fill it with insertRule().
  var nonce = (document.currentScript && document.currentScript.nonce) || "";
  var head = document.head;
  if (nonce && !head.dataset.chartNonce) {
    head.dataset.chartNonce = "on";
    var append = head.appendChild;
    head.appendChild = function (child) {
      if (child instanceof HTMLStyleElement && !child.nonce && /^plotly\.js-style-/.test(child.id || "")) {
        child.nonce = nonce;
      }
      return append.call(head, child);
    };
  }

  // The figures under root, each with its JSON block. htmx removes every <script> from the fragments it
  // swaps in (allowScriptTags: false), so a figure inside a fragment wraps its block in
  // <template data-chart>, whose inert content htmx leaves alone.
  function charts(root) {
    var found = [];
    root.querySelectorAll('figure script[type="application/json"][id^="chart-"]').forEach(function (block) {
      found.push({ figure: block.closest("figure"), block: block, anchor: block });
    });
    root.querySelectorAll("figure template[data-chart]").forEach(function (holder) {
      var block = holder.content.querySelector('script[type="application/json"][id^="chart-"]');
      if (block) found.push({ figure: holder.closest("figure"), block: block, anchor: holder });
    });
    return found;
  }

  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    charts(root).forEach(function (chart) {
      var figure = chart.figure, block = chart.block;
      if (!figure || figure.dataset.drawn === block.id) return;
      var canvas = figure.querySelector(".chart-canvas");
      if (!canvas) {
        canvas = document.createElement("div");
        canvas.className = "chart-canvas";
        canvas.setAttribute("aria-hidden", "true");
        figure.insertBefore(canvas, chart.anchor);
      }
      var spec;
      try {
        spec = JSON.parse(block.textContent);
      } catch (error) {
        return; // a broken block leaves the data table to speak for itself
      }
      var config = Object.assign({ displaylogo: false, responsive: true }, spec.config || {});
      figure.dataset.drawn = block.id;
      window.Plotly.newPlot(canvas, spec.data || [], spec.layout || {}, config);
    });
  }

  var started = false;
  function start() {
    if (started || !window.Plotly) return;
    started = true;
    draw(document);
    if (window.htmx) window.htmx.onLoad(draw);
  }

  // This script comes before plotly.js (both deferred) so that the hook above is in place when plotly
  // adds its first rules; the drawing waits until plotly.js has run.
  start();
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
})();

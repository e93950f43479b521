/* Draw every plotly figure on the page: a <script type="application/json" id="chart-..."> block
 * (written by Django's json_script) inside a <figure>, drawn into the figure's .chart-canvas; or a
 * .chart-canvas inside a <figure> carrying its figure in a data-figure attribute (htmx drops <script>
 * blocks from swapped content, so fragments that bring charts use the attribute).
 * Runs on load and on every htmx swap (htmx.onLoad), so charts inside fragments are drawn too.
 * A figure whose layout fixes its height keeps that height when the window is resized (plotly's own
 * responsive mode would shrink it to the canvas's CSS height); only its width follows the page. */
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

  var fixedHeight = [];
  var resizeTimer = null;

  function plot(canvas, spec) {
    var config = Object.assign({ displaylogo: false, responsive: true }, spec.config || {});
    var layout = spec.layout || {};
    if (layout.height) {
      config.responsive = false;
      fixedHeight.push(canvas);
    }
    window.Plotly.newPlot(canvas, spec.data || [], layout, config);
  }

  function refit() {
    fixedHeight = fixedHeight.filter(function (canvas) { return document.body.contains(canvas); });
    fixedHeight.forEach(function (canvas) {
      if (canvas.clientWidth && canvas._fullLayout && canvas._fullLayout.width !== canvas.clientWidth) {
        window.Plotly.relayout(canvas, { width: canvas.clientWidth });
      }
    });
  }

  window.addEventListener("resize", function () {
    if (resizeTimer) window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(refit, 150);
  });

  function drawAttributes(root) {
    var canvases = Array.prototype.slice.call(root.querySelectorAll("figure .chart-canvas[data-figure]"));
    if (root.matches && root.matches("figure .chart-canvas[data-figure]")) canvases.push(root);
    canvases.forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var spec;
      try {
        spec = JSON.parse(canvas.dataset.figure);
      } catch (error) {
        return; // the data table beside the chart still has the numbers
      }
      canvas.dataset.drawn = "yes";
      plot(canvas, spec);
    });
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
    drawAttributes(root);
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
      figure.dataset.drawn = block.id;
      plot(canvas, spec);
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

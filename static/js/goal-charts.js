/* Draw the charts of the goal page from their data-figure attribute (a plotly figure as JSON).
 * A JSON <script> block would not survive an htmx swap (htmx drops <script> elements when
 * allowScriptTags is off), and linking an indicator to the goal brings its chart in with htmx.
 * Uses the plotly.js that static/js/charts.js prepares (the nonce for plotly's <style> elements). */
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    var canvases = Array.prototype.slice.call(root.querySelectorAll("[data-figure]"));
    if (root.matches && root.matches("[data-figure]")) canvases.push(root);
    canvases.forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var spec;
      try {
        spec = JSON.parse(canvas.dataset.figure);
      } catch (error) {
        return; // the data table beside the chart still has the numbers
      }
      canvas.dataset.drawn = "yes";
      var config = Object.assign({ displaylogo: false, responsive: true }, spec.config || {});
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

  start();
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
})();

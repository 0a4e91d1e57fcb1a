/*
 * Charts (ECharts, served from static/vendor): every element with data-chart="<id>" is drawn from
 * the JSON in <script type="application/json" id="<id>"> (Django's json_script), so no inline
 * script is needed under the CSP. The JSON is {"option": <ECharts option>, "links": {...}} where
 * links maps a series index to a list of URLs by data index (or a single URL for the series): a
 * click on a bar, slice or point opens the list the figure summarises.
 */
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    // The height comes as data-height: a style attribute in the markup is refused by the CSP.
    el.style.height = (parseInt(el.dataset.height, 10) || 300) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });  // the SVG renderer writes style attributes the CSP refuses
    var option = spec.option || {};
    option.textStyle = option.textStyle || { fontFamily: "inherit" };
    option.animation = false;
    chart.setOption(option);
    var links = spec.links || {};
    chart.on("click", function (params) {
      var series = links[String(params.seriesIndex || 0)];
      var url = Array.isArray(series) ? series[params.dataIndex] : series;
      if (url) { window.location.href = url; }
    });
    if (Object.keys(links).length) { el.style.cursor = "pointer"; }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (!el.dataset.chartDrawn) { el.dataset.chartDrawn = "1"; draw(el); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();

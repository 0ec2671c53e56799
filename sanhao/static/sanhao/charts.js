// Line charts of a unit's cumulative actuals against the plan's expected pace.
// The page carries the numbers in a JSON block (no inline script: the CSP forbids it)
// and in the table below the charts; this file only draws them with ECharts.
(function () {
  "use strict";

  function number(text) {
    return text === null ? null : Number(text);
  }

  function draw(box, data, indicator) {
    const chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      title: { text: indicator.name, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, data: [data.actual, data.expected] },
      grid: { left: 8, right: 16, top: 36, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: data.months, boundaryGap: false },
      yAxis: { type: "value", scale: true },
      series: [
        { name: data.actual, type: "line", data: indicator.actual.map(number), connectNulls: false },
        {
          name: data.expected,
          type: "line",
          data: indicator.expected.map(number),
          lineStyle: { type: "dashed" },
          symbol: "none",
        },
      ],
    });
    return chart;
  }

  function start() {
    const host = document.querySelector("[data-chart-source]");
    if (!host || !window.echarts) return;
    const source = document.getElementById(host.dataset.chartSource);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const charts = data.indicators.map(function (indicator) {
      const box = document.createElement("div");
      box.className = "chart";
      host.appendChild(box);
      return draw(box, data, indicator);
    });
    host.dataset.drawn = String(charts.length);
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

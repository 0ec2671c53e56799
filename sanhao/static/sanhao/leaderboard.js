// The leaderboard's charts (擂台): a bar of each unit's completion against the expected
// pace, a line of each unit's place month by month, a radar of the four standards.
// The page carries the numbers in a JSON block (no inline script: the CSP forbids it)
// and in the tables beside the charts; this file only draws them with ECharts. On the
// big screen htmx swaps the live part every minute: the charts are drawn again.
(function () {
  "use strict";

  const PACE_COLOURS = { ahead: "#2e7d32", "slightly-behind": "#f9a825", behind: "#c62828" };
  const charts = [];

  function number(text) {
    return text === null || text === undefined ? null : Number(text);
  }

  function dark() {
    return document.documentElement.dataset.theme === "dark";
  }

  // The type grows with the box: small on a phone, large on a projector.
  function fontSize(box) {
    const big = document.body.classList.contains("screen");
    const width = box.clientWidth || window.innerWidth;
    return Math.round(Math.max(11, Math.min(big ? 24 : 15, width / (big ? 40 : 32))));
  }

  function percent(params) {
    return params.value === null || params.value === undefined ? "" : params.value.toFixed(1) + "%";
  }

  // The chart's title wraps inside the box on a phone; `top` is where the plot may start.
  function lines(box, title, s) {
    const perLine = Math.max(8, Math.floor((box.clientWidth || 360) / (s + 2)));
    return Math.ceil(title.length / perLine);
  }

  function base(box, s, title) {
    return {
      animation: false,
      backgroundColor: "transparent",
      textStyle: { fontSize: s },
      title: { text: title, left: 0, textStyle: { fontSize: s + 2, width: Math.max(200, (box.clientWidth || 360) - 8), overflow: "break" } },
      tooltip: { textStyle: { fontSize: s } },
    };
  }

  function pace(box, data, s) {
    const p = data.pace;
    box.style.height = Math.max(260, data.units.length * s * 2.3 + s * 8) + "px";
    const option = base(box, s, p.title);
    const top = (lines(box, p.title, s) + 1.5) * (s + 4);
    option.tooltip.trigger = "axis";
    option.tooltip.axisPointer = { type: "shadow" };
    option.grid = { left: 8, right: s * 4, top: top, bottom: 8, containLabel: true };
    option.xAxis = { type: "value", min: 0, axisLabel: { formatter: "{value}%", fontSize: s } };
    option.yAxis = { type: "category", inverse: true, data: data.units, axisLabel: { fontSize: s } };
    const series = {
      type: "bar",
      name: p.title,
      data: p.values.map(function (value, i) {
        return { value: number(value), itemStyle: { color: PACE_COLOURS[p.codes[i]] || "#90a4ae" } };
      }),
      label: { show: true, position: "right", formatter: percent, fontSize: s },
    };
    if (p.expected !== null) {
      series.markLine = {
        symbol: "none",
        lineStyle: { type: "dashed" },
        label: { formatter: p.expected_label + " " + p.expected + "%", fontSize: s, position: "start" },
        data: [{ xAxis: number(p.expected) }],
      };
    }
    option.series = [series];
    return option;
  }

  function lastMonth(series) {
    let last = 0;
    series.forEach(function (line) {
      line.values.forEach(function (value, i) {
        if (value !== null && i + 1 > last) last = i + 1;
      });
    });
    return last || 12;
  }

  function ranks(box, data, s) {
    const r = data.ranks;
    const months = lastMonth(r.series);
    box.style.height = Math.max(300, Math.min(720, r.count * s * 1.8 + s * 10)) + "px";
    const option = base(box, s, r.title);
    const top = (lines(box, r.title, s) + 1.5) * (s + 4);
    option.tooltip.trigger = "axis";
    option.legend = { type: "scroll", bottom: 0, textStyle: { fontSize: s } };
    // On a wide box each line ends with its unit's name: no need to match colours.
    const named = (box.clientWidth || 0) >= 700;
    option.grid = { left: 8, right: named ? s * 7 : s * 2, top: top, bottom: s * 3, containLabel: true };
    option.xAxis = { type: "category", data: data.months.slice(0, months), boundaryGap: false,
                     axisLabel: { fontSize: s } };
    option.yAxis = { type: "value", inverse: true, min: 1, max: Math.max(1, r.count),
                     minInterval: 1, interval: r.count <= 15 ? 1 : undefined,
                     axisLabel: { fontSize: s } };
    option.series = r.series.map(function (line) {
      return { name: line.name, type: "line", data: line.values.slice(0, months), connectNulls: false,
               symbolSize: Math.max(4, s / 2),
               endLabel: { show: named, formatter: "{a}", fontSize: Math.round(s * 0.8) } };
    });
    return option;
  }

  function radar(box, data, s) {
    const r = data.radar;
    box.style.height = Math.max(320, Math.min(640, box.clientWidth * 0.9)) + "px";
    const option = base(box, s, r.title);
    const selected = {};
    const chosen = r.selected || [];
    r.series.forEach(function (line) {
      selected[line.name] = chosen.length === 0 || chosen.indexOf(line.name) >= 0;
    });
    option.legend = { type: "scroll", bottom: 0, selected: selected, textStyle: { fontSize: s } };
    option.radar = {
      center: ["50%", "55%"],
      radius: "58%",
      indicator: r.names.map(function (name) { return { name: name, max: number(r.max) }; }),
      axisName: { fontSize: s },
    };
    option.series = [{
      type: "radar",
      data: r.series.map(function (line) { return { name: line.name, value: line.values.map(number) }; }),
    }];
    return option;
  }

  const DRAW = { pace: pace, ranks: ranks, radar: radar };

  function draw(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      const source = document.getElementById(box.dataset.source);
      const make = DRAW[box.dataset.chart];
      if (!source || !make) return;
      const data = JSON.parse(source.textContent);
      const old = window.echarts.getInstanceByDom(box);
      if (old) old.dispose();
      const s = fontSize(box);
      const option = make(box, data, s);
      const chart = window.echarts.init(box, dark() ? "dark" : null, { renderer: "canvas" });
      chart.setOption(option);
      charts.push(chart);
      box.dataset.drawn = "true";
    });
  }

  function start() {
    draw(document);
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { if (!chart.isDisposed()) chart.resize(); });
    });
    document.body.addEventListener("htmx:afterSettle", function (event) {
      for (let i = charts.length - 1; i >= 0; i--) {
        const gone = charts[i].isDisposed() || !charts[i].getDom().isConnected;
        if (gone) {
          if (!charts[i].isDisposed()) charts[i].dispose();
          charts.splice(i, 1);
        }
      }
      draw(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

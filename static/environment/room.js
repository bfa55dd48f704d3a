// The room's climate chart (uPlot, vendored): temperature and RH with the limits as bands,
// excursions shaded, and the daily fluctuation below. Data come from the room_data view:
// raw readings for short periods, daily roll-ups (min, mean, max) for long ones.
(function () {
  "use strict";
  var box = document.getElementById("room-chart");
  if (!box || typeof uPlot === "undefined") return;
  var fluctBox = document.getElementById("room-fluctuation");
  var note = document.getElementById("room-chart-note");
  var TZ = "Asia/Shanghai";
  var T_COLOR = "#b3261e", RH_COLOR = "#1f5fa8";

  function tzDate(ts) { return uPlot.tzDate(new Date(ts * 1e3), TZ); }
  function width(el) { return Math.max(280, el.clientWidth - 4); }

  function band(u, scale, lo, hi, color) {
    if (lo == null && hi == null) return;
    var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
    var y1 = hi == null ? top : u.valToPos(hi, scale, true);
    var y2 = lo == null ? top + h : u.valToPos(lo, scale, true);
    ctx.save();
    ctx.fillStyle = color;
    ctx.fillRect(u.bbox.left, Math.max(top, y1), u.bbox.width, Math.min(top + h, y2) - Math.max(top, y1));
    ctx.restore();
  }

  function shade(u, spans) {
    var ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = "rgba(179, 38, 30, 0.18)";
    spans.forEach(function (e) {
      var x1 = u.valToPos(e.start, "x", true), x2 = u.valToPos(e.end, "x", true);
      ctx.fillRect(x1, u.bbox.top, Math.max(2, x2 - x1), u.bbox.height);
    });
    ctx.restore();
  }

  function hline(u, scale, value, color) {
    if (value == null) return;
    var ctx = u.ctx, y = u.valToPos(value, scale, true);
    ctx.save();
    ctx.strokeStyle = color;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.restore();
  }

  function draw(data) {
    var limits = data.limits || {};
    var tl = limits.temperature_c || {}, rl = limits.rh || {};
    var d = box.dataset, x, series, values;
    if (data.mode === "raw") {
      x = data.raw.time;
      values = [x, data.raw.t, data.raw.rh];
      series = [{},
        { label: d.labelT, scale: "t", stroke: T_COLOR, width: 1.5 },
        { label: d.labelRh, scale: "rh", stroke: RH_COLOR, width: 1.5 }];
    } else {
      x = data.daily.time;
      values = [x, data.daily.t_mean, data.daily.t_min, data.daily.t_max,
        data.daily.rh_mean, data.daily.rh_min, data.daily.rh_max];
      series = [{},
        { label: d.labelMeanT, scale: "t", stroke: T_COLOR, width: 2 },
        { label: "min", scale: "t", stroke: T_COLOR, width: 1, dash: [3, 3] },
        { label: "max", scale: "t", stroke: T_COLOR, width: 1, dash: [3, 3] },
        { label: d.labelMeanRh, scale: "rh", stroke: RH_COLOR, width: 2 },
        { label: "min", scale: "rh", stroke: RH_COLOR, width: 1, dash: [3, 3] },
        { label: "max", scale: "rh", stroke: RH_COLOR, width: 1, dash: [3, 3] }];
    }
    if (!x.length) {
      note.textContent = box.dataset.empty || "—";
      return;
    }
    box.classList.add("has-data");
    var opts = {
      width: width(box), height: 320, tzDate: tzDate, series: series,
      scales: { x: { time: true, range: [data.start, data.end] } },
      axes: [{}, { scale: "t", label: "°C", stroke: T_COLOR },
        { scale: "rh", label: "%RH", side: 1, stroke: RH_COLOR, grid: { show: false } }],
      hooks: { drawClear: [function (u) {
        band(u, "t", tl.min, tl.max, "rgba(179, 38, 30, 0.07)");
        band(u, "rh", rl.min, rl.max, "rgba(31, 95, 168, 0.07)");
        shade(u, data.excursions || []);
      }] }
    };
    var chart = new uPlot(opts, values, box);
    note.textContent = (data.excursions || []).length + " × " + d.labelExcursion;

    var fx = data.daily.time, fchart = null;
    if (fluctBox && fx.length) {
      var bars = uPlot.paths.bars({ size: [0.6, 40] });
      fchart = new uPlot({
        width: width(fluctBox), height: 160, tzDate: tzDate,
        scales: { x: { time: true, range: [data.start, data.end] } },
        series: [{},
          { label: d.labelRange + " °C", scale: "t", stroke: T_COLOR, fill: "rgba(179, 38, 30, 0.35)", paths: bars },
          { label: d.labelRange + " %RH", scale: "rh", stroke: RH_COLOR, fill: "rgba(31, 95, 168, 0.25)", paths: bars }],
        axes: [{}, { scale: "t", stroke: T_COLOR }, { scale: "rh", side: 1, stroke: RH_COLOR, grid: { show: false } }],
        hooks: { draw: [function (u) { hline(u, "t", tl.daily, T_COLOR); hline(u, "rh", rl.daily, RH_COLOR); }] }
      }, [fx, data.daily.t_range, data.daily.rh_range], fluctBox);
    }
    window.addEventListener("resize", function () {
      chart.setSize({ width: width(box), height: 320 });
      if (fchart) fchart.setSize({ width: width(fluctBox), height: 160 });
    });
  }

  fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
    .then(draw)
    .catch(function (e) { note.textContent = "! " + e; });
})();

/* milex pages: draw the embedded plotly figures, switch variants (year, basis, target) from
   data embedded in the page, sort tables, download a chart's rows as CSV (a Blob, so it works
   from file://) or its image as PNG. No network: everything the page needs is in it. */
(function () {
  "use strict";
  var charts = {};

  function data(id) {
    if (!(id in charts)) {
      var node = document.getElementById(id + "-data");
      charts[id] = node ? JSON.parse(node.textContent) : null;
    }
    return charts[id];
  }

  function draw(id, key) {
    var chart = data(id), div = document.getElementById(id);
    if (!chart || !div || !window.Plotly) return;
    var variant = chart.variants[key];
    if (!variant || !variant.figure) return;
    var layout = Object.assign({}, variant.figure.layout || {}, {autosize: true});
    delete layout.width;
    var config = {responsive: true, displaylogo: false};
    if (div.classList.contains("js-plotly-plot")) {
      window.Plotly.react(div, variant.figure.data, layout, config);
    } else {
      window.Plotly.newPlot(div, variant.figure.data, layout, config);
    }
  }

  function show(id, key) {
    var chart = data(id);
    if (chart && chart.variants[key]) chart.current = key;
    document.querySelectorAll('[data-variant-of="' + id + '"]').forEach(function (node) {
      node.hidden = node.getAttribute("data-variant") !== key;
    });
    draw(id, key);
  }

  /* The rows as CSV, as the API's CSV writes them: a "# <citation>" line per source first. */
  function csv(rows, cites) {
    var head = (cites || []).map(function (c) {
      return "# " + c.split(/\s+/).filter(Boolean).join(" ") + "\r\n";
    }).join("");
    if (!rows.length) return head;
    var columns = Object.keys(rows[0]);
    function quote(value) {
      if (value === null || value === undefined) return "";
      var text = typeof value === "object" ? JSON.stringify(value) : String(value);
      return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }
    var lines = [columns.map(quote).join(",")];
    rows.forEach(function (row) {
      lines.push(columns.map(function (c) { return quote(row[c]); }).join(","));
    });
    return head + lines.join("\r\n") + "\r\n";
  }

  function downloadCsv(id) {
    var chart = data(id);
    if (!chart) return;
    var variant = chart.variants[chart.current];
    var blob = new Blob([csv(variant.rows, variant.cites)], {type: "text/csv;charset=utf-8"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = variant.file + ".csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function downloadPng(id) {
    var chart = data(id), div = document.getElementById(id);
    if (!chart || !window.Plotly) return;
    window.Plotly.downloadImage(div, {format: "png", filename: chart.variants[chart.current].file,
                                      width: 1200, height: 700});
  }

  function sortKey(row, column, numeric) {
    var cell = row.children[column];
    if (!cell || !cell.hasAttribute("data-sort")) return null;
    var value = cell.getAttribute("data-sort");
    return numeric ? parseFloat(value) : value.toLocaleLowerCase();
  }

  function sortTable(button) {
    var th = button.closest("th"), table = button.closest("table");
    var column = parseInt(button.getAttribute("data-column"), 10);
    var numeric = button.getAttribute("data-numeric") === "yes";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    table.querySelectorAll("tbody").forEach(function (body) {
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = sortKey(a, column, numeric), y = sortKey(b, column, numeric);
        if (x === null || (numeric && isNaN(x))) return (y === null || (numeric && isNaN(y))) ? 0 : 1;
        if (y === null || (numeric && isNaN(y))) return -1;  /* missing figures last */
        var order = numeric ? x - y : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    document.querySelectorAll("figure.chart .plot").forEach(function (div) {
      var chart = data(div.id);
      if (chart) draw(div.id, chart.current);
    });
    document.querySelectorAll("[data-controls]").forEach(function (control) {
      control.addEventListener("change", function () {
        control.getAttribute("data-controls").split(/\s+/).forEach(function (id) {
          show(id, control.value);
        });
      });
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.classList.contains("download-csv")) downloadCsv(button.getAttribute("data-chart"));
      else if (button.classList.contains("download-png")) downloadPng(button.getAttribute("data-chart"));
      else if (button.classList.contains("sort")) sortTable(button);
    });
    document.querySelectorAll("form[data-navigate]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        var option = form.querySelector("select").selectedOptions[0];
        if (option && option.getAttribute("data-href")) {
          event.preventDefault();
          window.location.href = option.getAttribute("data-href");
        }
      });
    });
  });
}());

// riskplatform pages: sortable tables and the pages' own refresh. A static file, no inline script
// (Content-Security-Policy); the pages work without it, this only adds sorting and refreshing.
"use strict";

(function () {
  function cellValue(row, index, type) {
    var cell = row.cells[index];
    if (!cell) {
      return type === "number" ? -Infinity : "";
    }
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (type === "number") {
      var number = parseFloat(raw);
      return isNaN(number) ? -Infinity : number; // unknown sorts last when descending
    }
    return raw.toLowerCase();
  }

  function sortTable(table, index, type, direction) {
    // Each tbody sorts on its own: a desk's head row stays on top of its accounts.
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var rows = Array.prototype.filter.call(body.rows, function (row) {
        return !row.classList.contains("group-head") && !row.classList.contains("total");
      });
      rows.sort(function (a, b) {
        var x = cellValue(a, index, type);
        var y = cellValue(b, index, type);
        if (x < y) return direction === "ascending" ? -1 : 1;
        if (x > y) return direction === "ascending" ? 1 : -1;
        return 0;
      });
      var totals = Array.prototype.filter.call(body.rows, function (row) {
        return row.classList.contains("total");
      });
      rows.concat(totals).forEach(function (row) {
        body.appendChild(row);
      });
    });
  }

  function applySort(table) {
    var key = table.getAttribute("data-sorted");
    if (!key) return;
    var parts = key.split(":");
    var header = table.tHead && table.tHead.rows[0].cells[parseInt(parts[0], 10)];
    if (!header) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", parts[1]);
    sortTable(table, parseInt(parts[0], 10), header.getAttribute("data-sort-type"), parts[1]);
  }

  function makeSortable(table, remembered) {
    if (!table.tHead) return;
    if (remembered) table.setAttribute("data-sorted", remembered);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.hasAttribute("data-sort-type")) return;
      th.setAttribute("tabindex", "0");
      function toggle() {
        var current = th.getAttribute("aria-sort");
        var next = current === "descending" ? "ascending" : "descending";
        table.setAttribute("data-sorted", index + ":" + next);
        applySort(table);
      }
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          toggle();
        }
      });
    });
    applySort(table);
  }

  function initSortable(root, remembered) {
    var tables = Array.prototype.slice.call(root.querySelectorAll("table.sortable"));
    if (root.matches && root.matches("table.sortable")) tables.push(root);
    tables.forEach(function (table) {
      makeSortable(table, remembered && remembered[table.id]);
    });
  }

  function busy() {
    // Never swap the page under someone who is typing a reason or a limit.
    var active = document.activeElement;
    if (active && active.closest && active.closest("form")) return true;
    return Array.prototype.some.call(document.querySelectorAll("textarea, input[type=text]"), function (f) {
      return f.value !== f.defaultValue;
    });
  }

  function refresh() {
    if (busy() || document.hidden) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "refresh" } })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          // Logged out or gone: let the browser show it rather than a stale page.
          if (response.redirected) window.location.reload();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var remembered = {};
        Array.prototype.forEach.call(document.querySelectorAll("table.sortable[id]"), function (t) {
          remembered[t.id] = t.getAttribute("data-sorted");
        });
        Array.prototype.forEach.call(document.querySelectorAll("[data-refresh-id]"), function (old) {
          var replacement = fresh.querySelector(
            '[data-refresh-id="' + old.getAttribute("data-refresh-id") + '"]'
          );
          if (replacement) {
            var node = document.importNode(replacement, true);
            old.parentNode.replaceChild(node, old);
            initSortable(node, remembered);
          }
        });
        var stamp = document.getElementById("refreshed-at");
        if (stamp) stamp.textContent = new Date().toLocaleTimeString();
      })
      .catch(function () {
        /* the next tick tries again */
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initSortable(document, null);
    var seconds = parseInt(document.body.getAttribute("data-refresh-seconds") || "0", 10);
    if (seconds > 0) window.setInterval(refresh, seconds * 1000);
  });
})();

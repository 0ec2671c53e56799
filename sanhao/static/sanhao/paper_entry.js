/* Keying a paper ballot from the keyboard (the page works without it).
   The serial field: Enter (a hand scanner sends one after the serial) goes to the first
   row instead of sending the form. In a row, the digit k chooses the row's k-th grade and
   goes to the next row; after the last row, the save button. Backspace goes back a row.
   The spoiled mark greys the grades out: a spoiled sheet keys none. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.getElementById("paper-entry");
    if (!form) { return; }
    var rows = form.querySelectorAll("tr[data-row]");
    var serial = document.getElementById("serial");
    var save = document.getElementById("save-entry");
    var spoiled = document.getElementById("spoiled");
    var grid = document.getElementById("paper-grid");

    function focusRow(i) {
      if (i < 0) { serial.focus(); return; }
      if (i >= rows.length) { save.focus(); return; }
      var target = rows[i].querySelector("input:checked") || rows[i].querySelector("input[type=radio]");
      if (target) { target.focus(); }
    }
    serial.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        if (spoiled.checked) { save.focus(); } else { focusRow(0); }
      }
    });
    Array.prototype.forEach.call(rows, function (row, i) {
      row.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey) { return; }
        if (/^[1-9]$/.test(event.key)) {
          var radios = row.querySelectorAll("input[type=radio]");
          var k = parseInt(event.key, 10) - 1;
          event.preventDefault();
          if (k < radios.length) {
            radios[k].checked = true;
            focusRow(i + 1);
          }
        } else if (event.key === "Backspace") {
          event.preventDefault();
          focusRow(i - 1);
        }
      });
    });
    function markSpoiled() {
      var radios = grid.querySelectorAll("input[type=radio]");
      for (var k = 0; k < radios.length; k++) { radios[k].disabled = spoiled.checked; }
      grid.classList.toggle("spoiled", spoiled.checked);
    }
    spoiled.addEventListener("change", markSpoiled);
    markSpoiled();
  });
})();

/* The voting pages' small helps, in ES5 so that old in-app browsers (WeChat's) run it.
   Without it the pages still work: the code is typed, the ballot posted as a form.
   1. A scanned slip opens /vote/<n>/#CODE: the code is taken from the fragment (which no
      server ever sees), the fragment is removed from the address and history, and the
      code form is sent.
      After "please wait N seconds" (many wrong codes tried from here), the page comes
      back with its ticket and the code: the form is sent again once the wait is over.
   2. On the ballot, the top grades given are counted per category as the voter chooses,
      and a ballot that gives too many is held back with the rule shown. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var codeForm = document.getElementById("code-form");
    var codeInput = document.getElementById("code");
    if (codeForm && codeInput && window.location.hash.length > 1) {
      var code = window.location.hash.substring(1).replace(/[^0-9A-Za-z]/g, "").toUpperCase();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname);
      }
      if (code.length === 10) {
        codeInput.value = code;
        if (!codeForm.querySelector(".error")) { codeForm.submit(); }
      }
    }

    var wait = codeForm ? parseInt(codeForm.getAttribute("data-wait") || "0", 10) : 0;
    if (wait > 0 && codeInput && codeInput.value) {
      window.setTimeout(function () { codeForm.submit(); }, wait * 1000 + 250);
    }

    var ballot = document.getElementById("ballot-form");
    if (!ballot) { return; }
    var rules = document.querySelectorAll("[data-rule]");
    var warning = document.getElementById("rule-warning");
    function over() {
      var problems = [];
      for (var r = 0; r < rules.length; r++) {
        var rule = rules[r];
        var category = rule.getAttribute("data-rule");
        var limit = parseInt(rule.getAttribute("data-limit"), 10);
        var top = rule.getAttribute("data-top");
        var count = 0;
        var sets = ballot.querySelectorAll('fieldset[data-category="' + category + '"]');
        for (var k = 0; k < sets.length; k++) {
          var chosen = sets[k].querySelector("input:checked");
          if (chosen && chosen.value === top) { count++; }
        }
        var out = rule.querySelector(".rule-count");
        if (out) { out.textContent = "（已选 " + count + "）"; }
        if (count > limit) {
          problems.push(rule.textContent.replace(/（已选.*）/, "").trim() + " 现已选 " + count + " 名，请减少。");
        }
      }
      warning.hidden = problems.length === 0;
      warning.textContent = problems.join(" ");
      return problems.length > 0;
    }
    ballot.addEventListener("change", over);
    ballot.addEventListener("submit", function (event) {
      if (over()) { event.preventDefault(); warning.scrollIntoView(); }
    });
    over();
  });
})();

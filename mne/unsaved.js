// Warns before typed values are lost (issue 15: "Leaving with unsaved changes warns").
//
// A page that guards its form draws a marker (pages/_ui.py `guard_unsaved`):
//   <span data-mne-unsaved-guard data-message="…" data-pending="0|1"></span>
// data-message is the question, in the user's language; data-pending="1" says the server holds
// checked values that are not saved yet. Values typed in the page's form and not yet sent live
// only in this browser, so the script notices them itself.
//
// While either is true, closing or reloading the tab asks the browser's own question
// (beforeunload), and following a link of the app's menu asks data-message first. Loaded on
// every page from this origin (the policy allows no inline script); does nothing without a
// marker.
(function () {
  "use strict";
  var typed = false;

  function marker() {
    return document.querySelector("[data-mne-unsaved-guard]");
  }

  function unsaved() {
    var guard = marker();
    if (!guard) {
      typed = false; // another page: what was typed on the guarded one is gone already
      return false;
    }
    return typed || guard.getAttribute("data-pending") === "1";
  }

  document.addEventListener(
    "input",
    function (event) {
      var target = event.target;
      if (marker() && target && target.closest && target.closest("[data-testid='stForm']")) {
        typed = true;
      }
    },
    true
  );

  // The form's own button sends the values: what happens next is the server's to say
  // (data-pending).
  document.addEventListener(
    "click",
    function (event) {
      var target = event.target;
      if (!target || !target.closest) return;
      if (target.closest("[data-testid='stForm'] [data-testid='stBaseButton-secondaryFormSubmit'], [data-testid='stForm'] [data-testid='stBaseButton-primaryFormSubmit']")) {
        typed = false;
        return;
      }
      var link = target.closest("a[href]");
      if (!link || !unsaved()) return;
      if (!window.confirm(marker().getAttribute("data-message"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      } else {
        typed = false;
      }
    },
    true
  );

  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

/* Bulk review, progressive enhancement only (every step works without this file).
 *
 * The queue: a "select every update on this page" box appears in the table's head.
 * A running bulk review: the progress bar fills from the job's JSON every second
 * instead of the page reloading (the <noscript> refresh); when done, the page reloads once.
 */
(function () {
  "use strict";

  function enhanceSelection(form) {
    var all = form.querySelector("[data-select-page]");
    if (!all) { return; }
    var boxes = form.querySelectorAll("input[type=checkbox][name=update]");
    all.hidden = false;
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes, function (b) { b.checked = all.checked; });
    });
  }

  function followProgress(box) {
    var url = box.getAttribute("data-bulk-progress");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-bulk-status]");
    if (!url || !window.fetch) { return; }
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          bar.max = p.total;
          bar.value = p.processed;
          bar.textContent = p.percent + "%";
          status.textContent = p.processed + " of " + p.total + " processed (" + p.done + " done, " + p.refused + " refused).";
          if (p.state === "done" || p.state === "failed") { window.location.reload(); } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-bulk-select]"), enhanceSelection);
    Array.prototype.forEach.call(document.querySelectorAll("[data-bulk-progress]"), followProgress);
  });
})();

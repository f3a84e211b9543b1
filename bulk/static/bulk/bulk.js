/* Bulk review, progressive enhancement only (every step works without this file).
 *
 * The queue: a "select every update on this page" box appears in the table's head.
 * A running bulk review (or import: import_jobs/job.html): the progress bar fills from the job's JSON every second
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
          // A job may say it in its own words (an import: rows, time left); else the bulk review's counts.
          // The pattern comes translated from the page (data-bulk-text); the English one is the fallback.
          var pattern = box.getAttribute("data-bulk-text") || "{processed} of {total} processed ({done} done, {refused} refused).";
          // The counts as the server groups them in the page's language ("1 234" in French): p.shown, not p's numbers.
          var shown = p.shown || {};
          var text = p.message || pattern.replace(/\{(\w+)\}/g, function (m, key) { return key in shown ? shown[key] : (key in p ? p[key] : m); });
          if (status.textContent !== text) { status.textContent = text; }
          if (p.state === "done" || p.state === "failed" || p.state === "stalled") { window.location.reload(); } else { setTimeout(poll, 1000); }
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

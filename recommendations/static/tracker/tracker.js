/* Progressive enhancement only: every page works without this file.
 *
 * Choosers: a text input with list="…" and data-chooser-url="…" gets its
 * <datalist> refilled from the server as the person types, so a list of
 * thousands of organizations never has to be sent with the page.
 */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function enhanceChooser(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-chooser-url");
    if (!list || !url || !window.fetch) { return; }
    /* The item typed beside it (data-chooser-item): the server then suggests what that item accepts. */
    var itemInput = document.getElementById(input.getAttribute("data-chooser-item") || "");
    var fixed = Array.prototype.map.call(list.options, function (o) { return { value: o.value, label: o.label }; });
    var refresh = debounce(function () {
      var q = input.value.trim();
      if (q.length < 2) { return; }
      var query = "?q=" + encodeURIComponent(q);
      if (itemInput && itemInput.value.trim()) { query += "&item=" + encodeURIComponent(itemInput.value.trim()); }
      fetch(url + query, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          var seen = {};
          list.textContent = "";
          data.results.forEach(function (r) {
            var option = document.createElement("option");
            option.value = r.label;
            option.label = r.kind_label || "";  /* the kind beside each suggestion: Country, Organization */
            seen[r.label] = true;
            list.appendChild(option);
          });
          fixed.forEach(function (known) {
            if (!seen[known.value] && known.value.toLowerCase().indexOf(q.toLowerCase()) !== -1) {
              var option = document.createElement("option");
              option.value = known.value;
              option.label = known.label;
              list.appendChild(option);
            }
          });
        })
        .catch(function () { /* keep the suggestions we have */ });
    }, 200);
    input.addEventListener("input", refresh);
  }

  /* Disable a submit button after the first click so a double click sends one
   * request (the server also refuses duplicates by their submission token). */
  function guardDoubleSubmit(form) {
    form.addEventListener("submit", function () {
      var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
      setTimeout(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; b.setAttribute("aria-disabled", "true"); });
      }, 0);
    });
  }

  /* The menu: open without JavaScript; with it, tracker.css has folded it behind the toggle button on small
   * screens since the first paint (head.js marks <html class="js">); the button opens and closes it. */
  function enhanceMenu(button) {
    var menu = document.getElementById(button.getAttribute("data-nav-toggle"));
    if (!menu) { return; }
    button.addEventListener("click", function () {
      var open = menu.classList.toggle("show");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-nav-toggle]"), enhanceMenu);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-chooser-url]"), enhanceChooser);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), guardDoubleSubmit);
  });
})();

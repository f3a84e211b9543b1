/*
 * Accessible names in the admin, where Django's widgets lack them (axe-core, tests/browser/test_accessibility.py):
 * - an autocomplete (select2) combobox and its search box are named by the field's label
 *   (aria-input-field-name, label), keeping the chosen value in the name ("Base country: Kenya");
 * - the search icon of a two-box chooser (filter_horizontal) is an image with a name, not a bare span
 *   carrying aria-label (aria-prohibited-attr).
 * Runs after Django's own scripts have built these widgets, and again when an inline row is added.
 */
(function () {
  "use strict";

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label && !label.id) {
      label.id = select.id + "-label";
    }
    return label;
  }

  function nameAutocomplete(select) {
    var container = select.nextElementSibling;
    var label = labelOf(select);
    if (!label || !container || !container.classList.contains("select2")) {
      return;
    }
    var combobox = container.querySelector(".select2-selection");
    if (combobox) {
      var ids = (combobox.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
      if (ids.indexOf(label.id) === -1) {
        combobox.setAttribute("aria-labelledby", [label.id].concat(ids).join(" "));
      }
    }
    // select2 also gives the chosen value's span a textbox role: named by the label and the value too.
    var rendered = container.querySelector(".select2-selection__rendered[role]");
    if (rendered && rendered.id) {
      rendered.setAttribute("aria-labelledby", label.id + " " + rendered.id);
    }
    var search = container.querySelector(".select2-search__field");
    if (search) {
      search.setAttribute("aria-labelledby", label.id);
    }
  }

  function fix() {
    Array.prototype.forEach.call(document.querySelectorAll("select.admin-autocomplete"), nameAutocomplete);
    Array.prototype.forEach.call(document.querySelectorAll(".help-tooltip[aria-label]:not([role])"), function (icon) {
      icon.setAttribute("role", "img");
    });
    // The two lists of a chooser (filter_horizontal) carry only a title: name them by it.
    Array.prototype.forEach.call(document.querySelectorAll("select.filtered[title]:not([aria-label])"), function (list) {
      list.setAttribute("aria-label", list.getAttribute("title"));
    });
  }

  // Django builds its widgets on jQuery's ready (autocompletes), on "load" (choosers, whose handler was
  // added before this deferred script's) and when an inline row is added: fix after each, and whenever
  // select2 adds its markup.
  window.addEventListener("load", function () { fix(); window.setTimeout(fix, 0); });
  document.addEventListener("formset:added", function () { window.setTimeout(fix, 0); });
  new MutationObserver(function (mutations) {
    for (var i = 0; i < mutations.length; i++) {
      if (mutations[i].addedNodes.length) {
        fix();
        return;
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

/* Runs in <head>, before the first paint: marks the page as having JavaScript, so the stylesheet folds the
 * menu behind its button on small screens from the start (no jump when tracker.js loads). */
document.documentElement.classList.add("js");

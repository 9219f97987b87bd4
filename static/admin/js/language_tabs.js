// Mark each language tab of a translated field "filled" or "empty" (alliance/admin_languages.py).
(function () {
  "use strict";

  function fieldOf(tab) {
    var panel = document.getElementById(tab.getAttribute("href").slice(1));
    return panel && panel.querySelector("input:not([type=hidden]), textarea, select");
  }

  function mark(tab, field) {
    var filled = field.value.trim() !== "";
    tab.classList.toggle("language-tab--filled", filled);
    tab.classList.toggle("language-tab--empty", !filled);
    var note = tab.querySelector(".language-tab-state");
    if (!note) {
      note = document.createElement("span");
      note.className = "language-tab-state";
      var sign = document.createElement("span");
      sign.setAttribute("aria-hidden", "true");
      var words = document.createElement("span");
      words.className = "visually-hidden";
      note.append(sign, words);
      tab.appendChild(note);
    }
    // A mark for the eye (filled or hollow dot), words for a screen reader.
    note.firstChild.textContent = filled ? " \u25CF" : " \u25CB";
    note.lastChild.textContent = " (" + (filled ? tab.dataset.filled : tab.dataset.empty) + ")";
    note.title = filled ? tab.dataset.filled : tab.dataset.empty;
  }

  function markAll() {
    var labels = document.getElementById("language-tab-labels");
    var filledText = labels ? labels.dataset.filled : "filled";
    var emptyText = labels ? labels.dataset.empty : "empty";
    document.querySelectorAll(".ui-tabs-nav a[href^='#tab_']").forEach(function (tab) {
      if (tab.dataset.filled) {
        return; // marked already
      }
      var field = fieldOf(tab);
      if (!field) {
        return;
      }
      tab.dataset.filled = filledText;
      tab.dataset.empty = emptyText;
      mark(tab, field);
      field.addEventListener("input", function () {
        mark(tab, field);
      });
    });
  }

  // modeltranslation draws the tabs when jQuery is ready, which may come after this script
  // and even after the load event: mark what is there, then every tab drawn later.
  document.addEventListener("DOMContentLoaded", function () {
    markAll();
    var pending = false;
    new MutationObserver(function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          markAll();
        });
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
})();

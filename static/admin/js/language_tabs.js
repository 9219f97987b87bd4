// Mark each language tab of a translated field "filled" or "empty" (alliance/admin_languages.py).
// modeltranslation builds the tabs when the document is ready; this runs after it, on load.
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

  window.addEventListener("load", function () {
    var labels = document.getElementById("language-tab-labels");
    var filledText = labels ? labels.dataset.filled : "filled";
    var emptyText = labels ? labels.dataset.empty : "empty";
    document.querySelectorAll(".ui-tabs-nav a[href^='#tab_']").forEach(function (tab) {
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
  });
})();

// Forms, progressively: a live count of the characters left in each limited text field.
// Without this script the limit is still stated in the field's help text and enforced.
(function () {
  "use strict";
  // The texts come translated with the field (data-counter-left, data-counter-over).
  function message(field) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    var remaining = limit - field.value.length;
    var text = field.getAttribute(remaining >= 0 ? "data-counter-left" : "data-counter-over");
    var count = Math.abs(remaining).toLocaleString(document.documentElement.lang || undefined);
    return { text: text.replace("%(count)s", count), over: remaining < 0 };
  }

  document.querySelectorAll("textarea[data-counter][maxlength]").forEach(function (field) {
    var shown = document.createElement("p");
    shown.className = "char-counter";
    shown.id = field.id + "_counter";
    shown.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", spoken);
    var pause;
    function update(announce) {
      var state = message(field);
      shown.textContent = state.text;
      shown.classList.toggle("char-counter--over", state.over);
      window.clearTimeout(pause);
      if (announce) {
        // Read out once typing pauses, not at every key.
        pause = window.setTimeout(function () { spoken.textContent = state.text; }, 1000);
      }
    }
    field.addEventListener("input", function () { update(true); });
    update(false);
  });
})();

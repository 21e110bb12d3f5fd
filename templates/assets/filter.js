// Home page filters: show only the trials that match the chosen illness, status, phase and results.
// Without JavaScript the choices stay hidden and every trial is listed (and the condition pages work).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var pick = function (name) { return document.getElementById("filter-" + name).value; };
  var list = document.getElementById("trial-list");
  if (!form || !list) return;
  var cards = Array.prototype.slice.call(list.querySelectorAll(".card"));
  var count = document.getElementById("trial-count");
  var none = document.getElementById("no-match");
  count.dataset.all = count.textContent;
  function update() {
    var condition = pick("condition"), status = pick("status"), phase = pick("phase"), results = pick("results");
    var shown = 0;
    cards.forEach(function (card) {
      var match = (!condition || (" " + card.dataset.conditions + " ").indexOf(" " + condition + " ") >= 0) &&
        (!status || card.dataset.status === status) && (!phase || card.dataset.phase === phase) &&
        (!results || card.dataset.results === results);
      card.hidden = !match;
      if (match) shown += 1;
    });
    // The words come from the page, so they are in the page's language.
    count.textContent = shown === cards.length ? count.dataset.all :
      shown + " " + count.dataset.of + " " + cards.length + " " + count.dataset.many;
    none.hidden = shown !== 0;
  }
  form.hidden = false;
  form.addEventListener("change", update);
})();

// Trial page, for readers with JavaScript (the page works without it):
// a "Print this page" button, a text filter over the list of places, and the page's own
// address on paper when the site has no base_url. The preview (serve) swaps in a new page body
// after a save and says so with "trialsite:swapped": everything is set up again then.
(function () {
  "use strict";
  function setUp() {
    var action = document.querySelector(".print-action");
    if (action) {
      action.hidden = false;
      action.querySelector("button").addEventListener("click", function () { window.print(); });
    }

    var address = document.querySelector(".page-address[hidden]");
    if (address && /^https?:$/.test(location.protocol)) {
      address.querySelector(".address").textContent = location.href.split("#")[0];
      address.hidden = false;
    }

    var filter = document.querySelector(".places-filter");
    if (!filter) return;
    var input = filter.querySelector("input");
    var found = filter.querySelector(".places-found");
    var countries = Array.prototype.slice.call(document.querySelectorAll(".places details.country"));
    var opened = countries.map(function (c) { return c.open; });
    // Accents and capitals do not count: "zurich" finds "Zürich".
    function folded(text) {
      return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }
    var places = countries.map(function (country) {
      var name = folded(country.querySelector(".country-name").textContent);
      return Array.prototype.map.call(country.querySelectorAll(".place"), function (place) {
        var city = place.parentNode.previousElementSibling;
        return {element: place, text: name + " " + folded((city ? city.textContent : "") + " " + place.textContent)};
      });
    });
    function update() {
      var words = folded(input.value).split(/\s+/).filter(Boolean);
      var total = 0;
      countries.forEach(function (country, i) {
        var shown = 0;
        places[i].forEach(function (place) {
          var match = words.every(function (w) { return place.text.indexOf(w) >= 0; });
          place.element.hidden = !match;
          if (match) shown += 1;
        });
        Array.prototype.forEach.call(country.querySelectorAll(".place-list"), function (list) {
          var any = list.querySelector(".place:not([hidden])");
          list.hidden = !any;
          list.previousElementSibling.hidden = !any;
        });
        country.hidden = shown === 0;
        country.open = words.length ? shown > 0 : opened[i];
        total += shown;
      });
      found.textContent = !words.length ? "" : total ? found.dataset.some + " " + total : found.dataset.none;
    }
    filter.hidden = false;
    input.addEventListener("input", update);
  }
  setUp();
  document.addEventListener("trialsite:swapped", setUp);
})();

// Search page: Pagefind's own interface, from files the build writes to pagefind/.
// The index is in shards (a big site's edit re-indexes one): pagefind/ holds the main one
// (data-bundle), data-shards lists the others. The interface searches them through
// shards/pagefind.js, which answers as one index over every page would.
// Without JavaScript the page keeps its message with links to the illness pages.
// Texts come from the page (data-*), so they are in the page's language.
(function () {
  "use strict";
  var driver = new URL("shards/", document.currentScript.src).href;
  function start() {
    var box = document.getElementById("search");
    var message = document.getElementById("search-message");
    var status = document.getElementById("search-status");
    var lang = document.documentElement.lang;
    function unavailable() {
      message.firstChild.textContent = box.dataset.unavailable + " ";
      message.hidden = false;
    }
    if (typeof window.PagefindUI !== "function") {
      unavailable();
      return;
    }
    message.hidden = true;
    // Full addresses: Pagefind fetches them from its worker, where a relative one would
    // be read from the worker's folder instead of from this page.
    var shards = (box.dataset.shards || "").split(" ").filter(Boolean).map(function (path) {
      var bundle = new URL(path, document.baseURI);
      return { bundlePath: bundle.href, baseUrl: new URL("../../", bundle).pathname };  // links as the main shard's
    });
    // What the search is doing, for screen readers (Pagefind's own message is not announced).
    document.addEventListener("trialsite-search", function (event) {
      var detail = event.detail;
      if (detail.state === "failed") {
        box.hidden = true;
        unavailable();
        status.textContent = box.dataset.unavailable;
      } else if (detail.state === "searching") {
        status.textContent = box.dataset.searching;
      } else {
        var one = new Intl.PluralRules(lang).select(detail.count) === "one";
        status.textContent = box.dataset[one ? "resultsOne" : "results"].replace("{n}", detail.count.toLocaleString(lang));
      }
    });
    box.addEventListener("input", function (event) {
      if (!event.target.value.trim()) status.textContent = "";
    });
    new window.PagefindUI({ element: "#search", bundlePath: driver, basePath: new URL(box.dataset.bundle, document.baseURI).href,
      showSubResults: true, showImages: false, mergeIndex: shards, translations: { placeholder: box.dataset.placeholder } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

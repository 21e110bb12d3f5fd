// Search page: Pagefind's own interface, from files the build writes to pagefind/.
// The index is in shards (a big site's edit re-indexes one): pagefind/ holds the main one,
// data-shards lists the others, which Pagefind merges into every search.
// Without JavaScript the page keeps its message with links to the illness pages.
// Texts come from the page (data-*), so they are in the page's language.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("search");
    var message = document.getElementById("search-message");
    if (typeof window.PagefindUI !== "function") {
      message.firstChild.textContent = box.dataset.unavailable + " ";
      return;
    }
    message.hidden = true;
    // Full addresses: Pagefind fetches them from its worker, where a relative one would
    // be read from pagefind/ instead of from this page.
    var shards = (box.dataset.shards || "").split(" ").filter(Boolean).map(function (path) {
      var bundle = new URL(path, document.baseURI);
      return { bundlePath: bundle.href, baseUrl: new URL("../../", bundle).pathname };  // links as the main shard's
    });
    new window.PagefindUI({ element: "#search", showSubResults: true, showImages: false, mergeIndex: shards,
      translations: { placeholder: box.dataset.placeholder } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

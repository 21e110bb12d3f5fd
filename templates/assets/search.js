// Search page: Pagefind's own interface, from files the build writes to pagefind/.
// Without JavaScript the page keeps its message with links to the illness pages.
(function () {
  "use strict";
  function start() {
    var message = document.getElementById("search-message");
    if (typeof window.PagefindUI !== "function") {
      message.firstChild.textContent = "Search is not available here yet. On the published site it " +
        "always is; in the preview it appears a few seconds after you start or save (reload this page); " +
        "it cannot work in a page opened as a file. ";
      return;
    }
    message.hidden = true;
    new window.PagefindUI({ element: "#search", showSubResults: true, showImages: false,
      translations: { placeholder: "Type a word, like an illness or a medicine" } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Search page: Pagefind's own interface, from files the build writes to pagefind/.
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
    new window.PagefindUI({ element: "#search", showSubResults: true, showImages: false,
      translations: { placeholder: box.dataset.placeholder } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

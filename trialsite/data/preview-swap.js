// Preview only (never in site/): when a section or trial.yaml is saved, fetch this page again
// and swap in its new body instead of reloading the page. The change shows ~100 ms sooner,
// without a flash, and the editor keeps their place on the page. Anything else falls back to
// livereload's full reload: a theme file saved, a page with scripts of its own (their event
// handlers would be lost; unless marked data-swap-safe), a page whose head changed (a stylesheet, a language), an error.
(function () {
  "use strict";
  // Head parts that may change with the text, and the preview's own scripts.
  var VARYING = 'title, meta[name="description"], meta[property], script[type="application/ld+json"], ' +
    'script:not([src]), script[src*="livereload.js"]';

  function headSignature(doc) {
    return Array.prototype.filter.call(doc.head.children, function (e) { return !e.matches(VARYING); })
      .map(function (e) { return e.outerHTML; }).join("\n");
  }

  // A script marked data-swap-safe sets itself up again on "trialsite:swapped" (trial.js).
  function hasOwnScripts(doc) {
    return doc.querySelector('script[src]:not([src*="livereload.js"]):not([data-swap-safe])') !== null;
  }

  function Swap(window) {
    this.window = window;
    this.busy = false;
    this.again = false;
  }
  Swap.identifier = "trialsite-swap";
  Swap.version = "1.0";

  Swap.prototype.reload = function (path) {
    var self = this, location = self.window.location;
    if (path !== "trialsite:content" || hasOwnScripts(document)) return false;
    if (self.busy) { self.again = true; return true; }  // one more fetch when this one is done
    self.busy = true;
    fetch(location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html");
        if (headSignature(fresh) !== headSignature(document) || hasOwnScripts(fresh)) {
          location.reload();
          return;
        }
        document.title = fresh.title;
        ["lang", "dir"].forEach(function (name) {
          var value = fresh.documentElement.getAttribute(name);
          if (value === null) document.documentElement.removeAttribute(name);
          else document.documentElement.setAttribute(name, value);
        });
        document.body.replaceWith(document.adoptNode(fresh.body));
        document.dispatchEvent(new Event("trialsite:swapped"));
        self.busy = false;
        if (self.again) {
          self.again = false;
          self.reload(path);
        }
      })
      .catch(function () { location.reload(); });
    return true;
  };

  // livereload.js picks up every window.LiveReloadPlugin* when it loads (after this script).
  window.LiveReloadPluginTrialsiteSwap = Swap;
})();

// The search worker (see pagefind.js next to this file): Pagefind's own worker, from the main
// shard's bundle (?bundle=), with one change: the other shards hold only their index files, so
// the WebAssembly any shard asks for is the main bundle's, fetched once for all of them.
"use strict";
var bundle = new URL(location.href).searchParams.get("bundle");
var pageFetch = self.fetch.bind(self);
var wasm = {};
self.fetch = function (input, options) {
  var name = /\/(wasm\.[\w-]+\.pagefind)$/.exec(String(input.url || input));
  if (!name) return pageFetch(input, options);
  wasm[name[1]] = wasm[name[1]] || pageFetch(bundle + name[1]).then(function (response) {
    if (!response.ok) throw new Error(name[1] + ": " + response.status);
    return response.arrayBuffer();
  });
  return wasm[name[1]].then(function (bytes) { return new Response(bytes.slice(0)); });
};
importScripts(bundle + "pagefind-worker.js");

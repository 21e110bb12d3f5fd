// Search over the index shards (trialsite/shards.py), as one index over the same pages would
// answer. Pagefind's interface loads this module in place of Pagefind's own pagefind.js (same
// functions). Pagefind merging shards (mergeIndex) asks each shard on its own, and a shard
// with no word starting with a search word drops that word: "trial 00123" then listed every
// trial of every shard without "00123". One index drops a word only when no page has it.
//
// So each shard is a Pagefind instance of its own, in one worker (worker.js: Pagefind's worker,
// the main bundle's WebAssembly for all), in Pagefind's playground mode, which tells for each
// search word its idf in that shard; a shard's results are dropped unless it has every word
// that some shard has. Relies on Pagefind 1.5.2 (pinned in requirements.txt).
//
// Events on document, "trialsite-search" (detail: {state: "searching" | "done" | "failed",
// count}), tell the search page (search.js) what to announce.

var settings = {};  // options() from Pagefind's interface: basePath (the main bundle), excerptLength
var bundles = [];  // {basePath, baseUrl}: the main shard first, then those merged
var worker = null, ready = null, pending = new Map(), lastId = 0, searches = 0;

export async function options(more) { Object.assign(settings, more); }

export async function mergeIndex(basePath, more) { bundles.push(Object.assign({}, more, { basePath: basePath })); }

export async function init() { return start(); }

export async function filters() { start().catch(function () {}); return {}; }  // trialsite's pages have no Pagefind filters

export async function preload(term) {  // a search follows, and tells of any failure
  await start().then(function () {
    return Promise.all(bundles.map(function (_, i) { return ask(i, "preload", [term, {}]); }));
  }).catch(function () {});
}

export async function debouncedSearch(term, more) { return search(term, more); }

export async function destroy() {
  if (worker) worker.terminate();
  worker = ready = null;
}

export async function search(term, more) {
  var mine = ++searches;
  tell(mine, "searching");
  try {
    await start();
    var answers = await Promise.all(bundles.map(function (_, i) { return ask(i, "search", [term, more || {}]); }));
    // The words some shard has; a shard without one of them has no page one index would list.
    var known = answers.map(function (answer, i) { return wordsIn(answer, bundles[i].pages); });
    var wanted = new Set();
    known.forEach(function (words) { words.forEach(function (word) { wanted.add(word); }); });
    var results = [];
    answers.forEach(function (answer, i) {
      if (!Array.from(wanted).every(function (word) { return known[i].has(word); })) return;
      answer.results.forEach(function (result) {
        var id = result.data;
        result.data = function () { return ask(i, "getData", [id]); };
        release.register(result, [i, id]);
        results.push(result);
      });
    });
    results.sort(function (a, b) { return b.score - a.score; });
    tell(mine, "done", results.length);
    return { results: results, unfilteredResultCount: results.length, filters: {}, totalFilters: {},
      timings: answers.map(function (answer) { return answer.timings; }) };
  } catch (error) {
    tell(mine, "failed");
    throw error;
  }
}

// Pagefind 1.5.2 scores with BM25: idf = ln((N - n + 0.5) / (n + 0.5) + 1), N the shard's pages
// in this language and n those with a word starting with the search word. n = 0 gives
// ln(2N + 2); n >= 1 at most ln((N + 1) / 1.5): a shard has the word if idf < ln(N + 1).
function wordsIn(answer, pages) {
  return new Set((answer.query_term_idfs || []).filter(function (word) {
    return word.idf < Math.log(pages + 1);
  }).map(function (word) { return word.term; }));
}

// Results' data stay in the worker until their result is garbage collected (as Pagefind does).
var release = new FinalizationRegistry(function (held) { ask(held[0], "releaseData", [held[1]]).catch(function () {}); });

function start() {
  if (ready) return ready;
  var main = settings.basePath;
  var language = (document.documentElement.lang || "unknown").toLowerCase();
  bundles.unshift({ basePath: main });
  bundles.forEach(function (bundle) { bundle.baseUrl = bundle.baseUrl || new URL("../", main).pathname; });
  worker = new Worker(new URL("worker.js?bundle=" + encodeURIComponent(main), import.meta.url));
  worker.onmessage = function (event) {
    var waiting = pending.get(event.data.id);
    pending.delete(event.data.id);
    if (waiting) event.data.error ? waiting.reject(new Error(event.data.error)) : waiting.resolve(event.data.result);
  };
  worker.onerror = function (event) { fail(new Error("search worker: " + (event.message || "failed"))); };
  var entries = bundles.map(function (bundle) {
    return fetch(bundle.basePath + "pagefind-entry.json").then(function (response) {
      if (!response.ok) throw new Error(bundle.basePath + ": " + response.status);
      return response.json();
    }).then(function (entry) {  // Pagefind's choice of language index: the page's, or its base language
      var index = entry.languages[language] || entry.languages[language.split("-")[0]];
      bundle.pages = index ? index.page_count : 0;  // no pages in this language: it has no word
    });
  });
  function open(i) {
    var bundle = bundles[i];
    return ask(i, "init", [{ basePath: bundle.basePath, baseUrl: bundle.baseUrl, language: language,
      excerptLength: settings.excerptLength }]).then(function () { return ask(i, "enterPlaygroundMode", []); });
  }
  // The main shard first: the instances share its WebAssembly, which must be running before
  // the next one starts (two starting at once each start their own, and the first breaks).
  ready = Promise.all(entries.concat(open(0).then(function () {
    return Promise.all(bundles.slice(1).map(function (_, i) { return open(i + 1); }));
  })));
  // A worker that never answers must not leave the page "searching" forever.
  var timer = setTimeout(function () { fail(new Error("search worker: no answer")); }, 30000);
  ready.then(function () { clearTimeout(timer); }, function () { clearTimeout(timer); });
  return ready;
}

function ask(instance, method, args) {
  if (!worker) return Promise.reject(new Error("search worker: stopped"));
  return new Promise(function (resolve, reject) {
    var id = "m" + ++lastId;
    pending.set(id, { resolve: resolve, reject: reject });
    worker.postMessage({ id: id, instanceId: "shard" + instance, method: method, args: args });
  });
}

function fail(error) {
  if (worker) worker.terminate();
  worker = null;
  pending.forEach(function (waiting) { waiting.reject(error); });
  pending.clear();
  document.dispatchEvent(new CustomEvent("trialsite-search", { detail: { state: "failed" } }));
}

function tell(search, state, count) {
  if (search === searches) document.dispatchEvent(new CustomEvent("trialsite-search", { detail: { state: state, count: count } }));
}

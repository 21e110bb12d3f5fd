// Search over the index shards (trialsite/shards.py), listing what one index over the same
// pages would list. Pagefind's interface loads this module in place of Pagefind's own
// pagefind.js (same functions). Pagefind's own merging (mergeIndex) asks each shard on its own,
// and a shard matches each search word by the words it has: those starting with the search
// word or, if it has none, the longest word the search word starts with ("bad" for "badger"),
// or no word at all (the search word is then left out). So "trial 00123" listed every trial
// of every shard without "00123", where one index lists one trial.
//
// Here each shard is a Pagefind instance of its own, all in one worker (worker.js: Pagefind's
// worker, with the main bundle's WebAssembly for all), in Pagefind's playground mode, whose
// results tell which index words each page matched. That shows how each shard matched each
// search word (a shard without results is asked for the word alone, when it matters). A
// shard's results are kept only if it matched every search word as one index would: by words
// starting with it if any shard has such words, else by the longest shorter word any shard
// matched. Relies on Pagefind 1.5.2 (pinned in requirements.txt).
//
// "trialsite-search" events on document (detail: {state: "searching" | "done" | "failed",
// count}) tell the search page (search.js) what to announce.

var settings = {};  // from Pagefind's interface: basePath (the main shard's bundle), excerptLength
var bundles = [];  // {basePath, baseUrl}: the main shard first, then the others
var worker = null, ready = null, pending = new Map(), lastId = 0, searches = 0;

export async function options(more) { Object.assign(settings, more); }

export async function mergeIndex(basePath, more) { bundles.push(Object.assign({}, more, { basePath: basePath })); }

export async function init() { return start(); }

export async function filters() {  // trialsite's pages have no Pagefind filters
  start().catch(function () {});  // a search follows, and tells of any failure
  return {};
}

export async function preload(term) {
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
    var answers = await everyShard(term, more || {});
    var kept = await matchingShards(term, answers);
    var results = [];
    answers.forEach(function (answer, i) { if (kept[i]) results = results.concat(answer.results); });
    results.sort(function (a, b) { return b.score - a.score; });
    tell(mine, "done", results.length);
    return { results: results, unfilteredResultCount: results.length, filters: {}, totalFilters: {},
      timings: answers.map(function (answer) { return answer.timings; }) };
  } catch (error) {
    tell(mine, "failed");
    throw error;
  }
}

// For each shard, whether its results are those one index would list from its pages.
async function matchingShards(term, answers) {
  var found = answers.map(function (answer) { return answer.results.length > 0; });
  if (/^\s*".+"\s*$/.test(term) || bundles.length < 2 || found.indexOf(true) < 0) {
    return found;  // an exact search has no fallback; one shard is one index
  }
  var stems = answers[0].search_keywords || [];
  var words = term.trim().split(/\s+/);
  var ranks = await Promise.all(stems.map(async function (stem, w) {
    // How each shard matched the word, from its results when it has some (every page listed
    // matched every word); shards without results are asked for the word alone, unless a
    // shard matched it by words starting with it (then only such shards count).
    var shards = answers.map(function (answer) { return answer.results.length ? rank(stem, answer) : null; });
    if (shards.indexOf(Infinity) < 0) {
      var word = words.length === stems.length ? words[w] : stem;
      await Promise.all(shards.map(async function (known, i) {
        if (known === null) shards[i] = rank(stem, await ask(i, "search", [word, {}]).then(keep(i)));
      }));
    }
    return shards;
  }));
  var best = ranks.map(function (shards) { return Math.max.apply(null, shards.filter(function (r) { return r !== null; })); });
  return found.map(function (has, i) {
    return has && ranks.every(function (shards, w) { return shards[i] === best[w]; });
  });
}

// How a shard matched a search word (Pagefind's stem of it) in a search: Infinity by words
// starting with it; n by the longest word it has that the search word starts with, n letters
// long (two such words of one length are the same word); 0 not at all.
function rank(stem, answer) {
  var matched = [];
  answer.results.forEach(function (result) {
    (result.scores || []).forEach(function (score) { matched.push(score.search_term); });
    (result.verbose_meta_scores || []).forEach(function (meta) { matched = matched.concat(meta.matched_terms); });
  });
  if (matched.some(function (word) { return word.startsWith(stem); })) return Infinity;
  return Math.max.apply(null, [0].concat(matched.filter(function (word) { return stem.startsWith(word); })
    .map(function (word) { return word.length; })));
}

function everyShard(term, more) {
  return Promise.all(bundles.map(function (_, i) { return ask(i, "search", [term, more]).then(keep(i)); }));
}

// A shard's answer, whose results' data() ask that shard for their page's data.
function keep(i) {
  return function (answer) {
    answer.results.forEach(function (result) {
      var id = result.data;
      result.data = function () { return ask(i, "getData", [id]); };
      release.register(result, [i, id]);
    });
    return answer;
  };
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
  function open(i) {
    var bundle = bundles[i];
    return ask(i, "init", [{ basePath: bundle.basePath, baseUrl: bundle.baseUrl, language: language,
      excerptLength: settings.excerptLength }]).then(function () { return ask(i, "enterPlaygroundMode", []); });
  }
  // The main shard first: the instances share its WebAssembly, which must be running before
  // the others start (started at once, each starts its own, and the first ones break).
  ready = open(0).then(function () {
    return Promise.all(bundles.slice(1).map(function (_, i) { return open(i + 1); }));
  });
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

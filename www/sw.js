// Service worker of the static build (`npm run build` → dist/sw.js, beside dist/index.html so that
// its scope covers the page): precaches every file of the site on install, so the playground
// works offline once it has been loaded. scripts/build-dist.mjs fills in FILES and VERSION (a hash
// of the files' contents); a new build is a new cache, and the old caches are deleted when it
// activates. The dev server (`npm start`) never registers it.
/// <reference lib="webworker" />
const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Relative to this script (so the site works from a sub-path). Filled in by build-dist. */
const FILES = /** @type {string[]} */ (JSON.parse('[]'));
const VERSION = 'dev';
const CACHE = `pruning-playground-${VERSION}`;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(['./', ...FILES]))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('pruning-playground-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

// Cache first for this site's own files (they only change with a new build, i.e. a new cache),
// ignoring the query, since links carry the experiment in it (?data=…&steps=…).
sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== sw.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => (await cache.match(request, { ignoreSearch: true })) ?? fetch(request)),
  );
});

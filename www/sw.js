// Overlay Playground's service worker: the page keeps working offline once
// it has loaded. Registered by src/offline.js; only this origin's own files.
//
// dist/offline-assets.js (written by build.sh) sets OFFLINE_VERSION, a hash
// of the built files, OFFLINE_ASSETS, the files to keep, and
// OFFLINE_PRECACHE, those the playground loads, kept at install. A new build
// changes that script, so the browser installs this worker afresh: it fills
// a new cache, named after the version, and drops the old ones.
//
// Network first: online, every request goes to the server as before (a new
// build shows at once) and the answer refreshes the cache; when the network
// or the server is gone, the cached copy answers.
/* global OFFLINE_VERSION, OFFLINE_ASSETS, OFFLINE_PRECACHE */
importScripts('dist/offline-assets.js');

const PREFIX = 'overlay-playground-';
const CACHE = PREFIX + OFFLINE_VERSION;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'no-cache': checked with the server, so the files match this version,
    // but a file the page just loaded comes back as a 304 from the HTTP
    // cache instead of crossing the network a second time.
    await cache.addAll(OFFLINE_PRECACHE.map((path) => new Request(path, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(networkFirst(request, url));
});

async function networkFirst(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.status === 200 && response.type === 'basic') {
      // Only the page's own files: a query string or an unknown path must
      // not grow the cache without bound.
      const key = cacheKey(url);
      if (key) await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const key = cacheKey(url);
    const cached = key && (await cache.match(key));
    if (cached) return cached;
    throw error;
  }
}

/** The cached file that answers `url`: the directory itself is index.html; queries are ignored. */
function cacheKey(url) {
  const scope = new URL(self.registration.scope);
  if (!url.pathname.startsWith(scope.pathname)) return null;
  let path = url.pathname.slice(scope.pathname.length);
  if (path === '') path = 'index.html';
  return OFFLINE_ASSETS.includes(path) ? new URL(path, scope).href : null;
}

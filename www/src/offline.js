// Offline use: registers the service worker (www/sw.js), which keeps the
// page's own files so that a reload works without a network or server.
// Does nothing where service workers are unavailable (file://, old browsers,
// private modes that refuse them); the page works as before there.

export function registerOffline() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  // sw.js sits at the page's root, next to index.html; this module is
  // bundled into dist/, one level down.
  const url = new URL('../sw.js', import.meta.url);
  const register = () => {
    // updateViaCache 'none': each check asks the server for sw.js and the
    // list of files it imports, so a new build is picked up on the next load.
    navigator.serviceWorker.register(url, { updateViaCache: 'none' }).catch((error) => {
      console.warn('Offline use is unavailable:', error);
    });
  };
  // Installing fetches every file of the page once more: not while the page
  // is still showing its first outputs.
  const whenIdle = () => (window.requestIdleCallback ? requestIdleCallback(register, { timeout: 3000 }) : setTimeout(register, 500));
  if (document.readyState === 'complete') whenIdle();
  else addEventListener('load', whenIdle, { once: true });
}

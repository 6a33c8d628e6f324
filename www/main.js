// The page's entry (index.html): the page is one <pruning-playground page> element, which
// element.js builds like every embedded one — the same markup, views and dispatcher — with the
// page's own features switched on (app/page.js: the link, the autosave, the header's tools).
import './element.js';

// The static build (`npm run build`) marks its page for offline use: the service worker precaches
// the site so it keeps working without a network once loaded. The dev server's page never does.
const offline = document.documentElement.dataset.offline;
if (offline && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register(offline).catch((err) => console.warn(`offline cache unavailable: ${err}`));
}

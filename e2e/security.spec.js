// Security: the server sends a strict Content-Security-Policy and the page, the export menu, the
// Embed dialog and the blog example (with its <pruning-playground> elements and their workers) run
// under it with no violation; an injected inline script is blocked. A hostile link (markup in values,
// huge sizes, NaN) leaves the page usable, names the keys it ignored, and executes nothing.
/* global document, window */ // used inside page.evaluate / addInitScript callbacks
import { test, expect } from '@playwright/test';
import { open, press, settle, watchProblems } from './helpers.js';

const POLICY = [
  "default-src 'self'",
  /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')*/,
  "worker-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
];

/**
 * Records CSP violations (page and workers report to the document) from the first script on.
 * @param {import('@playwright/test').Page} page
 */
async function watchViolations(page) {
  await page.addInitScript(() => {
    /** @type {string[]} */
    const seen = [];
    /** @type {any} */ (window).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective}: ${e.blockedURI || e.sample}`));
  });
  return async () => page.evaluate(() => /** @type {string[]} */ (/** @type {any} */ (window).cspViolations));
}

test('the page runs under the strict CSP header with no violation, and the header is enforced', async ({ page }) => {
  const problems = watchProblems(page);
  const violations = await watchViolations(page);
  const response = await page.goto('/?ep=2&lv=2&lep=1');
  const header = (await response?.headerValue('content-security-policy')) ?? '';
  const parts = header.split(/;\s*/);
  expect(parts).toHaveLength(POLICY.length);
  POLICY.forEach((p, i) => (typeof p === 'string' ? expect(parts[i]).toBe(p) : expect(parts[i]).toMatch(p)));
  const worker = await page.request.get('/www/worker.js');
  expect(worker.headers()['content-security-policy']).toBe(header.replace(/ 'sha256-[^']+'/g, ''));
  await page.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '');

  for (const id of ['train', 'prune', 'rewind', 'retrain', 'run-lottery']) await press(page, id);
  // PNG export draws the SVG through a data: image; the Embed dialog builds its snippets as text.
  await page.getByTestId('export').click();
  const download = page.waitForEvent('download');
  await settle(page, () => page.getByTestId('export-png-network').click());
  expect((await download).suggestedFilename()).toMatch(/\.png$/);
  await page.getByTestId('embed').click();
  await expect(page.getByTestId('embed-dialog')).toBeVisible();
  await page.getByTestId('embed-close').click();
  expect(await violations()).toEqual([]);
  expect(problems).toEqual([]);

  // Enforced: an inline script added to the page does not run, and is reported.
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.inlineRan = true;';
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 100));
    return /** @type {any} */ (window).inlineRan === true;
  });
  expect(ran).toBe(false);
  expect((await violations()).some((v) => v.startsWith('script-src'))).toBe(true);
});

test('the blog example and its elements run under the CSP header with no violation', async ({ page }) => {
  const problems = watchProblems(page);
  const violations = await watchViolations(page);
  const response = await page.goto('/www/examples/blog-post.html');
  expect(await response?.headerValue('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
  await page.waitForFunction(() => {
    const els = [...document.querySelectorAll('pruning-playground')];
    return els.length >= 2 && els.every((el) => Number(/** @type {HTMLElement} */ (el).dataset.done ?? '0') >= 1 && /** @type {HTMLElement} */ (el).dataset.busy === '');
  }, null, { timeout: 30_000 });
  const trained = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    const s = await el.train(2);
    return s.history.length;
  });
  expect(trained).toBeGreaterThanOrEqual(2);
  expect(await violations()).toEqual([]);
  expect(problems).toEqual([]);
});

test('a hostile link: markup, huge sizes and NaN are named and ignored, nothing executes', async ({ page }) => {
  const violations = await watchViolations(page);
  /** @type {string[]} */
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const hostile = {
    data: '<script>window.pwned=1</script>',
    lang: '<img src=x onerror="window.pwned=1">',
    hidden: '100000,100000',
    batch: '1000000000',
    lr: 'NaN',
    ep: 'Infinity',
    frac: '-1',
    seed: '1e400',
    '"><svg onload=alert(1)>': '1',
  };
  const query = new URLSearchParams(hostile).toString();
  await open(page, `?${query}&steps=train(ep:999999),<svg/onload=alert(1)>`);
  const message = page.getByTestId('message');
  for (const key of ['dataset', 'lang', 'hidden', 'batchSize', 'learningRate', 'seed', 'fraction']) {
    await expect(message).toContainText(`${key}:`);
  }
  await expect(message).toContainText('unknown key "\\"><svg onload=alert(1)>" ignored');
  await expect(message).toContainText('<script>window.pwned=1</script>'); // shown as text
  await expect(message).toContainText('steps: step 1');
  // Nothing the link carried became markup or ran.
  const dom = await page.evaluate(() => ({
    pwned: /** @type {any} */ (window).pwned,
    injected: document.querySelectorAll('img[src="x"], svg[onload], body script').length,
  }));
  expect(dom).toEqual({ pwned: undefined, injected: 0 });
  expect(dialogs).toEqual([]);
  // The defaults apply and the page works.
  await expect(page.locator('#controls [name="hidden"]')).toHaveValue('8, 8');
  await press(page, 'train');
  expect(Number(await page.getByTestId('epoch').getAttribute('data-value'))).toBe(20);
  expect(await violations()).toEqual([]);
});

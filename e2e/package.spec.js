// The packed npm package in the two places authors put it (scripts/test-package.mjs builds both and
// passes their URLs; skipped without them, so the plain e2e run leaves it out):
//   PP_PACKAGE_VITE_URL  a blank Vite project that imports 'pruning-playground', after `vite build`
//   PP_PACKAGE_HTML_URL  a blank HTML folder with the installed package and one module script
// Both pages carry the CSP of docs/element.md as a meta tag, and scripts/serve.mjs sends the same
// policy as a header with every file (the worker compiles the wasm under its own response's), so a
// file or a wasm compile it blocks fails the test.
/* global document, customElements */ // used inside page.evaluate / waitForFunction callbacks
import { test, expect } from '@playwright/test';
import { watchProblems } from './helpers.js';

const VITE = process.env.PP_PACKAGE_VITE_URL;
const HTML = process.env.PP_PACKAGE_HTML_URL;

/**
 * Waits until the page's #pg element has built its network and is idle.
 * @param {import('@playwright/test').Page} page
 */
async function ready(page) {
  await page.waitForFunction(() => {
    const el = /** @type {HTMLElement | null} */ (document.getElementById('pg'));
    return !!el && Number(el.dataset.done ?? '0') >= 1 && el.dataset.busy === '';
  }, undefined, { timeout: 30_000 });
}

/**
 * Trains, prunes half and rewinds through the element's API, collecting its events.
 * @param {import('@playwright/test').Page} page
 * @param {number} epochs
 */
function drive(page, epochs) {
  return page.evaluate(async (n) => {
    const el = /** @type {any} */ (document.getElementById('pg'));
    /** @type {{ type: string, detail: any }[]} */
    const events = [];
    for (const type of ['epoch', 'pruned', 'rewound', 'error']) {
      el.addEventListener(type, (/** @type {CustomEvent} */ e) => events.push({ type, detail: e.detail }));
    }
    const trained = await el.train(n);
    const pruned = await el.prune(0.5);
    await el.rewind();
    return { events, trained, pruned, shadow: !!el.shadowRoot, defined: el instanceof /** @type {any} */ (customElements.get('pruning-playground')) };
  }, epochs);
}

test.describe('the npm package', () => {
  test.skip(!VITE || !HTML, 'run by scripts/test-package.mjs (npm test stage "package")');

  test('from a Vite build: trains, prunes, and the page hears the events', async ({ page }) => {
    const problems = watchProblems(page);
    await page.goto(/** @type {string} */ (VITE));
    await ready(page);
    const run = await drive(page, 3);
    expect(run.defined).toBe(true);
    expect(run.shadow).toBe(true);
    expect(run.events.filter((e) => e.type === 'epoch').map((e) => e.detail.epoch)).toEqual([1, 2, 3]);
    expect(run.trained.epoch).toBe(3);
    expect(run.trained.history).toHaveLength(3);
    expect(run.trained.history[2].trainLoss).toBeLessThan(run.trained.history[0].trainLoss * 1.5);
    expect(run.pruned.density).toBeCloseTo(0.5, 1);
    expect(run.events.filter((e) => e.type === 'pruned')).toHaveLength(1);
    expect(run.events.filter((e) => e.type === 'rewound').map((e) => e.detail)).toEqual([{ to: 0 }]);
    expect(run.events.filter((e) => e.type === 'error')).toEqual([]);
    // The page's own listener (main.ts, typed through the package's declarations) heard the prune.
    expect(Number(await page.locator('#pg').getAttribute('data-last-density'))).toBeCloseTo(run.pruned.density, 6);
    await expect(page.locator('#pg').getByTestId('epoch')).toHaveText('3');
    // The lottery: on two or more cores its control branches run in a second worker that the
    // worker starts from its own URL, which must hold in Vite's worker bundle too.
    const lottery = await page.evaluate(async () => {
      const el = /** @type {any} */ (document.getElementById('pg'));
      /** @type {string[]} */
      const seen = [];
      el.addEventListener('level', (/** @type {CustomEvent} */ e) => seen.push(`${e.detail.branch}:${e.detail.level}`));
      const done = new Promise((resolve) => el.addEventListener('lottery-done', (/** @type {CustomEvent} */ e) => resolve(e.detail.history.length)));
      const state = await el.runLottery({ levels: 2, lotteryEpochs: 2 });
      return { seen: seen.sort(), rows: state.lottery.length, done: await done };
    });
    // Two levels: the dense network (level 0) and one prune, on the ticket and both controls.
    expect(lottery.seen).toEqual(['random-mask:1', 'random-reinit:1', 'ticket:0', 'ticket:1']);
    expect(lottery.rows).toBe(4);
    expect(lottery.done).toBe(4);
    expect(problems).toEqual([]);
  });

  test('from a static folder under a strict CSP: the digits data set, in Korean', async ({ page }) => {
    const problems = watchProblems(page);
    /** @type {string[]} */
    const fetched = [];
    page.on('requestfinished', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(/** @type {string} */ (HTML));
    await ready(page);
    const run = await drive(page, 2);
    expect(run.trained.settings.dataset).toBe('digits');
    expect(run.trained.settings.lang).toBe('ko');
    expect(run.events.filter((e) => e.type === 'epoch')).toHaveLength(2);
    expect(run.trained.testAccuracy).toBeGreaterThan(0.2);
    expect(run.pruned.density).toBeCloseTo(0.5, 1);
    expect(run.events.filter((e) => e.type === 'pruned')).toHaveLength(1);
    expect(run.events.filter((e) => e.type === 'error')).toEqual([]);
    // Everything the element loaded came from the installed package, next to its module.
    const base = '/node_modules/pruning-playground/dist/';
    for (const f of ['pruning-playground.js', 'worker.js', 'style.css', 'pkg/pruning_playground_bg.wasm', 'pkg/digits.bin']) {
      expect(fetched).toContain(base + f);
    }
    expect(problems).toEqual([]);
  });
});

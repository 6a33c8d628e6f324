// Issue 21, "Nothing lost": what a user did survives a cancelled restore, a reload (CSV data too),
// a second tab and a long link; bad values in a link cannot widen the page; any `controls` list
// lays out cleanly; Cancel is seen within an epoch.
/* global document, window */ // used inside page.evaluate / waitForFunction callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { open, press, watchProblems } from './helpers.js';

const ART = 'test-results/nothing-lost';
mkdirSync(ART, { recursive: true });

/**
 * Every saved experiment on the origin (any storage key of the playground's autosave), parsed.
 * @param {import('@playwright/test').Page} page
 * @returns {Promise<{ key: string, steps: string, lottery: unknown[], history: unknown[], settings: Record<string, unknown>, csv?: string }[]>}
 */
async function saves(page) {
  return page.evaluate(() => Object.keys(window.localStorage)
    .filter((k) => k.startsWith('pruning-playground:experiment'))
    .map((key) => ({ key, ...JSON.parse(window.localStorage.getItem(key) ?? '{}') })));
}

/** The link's parameters, wherever the page keeps them (fragment or query). @param {import('@playwright/test').Page} page */
function linkParams(page) {
  const url = new URL(page.url());
  return new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search);
}

/** Waits until the page has finished starting (or the action it runs). @param {import('@playwright/test').Page} page */
async function idle(page) {
  await page.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '', null, { timeout: 60_000 });
}

test.beforeEach(async ({ page }) => {
  // A fresh browser context per test: no saved experiment to begin with.
  await page.addInitScript(() => {
    if (window.location.protocol === 'about:') return; // no storage there
    if (!window.sessionStorage.getItem('nothing-lost-started')) {
      window.sessionStorage.setItem('nothing-lost-started', '1');
      window.localStorage.clear();
    }
  });
});

test('1. cancelling the restore replay keeps the saved experiment and offers to resume or discard it', async ({ page }) => {
  const problems = watchProblems(page);
  // An experiment with a lottery run, replayed from a link and autosaved.
  await open(page, '?data=mnist1d&hidden=100,100&act=relu&lr=0.001&batch=100&ep=5&lv=3&lep=8&steps=train,prune,lottery');
  await expect(page.getByTestId('message')).toContainText('Replayed 3 steps');
  const [before] = await saves(page);
  expect(before.steps).toBe('train,prune,lottery');
  const rows = before.lottery.length;
  expect(rows).toBeGreaterThan(3);

  // Open the page again without a link and cancel while it restores.
  await page.goto('/');
  await expect(page.getByTestId('message')).toContainText(/level \d+: epoch/); // the lottery (step 3) is running
  await page.getByTestId('cancel').click();
  await idle(page);
  // The save it came from is untouched, and the link did not take the cut-short log.
  const [kept] = await saves(page);
  expect(kept.steps).toBe('train,prune,lottery');
  expect(kept.lottery.length).toBe(rows);
  expect(linkParams(page).get('steps')).toBeNull();
  const message = page.getByTestId('message');
  await expect(message).toContainText('Restoring your saved experiment stopped at step 3 of 3 (lottery experiment)');
  await expect(message).toContainText('saved experiment is kept');
  await expect(page.getByTestId('resume-restore')).toBeVisible();
  await expect(page.getByTestId('discard-restore')).toBeVisible();
  await page.screenshot({ path: `${ART}/restore-stopped.png` });

  // Resume: the whole experiment comes back, with every lottery row.
  await press(page, 'resume-restore', 120_000);
  await expect(message).toContainText('Restored your saved experiment: 3 steps replayed');
  await expect(message).not.toContainText('from the link');
  await expect(page.getByTestId('resume-restore')).toBeHidden();
  expect((await saves(page))[0].lottery.length).toBe(rows);

  // Cancel again, then Discard: the save now holds what is on the page, and says so.
  await page.goto('/');
  await expect(page.getByTestId('message')).toContainText(/level \d+: epoch/);
  await page.getByTestId('cancel').click();
  await idle(page);
  await press(page, 'discard-restore');
  await expect(message).toContainText('The saved experiment was discarded');
  expect((await saves(page))[0].steps).toBe('train,prune');
  expect(problems).toEqual([]);
});

/** A small CSV with two separable classes. */
function csvFile(rows = 120) {
  const lines = ['x,y,label'];
  for (let i = 0; i < rows; i += 1) {
    const x = ((i * 37) % 100) / 50 - 1;
    const y = ((i * 61) % 100) / 50 - 1;
    lines.push(`${x.toFixed(3)},${y.toFixed(3)},${x + y > 0 ? 1 : 0}`);
  }
  return { name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

test('2. an uploaded CSV experiment survives a reload; when its data is gone the page says to upload it again', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page);
  const upload = page.getByTestId('csv-upload');
  const before = Number(await page.locator('body').getAttribute('data-done'));
  await upload.setInputFiles(csvFile());
  await page.waitForFunction((n) => Number(document.body.dataset.done ?? '0') > n && document.body.dataset.busy === '', before);
  await expect(page.getByTestId('message')).toContainText('points.csv');
  await page.locator('#controls [name="epochs"]').fill('4');
  await page.locator('#controls [name="epochs"]').press('Tab');
  await press(page, 'train');
  const test = await page.getByTestId('test-accuracy').getAttribute('data-value');

  await page.reload();
  await idle(page);
  const message = page.getByTestId('message');
  await expect(message).not.toContainText('Ignored a value');
  await expect(message).toContainText('Restored your saved experiment');
  await expect(page.locator('#controls [name="dataset"]')).toHaveValue('csv');
  expect(await page.getByTestId('epoch').getAttribute('data-value')).toBe('4');
  expect(await page.getByTestId('test-accuracy').getAttribute('data-value')).toBe(test);

  // The data itself is gone (a save from before, or one whose CSV did not fit): the page says
  // plainly that the CSV must be uploaded again, offers the button, and does not blame the link.
  await page.evaluate(() => {
    for (const key of Object.keys(window.localStorage).filter((k) => k.startsWith('pruning-playground:experiment'))) {
      const v = JSON.parse(window.localStorage.getItem(key) ?? '{}');
      delete v.csv;
      window.localStorage.setItem(key, JSON.stringify(v));
    }
  });
  await page.reload();
  await idle(page);
  await expect(message).toContainText('upload the CSV file again');
  await expect(message).not.toContainText('link');
  const again = page.getByTestId('csv-reupload');
  await expect(again).toBeVisible();
  await page.screenshot({ path: `${ART}/csv-missing.png` });
  const chooser = page.waitForEvent('filechooser');
  await again.click();
  await (await chooser).setFiles(csvFile());
  await idle(page);
  await expect(page.getByTestId('csv-reupload')).toBeHidden();
  await expect(page.locator('#controls [name="dataset"]')).toHaveValue('csv');

  // A CSV too large for the storage: the experiment is saved without it, and the page says so.
  await page.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (String(value).length > 15_000) throw new DOMException('quota exceeded', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };
  });
  await page.reload();
  await idle(page);
  const done = Number(await page.locator('body').getAttribute('data-done'));
  await upload.setInputFiles(csvFile(1500));
  await page.waitForFunction((n) => Number(document.body.dataset.done ?? '0') > n && document.body.dataset.busy === '', done);
  await expect(message).toContainText('too large to keep in this browser');
  const [slot] = (await saves(page)).filter((v) => v.settings.dataset === 'csv');
  expect(slot.csv).toBeUndefined();
  expect(problems).toEqual([]);
});

test('3. each tab has its own saved experiment: New experiment in one does not delete the other', async ({ page, context }) => {
  await open(page, '?ep=3');
  await press(page, 'train');
  const trained = await page.getByTestId('test-accuracy').getAttribute('data-value');

  // A second tab is offered the most recent experiment (from storage, not "from the link").
  const other = await context.newPage();
  await open(other, '');
  await expect(other.getByTestId('message')).toContainText('Restored your saved experiment');
  await expect(other.getByTestId('message')).not.toContainText('from the link');
  expect(await other.getByTestId('epoch').getAttribute('data-value')).toBe('3');
  await press(other, 'new-experiment');
  expect(await other.getByTestId('epoch').getAttribute('data-value')).toBe('0');

  // The first tab's work is still saved: a reload there brings it back.
  await open(page, '');
  expect(await page.getByTestId('epoch').getAttribute('data-value')).toBe('3');
  expect(await page.getByTestId('test-accuracy').getAttribute('data-value')).toBe(trained);
  // And the second tab, reloaded, keeps its own (new, empty) experiment.
  await open(other, '');
  expect(await other.getByTestId('epoch').getAttribute('data-value')).toBe('0');
});

test('4. the experiment lives in the URL fragment: a link with the longest step log reaches the page', async ({ page, request }) => {
  const problems = watchProblems(page);
  // 200 steps (the most a link replays), each naming every setting it reads: ≈ 19 KB.
  const step = 'prune(st:weights;sc:random;scope:layer;sched:oneshot;frac:0.01;out:0;rounds:2;rt:3;init:keep)';
  const steps = Array(200).fill(step).join(',');
  const query = `ep=2&steps=${steps}`;
  expect(query.length).toBeGreaterThan(17_000);
  // Through the real server, as a query such a link does not even reach the app …
  expect((await request.get(`/?${query}`)).status()).toBe(431);
  // … as a fragment it does.
  await page.goto(`/#${query}`);
  await idle(page);
  await expect(page.getByTestId('message')).toContainText('Replayed 200 steps from the link');
  const density = Number(await page.getByTestId('density').getAttribute('data-value'));
  expect(density).toBeLessThan(0.9);
  // The page writes its state to the fragment, the long log compressed; a reload of that link
  // gives the same model.
  const url = new URL(page.url());
  expect(url.search).toBe('');
  expect(url.hash.length).toBeLessThan(2_000);
  expect(linkParams(page).get('steps')).toMatch(/^~[A-Za-z0-9_-]+$/);
  await open(page, url.hash);
  await expect(page.getByTestId('message')).toContainText('200 steps');
  expect(Number(await page.getByTestId('density').getAttribute('data-value'))).toBe(density);

  // Query links of earlier versions still work (saying their numbers may differ), and a short log stays readable in the fragment.
  await open(page, '?ep=2&steps=train,prune');
  await expect(page.getByTestId('message')).toContainText('Replayed 2 steps from a link of an earlier version');
  expect(new URL(page.url()).search).toBe('');
  expect(new URL(page.url()).hash).toBe('#ep=2&steps=train,prune');
  expect(problems).toEqual([]);
});

test('5. a refused value is quoted cut short and the message wraps: the page never gets wider', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  for (const query of [`?hidden=${Array(300).fill(8).join(',')}`, `?act=${'x'.repeat(12_000)}`, `#lr=${'9'.repeat(100_000)}`]) {
    await page.goto('about:blank');
    await open(page, query);
    const message = page.getByTestId('message');
    await expect(message).toContainText('Ignored a value in the link');
    await expect(message).toContainText('characters)');
    const text = (await message.textContent()) ?? '';
    expect(text.length).toBeLessThan(400);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(1280);
  }
});

const LAYOUTS = ['', '?controls=train,prune', '?controls=none', '?controls=bogus', '?controls=frac,sc,train,prune,lottery', '?controls=lottery,cancel'];

test('6. any controls list lays out cleanly at phone, laptop and wide sizes; an invalid list changes nothing', async ({ page }) => {
  test.setTimeout(120_000);
  for (const width of [390, 1280, 1600]) {
    await page.setViewportSize({ width, height: 900 });
    for (const query of LAYOUTS) {
      await page.goto('about:blank');
      await open(page, query);
      const g = await page.evaluate(() => {
        const rect = (/** @type {string} */ sel) => document.querySelector(sel)?.getBoundingClientRect();
        const clipped = [...document.querySelectorAll('.readouts dd, .readouts dt')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1)
          .map((el) => el.textContent);
        const overlaps = [];
        const maps = rect('#neuron-maps');
        const side = rect('.side');
        const work = rect('.work');
        if (maps && side && work && side.left < work.right - 1 && side.top < work.bottom - 1 && side.left > work.left) overlaps.push('side over work');
        return {
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          work: work?.width ?? 0,
          maps: maps?.width ?? 0,
          clipped,
          overlaps,
          buttons: document.querySelectorAll('main button[data-action]').length,
        };
      });
      const name = `${width}-${query.replace(/[^a-z,]/g, '') || 'all'}`;
      await page.screenshot({ path: `${ART}/layout-${name}.png`, fullPage: true });
      expect(g.overflow, `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
      expect(g.work, `${name}: work column width`).toBeGreaterThanOrEqual(Math.min(width - 40, 480));
      expect(g.clipped, `${name}: clipped readouts`).toEqual([]);
      expect(g.overlaps, `${name}: overlaps`).toEqual([]);
      if (query === '?controls=bogus') {
        await expect(page.getByTestId('message')).toContainText('controls: "bogus"');
        expect(g.buttons, 'an invalid list removes nothing').toBeGreaterThan(10);
        await expect(page.locator('#controls .field').first()).toBeVisible();
      }
    }
  }
});

test('7. Cancel stops training within an epoch, and a stopped replay says exactly where', async ({ page }) => {
  // When the worker answers the training call (its reply carries `cancelled`), by the page's clock.
  await page.addInitScript(() => {
    const Base = window.Worker;
    /** @type {{ t: number }[]} */
    const replies = [];
    Object.assign(window, { trainReplies: replies });
    window.Worker = class extends Base {
      /** @param {ConstructorParameters<typeof Worker>} args */
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          const r = e.data?.result;
          if (r && typeof r === 'object' && 'cancelled' in r) replies.push({ t: performance.now() });
        });
      }
    };
  });
  // Six 256-wide layers at batch 1 on MNIST-1D: an epoch is thousands of steps, seconds of work.
  const big = '?data=mnist1d&hidden=256,256,256,256,256,256&batch=1&ep=500';
  await open(page, big);
  await page.getByTestId('train').click();
  await page.waitForFunction(() => document.body.dataset.busy === 'train');
  await page.waitForTimeout(500);
  const latency = await page.evaluate(async () => {
    const replies = /** @type {{ t: number }[]} */ (/** @type {any} */ (window).trainReplies);
    const t0 = performance.now();
    /** @type {HTMLButtonElement} */ (document.querySelector('[data-testid="cancel"]')).click();
    while (!replies.some((r) => r.t >= t0)) await new Promise((resolve) => setTimeout(resolve, 5));
    return /** @type {{ t: number }} */ (replies.find((r) => r.t >= t0)).t - t0;
  });
  expect(latency).toBeLessThan(250);
  await idle(page);
  const epochs = Number(await page.getByTestId('epoch').getAttribute('data-value'));
  await expect(page.getByTestId('message')).toContainText(`Stopped after ${epochs} epochs`);
  // The partial epoch is undone: the model is exactly the one after the completed epochs, so the
  // link (which records them) replays it.
  expect(linkParams(page).get('steps') ?? '').toBe(epochs > 0 ? `train(ep:${epochs})` : '');

  // A replay stopped half-way through a step says which step and how far it got.
  await page.goto('about:blank');
  await page.goto(`/${big}&steps=train`);
  await page.waitForFunction(() => document.body.dataset.busy === 'replay');
  await page.waitForTimeout(500);
  await page.getByTestId('cancel').click();
  await idle(page);
  const done = Number(await page.getByTestId('epoch').getAttribute('data-value'));
  await expect(page.getByTestId('message')).toContainText(`stopped at step 1 of 1 (train) after ${done} of 500 epochs`);
});

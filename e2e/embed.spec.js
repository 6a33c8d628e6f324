// The <pruning-playground> element (www/element.js → www/pruning-playground.js): blank pages
// (served from the test server's origin, under a strict CSP, no import map) with elements driven
// by script; the app's Embed snippet pasted into a blank page; the blog example.
/* global document, customElements */ // used inside page.evaluate / waitForFunction callbacks
import { test, expect } from '@playwright/test';
import { open, press, savedSlots, watchProblems } from './helpers.js';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self'";

/**
 * Serves `body` as a page at /blank/NAME.html on the test server (same origin as the bundle) and
 * opens it. The page has only the CSP, the one module script and what `body` adds.
 * @param {import('@playwright/test').Page} page
 * @param {string} body
 * @param {string} [name]
 */
async function blankPage(page, body, name = 'page') {
  const html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>blank</title></head><body>${body}</body></html>`;
  await page.route(`**/blank/${name}.html`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: html }));
  await page.goto(`/blank/${name}.html`);
}

/**
 * Waits until element `sel` has finished `n` dispatcher actions and is idle (data-done / data-busy
 * on the element itself).
 * @param {import('@playwright/test').Page} page
 * @param {string} sel
 * @param {number} [n]
 */
async function ready(page, sel, n = 1) {
  await page.waitForFunction(
    ([s, k]) => {
      const el = /** @type {HTMLElement | null} */ (document.querySelector(s));
      return !!el && Number(el.dataset.done ?? '0') >= k && el.dataset.busy === '';
    },
    /** @type {[string, number]} */ ([sel, n]),
    { timeout: 30_000 },
  );
}

const SCRIPT = '<script type="module" src="/www/pruning-playground.js"></script>';

test('two elements on a blank page run independently, each emitting its events', async ({ page }) => {
  const problems = watchProblems(page);
  await blankPage(page, `${SCRIPT}
    <pruning-playground id="a" data="xor" seed="1" ep="4" views="network training density" lang="en"></pruning-playground>
    <pruning-playground id="b" data="xor" seed="2" ep="4" views="boundary" lang="en"></pruning-playground>
    <pruning-playground id="c" data="xor" seed="1" ep="4" views="density" controls="none" lang="en"></pruning-playground>`);
  await ready(page, '#a');
  await ready(page, '#b');
  await ready(page, '#c');

  const run = await page.evaluate(async () => {
    await customElements.whenDefined('pruning-playground');
    /** @type {Record<string, { type: string, detail: any }[]>} */
    const events = { a: [], b: [], c: [] };
    for (const id of ['a', 'b', 'c']) {
      const el = /** @type {any} */ (document.getElementById(id));
      for (const type of ['epoch', 'pruned', 'rewound', 'level', 'lottery-done', 'error']) {
        el.addEventListener(type, (/** @type {CustomEvent} */ e) => events[id].push({ type, detail: e.detail }));
      }
    }
    const [a, b, c] = ['a', 'b', 'c'].map((id) => /** @type {any} */ (document.getElementById(id)));
    // All three at once: each has its own worker.
    const trained = await Promise.all([a.train(), b.train(), c.train()]);
    const pruned = await Promise.all([a.prune(0.5), b.prune({ fraction: 0.5, scope: 'layer' }), c.prune(0.5)]);
    const rewound = await a.rewind();
    const lottery = await c.runLottery({ levels: 2, lotteryEpochs: 2, controls: [] });
    return { events, trained, pruned, rewound, lottery, busy: [a.state.busy, b.state.busy, c.state.busy] };
  });
  const { events, trained, pruned } = run;
  // Events: one epoch event per epoch, a pruned event per prune, rewound only on a, levels on c.
  expect(events.a.filter((e) => e.type === 'epoch').map((e) => e.detail.epoch)).toEqual([1, 2, 3, 4]);
  expect(events.b.filter((e) => e.type === 'epoch')).toHaveLength(4);
  expect(events.a.filter((e) => e.type === 'pruned')).toHaveLength(1);
  expect(events.b.filter((e) => e.type === 'pruned')[0].detail.density).toBeCloseTo(0.5, 1);
  expect(events.a.filter((e) => e.type === 'rewound')).toHaveLength(1);
  expect(events.b.filter((e) => e.type === 'rewound')).toHaveLength(0);
  expect(events.c.filter((e) => e.type === 'level').length).toBeGreaterThanOrEqual(2);
  expect(events.c.filter((e) => e.type === 'lottery-done')).toHaveLength(1);
  expect(run.lottery.lottery.length).toBe(events.c.filter((e) => e.type === 'level').length);
  for (const id of ['a', 'b', 'c']) expect(events[id].filter((e) => e.type === 'error')).toEqual([]);
  expect(run.busy).toEqual([null, null, null]);

  // Same settings ⇒ same numbers (a and c); different seed ⇒ different numbers (b).
  expect(trained[0].history.map((/** @type {any} */ m) => m.trainLoss)).toEqual(trained[2].history.map((/** @type {any} */ m) => m.trainLoss));
  expect(trained[0].testAccuracy).toBe(trained[2].testAccuracy);
  expect(trained[0].history.at(-1).trainLoss).not.toBe(trained[1].history.at(-1).trainLoss);
  expect(pruned[0].density).toBe(pruned[2].density);
  expect(pruned[1].settings.scope).toBe('layer');
  expect(pruned[0].settings.scope).toBe('global');

  // Each element's readouts show its own numbers (c: its lottery's ticket, trained 2 epochs at its
  // last level); the host page's <html lang> and <body> are untouched.
  const epochs = await page.evaluate(() => ['a', 'b', 'c'].map((id) => document.getElementById(id)?.shadowRoot?.querySelector('[data-testid="epoch"]')?.textContent));
  expect(epochs).toEqual(['4', '4', '2']);
  expect(await page.evaluate(() => [document.documentElement.getAttribute('lang'), document.body.dataset.done])).toEqual([null, undefined]);
  // Classroom mode: c shows no buttons and no settings; a shows every button, b only the boundary view.
  // (The hidden "go back to the last good state" button stays: it appears only after a divergence.)
  const counts = await page.evaluate(() => ['a', 'c'].map((id) => document.getElementById(id)?.shadowRoot?.querySelectorAll('button[data-action]:not([data-action="restoreGood"])').length));
  expect(counts[0]).toBeGreaterThan(8);
  expect(counts[1]).toBe(0);
  expect(await page.locator('#b').getByTestId('boundary').isVisible()).toBe(true);
  expect(await page.locator('#b').getByTestId('network').count()).toBe(0);
  expect(problems).toEqual([]);
});

test('an invalid attribute shows a message naming it, and the element still works', async ({ page }) => {
  const problems = watchProblems(page);
  await blankPage(page, `${SCRIPT}
    <pruning-playground id="bad" data="xor" frac="2" ep="2" lang="en" views="density"></pruning-playground>
    <pruning-playground id="ko" data="xor" lr="fast" ep="2" lang="ko" views="density"></pruning-playground>`, 'invalid');
  await ready(page, '#bad');
  await ready(page, '#ko');
  const message = page.locator('#bad').getByTestId('message');
  await expect(message).toContainText('frac');
  await expect(message).toContainText('"2"');
  await expect(message).toHaveClass(/error/);
  await expect(page.locator('#ko').getByTestId('message')).toContainText('속성 값을 무시했습니다');
  await expect(page.locator('#ko').getByTestId('message')).toContainText('lr');
  // Fallback to the default fraction (20%), and the element trains and prunes.
  const state = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.getElementById('bad'));
    await el.train();
    return el.prune();
  });
  expect(state.settings.fraction).toBe(0.2);
  expect(state.epoch).toBe(2);
  expect(state.density).toBeCloseTo(0.8, 1);
  // A bad value through the API rejects naming the setting and changes nothing.
  const rejected = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.getElementById('bad'));
    /** @type {string[]} */
    const errors = [];
    el.addEventListener('error', (/** @type {CustomEvent} */ e) => errors.push(e.detail.error));
    try {
      await el.prune({ fraction: 5 });
      return { error: null, errors };
    } catch (err) {
      return { error: String(err), errors, density: el.state.density };
    }
  });
  expect(rejected.error).toContain('fraction');
  expect(rejected.errors).toHaveLength(1);
  expect(rejected.density).toBeCloseTo(0.8, 1);
  expect(problems).toEqual([]);
});

test('the Embed snippet from the app reproduces the experiment in a blank page', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const problems = watchProblems(page);
  await open(page, '?data=moons&seed=5&ep=6&frac=0.5&hidden=10');
  await press(page, 'train');
  await press(page, 'prune');
  await press(page, 'rewind');
  await press(page, 'retrain');
  const test = await page.getByTestId('test-accuracy').getAttribute('data-value');
  const density = await page.getByTestId('density').getAttribute('data-value');
  const epoch = await page.getByTestId('epoch').textContent();
  await page.getByTestId('embed').click();
  await expect(page.getByTestId('embed-dialog')).toBeVisible();
  const element = await page.getByTestId('embed-element').inputValue();
  const iframe = await page.getByTestId('embed-iframe').inputValue();
  expect(element).toContain('<pruning-playground data="moons" layers="10"');
  expect(element).toContain('steps=');
  expect(iframe).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/#data=moons/);
  await page.getByTestId('copy-element').click();
  await expect(page.getByTestId('embed-status')).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(element);
  await page.getByTestId('embed-close').click();
  await expect(page.getByTestId('embed-dialog')).toBeHidden();

  const savedBefore = await savedSlots(page);
  expect(savedBefore).toContain('steps');

  // Pasted into a blank page (no import map, strict CSP): same steps, same seed ⇒ same numbers.
  await blankPage(page, `<p>Some post.</p>\n${element}\n${iframe}`, 'pasted');
  await ready(page, 'pruning-playground');
  const el = page.locator('pruning-playground');
  await expect(el.getByTestId('test-accuracy')).toHaveAttribute('data-value', /** @type {string} */ (test));
  await expect(el.getByTestId('density')).toHaveAttribute('data-value', /** @type {string} */ (density));
  await expect(el.getByTestId('epoch')).toHaveText(/** @type {string} */ (epoch));
  // The iframe variant opens the app's own link, which replays the same steps.
  const frame = page.frameLocator('iframe');
  await expect(frame.getByTestId('test-accuracy')).toHaveAttribute('data-value', /** @type {string} */ (test), { timeout: 30_000 });
  // The lottery chart's MNIST preset button is the page's: in an element it would replace the
  // author's experiment.
  await expect(el.getByTestId('curve')).toHaveCount(1);
  await expect(el.getByTestId('preset-frankle-carbin-lenet')).toHaveCount(0);
  await expect(frame.getByTestId('preset-frankle-carbin-lenet')).toHaveCount(1);
  // Training inside the iframe does not overwrite the reader's own saved experiment on this origin.
  await frame.getByTestId('train').click();
  await expect(frame.getByTestId('epoch')).not.toHaveText(/** @type {string} */ (epoch), { timeout: 30_000 });
  await expect(frame.locator('body')).toHaveAttribute('data-busy', '');
  expect(await savedSlots(page)).toBe(savedBefore);
  expect(problems).toEqual([]);
});

test('the blog example loads without console errors and its buttons drive the elements', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = watchProblems(page);
  await page.goto('/www/examples/blog-post.html');
  await ready(page, '#story');
  await ready(page, '#control');
  const story = page.locator('#story');
  const events = await page.evaluate(() => {
    /** @type {string[]} */
    const seen = [];
    for (const type of ['epoch', 'pruned', 'rewound', 'level', 'lottery-done', 'error']) {
      document.getElementById('story')?.addEventListener(type, () => {
        if (!seen.includes(type)) seen.push(type);
      });
    }
    /** @type {any} */ (globalThis).seen = seen;
    return seen.length;
  });
  expect(events).toBe(0);
  await page.getByTestId('post-train').click();
  await expect(page.getByTestId('post-train-out')).toContainText('trained 25 epochs', { timeout: 30_000 });
  await expect(story.getByTestId('epoch')).toHaveText('25');
  await page.getByTestId('post-prune').click();
  await expect(page.getByTestId('post-prune-out')).toContainText('before any retraining', { timeout: 30_000 });
  // Half of the hidden weights, a quarter of the output layer's (the output rate is 0.5).
  const density = /** @type {string} */ (await story.getByTestId('density').textContent());
  expect(Number.parseFloat(density)).toBeGreaterThan(50);
  expect(Number.parseFloat(density)).toBeLessThan(60);
  await expect(page.getByTestId('post-prune-out')).toContainText(`density ${density}`);
  await page.getByTestId('post-rewind').click();
  await expect(page.getByTestId('post-rewind-out')).toContainText('rewound to θ₀');
  await page.getByTestId('post-retrain').click();
  await expect(page.getByTestId('post-retrain-out')).toContainText('the ticket after retraining', { timeout: 30_000 });
  // The second element is independent: it starts from epoch 0 and ends at its own numbers.
  await expect(page.locator('#control').getByTestId('epoch')).toHaveText('0');
  await page.getByTestId('post-control').click();
  await expect(page.getByTestId('post-control-out')).toContainText('random reinit after retraining', { timeout: 60_000 });
  // Same settings and seed: the control's mask has the story's density.
  await expect(page.locator('#control').getByTestId('density')).toHaveText(density);
  await page.getByTestId('post-lottery').click();
  await expect(page.getByTestId('post-lottery-out')).toContainText('done: the sparsest ticket', { timeout: 120_000 });
  // 5 levels (dense + 4 pruned) of the ticket, 4 pruned levels of each of the two controls.
  await expect(page.getByTestId('post-levels').locator('li')).toHaveCount(5 + 4 + 4);
  expect(await page.evaluate(() => /** @type {any} */ (globalThis).seen)).toEqual(['epoch', 'pruned', 'rewound', 'level', 'lottery-done']);
  expect(problems).toEqual([]);
});

test('presets choose settings, controls and views; controls, views and height attributes override them', async ({ page }) => {
  const problems = watchProblems(page);
  await blankPage(page, `${SCRIPT}
    <pruning-playground id="p1" preset="global-vs-local" lang="ko"></pruning-playground>
    <pruning-playground id="p2" preset="one-shot-vs-iterative" controls="sched frac train prune" views="density" height="420"></pruning-playground>`, 'presets');
  await ready(page, '#p1');
  await ready(page, '#p2');
  const layout = await page.evaluate(() => ['p1', 'p2'].map((id) => {
    const root = /** @type {ShadowRoot} */ (document.getElementById(id)?.shadowRoot);
    return {
      fields: [...root.querySelectorAll('#controls .field')].map((f) => /** @type {HTMLElement} */ (f).dataset.key),
      buttons: [...root.querySelectorAll('button[data-action]:not([data-action="restoreGood"])')].map((b) => /** @type {HTMLElement} */ (b).dataset.action),
      views: [...root.querySelectorAll('[data-view]')].map((v) => /** @type {HTMLElement} */ (v).dataset.view),
      height: document.getElementById(id)?.getBoundingClientRect().height,
      settings: /** @type {any} */ (document.getElementById(id)).state.settings,
    };
  }));
  // global-vs-local: the lesson's circle network (www/app/lessons.json), its three settings, Korean labels.
  expect(layout[0].settings).toMatchObject({ dataset: 'circle', hidden: [16, 16], fraction: 0.7, lang: 'ko' });
  expect(layout[0].fields.sort()).toEqual(['fraction', 'scope', 'score']);
  expect(layout[0].buttons.sort()).toEqual(['cancel', 'prune', 'reset', 'retrain', 'train']);
  expect(layout[0].views).toEqual(['network', 'boundary', 'density', 'histogram']);
  await expect(page.locator('#p1').getByTestId('train')).toHaveText('학습');
  // one-shot-vs-iterative with the author's own controls, views and height.
  expect(layout[1].settings).toMatchObject({ dataset: 'moons', fraction: 0.9, lang: 'en' });
  expect(layout[1].fields.sort()).toEqual(['fraction', 'schedule']);
  expect(layout[1].buttons.sort()).toEqual(['prune', 'train']);
  expect(layout[1].views).toEqual(['density']);
  expect(layout[1].height).toBe(420);
  // A config attribute changed later goes through the dispatcher like a control.
  await page.evaluate(() => document.getElementById('p2')?.setAttribute('sched', 'iterative'));
  await page.waitForFunction(() => /** @type {any} */ (document.getElementById('p2')).state.settings.schedule === 'iterative');
  await expect(page.locator('#p2').locator('select[name="schedule"]')).toHaveValue('iterative');
  expect(problems).toEqual([]);
});

test('an element can show the mask analysis and the guided lessons', async ({ page }) => {
  const problems = watchProblems(page);
  await blankPage(page, `${SCRIPT}
    <pruning-playground id="m" data="xor" lv="3" lep="2" views="masks lessons" lang="en"></pruning-playground>`, 'masks');
  await ready(page, '#m');
  const el = page.locator('#m');
  await expect(el.getByTestId('network')).toHaveCount(0);
  const masks = el.getByTestId('masks');
  await expect(masks.locator('#masks-empty')).toBeVisible();
  const rows = await page.evaluate(async () => /** @type {any} */ (document.getElementById('m')).runLottery().then((/** @type {any} */ s) => s.lottery.length));
  expect(rows).toBeGreaterThan(0);
  await expect(masks.locator('#masks-empty')).toBeHidden();
  await expect(masks.locator('table.masks-table tbody tr')).toHaveCount(2);
  await expect(masks.locator('svg[data-layer]')).toHaveCount(3);
  // The lessons panel loads a lesson and offers to leave it.
  const lessons = el.getByTestId('lessons');
  await lessons.locator('#lesson-load').click();
  await expect(el.getByTestId('lesson-leave')).toBeVisible();
  await el.getByTestId('lesson-leave').click();
  await expect(el.getByTestId('lesson-leave')).toBeHidden();
  expect(problems).toEqual([]);
});

test('an element removed and added again starts afresh: its markup goes, a new app trains', async ({ page }) => {
  const problems = watchProblems(page);
  await blankPage(page, `${SCRIPT}
    <pruning-playground id="r" data="xor" ep="2" views="density" lang="en"></pruning-playground>`, 'readd');
  await ready(page, '#r');
  // Removed (its worker stops, its markup goes), then added again: a new app builds the network.
  const left = await page.evaluate(async () => {
    const el = /** @type {HTMLElement} */ (document.getElementById('r'));
    el.remove();
    await new Promise((r) => setTimeout(r, 50));
    const children = el.shadowRoot?.childElementCount;
    delete el.dataset.done;
    document.body.append(el);
    return children;
  });
  expect(left).toBe(0);
  await ready(page, '#r');
  // The new app answers the buttons: Play runs until paused.
  const el = page.locator('#r');
  await el.getByTestId('play').click();
  await expect(el).toHaveAttribute('data-busy', 'play');
  await expect(el.getByTestId('epoch')).not.toHaveText('0');
  await expect(el).toHaveAttribute('data-busy', 'play');
  await el.getByTestId('play').click();
  await expect(el).toHaveAttribute('data-busy', '');
  expect(problems).toEqual([]);
});

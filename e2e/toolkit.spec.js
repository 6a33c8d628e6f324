// The pruning toolkit on the page (issue 19): the per-layer sensitivity scan draws one curve per
// layer from the validation split; "use as per-layer rates" sets the rates and one Prune reaches
// exactly the zeros the scan counted; 2:4 pruning leaves at most 2 of every 4 weights of each
// neuron and replays from its link, and so does the N:M setting under the iterative schedule
// and the lottery; per-layer rates are refused without layer scope (in Korean
// too); the panel fits a 390 px phone.
/* global document */ // used inside page.evaluate callbacks, which run in the page
import { expect, test } from '@playwright/test';
import { linkOf, linkParams, open, press, settle, setSetting, watchProblems } from './helpers.js';

/**
 * The engine's latest snapshot as the page holds it: per layer its shape and 0/1 mask.
 * @param {import('@playwright/test').Page} page
 * @returns {Promise<{ shape: number[], mask: number[] }[]>}
 */
async function masks(page) {
  return page.evaluate(() => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    return el.app.state.frame.snapshot.layers.map((/** @type {any} */ l) => ({ shape: [...l.shape], mask: Array.from(l.mask) }));
  });
}

/** @param {import('@playwright/test').Page} page */
async function scanOf(page) {
  return page.evaluate(() => /** @type {any} */ (document.querySelector('pruning-playground')).app.state.sensitivity);
}

/** @param {number[]} mask */
const zeros = (mask) => mask.filter((m) => m === 0).length;

test('the scan draws one curve per layer; "use as per-layer rates" prunes each layer to the scan\'s zeros', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&ep=30');
  await press(page, 'train');
  const toolkit = page.getByTestId('toolkit');
  await expect(toolkit.getByTestId('scan-note')).toContainText('No scan yet');
  await press(page, 'scan');
  // The default 8-8 network on 2 features: 3 layers of 16, 64 and 16 weights.
  await expect(toolkit.locator('path.sens-curve')).toHaveCount(3);
  await expect(toolkit.locator('#sens-bars text.bar-value')).toHaveText(['16', '64', '16']);
  await expect(toolkit.getByTestId('scan-note')).toContainText('validation split');
  const scan = await scanOf(page);
  expect(scan.split).toBe('validation');
  expect(scan.curves.map((/** @type {any} */ c) => c.points.length)).toEqual([11, 11, 11]);
  // Each path has one vertex per point.
  for (const d of await toolkit.locator('path.sens-curve').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''))) {
    expect(d.split(/[ML]/).filter(Boolean)).toHaveLength(11);
  }

  // A generous drop so that some layer goes beyond 0; the expected sparsities from the scan itself.
  const DROP = 10;
  await toolkit.getByTestId('max-drop').fill(String(DROP));
  await settle(page, () => toolkit.getByTestId('use-rates').click());
  const expected = scan.curves.map((/** @type {any} */ c) => {
    let best = null;
    for (const p of c.points) {
      if (p.accuracy < scan.base.accuracy - DROP / 100) break;
      best = p;
    }
    return best;
  });
  expect(expected.some((p) => p && p.zeros > 0)).toBe(true);
  await expect(toolkit.getByTestId('rates-out')).toContainText('press Prune');
  await expect(page.locator('#controls [name="scope"]')).toHaveValue('layer');
  await expect(page.locator('#controls [name="fraction"]')).toHaveValue('1');
  expect(linkParams(page).get('rates')).not.toBeNull();
  // The density-per-layer view shows the rate each layer will be pruned at.
  await expect(page.getByTestId('density-bars').locator('text.bar-rate')).toHaveCount(3);
  await expect(page.getByTestId('density-bars').locator('text.bar-rate').first()).toContainText('rate');
  await toolkit.screenshot({ path: 'e2e/artifacts/toolkit-scan.png' });
  await page.getByTestId('density-bars').screenshot({ path: 'e2e/artifacts/toolkit-density-rates.png' });

  await press(page, 'prune');
  const after = await masks(page);
  expect(after.map((l) => zeros(l.mask))).toEqual(expected.map((p) => p?.zeros ?? 0));
  expect(linkParams(page).get('steps')).toMatch(/^train,prune/);
  expect(problems).toEqual([]);
});

test('Prune 2:4 keeps at most 2 of every 4 inputs of each neuron, and its link replays it', async ({ page, context }) => {
  const problems = watchProblems(page);
  // 8 inputs per neuron in the second hidden layer and the output: two groups of 4 each.
  await open(page, '?lang=en&ep=10');
  await press(page, 'train');
  await expect(page.getByTestId('cost-nm')).toContainText('multiply-adds');
  await press(page, 'prune-nm');
  await expect(page.getByTestId('message')).toContainText('2:4 pruning');
  const pruned = await masks(page);
  for (const { shape: [out, inn], mask } of pruned) {
    for (let r = 0; r < out; r += 1) {
      for (let g = 0; g < inn; g += 4) {
        const kept = mask.slice(r * inn + g, r * inn + Math.min(inn, g + 4)).reduce((a, b) => a + b, 0);
        expect(kept).toBeLessThanOrEqual(2);
      }
    }
  }
  // Layers with 8 inputs keep exactly half; the first layer's 2 inputs form one short group of 2.
  expect(pruned.map((l) => zeros(l.mask))).toEqual([0, 32, 8]);
  // The cost panel, layer by layer: dense multiply-adds, on 2:4 hardware, metadata bytes, the
  // weights this network keeps (2 bits per kept weight: 8·1·2, 8·2·2, 2·2·2 kept weights).
  await expect(page.getByTestId('cost-nm-layers').locator('tbody tr')).toHaveText([
    /^1\s*16\s*16\s*4\s*16$/, /^2\s*64\s*32\s*8\s*32$/, /^3\s*16\s*8\s*2\s*8$/,
  ]);
  const link = linkOf(page);
  expect(linkParams(page).get('steps')).toBe('train,pruneNM');

  const other = await context.newPage();
  await open(other, link);
  await expect(other.getByTestId('message')).toContainText('Replayed');
  expect(await masks(other)).toEqual(pruned);
  expect(problems).toEqual([]);
});

/**
 * Whether every group of `m` consecutive inputs of every neuron keeps at most `k`.
 * @param {{ shape: number[], mask: number[] }[]} layers
 * @param {number} k
 * @param {number} m
 */
function groupsKeepAtMost(layers, k, m) {
  return layers.every(({ shape: [out, inn], mask }) => {
    for (let r = 0; r < out; r += 1) {
      for (let g = 0; g < inn; g += m) {
        if (mask.slice(r * inn + g, r * inn + Math.min(inn, g + m)).reduce((a, b) => a + b, 0) > k) return false;
      }
    }
    return true;
  });
}

test('the N:M setting: iterative rounds step down to 2:4 through the core, the link replays it, the lottery levels too', async ({ page, context }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&ep=10&sched=iterative&rounds=2&rt=1');
  await setSetting(page, 'pattern', '2:4');
  expect(linkParams(page).get('nm')).toBe('2:4');
  // The network view brackets each group of 4 inputs: 2 inputs (one short group), 8 and 8.
  await expect(page.getByTestId('nm-groups').locator('path.nm-bracket')).toHaveCount(1 + 2 + 2);
  // The cost panel follows the setting at once, before any training or pruning.
  await expect(page.getByTestId('cost-nm-note')).toContainText('2:4 support');
  await setSetting(page, 'pattern', '1:4');
  await expect(page.getByTestId('cost-nm-note')).toContainText('1:4 support');
  await setSetting(page, 'pattern', '2:4');
  await expect(page.getByTestId('cost-nm-note')).toContainText('2:4 support');
  await press(page, 'train');
  await press(page, 'prune');
  // Two rounds: 3:4, then 2:4 (Experiment::schedule_plan), each retrained.
  await expect(page.getByTestId('message')).toContainText('2 rounds down to 2:4 (3:4 → 2:4)');
  const pruned = await masks(page);
  expect(groupsKeepAtMost(pruned, 2, 4)).toBe(true);
  expect(pruned.map((l) => zeros(l.mask))).toEqual([0, 32, 8]);
  const link = linkOf(page);
  expect(linkParams(page).get('steps')).toBe('train,prune');
  const other = await context.newPage();
  await open(other, link);
  await expect(other.getByTestId('message')).toContainText('Replayed');
  expect(await masks(other)).toEqual(pruned);

  // The lottery under the same setting: 3 levels on the page (dense, then 2 pruning levels),
  // the last one at 2:4; the adopted ticket keeps the pattern.
  const lottery = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    const s = await el.runLottery({ levels: 3, lotteryEpochs: 2, controls: ['random-mask'] });
    return s.lottery.map((/** @type {any} */ r) => [r.branch, r.level, r.density]);
  });
  expect(lottery).toEqual([
    ['ticket', 0, 1], ['ticket', 1, (16 + 48 + 12) / 96], ['random-mask', 1, (16 + 48 + 12) / 96],
    ['ticket', 2, (16 + 32 + 8) / 96], ['random-mask', 2, (16 + 32 + 8) / 96],
  ]);
  expect(groupsKeepAtMost(await masks(page), 2, 4)).toBe(true);
  expect(problems).toEqual([]);
});

test('the element API prunes gradually to 2:4: the keep count falls during training, every group ends at 2 of 4', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&ep=5');
  await page.evaluate(async () => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    await el.train();
    await el.prune({ pattern: '2:4', schedule: 'gradual', rounds: 2, retrainEpochs: 2 });
  });
  const pruned = await masks(page);
  expect(groupsKeepAtMost(pruned, 2, 4)).toBe(true);
  // The 2-input layer is one short group of 2 (kept); the others end at exactly 2 of every 4.
  expect(pruned.map((l) => zeros(l.mask))).toEqual([0, 32, 8]);
  // The element's settings became the page's: the link names the pattern and the schedule.
  expect([linkParams(page).get('nm'), linkParams(page).get('sched'), linkParams(page).get('steps')]).toEqual(['2:4', 'gradual', 'train,prune']);
  expect(problems).toEqual([]);
});

test('per-layer rates need layer scope: refused in Korean, the model untouched', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=ko&ep=5');
  await expect(page.getByTestId('toolkit').locator('h2')).toHaveText('가지치기 도구');
  await expect(page.getByTestId('scan')).toHaveText('레이어별 스캔');
  await press(page, 'train');
  await press(page, 'scan');
  await expect(page.getByTestId('scan-note')).toContainText('검증 데이터에서의 정확도');
  await expect(page.getByTestId('message')).toContainText('레이어 3개를 스캔했습니다');
  await setSetting(page, 'layerRates', '1, 0.5');
  const before = await masks(page);
  await press(page, 'prune');
  await expect(page.getByTestId('message')).toContainText('레이어 범위에서만');
  expect(await masks(page)).toEqual(before);
  // With layer scope the same rates prune: layer 2 at half the fraction.
  await setSetting(page, 'scope', 'layer');
  await setSetting(page, 'outputRate', '0');
  await press(page, 'prune');
  // fraction 0.2: layer 1 round(0.2 × 16) = 3, layer 2 round(0.1 × 64) = 6, output 0.
  expect((await masks(page)).map((l) => zeros(l.mask))).toEqual([3, 6, 0]);
  expect(problems).toEqual([]);
});

test('the element API scans, refuses rates without layer scope and prunes 2:4', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&ep=5');
  const out = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    await el.train();
    const scan = await el.sensitivity();
    const refused = await el.prune({ scope: 'global', layerRates: [1, 0.5] }).then(() => 'resolved', (/** @type {Error} */ e) => e.message);
    const nm = await el.pruneNM();
    return { split: scan.split, curves: scan.curves.length, refused, removed: nm.lastPrune.removed };
  });
  expect(out).toEqual({ split: 'validation', curves: 3, refused: expect.stringContaining('need the layer scope'), removed: 40 });
  expect(linkParams(page).get('steps')).toBe('train,pruneNM');
  // The refusal is an error the page reports; nothing else went wrong.
  expect(problems).toEqual([]);
});

test('the toolkit fits a 390 px phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '?lang=en&ep=5');
  await press(page, 'train');
  await press(page, 'scan');
  const toolkit = page.getByTestId('toolkit');
  await toolkit.scrollIntoViewIfNeeded();
  const box = await toolkit.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await toolkit.screenshot({ path: 'e2e/artifacts/toolkit-390.png' });
});

test('the scan runs point by point with progress; Stop keeps the model and the previous scan; a full scan equals the one-call scan', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = watchProblems(page);
  await open(page, '?lang=en&data=mnist1d&hidden=64,64&ep=2');
  await press(page, 'train');
  const toolkit = page.getByTestId('toolkit');

  // The element's sensitivity(): one `scanpoint` event per point, resolving with the full scan.
  const api = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    /** @type {any[]} */
    const events = [];
    el.addEventListener('scanpoint', (/** @type {CustomEvent} */ e) => events.push(e.detail));
    const scan = await el.sensitivity();
    return { scan, events };
  });
  expect(api.events).toHaveLength(33);
  expect(api.events.map((/** @type {any} */ e) => e.done)).toEqual(Array.from({ length: 33 }, (_, i) => i + 1));
  expect(api.events.map((/** @type {any} */ e) => e.layer)).toEqual(Array.from({ length: 33 }, (_, i) => Math.floor(i / 11)));
  expect(api.events.every((/** @type {any} */ e) => e.total === 33)).toBe(true);
  expect(api.scan.curves.map((/** @type {any} */ c) => c.points)).toEqual([0, 1, 2].map((l) => api.events.filter((/** @type {any} */ e) => e.layer === l).map((/** @type {any} */ e) => e.point)));
  await expect(page.getByTestId('message')).toContainText('Scanned 3 layers');

  // The same network built and trained in an engine of its own, scanned in one call.
  const oneCall = await page.evaluate(async () => {
    const el = /** @type {any} */ (document.querySelector('pruning-playground'));
    const { Engine } = await import('/www/engine.js');
    const { engineConfig } = await import('/www/app/state.js');
    const { SCAN_SPARSITIES } = await import('/www/app/workflows.js');
    const s = el.app.state.settings;
    const e = await Engine.create(engineConfig(s));
    await e.call('train', s.epochs);
    const out = await e.call('sensitivity', SCAN_SPARSITIES, s.score, s.seed);
    e.terminate();
    return out;
  });
  expect(api.scan).toEqual(oneCall);

  // Scanning again, each point held back 100 ms (the page's engine module is this one, so its
  // calls go through the patch) so that there is time to watch: progress shows, the curves grow,
  // and Cancel stops it between two points.
  await page.evaluate(async () => {
    const { Engine } = await import('/www/engine.js');
    const call = Engine.prototype.call;
    Engine.prototype.call = async function (/** @type {string} */ method, /** @type {any[]} */ ...args) {
      if (method === 'sensitivityStep') await new Promise((r) => setTimeout(r, 100));
      return call.call(this, method, ...args);
    };
  });
  const before = await masks(page);
  const steps = linkParams(page).get('steps');
  await page.getByTestId('scan').click();
  await expect(page.locator('#progress-label')).toContainText(/layer [123] of 3, \d+%/);
  await expect(toolkit.getByTestId('scan-note')).toContainText(/Scanning \(layer [123] of 3, \d+%\)/);
  await toolkit.screenshot({ path: 'e2e/artifacts/toolkit-scanning.png' });
  await expect(page.getByTestId('cancel')).toBeEnabled();
  await settle(page, () => page.getByTestId('cancel').click());
  await expect(page.getByTestId('message')).toContainText('Scan stopped after');
  await expect(page.getByTestId('message')).toContainText('of 33 points');
  // The previous scan is shown again, whole; the model and its link are as they were.
  const kept = await scanOf(page);
  expect({ split: kept.split, base: kept.base, curves: kept.curves }).toEqual(api.scan);
  expect(kept.partial).toBeFalsy();
  for (const d of await toolkit.locator('path.sens-curve').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''))) {
    expect(d.split(/[ML]/).filter(Boolean)).toHaveLength(11);
  }
  await expect(toolkit.getByTestId('scan-note')).not.toContainText('Scanning');
  expect(await masks(page)).toEqual(before);
  expect(linkParams(page).get('steps')).toBe(steps);
  await expect(page.getByTestId('scan')).toBeEnabled();
  expect(problems).toEqual([]);
});

// Kept runs compared side by side (issue 19, item 5): two experiments pruned two ways become two
// runs, overlaid in one chart with a table of the settings that differ; rename, pin, remove, the
// autosave across a reload, the CSV export, New experiment keeping the run, the element's API,
// and the phone layout.
/* global document, window */ // used inside page.evaluate callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { open, press, setSetting, settle, watchProblems } from './helpers.js';

const ART = 'e2e/artifacts';

/** @param {import('@playwright/test').Page} page */
const rows = (page) => page.getByTestId('runs-list').getByTestId('run');

/** The kept runs as the element's API lists them. @param {import('@playwright/test').Page} page */
function apiRuns(page) {
  return page.evaluate(() => /** @type {any} */ (document.querySelector('pruning-playground')).runs
    .map((/** @type {any} */ r) => ({ id: r.id, name: r.name, pinned: r.pinned, shown: r.shown, lottery: r.lottery.length, history: r.history.length })));
}

test('two ways of pruning become two runs, overlaid, renamed, pinned, exported, kept over a reload and removed', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchProblems(page);
  await open(page, '#ep=3&lv=2&lep=2');
  await expect(page.locator('#runs-empty')).toBeVisible();
  await expect(rows(page)).toHaveCount(0);

  // Run 1: trained, pruned globally, kept by the button.
  await press(page, 'train');
  await press(page, 'prune');
  await press(page, 'keep-run');
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId('message')).toContainText('Kept the run');

  // Run 2: the lottery experiment with layer-wise pruning, kept when it finishes.
  await setSetting(page, 'scope', 'layer');
  await press(page, 'run-lottery', 90_000);
  await expect(rows(page)).toHaveCount(2);
  const runs = await apiRuns(page);
  expect(runs.map((r) => r.name)).toEqual(['Global', 'Layer-wise (local)']);
  expect(runs[1].lottery).toBe(1 + 3); // the dense level, then one level × (ticket + two controls)
  await expect(rows(page).nth(0).getByTestId('run-name')).toHaveValue('Global');

  // The chart overlays both: run 1's one point (its final density), run 2's three branches.
  const paths = (/** @type {string} */ id) => page.locator(`#runs-svg path.run-line[data-run="${id}"]`);
  await expect(paths(runs[0].id)).toHaveCount(1);
  await expect(paths(runs[1].id)).toHaveCount(3);
  await expect(page.getByTestId('runs-legend')).toContainText('Global');
  // The settings table: only what differs (the scope).
  const table = page.getByTestId('runs-table');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody tr')).toContainText('Scope');
  await expect(table.locator('tbody tr td')).toHaveText(['Global', 'Layer-wise (local)']);
  // Loss vs epoch: only the trained run has a training history.
  await page.getByTestId('runs-mode-epoch').check();
  await expect(paths(runs[0].id)).toHaveCount(1);
  await expect(page.getByTestId('runs-chart')).toContainText('epoch');
  await page.getByTestId('runs-mode-density').check();

  // Rename run 1, pin run 2; unticking run 2 takes it out of the chart.
  const name = rows(page).nth(0).getByTestId('run-name');
  await name.fill('fine-tune');
  await name.press('Enter');
  await expect(page.getByTestId('runs-legend')).toContainText('fine-tune');
  await rows(page).nth(1).getByTestId('run-pin').click();
  await expect(rows(page).nth(1).getByTestId('run-pin')).toHaveAttribute('aria-pressed', 'true');
  await rows(page).nth(1).getByTestId('run-show').uncheck();
  await expect(paths(runs[1].id)).toHaveCount(0);
  await rows(page).nth(1).getByTestId('run-show').check();
  await expect(paths(runs[1].id)).toHaveCount(3);

  // CSV export: long format, one row per point, named as listed.
  await page.getByTestId('export').click();
  let download;
  await settle(page, async () => {
    const waiting = page.waitForEvent('download');
    await page.getByTestId('export-runs-csv').click();
    download = await waiting;
  });
  const d = /** @type {import('@playwright/test').Download} */ (/** @type {unknown} */ (download));
  expect(d.suggestedFilename()).toBe('pruning-playground-runs.csv');
  const csv = readFileSync(await d.path(), 'utf8').trimEnd().split('\n');
  expect(csv[0]).toBe('run,series,x,y');
  const hist = runs[0].history;
  // Run 1: its epochs' four series (no validation split by default is not assumed: count both ways).
  const run1 = csv.filter((r) => r.startsWith('fine-tune,'));
  expect(run1.length === hist * 4 || run1.length === hist * 6).toBe(true);
  expect(csv.filter((r) => r.startsWith('Layer-wise (local),ticket,')).length).toBe(2);
  expect(csv.filter((r) => r.startsWith('Layer-wise (local),random-reinit,')).length).toBe(1);

  // (Checked before reloading: a reload aborts the engine's requests in flight.)
  expect(problems).toEqual([]);

  // A reload keeps the runs, their names, pins and overlay.
  await page.reload();
  await open(page, '');
  const again = await apiRuns(page);
  expect(again.map((r) => [r.name, r.pinned])).toEqual([['fine-tune', false], ['Layer-wise (local)', true]]);
  await expect(rows(page)).toHaveCount(2);

  // Remove run 1: gone, and still gone after a reload.
  await rows(page).nth(0).getByTestId('run-remove').click();
  await expect(rows(page)).toHaveCount(1);
  await page.reload();
  await open(page, '');
  // Alone, nothing differs: the run is named by its place.
  expect((await apiRuns(page)).map((r) => [r.name, r.pinned])).toEqual([['run 1', true]]);
});

test('New experiment keeps the discarded run; the API keeps, compares and removes runs; nothing to keep is refused', async ({ page }) => {
  test.setTimeout(90_000);
  await open(page, '#ep=2');
  const el = 'pruning-playground';
  const refused = await page.evaluate((sel) => /** @type {any} */ (document.querySelector(sel)).keepRun().then(() => 'kept', (e) => e.message), el);
  expect(refused).toContain('Nothing to keep');
  await press(page, 'train');
  const kept = await page.evaluate(async (sel) => {
    const pp = /** @type {any} */ (document.querySelector(sel));
    const events = [];
    pp.addEventListener('runkept', (/** @type {CustomEvent} */ e) => events.push(e.detail.name));
    const run = await pp.keepRun('mine');
    return { run, events };
  }, el);
  expect(kept.run.name).toBe('mine');
  expect(kept.events).toEqual(['mine']);
  await setSetting(page, 'learningRate', '0.1');
  await press(page, 'train');
  await press(page, 'new-experiment');
  const runs = await apiRuns(page);
  expect(runs.length).toBe(2);
  expect(runs[1].history).toBe(2);
  const shown = await page.evaluate(async ([sel, id]) => {
    const pp = /** @type {any} */ (document.querySelector(sel));
    const list = await pp.compareRuns([id], 'epoch');
    return list.map((/** @type {any} */ r) => r.shown);
  }, [el, runs[1].id]);
  expect(shown).toEqual([false, true]);
  await expect(page.getByTestId('runs-mode-epoch')).toBeChecked();
  const left = await page.evaluate(([sel, id]) => /** @type {any} */ (document.querySelector(sel)).removeRun(id).then((/** @type {any[]} */ l) => l.length), [el, runs[0].id]);
  expect(left).toBe(1);
  const bad = await page.evaluate((sel) => /** @type {any} */ (document.querySelector(sel)).removeRun('nope').then(() => 'removed', (e) => e.message), el);
  expect(bad).toContain('not a kept run');
});

test('on a phone the runs fit the width and the Korean strings show', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '#ep=2&lv=2&lep=1&lang=ko');
  await press(page, 'train');
  await press(page, 'keep-run');
  await setSetting(page, 'schedule', 'iterative');
  await press(page, 'run-lottery', 60_000);
  await expect(rows(page)).toHaveCount(2);
  await expect(page.getByTestId('keep-run')).toHaveText('이 실행 보관');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  const box = await page.getByTestId('runs').boundingBox();
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  mkdirSync(ART, { recursive: true });
  await page.getByTestId('runs').screenshot({ path: `${ART}/runs-phone-ko.png` });
});

test('the scheduling lesson keeps each finished arm as a run, overlaid with its differing settings', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, '');
  await page.locator('#lesson-select').selectOption('scheduling');
  await settle(page, () => page.locator('#lesson-load').click());
  for (const id of ['train', 'prune', 'retrain']) await press(page, id);
  await expect(rows(page)).toHaveCount(1);
  // Running the arm again replaces its run instead of adding one.
  await press(page, 'retrain');
  await expect(rows(page)).toHaveCount(1);
  await press(page, 'reset');
  await setSetting(page, 'schedule', 'iterative');
  await setSetting(page, 'retrainEpochs', '10');
  for (const id of ['train', 'prune']) await press(page, id);
  await expect(rows(page)).toHaveCount(2);
  const names = (await apiRuns(page)).map((r) => r.name);
  expect(names[0]).toContain('One-shot');
  expect(names[1]).toContain('Iterative');
  await page.getByTestId('runs-mode-epoch').check();
  await expect(page.locator('#runs-svg path.run-line')).toHaveCount(2);
  await expect(page.getByTestId('runs-table').locator('tbody th')).toContainText(['Schedule', 'Retrain epochs']);
});

test('kept runs that do not fit the storage become a message; the experiment is still saved', async ({ page }) => {
  // A storage that refuses any save holding kept runs (as a full one would refuse a large save).
  await page.addInitScript(() => {
    const setItem = window.Storage.prototype.setItem;
    window.Storage.prototype.setItem = function (key, value) {
      if (String(value).includes('"runs":[{')) throw new Error('QuotaExceededError (test)');
      return setItem.call(this, key, value);
    };
  });
  const problems = watchProblems(page);
  await open(page, '#ep=2');
  await press(page, 'train');
  await press(page, 'keep-run');
  // Said once (not after every action while the runs do not fit).
  await expect(page.getByTestId('message')).toContainText('did not fit the browser’s storage');
  await press(page, 'train');
  await expect(page.getByTestId('message')).toContainText('Trained');
  await expect(rows(page)).toHaveCount(1);
  const saved = await page.evaluate(() => {
    const key = Object.keys(window.localStorage).find((k) => k.startsWith('pruning-playground:experiment:v2:'));
    return key ? JSON.parse(window.localStorage.getItem(key) ?? 'null') : null;
  });
  expect(saved.history.length).toBe(4);
  expect(saved.runs).toBeUndefined();
  expect(problems).toEqual([]);
});

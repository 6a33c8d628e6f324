// Pruning at initialization compared on the page (issue 19, item 4; Frankle et al. 2021): one
// click prunes θ₀ with SNIP, GraSP, SynFlow, magnitude and random at four densities, trains each,
// and draws a line per method with its two sanity checks (shuffled mask, reinitialized weights);
// the page's model is not changed, and the same link gives the same numbers; the element API
// resolves with the runs; a lottery run on the page adds its ticket line; the lesson "pai" reads its 10 % point.
/* global document */ // used inside page.evaluate callbacks, which run in the page
import { expect, test } from '@playwright/test';
import { linkOf, open, press, settle, watchProblems } from './helpers.js';

/** @param {import('@playwright/test').Page} page */
async function runsOf(page) {
  return page.evaluate(() => /** @type {any} */ (document.querySelector('pruning-playground')).app.state.pai.runs);
}

test('the comparison draws a line per method and per control, leaves the model, and replays', async ({ page, browser }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&lep=2');
  const toolkit = page.getByTestId('toolkit');
  await expect(toolkit.getByTestId('pai-note')).toContainText('No comparison yet');
  await press(page, 'pai', 120_000);
  await expect(page.getByTestId('message')).toContainText('Pruning at initialization compared: 60 networks, 2 epochs each');
  const lines = toolkit.locator('#pai-svg path.pai-line');
  await expect(lines).toHaveCount(15);
  for (const control of ['none', 'shuffle', 'reinit']) {
    await expect(toolkit.locator(`#pai-svg path.pai-line[data-control="${control}"]`)).toHaveCount(5);
  }
  for (const method of ['snip', 'grasp', 'synflow', 'magnitude', 'random']) {
    await expect(toolkit.locator(`#pai-svg path.pai-line[data-method="${method}"]`)).toHaveCount(3);
  }
  // One vertex per density.
  for (const d of await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''))) {
    expect(d.split(/[ML]/).filter(Boolean)).toHaveLength(4);
  }
  await expect(toolkit.locator('#pai-legend .key')).toHaveCount(7);
  const runs = await runsOf(page);
  expect(runs).toHaveLength(60);
  // A control keeps the method's density; the page's network is untouched (96 weights alive).
  for (let i = 0; i < runs.length; i += 3) {
    expect(runs[i + 1].actualDensity).toBe(runs[i].actualDensity);
    expect(runs[i + 2].actualDensity).toBe(runs[i].actualDensity);
  }
  await expect(page.getByTestId('network')).toHaveAttribute('data-alive', '96');

  // The same link elsewhere, through the element's API: the same numbers.
  const other = await browser.newPage();
  await open(other, linkOf(page));
  const again = await other.evaluate(() => /** @type {any} */ (document.querySelector('pruning-playground')).comparePruningAtInit());
  expect(again.map((/** @type {any} */ r) => r.testAccuracy)).toEqual(runs.map((/** @type {any} */ r) => r.testAccuracy));
  await other.close();
  expect(problems).toEqual([]);
});

test('Korean labels and legend; a lottery run adds the ticket line', async ({ page }) => {
  await open(page, '?lang=ko&lep=1');
  await expect(page.getByTestId('pai')).toHaveText('초기화 시점 가지치기 비교');
  await press(page, 'run-lottery', 120_000);
  await press(page, 'pai', 120_000);
  await expect(page.locator('#pai-legend')).toContainText('층 안에서 섞은 마스크');
  await expect(page.locator('#pai-legend')).toContainText('당첨 티켓');
  // The ticket at each of the lottery's levels (3 counting the dense one).
  const d = await page.locator('#pai-svg path.pai-ticket').getAttribute('d');
  expect((d ?? '').split(/[ML]/).filter(Boolean)).toHaveLength(3);
  await expect(page.getByTestId('message')).toContainText('초기화 시점 가지치기 비교 완료');
});

test('the lesson reads the 10 % point of the comparison', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en');
  await page.locator('#lesson-select').selectOption('pai');
  await settle(page, () => page.locator('#lesson-load').click());
  await press(page, 'pai', 120_000);
  const runs = await runsOf(page);
  const at = (/** @type {string} */ m, /** @type {string | null} */ c) => runs.find((/** @type {any} */ r) => r.method === m && r.control === c && r.density === 0.1).testAccuracy;
  // The lesson's claim (tests/lessons.rs checks it on seeds 0, 1 and 2): SynFlow and its
  // reinitialized mask above magnitude and random at 10 %.
  expect(at('synflow', null)).toBeGreaterThan(at('magnitude', null) + 0.02);
  expect(at('synflow', null)).toBeGreaterThan(at('random', null) + 0.02);
  expect(at('synflow', 'reinit')).toBeGreaterThan(at('random', null) + 0.02);
  await expect(page.getByTestId('lesson-result')).toContainText(`At 10 %: SynFlow ${(100 * at('synflow', null)).toFixed(1)}%`);
  expect(problems).toEqual([]);
});

test('Stop ends the comparison after the current run and keeps the runs done', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&lep=200');
  await page.getByTestId('pai').click();
  await expect(page.getByTestId('pai-chart')).not.toHaveAttribute('data-runs', '0');
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('message')).toContainText('Comparison stopped after');
  const runs = Number(await page.getByTestId('pai-chart').getAttribute('data-runs'));
  expect(runs).toBeGreaterThan(0);
  expect(runs).toBeLessThan(60);
  await expect(page.getByTestId('pai')).toBeEnabled();
  expect(problems).toEqual([]);
});

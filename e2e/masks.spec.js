// The lottery's mask-analysis view (www/views/masks.js): after a run, the ticket's agreement with
// the random mask and the largest-|θ₀| mask beside their chance levels, and per layer the θ₀
// histograms of survivors and pruned weights; the numbers are the engine's own.
/* global document */ // used inside page.evaluate callbacks, which run in the page
import { expect, test } from '@playwright/test';
import { open, press, watchProblems } from './helpers.js';

test('the mask analysis shows agreement beside chance and θ₀ histograms per layer', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&lv=3&lep=2');
  const view = page.getByTestId('masks');
  await expect(view.locator('#masks-empty')).toBeVisible();
  await press(page, 'run-lottery', 120_000);
  await expect(page.getByTestId('message')).toContainText('Lottery done');
  await expect(view.locator('#masks-empty')).toBeHidden();
  // Ticket levels 1 and 2, the latest shown.
  const picker = page.getByTestId('masks-level');
  await expect(picker.locator('option')).toHaveCount(2);
  await expect(picker).toHaveValue('2');
  const rows = view.locator('table.masks-table tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-row', 'vsRandomMask');
  await expect(rows.nth(1)).toHaveAttribute('data-row', 'vsInitMagnitude');
  // 2-8-8-2: three layers and the overall column, each "0.xx (chance 0.yy)".
  await expect(rows.nth(0).locator('td')).toHaveCount(4);
  await expect(rows.nth(0).locator('td').last()).toHaveText(/^[01]\.\d\d \(chance 0\.\d\d\)$/);
  await expect(view.locator('svg[data-layer]')).toHaveCount(3);
  // Each histogram's survivors are the layer's alive weights: first layer 2×8 = 16 weights.
  const counts = await view.locator('svg[data-layer="0"]').evaluate((svg) => {
    const n = (/** @type {string} */ sel) => [...svg.querySelectorAll(`${sel} rect title`)]
      .reduce((a, t) => a + Number(/(\d+) (survivors|pruned)$/.exec(t.textContent ?? '')?.[1] ?? NaN), 0);
    return { kept: n('.kept'), pruned: n('.pruned') };
  });
  expect(counts.kept + counts.pruned).toBe(16);
  await view.screenshot({ path: 'e2e/artifacts/masks.png' });
  // Pick level 1: the table follows.
  await picker.selectOption('1');
  await expect(picker).toHaveValue('1');
  await expect(rows).toHaveCount(2);
  // Korean labels.
  await page.locator('#lang').selectOption('ko');
  await expect(rows.nth(0).locator('th')).toHaveText('무작위 마스크');
  expect(problems).toEqual([]);
});

test('a neuron ticket is compared by its kept neurons; the θ₀ parts say they do not apply', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en&lv=2&lep=1&st=neurons');
  await press(page, 'run-lottery', 120_000);
  await expect(page.getByTestId('message')).toContainText('Lottery done');
  const view = page.getByTestId('masks');
  const rows = view.locator('table.masks-table tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toHaveAttribute('data-row', 'vsRandomMask');
  // Two hidden layers and the overall column.
  await expect(view.locator('table.masks-table thead th')).toHaveText(['survivors also kept by', 'hidden 1', 'hidden 2', 'all']);
  await expect(view.locator('svg[data-layer]')).toHaveCount(0);
  await expect(view).toContainText('do not apply');
  expect(problems).toEqual([]);
});

test('with "another seed\'s ticket" among the controls the table compares it too, beside chance', async ({ page }) => {
  const problems = watchProblems(page);
  // The default controls plus the other seed's ticket line (URL key ctl).
  await open(page, '?lang=en&lv=2&lep=2&ctl=random-reinit,random-mask,other-seed');
  await expect(page.locator('#controls input[type="checkbox"][value="other-seed"]')).toBeChecked();
  await press(page, 'run-lottery', 120_000);
  await expect(page.getByTestId('message')).toContainText('Lottery done');
  const rows = page.getByTestId('masks').locator('table.masks-table tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(2)).toHaveAttribute('data-row', 'vsOtherSeed');
  await expect(rows.nth(2).locator('td').last()).toHaveText(/^[01]\.\d\d \(chance 0\.\d\d\)$/);
  // Not a branch of the lottery: the table has the ticket and the two controls only.
  const branches = await page.evaluate(() => [...new Set([...document.querySelectorAll('[data-branch]')].map((e) => e.getAttribute('data-branch')))]);
  expect(branches).toEqual(expect.arrayContaining(['ticket', 'random-reinit', 'random-mask']));
  expect(branches).not.toContain('other-seed');
  expect(problems).toEqual([]);
});

// Smoke test of the page: it loads the wasm module (in the worker), trains, and the loss goes down.
import { expect, test } from '@playwright/test';

test('page trains a network and the loss goes down, with no console errors', async ({ page }) => {
  /** @type {string[]} */
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });

  await page.goto('/');
  await expect(page).toHaveTitle(/Pruning Playground/);
  await expect(page.locator('#status')).toHaveText('Ready.');
  await expect(page.locator('#train')).toBeEnabled();

  await page.locator('input[name="epochs"]').fill('15');
  await page.locator('#train').click();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('#status')).toContainText('Done: 15 epochs');

  const rows = page.locator('#epochs tbody tr');
  await expect(rows).toHaveCount(15);
  const losses = await rows.evaluateAll((trs) =>
    trs.map((tr) => Number(/** @type {HTMLElement} */ (tr).dataset.trainLoss)),
  );
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses.at(-1)).toBeLessThan(losses[0]);

  // The chart has been drawn (some non-transparent pixels inside the plot area).
  const inked = await page.locator('#loss-chart').evaluate((canvas) => {
    const c = /** @type {HTMLCanvasElement} */ (canvas);
    const data = c.getContext('2d')?.getImageData(60, 10, c.width - 80, c.height - 40).data ?? [];
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
    return n;
  });
  expect(inked).toBeGreaterThan(100);

  await page.screenshot({ path: 'e2e/artifacts/smoke.png', fullPage: true });
  expect(problems).toEqual([]);
});

test('an invalid config shows the error message instead of failing silently', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#train')).toBeEnabled();
  await page.locator('input[name="hidden"]').fill('0');
  await page.locator('#train').click();
  await expect(page.locator('body')).toHaveAttribute('data-state', 'error');
  await expect(page.locator('#status')).toContainText('Error:');
});

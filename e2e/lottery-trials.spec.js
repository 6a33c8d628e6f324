// Lottery trials on the page (issue 18): several seeds run in parallel workers, the chart draws
// their mean with min–max bars (accuracy and early-stopping iteration against density), a cancel
// stops every worker and leaves the model as it was, and a link with `tr=2` replays the same bars.
// A reduced run on the 2D circle data (the preset's MNIST run is e2e/mnist-page.spec.js).
/* global document */ // used inside page.evaluate / waitForFunction callbacks, which run in the page
import { expect, test } from '@playwright/test';
import { open, press, settle, value, watchProblems } from './helpers.js';

const ART = 'e2e/artifacts';
const QUERY = 'lang=en&lv=3&lep=3&frac=0.5&tr=2';

/**
 * Every error bar of a plot: its branch and min–max.
 * @param {import('@playwright/test').Page} page
 * @param {string} svg
 */
function bars(page, svg) {
  return page.locator(`${svg} path.error-bar`).evaluateAll((ps) =>
    ps.map((p) => ({ branch: p.getAttribute('data-branch'), min: Number(p.getAttribute('data-min')), max: Number(p.getAttribute('data-max')) })));
}

test('two trials draw the mean with min–max bars; the link replays them', async ({ page, browser }) => {
  test.setTimeout(240_000);
  const problems = watchProblems(page);
  await open(page, `?${QUERY}`);
  await expect(page.locator('#controls [name="trials"]')).toHaveValue('2');
  await press(page, 'run-lottery', 180_000);
  await expect(page.getByTestId('message')).toContainText('Lottery done');
  const curve = page.getByTestId('curve');
  for (const svg of ['#curve-svg', '#curve-epoch-svg']) {
    // 3 ticket levels and 2 pruned levels per control: one bar per point, each over 2 trials.
    const b = await bars(page, svg);
    expect(b.map((x) => x.branch).sort()).toEqual(['random-mask', 'random-mask', 'random-reinit', 'random-reinit', 'ticket', 'ticket', 'ticket']);
    for (const x of b) expect(x.min).toBeLessThanOrEqual(x.max);
    for (const branch of ['ticket', 'random-reinit', 'random-mask']) {
      await expect(curve.locator(`${svg} path.series[data-branch="${branch}"]`)).toHaveAttribute('data-points', '3');
    }
  }
  // The seeds differ, so somewhere the trials disagree; the iteration plot counts optimizer steps.
  const acc = await bars(page, '#curve-svg');
  expect(acc.some((x) => x.min < x.max)).toBe(true);
  const its = await bars(page, '#curve-epoch-svg');
  expect(Math.max(...its.map((x) => x.max))).toBeGreaterThan(3);
  await expect(curve.locator('#curve-svg circle.dot').first().locator('title')).toContainText('over 2 trials');
  await expect(page.getByTestId('curve-trials')).toHaveText('Mean of 2 trials; bars: min–max.');
  await expect(curve.locator('#curve-epoch-svg .axis-label').first()).toHaveText(/density/);
  await expect(curve.locator('#curve-epoch-svg .axis-label').nth(1)).toHaveText('early-stop iteration');
  await curve.screenshot({ path: `${ART}/trials-desktop.png` });

  // Korean.
  await page.locator('#lang').selectOption('ko');
  await expect(page.getByTestId('curve-trials')).toHaveText('시행 2회의 평균. 막대: 최소–최대.');
  await expect(curve.locator('#curve-epoch-svg .axis-label').nth(1)).toHaveText('조기 종료 반복 횟수');
  await expect(page.locator('label[for="set-trials"]')).toHaveText('시행 횟수(시드)');
  // A phone: the chart with its bars fits the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await curve.scrollIntoViewIfNeeded();
  expect((await curve.boundingBox())?.width).toBeLessThanOrEqual(390);
  await curve.screenshot({ path: `${ART}/trials-phone.png` });

  // The link (settings with tr=2 and the lottery step) replays the same trials, bit for bit.
  const link = new URL(page.url()).hash.slice(1);
  expect(link).toContain('tr=2');
  expect(link).toContain('steps=lottery');
  const other = await (await browser.newContext()).newPage();
  await other.goto(`/#${link}`);
  await expect(other.getByTestId('message')).toContainText('1단계를 다시 실행했습니다', { timeout: 180_000 });
  await expect(other.getByTestId('message')).not.toContainText('이전 버전');
  for (const svg of ['#curve-svg', '#curve-epoch-svg']) expect(await bars(other, svg)).toEqual(await bars(page, svg));
  await other.context().close();
  expect(problems).toEqual([]);
});

test('a cancel stops every trial, counts all their work and leaves the model as it was', async ({ page }) => {
  test.setTimeout(180_000);
  const problems = watchProblems(page);
  // 3 trials of 20 levels × 200 epochs × 3 branches, and the other seed's ticket line beside
  // each: far longer than the test waits.
  await open(page, '?lang=en&lv=20&lep=200&tr=3&ctl=random-reinit,random-mask,other-seed&steps=train(ep:2)');
  const before = { density: await value(page, 'density'), test: await value(page, 'test-accuracy'), epoch: await page.getByTestId('epoch').textContent() };
  await settle(page, async () => {
    await page.getByTestId('run-lottery').click();
    // Every trial's work: per trial the dense level's 200 epochs and 19 levels × 3 branches × 200,
    // plus the other seed's ticket line (200 + 19 × 200).
    await expect(page.getByTestId('progress')).toHaveAttribute('max', String(3 * (200 + 19 * 3 * 200 + 200 + 19 * 200)), { timeout: 60_000 });
    // Both workers (trial 0 here, trial 1 in the pool) report progress.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress"]')?.getAttribute('value')) > 4);
    await page.getByTestId('cancel').click({ timeout: 60_000 });
  }, 60_000);
  await expect(page.getByTestId('message')).toContainText('cancelled');
  await expect(page.getByTestId('run-lottery')).toBeEnabled();
  expect({ density: await value(page, 'density'), test: await value(page, 'test-accuracy'), epoch: await page.getByTestId('epoch').textContent() }).toEqual(before);
  // The workers are stopped: nothing moves any more.
  const shown = await page.getByTestId('message').textContent();
  await page.waitForTimeout(500);
  await expect(page.getByTestId('message')).toHaveText(/** @type {string} */ (shown));
  expect(problems).toEqual([]);
});

test('one trial split over two workers counts the other seed\'s ticket line too', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchProblems(page);
  await open(page, '?lang=en&lv=20&lep=200&ctl=random-reinit,random-mask,other-seed');
  await settle(page, async () => {
    await page.getByTestId('run-lottery').click();
    // The same work as one trial above, now split: ticket and other seed here, controls beside.
    await expect(page.getByTestId('progress')).toHaveAttribute('max', String(200 + 19 * 3 * 200 + 200 + 19 * 200), { timeout: 60_000 });
    await page.getByTestId('cancel').click({ timeout: 60_000 });
  }, 60_000);
  await expect(page.getByTestId('message')).toContainText('cancelled');
  expect(problems).toEqual([]);
});

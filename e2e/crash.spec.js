// No crash reaches the user as a dead page: when the engine's worker dies (a wasm trap — Rust
// panics abort into one — or a worker error), the page starts a new worker, replays the step log
// and says what happened; the model comes back exactly, and training goes on.
import { test, expect } from '@playwright/test';
/* global document, self */ // used inside page.evaluate / worker.evaluate callbacks
import { linkParams, open, press, watchProblems } from './helpers.js';

/**
 * Makes the engine worker raise a wasm trap, as if the engine had panicked (`simulateTrap`).
 * @param {import('@playwright/test').Page} page
 */
async function trap(page) {
  const worker = page.workers().find((w) => w.url().endsWith('/worker.js'));
  if (!worker) throw new Error('no engine worker');
  await worker.evaluate(() => {
    self.dispatchEvent(new MessageEvent('message', { data: { id: 1e9, method: 'simulateTrap', args: [] } }));
  });
  return worker;
}

/** @param {import('@playwright/test').Page} page */
async function readouts(page) {
  const v = async (/** @type {string} */ id) => page.getByTestId(id).getAttribute('data-value');
  return { epoch: await v('epoch'), train: await v('train-accuracy'), test: await v('test-accuracy'), density: await v('density') };
}

test('a crashed engine is restarted and the model restored by replaying its steps', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?ep=3&frac=0.5');
  for (const id of ['train', 'prune', 'rewind', 'retrain']) await press(page, id);
  const before = await readouts(page);
  const steps = linkParams(page).get('steps');

  // Between actions.
  const done = Number(await page.locator('body').getAttribute('data-done'));
  const old = await trap(page);
  await page.waitForFunction((n) => Number(document.body.dataset.done) > n && document.body.dataset.busy === '', done);
  const message = page.getByTestId('message');
  await expect(message).toContainText('The engine crashed (unreachable executed (simulated trap))');
  await expect(message).toContainText('your 4 recorded steps were replayed');
  expect(await readouts(page)).toEqual(before);
  expect(linkParams(page).get('steps')).toBe(steps);
  expect(page.workers().filter((w) => w.url().endsWith('/worker.js') && w !== old)).toHaveLength(1);

  // During a run (Play): the run stops, the same recovery follows.
  const busyDone = Number(await page.locator('body').getAttribute('data-done'));
  await page.getByTestId('play').click();
  await expect.poll(async () => Number(await page.getByTestId('epoch').getAttribute('data-value'))).toBeGreaterThan(Number(before.epoch) + 1);
  await trap(page);
  await page.waitForFunction((n) => Number(document.body.dataset.done) > n && document.body.dataset.busy === '', busyDone);
  await expect(message).toContainText('The engine crashed');
  expect(await readouts(page)).toEqual(before);

  await press(page, 'train');
  expect(Number(await page.getByTestId('epoch').getAttribute('data-value'))).toBe(Number(before.epoch) + 3);
  // Crash messages are expected here; nothing else may go wrong.
  expect(problems.filter((p) => !p.includes('simulated trap'))).toEqual([]);
});

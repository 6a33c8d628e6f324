// Divergence: a learning rate far too large makes the loss overflow. Training stops with a message
// naming the epoch, the network is shown as it blew up, and "go back to the last good state"
// restores the checkpoint the worker kept before the failing epoch (the link's step log then
// continues from there). A lottery level that diverges is drawn as such, not as a point.
/* global document */ // used inside page.evaluate callbacks
import { test, expect } from '@playwright/test';
import { linkOf, linkParams, open, press, setSetting, watchProblems } from './helpers.js';

// Linear activations, plain SGD at 0.3, two examples per step: epoch 1 trains, epoch 2 overflows
// (step 145 of 113 per epoch — 225 training rows after the 10% validation split — as the CLI
// reports for the same seed).
const DIVERGES = '?data=gauss&act=linear&opt=sgd&lr=0.3&batch=2&ep=5';

test('training that diverges stops, says so, and goes back to the last good state', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, DIVERGES);
  const restore = page.getByTestId('restore-good');
  await expect(restore).toBeHidden();
  await press(page, 'train');
  const message = page.getByTestId('message');
  await expect(message).toContainText('Stopped in epoch 2: training diverged at step 145');
  await expect(message).toContainText('not finite');
  await expect(restore).toBeVisible();
  // The good epoch is in the link; the diverged one is not.
  expect(linkParams(page).get('steps')).toBe('train(ep:1)');
  const epochOne = await page.getByTestId('epoch').getAttribute('data-value');
  expect(epochOne).toBe('1');

  await press(page, 'restore-good');
  await expect(message).toContainText('Back to the last good state (end of epoch 1)');
  await expect(restore).toBeHidden();
  const back = {
    test: await page.getByTestId('test-accuracy').getAttribute('data-value'),
    train: await page.getByTestId('train-accuracy').getAttribute('data-value'),
  };
  expect(Number(back.test)).toBeGreaterThan(0.5);

  // The same link replayed elsewhere lands on the same good state.
  const other = await page.context().newPage();
  await open(other, linkOf(page));
  expect(await other.getByTestId('test-accuracy').getAttribute('data-value')).toBe(back.test);
  expect(await other.getByTestId('train-accuracy').getAttribute('data-value')).toBe(back.train);
  await other.close();

  // A sane learning rate trains on.
  await setSetting(page, 'learningRate', '0.01');
  await press(page, 'train');
  await expect(message).toContainText('Trained 5 epochs');
  expect(problems).toEqual([]);
});

test('a lottery level that diverges is marked, not drawn as a point', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, `${DIVERGES}&lv=2&lep=3`);
  await press(page, 'run-lottery');
  const marks = await page.evaluate(() => ({
    diverged: document.querySelectorAll('#curve-svg circle.diverged').length,
    paths: [...document.querySelectorAll('#curve-svg path.series')].map((p) => p.getAttribute('d') ?? ''),
    title: document.querySelector('#curve-svg circle.diverged title')?.textContent ?? '',
  }));
  expect(marks.diverged).toBeGreaterThan(0);
  expect(marks.title).toContain('training diverged, no accuracy');
  expect(marks.paths.every((d) => !d.includes('NaN'))).toBe(true);
  expect(problems).toEqual([]);
});

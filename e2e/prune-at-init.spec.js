// Pruning at initialization (issues 16 and 19): before any training the page prunes with
// Gradient (SNIP) and GraSP (scored on the first mini-batch), SynFlow (data-free, in rounds under
// the iterative schedule) and magnitude, and refuses the norms, which add nothing at θ₀, saying why.
// The neuron scores' "L1 norm, raw" option is offered beside the fan-in normalized ones.
import { expect, test } from '@playwright/test';
import { linkOf, linkParams, open, press, setSetting, value, watchProblems } from './helpers.js';

test('SNIP prunes before training; a norm is refused with the reason', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en');
  const network = page.getByTestId('network');
  await expect(network).toHaveAttribute('data-alive', '96');

  await setSetting(page, 'score', 'lp:2');
  await press(page, 'prune');
  await expect(page.getByTestId('message')).toContainText('Train the network first');
  await expect(page.getByTestId('message')).toContainText('Gradient (SNIP');
  await expect(network).toHaveAttribute('data-alive', '96');

  // 20% of the remaining weights, the output layer at its own rate 1: 19 of 96 go.
  await setSetting(page, 'outputRate', '1');
  await setSetting(page, 'score', 'snip');
  await press(page, 'prune');
  await expect(page.getByTestId('message')).toContainText('19 of 96 weights removed');
  await expect(network).toHaveAttribute('data-alive', '77');
  expect(await value(page, 'density')).toBeCloseTo(77 / 96, 6);

  await expect(page.locator('#controls [name="score"] option[value="lp:1:raw"]')).toHaveText('L1 norm, raw');
  expect(problems).toEqual([]);
});

test('GraSP and SynFlow prune before training; SynFlow in rounds, and the link replays', async ({ page, browser }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en');
  const network = page.getByTestId('network');
  await setSetting(page, 'outputRate', '1');
  await setSetting(page, 'score', 'grasp');
  await press(page, 'prune');
  await expect(page.getByTestId('message')).toContainText('19 of 96 weights removed');
  await expect(network).toHaveAttribute('data-alive', '77');

  // SynFlow under the iterative schedule: 3 rounds of rescoring, no training between them.
  await setSetting(page, 'score', 'synflow');
  await setSetting(page, 'schedule', 'iterative');
  await setSetting(page, 'fraction', '0.5');
  await press(page, 'prune');
  await expect(page.getByTestId('message')).toContainText('SynFlow at initialization: 3 rounds');
  const alive = await network.getAttribute('data-alive');
  expect(Number(alive)).toBeLessThan(77);
  expect(linkParams(page).get('steps')).toContain('prune');

  const other = await browser.newPage();
  await open(other, linkOf(page));
  await expect(other.getByTestId('network')).toHaveAttribute('data-alive', String(alive));
  // The replayed masks are the same: the same density and the same (untrained) test accuracy.
  expect(await value(other, 'density')).toBe(await value(page, 'density'));
  await expect(other.getByTestId('test-accuracy')).toHaveAttribute('data-value', String(await page.getByTestId('test-accuracy').getAttribute('data-value')));
  await other.close();
  expect(problems).toEqual([]);
});

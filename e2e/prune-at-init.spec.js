// Pruning at initialization (issue 16): before any training the page prunes with Gradient (SNIP,
// scored on the first mini-batch) and refuses the scores that need trained weights, saying why.
// The neuron scores' "L1 norm, raw" option is offered beside the fan-in normalized ones.
import { expect, test } from '@playwright/test';
import { open, press, setSetting, value, watchProblems } from './helpers.js';

test('SNIP prunes before training; magnitude is refused with the reason', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?lang=en');
  const network = page.getByTestId('network');
  await expect(network).toHaveAttribute('data-alive', '96');

  await setSetting(page, 'score', 'magnitude');
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

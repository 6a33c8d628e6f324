// Real MNIST in the browser, through the engine API (the page's side: mnist-page.spec.js): the
// worker fetches pkg/mnist.bin only when an MNIST network is built, reporting download progress,
// and Frankle & Carbin's preset runs its lottery at a reduced size (2 levels × 2 epochs, ticket +
// random reinit in two workers) with the native CLI's numbers, bit for bit.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';

test('MNIST loads only when chosen, with progress, and the preset lottery gives the CLI numbers', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  const r = await page.evaluate(async () => {
    const { Engine } = await import('/www/engine.js');
    /** @type {any[]} */
    const progress = [];
    const e = await Engine.create({ dataset: { kind: 'circle' }, hidden: [4] });
    e.onProgress = (/** @type {any} */ p) => progress.push(p);
    await e.call('train', 1);
    const dataBefore = progress.filter((p) => p.kind === 'data').length;
    const { experiment, lottery } = await e.call('preset', 'frankle-carbin-lenet');
    const info = await e.configure(experiment);
    const data = progress.filter((p) => p.kind === 'data');
    const run = await e.call('lottery', { ...lottery, levels: 2, epochs: 2, controls: ['random-reinit'] });
    e.terminate();
    return {
      dataBefore,
      dataEvents: data.length,
      lastLoaded: data.at(-1)?.loaded,
      nTrain: info.dataset.yTrain.length,
      history: run.history.map((/** @type {any} */ h) => ({
        branch: h.branch, level: h.level, density: h.density, acc: h.earlyStopTestAccuracy,
        epoch: h.earlyStopEpoch, step: h.earlyStopStep, last: h.testAccuracy,
      })),
    };
  });
  expect(r.dataBefore).toBe(0);
  expect(r.dataEvents).toBeGreaterThan(0);
  expect(r.lastLoaded).toBe(7_850_016);
  expect(r.nTrain).toBe(7000);
  const cli = execFileSync(
    'cargo',
    ['run', '-q', '--', 'lottery', '--preset', 'frankle-carbin-lenet', '--levels', '2', '--epochs', '2',
      '--controls', 'random-reinit', '--json'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(r.history.map((/** @type {any} */ h) => `${h.branch} ${h.level}`)).toEqual(cli.map((l) => `${l.branch} ${l.level}`));
  expect(r.history).toEqual(cli.map((l) => ({
    branch: l.branch, level: l.level, density: l.density, acc: l.early_stop_test_accuracy,
    epoch: l.early_stop_epoch, step: l.early_stop_step, last: l.test_accuracy,
  })));
});

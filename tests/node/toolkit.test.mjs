// The pruning course's toolkit through the wasm API: the per-layer sensitivity scan against the
// CLI's `sensitivity --json` for the same run, and N:M pruning (a prune spec's pattern, nmCost, schedulePlan's rounds) checked on
// the weights the engine hands out.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { circleConfig, loadWasm, repoRoot } from './wasm-helpers.mjs';
import { ratesFromScan } from '../../www/views/sensitivity.js';

const EPOCHS = 5;
const SPARSITIES = [0, 0.25, 0.5, 0.75, 1];

function cliScan() {
  const args = ['run', '--quiet', '--', 'sensitivity', '--dataset', 'circle', '--hidden', '8,8',
    '--activation', 'tanh', '--optimizer', 'sgd', '--lr', '0.03', '--batch', '10',
    '--epochs', String(EPOCHS), '--seed', '0', '--sparsities', SPARSITIES.join(','), '--json'];
  return JSON.parse(execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
}

test('sensitivity(): one curve per layer on the validation split, the CLI\'s numbers, the model untouched', { timeout: 600_000 }, async () => {
  const { Playground } = await loadWasm();
  const pg = new Playground(circleConfig());
  pg.train(EPOCHS);
  const before = pg.evaluate();
  const s = pg.sensitivity(SPARSITIES, 'magnitude', 0);
  assert.deepEqual(pg.evaluate(), before, 'the scan leaves the model as it was');
  assert.equal(s.split, 'validation');
  assert.equal(s.curves.length, 3);
  const native = cliScan();
  assert.equal(native.split, s.split);
  for (const [i, c] of s.curves.entries()) {
    const n = native.curves[i];
    assert.equal(c.weights, n.weights);
    assert.deepEqual(c.points.map((p) => p.zeros), n.points.map((/** @type {any} */ p) => p.zeros));
    assert.equal(c.points[0].accuracy, s.base.accuracy, 'sparsity 0 is the model as it is');
    assert.equal(c.points.at(-1).zeros, c.weights, 'sparsity 1 zeroes the whole layer');
    assert.deepEqual(c.points.map((p) => p.accuracy), n.points.map((/** @type {any} */ p) => p.accuracy));
  }
  assert.throws(() => pg.sensitivity([0.5, 2]), /sparsities/);
  pg.free();
});

test('prune({ pattern: "2:4" }) keeps at most 2 of every 4 inputs of each neuron, and nmCost counts it per layer', async () => {
  const { Playground } = await loadWasm();
  const pg = new Playground(circleConfig({ hidden: [8, 8] }));
  pg.train(2);
  const report = pg.prune({ pattern: '2:4' });
  const snap = pg.snapshot();
  let alive = 0;
  for (const layer of snap.layers) {
    const [out, inputs] = layer.shape;
    for (let r = 0; r < out; r += 1) {
      for (let g = 0; g < inputs; g += 4) {
        let kept = 0;
        for (let c = g; c < Math.min(g + 4, inputs); c += 1) kept += layer.mask[r * inputs + c] ? 1 : 0;
        assert.ok(kept <= 2, `row ${r} group ${g / 4}: ${kept} kept`);
        alive += kept;
      }
    }
  }
  assert.equal(report.remaining, alive);
  // Widths 2-8-8-2: the 2-input layer has one short group of 2 (both stay); the others halve.
  assert.equal(report.removed, 8 * 8 / 2 + 2 * 8 / 2);
  const cost = pg.nmCost('2:4');
  // Per layer: 8 rows of one group, 8 rows of two, 2 rows of two; 2 bits per kept weight.
  const layers = [
    { dense: 16, sparse: 8 * 2, metadataBytes: (8 * 2 * 2) / 8 },
    { dense: 64, sparse: 8 * 2 * 2, metadataBytes: (8 * 2 * 2 * 2) / 8 },
    { dense: 16, sparse: 2 * 2 * 2, metadataBytes: (2 * 2 * 2 * 2) / 8 },
  ];
  assert.deepEqual(cost, { pattern: '2:4', denseMultiplyAdds: 16 + 64 + 16, sparseMultiplyAdds: 8 * 2 + 8 * 2 * 2 + 2 * 2 * 2, metadataBytes: 4 + 8 + 2, layers });
  assert.throws(() => pg.prune({ pattern: '4:2' }), (err) => err.kind === 'setting' && err.field === 'pattern');
  assert.throws(() => pg.prune({ pattern: '2:4', structure: 'neurons' }), (err) => err.kind === 'setting' && err.field === 'pattern');
  pg.free();
});

test('schedulePlan under a pattern: each iterative round names its k:m, a round that keeps all M none', async () => {
  const { Playground } = await loadWasm();
  const pg = new Playground(circleConfig({ hidden: [8, 8] }));
  pg.train(1);
  const steps = (rounds) => pg.schedulePlan('iterative', 0.5, rounds, 1, '2:4').rounds.map((r) => r.pattern);
  assert.deepEqual(steps(2), ['3:4', '2:4']);
  assert.deepEqual(steps(3), ['3:4', '3:4', '2:4']);
  assert.deepEqual(steps(4), [null, '3:4', '2:4', '2:4']);
  assert.ok(pg.schedulePlan('iterative', 0.5, 3, 1).rounds.every((r) => r.pattern === null));
  assert.throws(() => pg.schedulePlan('iterative', 0.5, 3, 1, '9:4'), (err) => err.field === 'pattern');
  pg.free();
});

test('"use as per-layer rates" on the page is the core\'s rule: the CLI\'s sparsities and rates for the same scan', { timeout: 600_000 }, () => {
  // The page converts the scan in its own state (workflows.js sparsitiesWithin, rateFor); the
  // core's sparsities_within and rates_for are what tests/lessons.rs and the CLI use.
  // Moons, trained to 100 %: layers differ, and round(s × weights) / weights is not s (0.1 of 16
  // weights is 2 of them: rate 0.125).
  for (const drop of ['0', '20', '60']) {
    const native = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--', 'sensitivity', '--dataset', 'moons',
      '--epochs', '20', '--sparsities', '0,0.1,0.3,0.7,0.9,0.95', '--max-drop', drop, '--json'],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const { sparsities, values } = ratesFromScan(native, Number(drop) / 100);
    assert.deepEqual(sparsities, native.sparsities_within, `drop ${drop}`);
    assert.deepEqual([...values.layerRates, values.outputRate], native.rates_within, `drop ${drop}`);
  }
});

// Lottery trials: the page's seed rule and summary (www/lottery-trials.js) against the CLI's
// `lottery --trials 2 --json` (src/lottery/trials.rs), and the lottery table export with trials.
//
// The wasm engine runs each trial as the page's worker pool does (trialInputs → a Playground of its
// own → startLottery): the structure (densities), early-stopping iterations and accuracies equal
// the CLI's, bit for bit (see parity.test.mjs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { circleConfig, loadWasm, repoRoot } from './wasm-helpers.mjs';
import { spread, summarizeTrials, trialInputs } from '../../www/lottery-trials.js';
import { lotteryRows, toCsv } from '../../www/app/export.js';

const SEED = 5;
const config = circleConfig({ seed: SEED, dataset: { kind: 'circle', noise: 0.1, trainFraction: 0.5, samples: 500, seed: SEED, validation: 0.2 } });
const spec = { levels: 2, fraction: 0.5, init: 'init', controls: ['random-reinit'], epochs: 3, seed: SEED, trials: 2 };

/** The CLI's JSON lines for the same experiment: each trial's levels, then the summary. */
function runCli() {
  const args = ['run', '--quiet', '--', 'lottery', '--dataset', 'circle', '--noise', '0.1', '--train-fraction', '0.5',
    '--samples', '500', '--validation', '0.2', '--hidden', '8,8', '--activation', 'tanh', '--optimizer', 'sgd',
    '--lr', '0.03', '--batch', '10', '--seed', String(SEED), '--levels', '2', '--fraction', '0.5', '--init', 'init',
    '--controls', 'random-reinit', '--epochs', '3', '--trials', '2', '--json'];
  const out = execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** A CLI level line in the engine's (camelCase) LevelResult form. */
function fromCli(/** @type {any} */ r) {
  return {
    branch: r.branch, level: r.level, density: r.density, testAccuracy: r.test_accuracy,
    earlyStopEpoch: r.early_stop_epoch, earlyStopStep: r.early_stop_step, earlyStopTestAccuracy: r.early_stop_test_accuracy,
  };
}

const cli = runCli();
const cliTrials = [0, 1].map((t) => cli.filter((l) => !l.summary && l.trial === t).map(fromCli));
const cliSummary = cli.filter((l) => l.summary);

test('trial t moves the model, data, control and other-seed seeds by t, as the CLI does', () => {
  assert.deepEqual(trialInputs(config, spec, 0), { config, spec });
  const { config: c, spec: s } = trialInputs(config, spec, 3);
  assert.deepEqual([c.seed, c.dataset.seed, s.seed], [SEED + 3, SEED + 3, SEED + 3]);
  assert.deepEqual({ ...c, seed: SEED, dataset: { ...c.dataset, seed: SEED } }, config);
  assert.deepEqual(trialInputs({ hidden: [4] }, { compareSeed: 9 }, 2), { config: { hidden: [4], seed: 2, dataset: { seed: 2 } }, spec: { compareSeed: 11, seed: 2 } });
  // Trial 1 of seed 0 against seed 1 compares seed 1 with seed 2, never seed 1 with itself.
  assert.equal(trialInputs({ seed: 0 }, { seed: 0, compareSeed: 1 }, 1).spec.compareSeed, 2);
  // The CLI prints each trial's model seed.
  assert.deepEqual([...new Set(cli.filter((l) => !l.summary).map((l) => `${l.trial}:${l.seed}`))], [`0:${SEED}`, `1:${SEED + 1}`]);
});

test('the page summary of the CLI trials is the CLI summary, bit for bit', () => {
  assert.equal(cliTrials[0].length, 5, 'dense ticket + 2 levels × (ticket, random-reinit)');
  const page = summarizeTrials(cliTrials);
  assert.equal(page.length, cliSummary.length);
  for (const [i, s] of cliSummary.entries()) {
    const p = page[i];
    assert.deepEqual([p.branch, p.level, p.trials], [s.branch, s.level, s.trials]);
    assert.equal(p.density.mean, s.density);
    assert.deepEqual(p.testAccuracy, s.test_accuracy, `${s.branch} ${s.level} test accuracy`);
    assert.deepEqual(p.earlyStopTestAccuracy, s.early_stop_test_accuracy);
    assert.deepEqual(p.earlyStopEpoch, s.early_stop_epoch);
    assert.deepEqual(p.earlyStopStep, s.early_stop_step);
  }
  // The trials differ (else the bars would say nothing).
  assert.ok(page.some((p) => p.testAccuracy.min < p.testAccuracy.max), 'some level differs between the two trials');
  assert.equal(spread([]), null);
  assert.deepEqual(spread([0.5, 0.25, 1]), { mean: 1.75 / 3, min: 0.25, max: 1 });
});

test('the wasm engine runs each trial as the CLI does', { timeout: 600_000 }, async () => {
  const { Playground } = await loadWasm();
  for (const t of [0, 1]) {
    const { config: c, spec: s } = trialInputs(config, spec, t);
    const pg = new Playground(c);
    pg.startLottery({ ...s, trials: 1 });
    let step;
    do step = pg.lotteryStep();
    while (!step.finished);
    const web = pg.lotteryHistory();
    pg.free();
    const native = cliTrials[t];
    assert.equal(web.length, native.length, `trial ${t}: levels`);
    for (const [i, n] of native.entries()) {
      const w = web[i];
      const at = `trial ${t} ${n.branch} level ${n.level}`;
      assert.deepEqual([w.branch, w.level, w.density], [n.branch, n.level, n.density], at);
      assert.equal(w.earlyStopStep, n.earlyStopStep, `${at}: early-stopping iteration`);
      assert.equal(w.testAccuracy, n.testAccuracy, `${at}: test accuracy`);
      assert.equal(w.earlyStopTestAccuracy, n.earlyStopTestAccuracy, `${at}: test accuracy at early stopping`);
    }
  }
});

test('the lottery table with trials has every trial\'s rows and the summary', () => {
  assert.deepEqual(lotteryRows(cliTrials[0], []), cliTrials[0]);
  const rows = /** @type {any[]} */ (lotteryRows(cliTrials[0], cliTrials));
  assert.equal(rows.length, 10 + cliSummary.length);
  assert.deepEqual(rows.slice(0, 5).map((r) => r.trial), [0, 0, 0, 0, 0]);
  const sums = rows.filter((r) => r.trial === 'summary');
  assert.deepEqual(sums.map((r) => [r.testAccuracy, r.testAccuracyMin, r.testAccuracyMax]),
    cliSummary.map((s) => [s.test_accuracy.mean, s.test_accuracy.min, s.test_accuracy.max]));
  const csv = toCsv(rows).trim().split('\n');
  assert.equal(csv.length, 1 + rows.length);
  assert.ok(csv[0].startsWith('trial,branch,level,density'), csv[0]);
  assert.ok(csv.at(-1)?.startsWith('summary,'), csv.at(-1));
});

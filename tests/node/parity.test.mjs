// Native CLI and WebAssembly build must compute the same training run, bit for bit: every product
// is summed in one order without fused multiply-adds (the tiled kernel natively, SIMD128 in wasm)
// and every exp/log is the same libm, so each epoch's losses and accuracies are equal.
//
// The CLI runs with the dev profile by default (`cargo run`, already built by `cargo test`);
// PARITY_RELEASE=1 uses `cargo run --release` instead.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { circleConfig, loadWasm, repoRoot } from './wasm-helpers.mjs';

const EPOCHS = 5;
/** The metrics of an epoch, wasm's key and the CLI's. */
const METRICS = [['trainLoss', 'train_loss'], ['testLoss', 'test_loss'], ['trainAccuracy', 'train_accuracy'], ['testAccuracy', 'test_accuracy']];

function runCli() {
  const args = ['run', '--quiet'];
  if (process.env.PARITY_RELEASE === '1') args.push('--release');
  args.push('--', 'train', '--dataset', 'circle', '--hidden', '8,8', '--activation', 'tanh',
    '--optimizer', 'sgd', '--lr', '0.03', '--batch', '10', '--epochs', String(EPOCHS),
    '--seed', '0', '--json');
  const out = execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

test('CLI `train --json` and the wasm Playground agree on every epoch', { timeout: 600_000 }, async () => {
  const native = runCli();
  assert.equal(native.length, EPOCHS, 'one JSON line per epoch from the CLI');

  const { Playground } = await loadWasm();
  const pg = new Playground(circleConfig());
  const web = pg.train(EPOCHS);
  pg.free();
  assert.equal(web.length, EPOCHS);

  for (let i = 0; i < EPOCHS; i += 1) {
    const n = native[i];
    const w = web[i];
    assert.equal(w.epoch, n.epoch, `epoch number at index ${i}`);
    for (const [jsKey, cliKey] of METRICS) {
      assert.equal(w[jsKey], n[cliKey], `epoch ${n.epoch} ${jsKey}: wasm ${w[jsKey]} vs native ${n[cliKey]}`);
    }
  }
});

test('CLI and wasm agree on real MNIST (data/mnist.bin) with the LeNet-300-100 preset network', { timeout: 600_000 }, async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const args = ['run', '--quiet'];
  if (process.env.PARITY_RELEASE === '1') args.push('--release');
  args.push('--', 'train', '--dataset', 'mnist', '--hidden', '300,100', '--activation', 'relu',
    '--weight-init', 'glorot-normal', '--optimizer', 'adam', '--lr', '0.0012', '--batch', '60',
    '--epochs', '1', '--seed', '3', '--json');
  const out = execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [native] = out.trim().split('\n').map((line) => JSON.parse(line));

  const { Playground } = await loadWasm();
  assert.equal(Playground.hasMnist(), false, 'the wasm engine does not embed MNIST');
  assert.throws(() => new Playground({ dataset: { kind: 'mnist' }, hidden: [4] }), /mnist\.bin|loadMnist/);
  Playground.loadMnist(readFileSync(join(repoRoot, 'data', 'mnist.bin')));
  assert.equal(Playground.hasMnist(), true);
  const pg = new Playground({
    dataset: { kind: 'mnist', seed: 3 }, hidden: [300, 100], activation: 'relu', init: 'glorot-normal',
    optimizer: 'adam', learningRate: 0.0012, batchSize: 60, seed: 3,
  });
  const [web] = pg.train(1);
  pg.free();
  for (const [jsKey, cliKey] of [...METRICS, ['valLoss', 'val_loss'], ['valAccuracy', 'val_accuracy']]) {
    assert.equal(web[jsKey], native[cliKey], `${jsKey}: wasm ${web[jsKey]} vs native ${native[cliKey]}`);
  }
});

test('CLI and wasm agree on the 8×8 digits with the shift augmentation (shift 2)', { timeout: 600_000 }, async () => {
  const args = ['run', '--quiet'];
  if (process.env.PARITY_RELEASE === '1') args.push('--release');
  args.push('--', 'train', '--dataset', 'digits', '--hidden', '32', '--activation', 'relu',
    '--optimizer', 'adam', '--lr', '0.003', '--batch', '16', '--shift', '2', '--epochs', '3',
    '--seed', '1', '--json');
  const out = execFileSync('cargo', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const native = out.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(native.length, 3);

  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { Playground } = await loadWasm();
  Playground.loadDigits(readFileSync(join(repoRoot, 'data', 'digits.bin')));
  /** @param {number} shift */
  const run = (shift) => {
    const pg = new Playground({
      dataset: { kind: 'digits', seed: 1 }, hidden: [32], activation: 'relu',
      optimizer: 'adam', learningRate: 0.003, batchSize: 16, shift, seed: 1,
    });
    const h = pg.train(3);
    pg.free();
    return h;
  };
  const web = run(2);
  for (let i = 0; i < 3; i += 1) {
    for (const [jsKey, cliKey] of [...METRICS, ['valLoss', 'val_loss'], ['valAccuracy', 'val_accuracy']]) {
      assert.equal(web[i][jsKey], native[i][cliKey], `epoch ${i + 1} ${jsKey}: wasm ${web[i][jsKey]} vs native ${native[i][cliKey]}`);
    }
  }
  assert.notEqual(run(0)[2].trainLoss, web[2].trainLoss, 'shift 2 trains another run than shift 0');
  assert.throws(() => new Playground({ dataset: { kind: 'circle' }, hidden: [4], shift: 1 }), /shift/);
});

// The JS contract of the wasm module as the page and the worker use it.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { circleConfig, loadIo, loadWasm } from './wasm-helpers.mjs';

/** @type {Awaited<ReturnType<typeof loadWasm>>} */
let wasm;
before(async () => {
  wasm = await loadWasm();
});

test('train(n) returns n epochs of metrics and the loss goes down', () => {
  const pg = new wasm.Playground(circleConfig());
  const metrics = pg.train(10);
  assert.ok(Array.isArray(metrics));
  assert.equal(metrics.length, 10);
  metrics.forEach((m, i) => {
    assert.equal(m.epoch, i + 1);
    for (const key of ['trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy']) {
      assert.equal(typeof m[key], 'number', key);
      assert.ok(Number.isFinite(m[key]), `${key} finite`);
    }
    assert.ok(m.trainAccuracy >= 0 && m.trainAccuracy <= 1);
  });
  assert.ok(metrics.at(-1).trainLoss < metrics[0].trainLoss, 'train loss decreases over 10 epochs');
  pg.free();
});

test('evaluate() reports both splits and matches the last epoch', () => {
  const pg = new wasm.Playground(circleConfig());
  const last = pg.train(3).at(-1);
  const ev = pg.evaluate();
  for (const key of ['trainLoss', 'testLoss', 'trainAccuracy', 'testAccuracy']) {
    assert.equal(typeof ev[key], 'number', key);
  }
  assert.equal(ev.testLoss, last.testLoss);
  pg.free();
});

test('same seed, same run (bit for bit); train(1)×k equals train(k)', () => {
  const a = new wasm.Playground(circleConfig());
  const b = new wasm.Playground(circleConfig());
  const ma = a.train(4);
  const mb = [];
  for (let i = 0; i < 4; i += 1) mb.push(...b.train(1));
  assert.deepEqual(mb, ma);
  a.free();
  b.free();
});

test('training in chunks of steps gives the whole-epoch numbers, bit for bit (the worker trains so)', () => {
  // The worker trains in chunks of a few milliseconds so that Cancel is seen within an epoch;
  // the chunks must not change a single number: same metrics, same weights, same next epoch.
  for (const config of [circleConfig(), circleConfig({ batchSize: 1, hidden: [16, 16] }), circleConfig({ batchSize: 7, optimizer: 'adam' })]) {
    const whole = new wasm.Playground(config);
    const chunked = new wasm.Playground(config);
    const expected = whole.train(3);
    // As the worker does: an epoch is ceil(rows / batch) steps; a chunk never crosses its end.
    const perEpoch = Math.ceil(chunked.epochOrder().order.length / config.batchSize);
    const got = [];
    let chunk = 1;
    for (let epoch = 0; epoch < 3; epoch += 1) {
      for (let left = perEpoch; left > 0;) {
        const n = Math.min(chunk, left);
        const out = chunked.trainSteps(n);
        left -= n;
        assert.equal(out.completed.length, left === 0 ? 1 : 0, 'an epoch ends exactly after its last step');
        got.push(...out.completed);
        chunk = (chunk % 5) + 1; // 1, 2, 3, 4, 5, 1, … steps: chunks end anywhere in an epoch
      }
      assert.equal(chunked.epochOrder().cursor, 0, 'at the epoch boundary');
    }
    assert.deepEqual(got, expected);
    const a = whole.snapshot();
    const b = chunked.snapshot();
    assert.deepEqual(b.layers.map((l) => [...l.weights]), a.layers.map((l) => [...l.weights]));
    assert.deepEqual(chunked.train(1), whole.train(1));
    whole.free();
    chunked.free();
  }
});

test('an invalid config throws a JS Error with a message', () => {
  assert.throws(() => new wasm.Playground(circleConfig({ activation: 'bogus' })), (err) => {
    assert.ok(err instanceof Error, 'an Error instance');
    assert.match(err.message, /bogus|activation/i);
    return true;
  });
  assert.throws(() => new wasm.Playground(circleConfig({ learningRate: -1 })), Error);
  assert.throws(() => new wasm.Playground(circleConfig({ dataset: { kind: 'nope' } })), Error);
});

test('the I/O module: a model exported through it imports back identically; CSV and PyTorch script', async () => {
  const io = await loadIo();
  const pg = new wasm.Playground(circleConfig());
  pg.train(2);
  pg.prune({ structure: 'neurons', fraction: 0.25 });
  const bytes = io.exportSafetensors(pg.exportModel());
  assert.ok(bytes instanceof Uint8Array && bytes.length > 100);
  assert.deepEqual(io.exportSafetensors(pg.exportModel()), bytes, 'the same model gives the same bytes');
  const other = new wasm.Playground(circleConfig({ seed: 9 }));
  const snap = other.importModel(io.importSafetensors(bytes));
  assert.deepEqual(snap.widths, pg.snapshot().widths);
  const x = new Float32Array([0.5, -1, 2, 3]);
  assert.deepEqual(other.predict(x), pg.predict(x));
  assert.deepEqual(io.exportSafetensors(other.exportModel()), bytes, 'export → import → export is a fixed point');

  const config = circleConfig({ dataset: { kind: 'csv', csv: 'a,b,label\n1,2,x\n2,1,y\n3,3,x\n1,1,y\n2,2,x\n', trainFraction: 0.6 } });
  const data = io.csvDataset(config);
  assert.deepEqual(data.featureNames, ['a', 'b']);
  assert.equal(data.nClasses, 2);
  assert.equal(data.yTrain.length + data.yTest.length, 5);
  const csvPg = new wasm.Playground(config, data);
  assert.equal(csvPg.dataset().nFeatures, 2);
  assert.equal(csvPg.config().dataset.kind, 'csv');
  assert.equal(csvPg.train(1).length, 1);

  const script = io.pytorchScript(pg.config(), { levels: 2, fraction: 0.2, epochs: 3 });
  assert.match(script, /import torch/);
  assert.throws(() => io.pytorchScript(pg.config(), { levels: 2, typo: 1 }), /unknown field `typo`/);
  for (const p of [pg, other, csvPg]) p.free();
});

test('dataset() labels: Uint8Array up to 256 classes, Uint16Array above, values intact', () => {
  // One feature, one row per class: class c sits at x = c (a data set given directly, as the
  // worker gives csvDataset's output).
  const make = (classes) => {
    const y = Uint32Array.from({ length: classes }, (_, c) => c);
    const x = Float32Array.from(y);
    return { name: 'classes', featureNames: ['x'], nClasses: classes, xTrain: x, yTrain: y, xTest: x.slice(0, 1), yTest: y.slice(0, 1) };
  };
  for (const [classes, type] of [[256, Uint8Array], [300, Uint16Array]]) {
    // No validation split: every class's one row stays in the training part.
    const config = circleConfig({ dataset: { kind: 'csv', csv: 'x,label\n0,0\n1,1\n', validation: 0 }, hidden: [4], loss: 'cross-entropy' });
    const pg = new wasm.Playground(config, make(classes));
    const d = pg.dataset();
    assert.equal(d.nClasses, classes);
    assert.ok(d.yTrain instanceof type, `${classes} classes: ${d.yTrain.constructor.name}`);
    assert.deepEqual(Array.from(d.yTrain), Array.from({ length: classes }, (_, c) => c));
    assert.deepEqual(Array.from(d.yTest), [0]);
    pg.free();
  }
});

test("schedulePlan gives every setting's iterative amount the page used to compute, bit for bit", () => {
  // Links recorded before the plan came from the core were replayed with the page's own
  // 1 − (1 − fraction)^(1/rounds) (Math.pow); the core's amount must be the same double, for
  // every fraction and round count the page's controls allow.
  const pg = new wasm.Playground(circleConfig());
  let checked = 0;
  for (let hundredths = 1; hundredths <= 99; hundredths += 1) {
    for (const fraction of [hundredths / 100, 0.95]) {
      for (let rounds = 2; rounds <= 20; rounds += 1) {
        const plan = pg.schedulePlan('iterative', fraction, rounds, 3);
        assert.equal(plan.kind, 'iterative');
        assert.equal(plan.rounds.length, rounds);
        const per = 1 - Math.pow(1 - fraction, 1 / rounds);
        for (const r of plan.rounds) {
          assert.ok(Object.is(r.amount, per), `fraction ${fraction}, ${rounds} rounds: ${r.amount} vs ${per}`);
          assert.equal(r.epochs, 3);
        }
        checked += 1;
      }
    }
  }
  assert.equal(checked, 99 * 2 * 19);
  pg.free();
});

test('schedulePlan: gradual pruning from the current step and density; unknown schedules are refused', () => {
  const pg = new wasm.Playground(circleConfig());
  pg.train(2);
  const snap = pg.snapshot();
  const plan = pg.schedulePlan('gradual', 0.5, 3, 2);
  assert.equal(plan.kind, 'gradual');
  assert.equal(plan.epochs, 6);
  assert.equal(plan.gradual.beginStep, snap.step);
  assert.equal(plan.gradual.initialSparsity, 1 - snap.density);
  assert.equal(plan.gradual.finalSparsity, 1 - snap.density * 0.5);
  assert.ok(plan.gradual.endStep > plan.gradual.beginStep);
  assert.throws(() => pg.schedulePlan('oneshot', 0.5, 3, 2), (err) => err.kind === 'setting' && err.field === 'schedule');
  pg.free();
});

// The engine contract (docs/api.md) driven through the worker client in Chromium: the pipeline,
// a lottery with a control branch, progress events, cancellation, error messages, and the same
// numbers as the native CLI for the same seed.
/* global window, requestAnimationFrame */ // used inside page.evaluate callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';

test.use({ bypassCSP: true });

const config = {
  dataset: { kind: 'moons', noise: 0.1, trainFraction: 0.5, samples: 400, seed: 5 },
  hidden: [8, 8],
  activation: 'tanh',
  optimizer: 'adam',
  learningRate: 0.02,
  batchSize: 16,
  seed: 5,
};

/** Loads the page and creates an Engine on `window.engine`. */
async function engineOn(page) {
  await page.goto('/');
  await page.evaluate(async (cfg) => {
    const { Engine } = await import('/www/engine.js');
    // @ts-ignore test hook
    window.engine = await Engine.create(cfg);
    // @ts-ignore test hook
    window.progress = [];
    // @ts-ignore test hook
    window.engine.onProgress = (p) => window.progress.push(p);
  }, config);
}

test('train → prune → rewind → retrain through the worker', async ({ page }) => {
  await engineOn(page);
  const r = await page.evaluate(async () => {
    // @ts-ignore test hook
    const e = window.engine;
    const before = await e.call('evaluate');
    const trained = await e.call('train', 10);
    const report = await e.call('prune', { fraction: 0.5, scope: 'global', outputRate: 1 });
    const pruned = await e.call('snapshot');
    await e.call('rewind');
    const rewound = await e.call('snapshot');
    const retrained = await e.call('fineTune', 10);
    const after = await e.call('snapshot');
    const survivorsAtTheta0 = rewound.layers.every((/** @type {any} */ l) =>
      Array.from(l.weights).every((w, i) => (l.mask[i] ? w === l.initialWeights[i] : w === 0)));
    const maskKept = after.layers.every((/** @type {any} */ l, /** @type {number} */ k) =>
      Array.from(l.mask).every((m, i) => m === pruned.layers[k].mask[i]));
    const zerosStayed = after.layers.every((/** @type {any} */ l) =>
      Array.from(l.weights).every((w, i) => l.mask[i] || w === 0));
    return { before, trained, report, density: pruned.density, survivorsAtTheta0, maskKept, zerosStayed, retrained };
  });
  expect(r.trained).toHaveLength(10);
  expect(r.trained[9].trainLoss).toBeLessThan(r.before.trainLoss);
  // 2·8 + 8·8 + 8·2 = 96 weights; exactly half go.
  expect(r.report.removed).toBe(48);
  expect(r.density).toBe(0.5);
  expect(r.survivorsAtTheta0).toBe(true);
  expect(r.maskKept).toBe(true);
  expect(r.zerosStayed).toBe(true);
  expect(r.retrained[9].testAccuracy).toBeGreaterThan(0.8);
});

test('a model imported with its θ₀ file rewinds to θ₀; without it, rewind says θ₀ is unknown', async ({ page }) => {
  await engineOn(page);
  const r = await page.evaluate(async (cfg) => {
    // @ts-ignore test hook
    const e = window.engine;
    await e.call('train', 5);
    await e.call('prune', { fraction: 0.5, scope: 'global', outputRate: 1 });
    const pruned = await e.call('snapshot');
    const model = await e.call('exportSafetensors', 'pruned');
    const plain = await e.call('exportSafetensors', 'plain');
    const init = await e.call('exportInitSafetensors');
    const { Engine } = await import('/www/engine.js');
    const other = await Engine.create(cfg);
    try {
      /** @param {Uint8Array} bytes @param {Uint8Array | undefined} theta0 */
      const rewound = async (bytes, theta0) => {
        // The engine transfers the buffers it sends: a copy for each call.
        await other.call('importSafetensors', bytes.slice(), theta0?.slice());
        await other.call('rewind');
        const snap = await other.call('snapshot');
        // Survivors of the exported mask are θ₀ bit for bit (the exporting engine's θ₀).
        return snap.layers.every((/** @type {any} */ l, /** @type {number} */ k) =>
          Array.from(pruned.layers[k].mask).every((m, i) => !m || Object.is(l.weights[i], pruned.layers[k].initialWeights[i])));
      };
      const withInit = await rewound(model, init);
      const plainWithInit = await rewound(plain, init);
      await other.call('importSafetensors', model.slice());
      const refused = await other.call('rewind').then(() => '', (/** @type {Error} */ err) => err.message);
      const wrongInit = await other.call('importSafetensors', model.slice(), model.slice()).then(() => '', (/** @type {Error} */ err) => err.message);
      return { withInit, plainWithInit, refused, wrongInit };
    } finally {
      other.terminate();
    }
  }, config);
  expect(r.withInit).toBe(true);
  expect(r.plainWithInit).toBe(true);
  expect(r.refused).toContain('θ₀ is unknown');
  expect(r.wrongInit).toContain('θ₀ file');
});

test('a 3-level lottery with a control reports progress, and cancel stops a run', async ({ page }) => {
  await engineOn(page);
  const r = await page.evaluate(async () => {
    // @ts-ignore test hook
    const e = window.engine;
    const done = await e.runLottery({ levels: 3, epochs: 3, controls: ['random-reinit'], fraction: 0.3 });
    // @ts-ignore test hook
    const progress = window.progress.splice(0);
    const long = e.runLottery({ levels: 30, epochs: 200, controls: ['random-reinit', 'random-mask'] });
    await new Promise((res) => setTimeout(res, 300));
    e.cancel();
    const cancelled = await long;
    // The engine still answers after a cancel.
    const evaluation = await e.call('evaluate');
    return { done, progress, cancelled, evaluation };
  });
  expect(r.done.cancelled).toBe(false);
  expect(r.done.history).toHaveLength(1 + 3 * 2);
  const ticket = r.done.history.filter((/** @type {any} */ x) => x.branch === 'ticket');
  expect(ticket.map((/** @type {any} */ x) => x.level)).toEqual([0, 1, 2, 3]);
  for (let i = 1; i < ticket.length; i++) expect(ticket[i].density).toBeLessThan(ticket[i - 1].density);
  expect(r.progress.length).toBeGreaterThanOrEqual((1 + 3 * 2) * 3);
  expect(r.cancelled.cancelled).toBe(true);
  expect(r.cancelled.history.length).toBeLessThan(1 + 30 * 3);
  expect(r.evaluation.testAccuracy).toBeGreaterThan(0);
});

test('a lottery split over two workers gives the one-worker history, bit for bit', async ({ page }) => {
  await engineOn(page);
  const r = await page.evaluate(async () => {
    // @ts-ignore test hook
    const e = window.engine;
    const out = [];
    for (const spec of [
      { levels: 3, epochs: 2, controls: ['random-reinit', 'random-mask'], fraction: 0.3 },
      { levels: 2, epochs: 2, controls: ['random-mask', 'random-reinit'], fraction: 0.25, structure: 'neurons' },
    ]) {
      const one = await e.runLottery({ ...spec, parallel: false });
      // @ts-ignore test hook
      window.progress.splice(0);
      const two = await e.runLottery(spec);
      // @ts-ignore test hook
      const progress = window.progress.splice(0).filter((p) => p.kind === 'lottery');
      out.push({ one, two, progress });
    }
    return { out, cores: navigator.hardwareConcurrency };
  });
  expect(r.cores).toBeGreaterThanOrEqual(2);
  for (const { one, two, progress } of r.out) {
    expect(one.split).toBeUndefined();
    expect(two.split).toBe(true);
    expect(two.history).toEqual(one.history);
    // Progress: results only ever appended, epochs counted up to the whole experiment's.
    for (let i = 1; i < progress.length; i++) {
      const [a, b] = [progress[i - 1], progress[i]];
      expect(b.history.slice(0, a.history.length)).toEqual(a.history);
      expect(b.step.epochsDone).toBeGreaterThanOrEqual(a.step.epochsDone);
    }
    const last = progress.at(-1);
    expect(last.history).toHaveLength(one.history.length);
    expect(last.step.epochsDone).toBe(last.step.epochsTotal);
  }
});

test('invalid specs reject with a message naming the field, and the model survives', async ({ page }) => {
  await engineOn(page);
  const r = await page.evaluate(async () => {
    // @ts-ignore test hook
    const e = window.engine;
    const before = await e.call('snapshot');
    const errors = [];
    for (const [method, arg] of [['prune', { fraction: 3 }], ['prune', { scope: 'everywhere' }], ['train', 1e9]]) {
      try {
        await e.call(method, arg);
        errors.push('(no error)');
      } catch (err) {
        errors.push(String(/** @type {Error} */ (err).message));
      }
    }
    const after = await e.call('snapshot');
    return { errors, same: before.density === after.density && before.step === after.step };
  });
  expect(r.errors[0]).toMatch(/fraction|amount/);
  expect(r.errors[1]).toMatch(/scope/);
  expect(r.errors[2]).toMatch(/epochs/);
  expect(r.same).toBe(true);
});

test('the browser gives the native CLI numbers for the same seed', async ({ page }) => {
  await engineOn(page);
  const browser = await page.evaluate(async () => {
    // @ts-ignore test hook
    return window.engine.call('train', 5);
  });
  const cli = execFileSync(
    'cargo',
    ['run', '-q', '--', 'train', '--dataset', 'moons', '--noise', '0.1', '--train-fraction', '0.5',
      '--samples', '400', '--seed', '5', '--hidden', '8,8', '--activation', 'tanh', '--optimizer', 'adam',
      '--lr', '0.02', '--batch', '16', '--epochs', '5', '--json'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(cli).toHaveLength(5);
  for (let i = 0; i < 5; i++) {
    // Same code, different GEMM kernels (SIMD128 vs native): agree to 1e-4 relative.
    expect(Math.abs(browser[i].trainLoss - cli[i].train_loss)).toBeLessThan(1e-4 * cli[i].train_loss);
    expect(Math.abs(browser[i].testLoss - cli[i].test_loss)).toBeLessThan(1e-4 * cli[i].test_loss);
  }
});

test('a 784-300-100-10 epoch in the worker does not block the page', async ({ page }) => {
  await page.goto('/');
  const r = await page.evaluate(async () => {
    // 4000 rows of 784 features and a label (10 classes), as CSV, built here (before measuring).
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const rows = ['x' + Array.from({ length: 784 }, (_, i) => i).join(',x') + ',label'];
    for (let i = 0; i < 4000; i += 1) {
      rows.push(`${Array.from({ length: 784 }, () => (rand() * 2 - 1).toFixed(2)).join(',')},${i % 10}`);
    }
    const { Engine } = await import('/www/engine.js');
    const e = await Engine.create({
      dataset: { kind: 'csv', csv: rows.join('\n'), trainFraction: 0.8, seed: 1 },
      hidden: [300, 100],
      activation: 'relu',
      optimizer: 'sgd',
      learningRate: 0.01,
      batchSize: 64,
      seed: 1,
    });
    /** @type {number[]} */
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask' });
    /** @type {number[]} */
    const frames = [];
    let running = true;
    const tick = (/** @type {number} */ t) => {
      frames.push(t);
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    await new Promise((resolve) => setTimeout(resolve, 200)); // frames before the epoch
    const t0 = performance.now();
    const metrics = await e.call('train', 1); // one whole epoch in one wasm call, in the worker
    const epochMs = performance.now() - t0;
    running = false;
    observer.disconnect();
    e.terminate();
    const during = frames.filter((t) => t >= t0 && t <= t0 + epochMs);
    const gaps = during.slice(1).map((t, i) => t - during[i]);
    return { epochMs, frames: during.length, maxGap: Math.max(0, ...gaps), longTasks, epochs: metrics.length };
  });
  console.log(`784-300-100-10 epoch: ${r.epochMs.toFixed(0)} ms in the worker; ${r.frames} frames drawn meanwhile, largest gap ${r.maxGap.toFixed(0)} ms, long tasks ${JSON.stringify(r.longTasks.map(Math.round))}`);
  expect(r.epochs).toBe(1);
  // The epoch is long enough that a blocked page would show it …
  expect(r.epochMs).toBeGreaterThan(150);
  // … yet the page kept drawing frames throughout and ran no long task.
  expect(r.frames).toBeGreaterThan(r.epochMs / 100);
  expect(r.maxGap).toBeLessThan(150);
  expect(r.longTasks.filter((d) => d > 100)).toEqual([]);
});

// The one-run browser benchmark (driven by bench/run.mjs; open bench/index.html by hand to watch).
//
// Every engine starts from the weights our engine drew (its `snapshot()`), trains on our engine's
// data (`dataset()`) in our engine's batch order (`epochOrder()`) with plain SGD at the same
// learning rate, and after one epoch every engine's training loss is compared with ours. Then
// each engine is timed by one rule (`timeAgainstOurs`): warm-up calls for ≥ WARMUP_MS, then the
// number of units (steps, epochs or Playground steps) per window is calibrated so that a window
// lasts ≥ WINDOW_MS for that engine, and WINDOWS windows of the engine alternate with WINDOWS
// windows of ours; the median and the spread (min–max) are reported per step, and the engine's
// ratio to ours is the median of the ratios of adjacent windows. Ours' own row (ms/step, GFLOP/s,
// share of the peak) comes from WINDOWS windows of ours alone at the start of the case. After the checked epoch, ours
// reshuffles each epoch while the JS engines repeat the checked order: the same work per step
// either way.
import { Ours } from './ours.js';
import { peakGflops } from './peak.js';
import { PlaygroundJs } from './pgjs.js';
import { TfjsEngine } from './tfjs.js';

/* global tf */

const WINDOWS = 7;
const GRID = 100;
const RANGE = [-6, 6];

/** Synthetic 784-feature, 10-class data: class means plus noise, from a seeded LCG. */
export function syntheticCsv(rows = 1280, features = 784, classes = 10, seed = 7) {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const means = Array.from({ length: classes }, () => Array.from({ length: features }, () => rand() * 2 - 1));
  const header = [...Array.from({ length: features }, (_, i) => `f${i}`), 'label'].join(',');
  const lines = [header];
  for (let r = 0; r < rows; r += 1) {
    const c = r % classes;
    const row = means[c].map((m) => (m + (rand() + rand() + rand() - 1.5)).toFixed(3));
    lines.push(`${row.join(',')},${c}`);
  }
  return lines.join('\n');
}

/** The cases of issue 7. */
export function cases() {
  const sgd = { optimizer: 'sgd', seed: 0 };
  const circle = {
    ...sgd,
    dataset: { kind: 'circle', samples: 500, trainFraction: 0.5, seed: 0 },
    hidden: [8, 8],
    activation: 'tanh',
    loss: 'mse',
    learningRate: 0.03,
    batchSize: 10,
  };
  return [
    { name: 'circle 2-8-8-1 epoch', kind: 'epoch', config: circle },
    { name: 'circle 2-8-8-1 playground step', kind: 'playground', config: circle },
    {
      name: 'mnist1d 40-100-100-10 b32',
      kind: 'steps',
      config: { ...sgd, dataset: { kind: 'mnist1d', seed: 0 }, hidden: [100, 100], activation: 'relu', loss: 'cross-entropy', learningRate: 0.05, batchSize: 32 },
      steps: { default: 125, 'playground-js': 25, 'tfjs-cpu': 50 },
    },
    {
      name: 'digits 64-64-32-10 b32',
      kind: 'steps',
      config: { ...sgd, dataset: { kind: 'digits', seed: 0 }, hidden: [64, 32], activation: 'relu', loss: 'cross-entropy', learningRate: 0.05, batchSize: 32 },
      steps: { default: 90, 'playground-js': 30 },
    },
    {
      name: 'synthetic 784-300-100-10 b64',
      kind: 'steps',
      config: {
        ...sgd,
        dataset: { kind: 'csv', csv: syntheticCsv(), trainFraction: 0.8, seed: 0 },
        hidden: [300, 100],
        activation: 'relu',
        loss: 'cross-entropy',
        learningRate: 0.01,
        batchSize: 64,
      },
      steps: { default: 16, 'playground-js': 2, 'tfjs-cpu': 4 },
    },
    {
      // Real MNIST (pkg/mnist.bin) on Frankle & Carbin's LeNet-300-100 at their batch of 60.
      name: 'mnist 784-300-100-10 b60',
      kind: 'steps',
      config: { ...sgd, dataset: { kind: 'mnist', seed: 0 }, hidden: [300, 100], activation: 'relu', loss: 'cross-entropy', learningRate: 0.01, batchSize: 60 },
      steps: { default: 16, 'playground-js': 2, 'tfjs-cpu': 4 },
    },
  ];
}

/** The case index of real MNIST (its density sweep is the preset's training speed by density). */
export const MNIST_CASE = 5;

/** Multiply-adds × 2 of one SGD step: forward, weight gradients, and input gradients past layer 0. */
export function stepFlops(/** @type {number[]} */ widths, /** @type {number} */ batch) {
  let f = 0;
  for (let l = 0; l + 1 < widths.length; l += 1) f += (l > 0 ? 6 : 4) * widths[l] * widths[l + 1];
  return f * batch;
}

function forwardFlops(/** @type {number[]} */ widths) {
  let f = 0;
  for (let l = 0; l + 1 < widths.length; l += 1) f += 2 * widths[l] * widths[l + 1];
  return f;
}

/** @param {number[]} v */
function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Warm-up time per engine and case: V8 runs new wasm (and JS) in a baseline tier first and
 * optimizes hot functions in the background, which on a busy machine takes a while. */
const WARMUP_MS = 400;

/**
 * Shortest timed window, for every engine. A window must be long against what is not the work:
 * the page's clock (`performance.now()` is coarsened to 100 µs without cross-origin isolation),
 * ours' worker round trip (one `postMessage` each way per call, ≈ 0.1 ms: see `roundTripMs`) and
 * the scheduler's slices on a busy machine. A fixed count of steps per window (as before: 500
 * steps, under 1 ms for ours on the circle and 7 ms for playground-js) let those dominate
 * ours' windows and not the others'.
 */
const WINDOW_MS = 100;

/**
 * A timed workload: `run(reps)` does `reps` units of `unit` steps each (ours: in one worker call
 * where the case allows), so a window's length can be set without changing the work per step.
 * @typedef {{ run: (reps: number) => Promise<void> | void, unit: number }} Workload
 */

/** Warm-up calls of one unit for at least WARMUP_MS, then the units per window that make a window
 * last at least WINDOW_MS: a doubling search up to windows of WINDOW_MS / 4, then the fastest of
 * three such windows scaled (the fastest, so that a burst of load during calibration does not
 * leave short windows). */
async function calibrate(/** @type {Workload} */ w) {
  const start = performance.now();
  do await w.run(1);
  while (performance.now() - start < WARMUP_MS);
  const time = async (/** @type {number} */ reps) => {
    const t0 = performance.now();
    await w.run(reps);
    return performance.now() - t0;
  };
  let reps = 1;
  while ((await time(reps)) < WINDOW_MS / 4) reps *= 2;
  const ms = Math.min(await time(reps), await time(reps), await time(reps));
  return Math.max(reps, Math.ceil((reps * WINDOW_MS) / ms));
}

/** Milliseconds per step of one window of `reps` units. */
async function timeWindow(/** @type {Workload} */ w, /** @type {number} */ reps) {
  const t0 = performance.now();
  await w.run(reps);
  return (performance.now() - t0) / (reps * w.unit);
}

/** @param {number[]} ms */
const stats = (ms) => ({ median: median(ms), min: Math.min(...ms), max: Math.max(...ms), windows: ms.length });

/**
 * The timing rule for every engine: after its calibration, WINDOWS windows of `other`, each right
 * after one window of ours (`ours.reps` units, calibrated once per case), so that both see the
 * same machine load; the ratio to ours is the median of the WINDOWS per-pair ratios. Ours'
 * windows are collected in `oursMs` (its own row reports all of them).
 * @param {Workload & { reps: number }} ours @param {Workload} other @param {number[]} oursMs
 */
async function timeAgainstOurs(ours, other, oursMs) {
  const reps = await calibrate(other);
  const ms = [];
  const ratios = [];
  for (let i = 0; i < WINDOWS; i += 1) {
    const o = await timeWindow(ours, ours.reps);
    const e = await timeWindow(other, reps);
    oursMs.push(o);
    ms.push(e);
    ratios.push(e / o);
  }
  return { ...stats(ms), reps, ratio: median(ratios), ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios) };
}

function gridPoints() {
  const x = new Float32Array(GRID * GRID * 2);
  for (let j = 0; j < GRID; j += 1) {
    for (let i = 0; i < GRID; i += 1) {
      const r = j * GRID + i;
      x[2 * r] = RANGE[0] + ((RANGE[1] - RANGE[0]) * i) / (GRID - 1);
      x[2 * r + 1] = RANGE[0] + ((RANGE[1] - RANGE[0]) * j) / (GRID - 1);
    }
  }
  return x;
}

/** @param {(msg: string) => void} log */
async function runCase(/** @type {any} */ c, /** @type {string[]} */ engines, log) {
  const ours = new Ours();
  const created = await ours.call('create', c.config);
  const data = created.dataset;
  const snap = await ours.call('snapshot');
  const { order } = await ours.call('epochOrder');
  const cfg = await ours.call('config');
  const widths = snap.widths;
  const batch = c.config.batchSize;
  const nTrain = data.yTrain.length;
  const epochSteps = Math.ceil(nTrain / batch);
  const spec = {
    widths,
    activation: cfg.activation,
    outputActivation: cfg.outputActivation ?? (cfg.loss === 'mse' ? 'tanh' : 'linear'),
    loss: cfg.loss,
    learningRate: cfg.learningRate,
    layers: snap.layers.map((/** @type {any} */ l) => ({ weights: l.weights, bias: l.bias })),
  };
  const grid = gridPoints();
  /** @type {any[]} */
  const rows = [];

  // One epoch on each engine from the same start, then the training loss of each.
  await ours.call('trainStepsOnly', epochSteps);
  const oursLoss = (await ours.call('evaluate')).trainLoss;
  const stepsOf = (/** @type {string} */ e) => c.steps?.[e] ?? c.steps?.default ?? epochSteps;
  // A unit of work: `steps` cases a fixed count of steps; `epoch` one epoch; `playground` one
  // Playground step (the epoch + the grid + both losses). Per-step figures divide by `unit`.
  const unitOf = (/** @type {string} */ e) => (c.kind === 'steps' ? stepsOf(e) : c.kind === 'epoch' ? epochSteps : 1);

  /** @type {Workload} */
  const oursWork = {
    unit: unitOf('ours'),
    // steps and epochs: the whole window in one wasm call (one worker round trip per window).
    run:
      c.kind === 'playground'
        ? async (reps) => {
            for (let e = 0; e < reps; e += 1) {
              await ours.call('train', 1); // the epoch + train/test loss and accuracy
              await ours.call('predictGrid', GRID, RANGE, RANGE);
            }
          }
        : async (reps) => {
            await ours.call('trainStepsOnly', reps * unitOf('ours'));
          },
  };
  const oursTimed = { ...oursWork, reps: await calibrate(oursWork) };
  // Ours' own figure (its row, its GFLOP/s and share of the in-page peak, the native ratio):
  // WINDOWS windows of ours alone, before any other engine of the case has run — measured as the
  // peak is, alone. Windows right after another engine's are slower on this 2-core machine (that
  // engine's garbage collection and compilation threads still run beside our worker: 784-300-100-10
  // measured 4.05 ms/step in such windows and 2.89 ms alone in the same run), so those are used
  // only for the per-pair ratios, where both sides of a pair share the moment's load.
  /** @type {number[]} */
  const oursAlone = [];
  if (engines.includes('ours')) for (let i = 0; i < WINDOWS; i += 1) oursAlone.push(await timeWindow(oursTimed, oursTimed.reps));
  /** @type {number[]} */
  const oursMs = [];
  /** @type {Map<string, { loss: number, timing: any }>} */
  const measured = new Map();

  for (const engine of engines.filter((e) => e !== 'ours')) {
    /** @type {any} */
    let e;
    /** @type {(steps: number) => void} */
    let train;
    if (engine === 'playground-js') {
      e = new PlaygroundJs(spec);
      let pos = 0;
      train = (steps) => {
        pos = e.trainSteps(data.xTrain, data.yTrain, order, pos, steps, batch);
      };
    } else {
      await tf.setBackend(engine === 'tfjs-wasm' ? 'wasm' : 'cpu');
      await tf.ready();
      e = new TfjsEngine(spec);
      e.prepare(data.xTrain, data.yTrain, order, batch);
      let i = 0;
      train = (steps) => {
        i = e.trainSteps(i, steps);
      };
    }
    train(epochSteps);
    const loss = e.meanLoss(data.xTrain, data.yTrain);
    const unit = unitOf(engine);
    /** @type {Workload} */
    const work = {
      unit,
      run:
        c.kind === 'playground'
          ? (reps) => {
              for (let r = 0; r < reps; r += 1) {
                train(epochSteps);
                e.predict(grid);
                e.meanLoss(data.xTrain, data.yTrain);
                e.meanLoss(data.xTest, data.yTest);
              }
            }
          : (reps) => train(reps * unit),
    };
    measured.set(engine, { loss, timing: await timeAgainstOurs(oursTimed, work, oursMs) });
    e.dispose?.();
  }
  if (engines.includes('ours')) {
    const paired = oursMs.length > 0 ? stats(oursMs) : null;
    measured.set('ours', { loss: oursLoss, timing: { ...stats(oursAlone), reps: oursTimed.reps, paired } });
  }

  for (const engine of engines) {
    const m = measured.get(engine);
    if (!m) continue;
    const { loss, timing } = m;
    const flops =
      c.kind === 'playground'
        ? epochSteps * stepFlops(widths, batch) + (GRID * GRID + nTrain + data.yTest.length) * forwardFlops(widths)
        : stepFlops(widths, batch);
    const row = {
      case: c.name,
      engine,
      ms_per_step: timing.median,
      ms_min: timing.min,
      ms_max: timing.max,
      windows: timing.windows,
      steps_per_window: timing.reps * unitOf(engine) * (c.kind === 'playground' ? epochSteps : 1),
      unit: c.kind === 'playground' ? 'playground step (epoch + 100×100 grid + train/test loss)' : 'sgd step',
      ms_per_epoch: c.kind === 'playground' ? null : timing.median * epochSteps,
      gflops: flops / (timing.median * 1e6),
      // The median of the ratios of adjacent windows (this engine's after ours'), and their range.
      ratio_vs_ours: timing.ratio,
      ratio_vs_ours_min: timing.ratioMin,
      ratio_vs_ours_max: timing.ratioMax,
      // Ours: the median of its windows paired with the other engines' (see oursAlone above).
      ms_per_step_paired: timing.paired?.median,
      windows_paired: timing.paired?.windows,
      loss_after_epoch: loss,
      loss_rel_diff_vs_ours: Math.abs(loss - oursLoss) / Math.max(1e-12, Math.abs(oursLoss)),
    };
    rows.push(row);
    const ratio =
      row.ratio_vs_ours !== undefined
        ? ` | ${row.ratio_vs_ours.toFixed(2)}× ours`
        : row.ms_per_step_paired !== undefined
          ? ` | alone (paired windows: ${row.ms_per_step_paired.toFixed(4)} ms)`
          : '';
    log(`${c.name} | ${engine} | ${row.ms_per_step.toFixed(4)} ms | ${row.steps_per_window} steps/window${ratio} | loss ${loss.toFixed(6)}`);
  }
  ours.close();
  return rows;
}

/** Mean time of a worker round trip that does no work (a `capabilities` call), over 200 calls
 * (one call is below the page's timer resolution). */
async function roundTripMs() {
  const ours = new Ours();
  for (let i = 0; i < 20; i += 1) await ours.call('capabilities');
  const t0 = performance.now();
  for (let i = 0; i < 200; i += 1) await ours.call('capabilities');
  const ms = (performance.now() - t0) / 200;
  ours.close();
  return ms;
}

/** The whole lottery experiment of the issue, as the app runs it (worker `lottery` method). */
async function lotteryWallTime() {
  const ours = new Ours();
  await ours.call('create', {
    dataset: { kind: 'mnist1d', seed: 0 },
    hidden: [100, 100],
    activation: 'relu',
    optimizer: 'adam',
    learningRate: 0.001,
    batchSize: 100,
    seed: 0,
  });
  const t0 = performance.now();
  const r = await ours.call('lottery', {
    levels: 10,
    fraction: 0.2,
    scope: 'global',
    outputRate: 0.5,
    init: 'init',
    controls: ['random-reinit'],
    epochs: 20,
  });
  const ms = performance.now() - t0;
  ours.close();
  const last = r.history.filter((/** @type {any} */ h) => h.branch === 'ticket').at(-1);
  return { ms, levels: r.history.length, last_ticket_density: last?.density, last_ticket_early_stop_accuracy: last?.earlyStopTestAccuracy };
}

/**
 * Frankle & Carbin's LeNet-300-100 preset (`Playground.preset`) as the app runs it: the worker's
 * `lottery`, which trains the controls in a second worker. The budget's run: every level and
 * epoch of the preset, the ticket and the random-reinit control (`controls` overrides the
 * preset's two; the random-mask control would be a third branch of the same cost).
 * @param {{ levels?: number, epochs?: number, controls?: string[] }} [over]
 */
export async function mnistPresetWallTime(over = {}) {
  const ours = new Ours();
  const { experiment, lottery } = await ours.call('preset', 'frankle-carbin-lenet');
  const t0 = performance.now();
  await ours.call('create', experiment);
  const loaded = performance.now();
  const r = await ours.call('lottery', { ...lottery, controls: ['random-reinit'], ...over });
  const ms = performance.now() - loaded;
  ours.close();
  /** @type {any[]} */
  const history = r.history;
  const at = (/** @type {string} */ branch) =>
    history.filter((h) => h.branch === branch).map((h) => ({ level: h.level, density: h.density, acc: h.earlyStopTestAccuracy, epoch: h.earlyStopEpoch }));
  return { ms, load_ms: loaded - t0, levels: lottery.levels, epochs: lottery.epochs, ...over, ticket: at('ticket'), random_reinit: at('random-reinit') };
}

/** Inference of a net with 90% of every hidden layer's neurons removed, against the dense net. */
async function structuredInference(/** @type {any} */ c) {
  const ours = new Ours();
  await ours.call('create', c.config);
  const time = async () => {
    const ms = [];
    await ours.call('timeInference', 256, 200);
    for (let w = 0; w < WINDOWS; w += 1) ms.push((await ours.call('timeInference', 256, 200)).msPerBatch);
    return median(ms);
  };
  const dense = await time();
  const denseWidths = (await ours.call('snapshot')).widths;
  await ours.call('prune', { structure: 'neurons', fraction: 0.9, scope: 'layer', outputRate: 0 });
  const pruned = await time();
  const prunedWidths = (await ours.call('snapshot')).widths;
  ours.close();
  return { case: c.name, rows: 256, dense_ms: dense, pruned_ms: pruned, speedup: dense / pruned, dense_widths: denseWidths, pruned_widths: prunedWidths };
}

/**
 * Training speed of the engine as a case's network is pruned layer by layer to lower densities:
 * above the engine's sparse threshold the products are dense, below it they run over the alive
 * weights only (src/train/kernels.rs), so this shows where the switch pays.
 */
async function engineDensitySweep(/** @type {any} */ c) {
  const out = [];
  for (const density of [1, 0.5, 0.3, 0.2, 0.15, 0.1, 0.05, 0.02]) {
    const ours = new Ours();
    await ours.call('create', c.config);
    if (density < 1) await ours.call('prune', { fraction: 1 - density, scope: 'layer', outputRate: 1 });
    const k = c.steps.default;
    await ours.call('trainStepsOnly', k);
    const ms = [];
    for (let w = 0; w < WINDOWS; w += 1) {
      const t0 = performance.now();
      await ours.call('trainStepsOnly', k);
      ms.push((performance.now() - t0) / k);
    }
    ours.close();
    out.push({ case: c.name, density, ms_per_step: median(ms), min: Math.min(...ms), max: Math.max(...ms) });
  }
  return out;
}

/** The lottery experiment `runs` times in a row (`npm run bench -- --lottery-only --runs N`). */
export async function runLottery(runs = 1) {
  const out = [];
  for (let i = 0; i < runs; i += 1) {
    out.push(await lotteryWallTime());
    console.log(`lottery ${(out[i].ms / 1000).toFixed(2)} s`);
  }
  return out;
}

/**
 * Runs everything; `only` limits the cases (by index) for a quick check.
 * @param {{ only?: number[], engines?: string[], skipLottery?: boolean }} [opts]
 */
export async function runBench(opts = {}) {
  const log = (/** @type {string} */ m) => {
    console.log(m);
    const pre = document.getElementById('log');
    if (pre) pre.textContent += `${m}\n`;
  };
  tf.wasm.setWasmPaths(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).href);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const engines = opts.engines ?? ['ours', 'playground-js', 'tfjs-wasm', 'tfjs-cpu'];
  const peak = peakGflops(false);
  const peakFma = peakGflops(true);
  log(`peak SIMD128 mul+add ${peak?.gflops.toFixed(2)} GFLOP/s; relaxed madd ${peakFma ? peakFma.gflops.toFixed(2) : 'n/a'}`);
  const all = cases();
  const results = [];
  for (const [i, c] of all.entries()) {
    if (opts.only && !opts.only.includes(i)) continue;
    results.push(...(await runCase(c, engines, log)));
  }
  if (engines.includes('tfjs-wasm')) {
    await tf.setBackend('wasm');
    log(`tfjs-wasm binary: ${(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'SIMD' : 'no SIMD'}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : 'no (1)'}`);
  }
  const structured = [];
  for (const i of [2, 4]) {
    if (opts.only && !opts.only.includes(i)) continue;
    structured.push(await structuredInference(all[i]));
    log(`structured 90% ${all[i].name}: ${JSON.stringify(structured.at(-1))}`);
  }
  const sparse = [];
  for (const i of [2, 4, MNIST_CASE]) {
    if (opts.only && !opts.only.includes(i)) continue;
    sparse.push(...(await engineDensitySweep(all[i])));
    log(`density sweep ${all[i].name}: ${sparse.filter((x) => x.case === all[i].name).map((x) => `${x.density}: ${x.ms_per_step.toFixed(3)} ms`).join(', ')}`);
  }
  const roundTrip = await roundTripMs();
  log(`worker round trip ${roundTrip.toFixed(3)} ms`);
  const lottery = opts.skipLottery ? null : await lotteryWallTime();
  if (lottery) log(`lottery ${(lottery.ms / 1000).toFixed(2)} s`);
  const mnistPreset = opts.skipLottery ? null : await mnistPresetWallTime();
  if (mnistPreset) log(`mnist preset ${(mnistPreset.ms / 1000).toFixed(2)} s`);
  return {
    results,
    peak: { simd128_mul_add_gflops: peak?.gflops ?? null, relaxed_madd_gflops: peakFma?.gflops ?? null, accumulators: peak?.accumulators },
    lottery,
    mnist_preset: mnistPreset,
    structured,
    sparse_sweep_engine: sparse,
    worker_round_trip_ms: roundTrip,
    tfjs: { version: tf.version.tfjs, simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') },
    userAgent: navigator.userAgent,
  };
}

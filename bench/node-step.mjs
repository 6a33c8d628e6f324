#!/usr/bin/env node
// Same-process A/B timing of a bench.js case (the circle epoch, case 0, by default) in Node: one or more wasm
// builds (www/pkg by default; any directory holding a `wasm-bindgen --target web` build of the
// engine) and playground-js, window after window in turn, so machine load hits all alike.
//
//   node bench/node-step.mjs [--seconds 10] [--window-ms 100] [--case 0] [--cpu] [PKG_DIR ...]
//
// Each engine's window length is calibrated after its warm-up to last about --window-ms; prints
// the median µs per step of each engine, every engine's ratio to playground-js per round (median
// and range) and to the first engine (median), and each build's training loss after the first epoch (equal across builds that
// compute the same numbers).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cases } from './bench.js';
import { PlaygroundJs } from './pgjs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
/** @param {string} name @param {number} def */
const num = (name, def) => {
  const i = args.indexOf(name);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const seconds = num('--seconds', 10);
const windowMs = num('--window-ms', 100);
// --case N: the config of bench.js's case N (one whose data the engine generates, e.g. 2, MNIST-1D).
const caseIndex = num('--case', 0);
// --cpu: time windows by the process's CPU time (user + system) instead of the wall clock, so that
// time spent waiting for a core on a busy machine does not count.
const cpuTime = args.includes('--cpu');
if (cpuTime) args.splice(args.indexOf('--cpu'), 1);
const cpuUs = (/** @type {NodeJS.CpuUsage} */ u) => u.user + u.system;
const dirs = args.length > 0 ? args : [path.join(root, 'www', 'pkg')];

const config = cases()[caseIndex].config;

/** @param {string} dir */
async function wasmEngine(dir) {
  const mod = await import(pathToFileURL(path.resolve(dir, 'pruning_playground.js')).href);
  mod.initSync({ module: readFileSync(path.resolve(dir, 'pruning_playground_bg.wasm')) });
  const pg = new mod.Playground(config);
  return pg;
}

/** @param {number[]} v */
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main() {
  /** @type {{ name: string, run: (steps: number) => void, loss: number, per: number, us: number[] }[]} */
  const engines = [];
  let ref;
  for (const dir of dirs) {
    const pg = await wasmEngine(dir);
    if (!ref) {
      const data = pg.dataset();
      ref = { data, snap: pg.snapshot(), order: pg.epochOrder().order, cfg: pg.config() };
    }
    const steps = Math.ceil(ref.data.yTrain.length / config.batchSize);
    pg.trainStepsOnly(steps);
    const loss = pg.evaluate().trainLoss;
    engines.push({ name: path.relative(root, path.resolve(dir)) || dir, run: (n) => pg.trainStepsOnly(n), loss, per: 0, us: [] });
  }
  const { data, snap, order, cfg } = /** @type {any} */ (ref);
  const pj = new PlaygroundJs({
    widths: snap.widths,
    activation: cfg.activation,
    outputActivation: cfg.outputActivation ?? 'tanh',
    loss: cfg.loss,
    learningRate: cfg.learningRate,
    layers: snap.layers.map((/** @type {any} */ l) => ({ weights: l.weights, bias: l.bias })),
  });
  let pos = 0;
  const pjRun = (/** @type {number} */ n) => {
    pos = pj.trainSteps(data.xTrain, data.yTrain, order, pos, n, config.batchSize);
  };
  pjRun(Math.ceil(data.yTrain.length / config.batchSize));
  engines.push({ name: 'playground-js', run: pjRun, loss: pj.meanLoss(data.xTrain, data.yTrain), per: 0, us: [] });

  // Warm-up and calibration: steps per window for about windowMs, whole epochs (25 steps).
  for (const [i, e] of engines.entries()) {
    if (i > 0 && i < engines.length - 1) {
      // Every wasm build gets the first one's window, so that per-call costs weigh alike.
      e.per = engines[0].per;
      const t0 = performance.now();
      while (performance.now() - t0 < 500) e.run(25);
      continue;
    }
    let n = 25;
    const t0 = performance.now();
    while (performance.now() - t0 < 500) e.run(25);
    for (;;) {
      const t = performance.now();
      e.run(n);
      const ms = performance.now() - t;
      if (ms >= windowMs / 4) {
        e.per = Math.max(25, Math.round((n * windowMs) / ms / 25) * 25);
        break;
      }
      n *= 2;
    }
  }
  const ratios = engines.map(() => /** @type {number[]} */ ([]));
  const vsFirst = engines.map(() => /** @type {number[]} */ ([]));
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const e of engines) {
      const t = cpuTime ? process.cpuUsage() : performance.now();
      e.run(e.per);
      e.us.push(cpuTime ? cpuUs(process.cpuUsage(/** @type {NodeJS.CpuUsage} */ (t))) / e.per : ((performance.now() - /** @type {number} */ (t)) * 1000) / e.per);
    }
    const pjUs = /** @type {number} */ (engines.at(-1)).us.at(-1);
    const firstUs = /** @type {number} */ (engines[0].us.at(-1));
    engines.forEach((e, i) => {
      ratios[i].push(/** @type {number} */ (pjUs) / /** @type {number} */ (e.us.at(-1)));
      vsFirst[i].push(firstUs / /** @type {number} */ (e.us.at(-1)));
    });
  }
  engines.forEach((e, i) => {
    const r = ratios[i];
    console.log(
      `${e.name.padEnd(24)} ${median(e.us).toFixed(3)} µs/step (min ${Math.min(...e.us).toFixed(3)}), ${e.per} steps/window, ${e.us.length} windows; ` +
        `playground-js / this: median ${median(r).toFixed(2)}× (${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}); ` +
        `first / this: median ${median(vsFirst[i]).toFixed(3)}×; loss after 1 epoch ${e.loss.toFixed(9)}`,
    );
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

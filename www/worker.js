// Module Web Worker that owns the WebAssembly instance, so training never blocks the page.
//
// Protocol (main → worker):  { type: 'train', config: PlaygroundConfig, epochs: number }
// Protocol (worker → main):
//   { type: 'ready' }                                   wasm initialised
//   { type: 'epoch', metrics: EpochMetrics }            after every epoch
//   { type: 'done', evaluation: Evaluation, ms: number } training finished
//   { type: 'error', message: string }                  invalid config, or anything that threw
// To stop a run, the page terminates the worker and starts a new one.
import init, { Playground } from './pkg/pruning_playground.js';

/**
 * @typedef {import('./types.js').EpochMetrics} EpochMetrics
 * @typedef {import('./types.js').TrainRequest} TrainRequest
 */

/** @param {unknown} message */
function post(message) {
  self.postMessage(message);
}

/** @param {unknown} err */
function errorMessage(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

const ready = init().then(
  () => post({ type: 'ready' }),
  (err) => {
    post({ type: 'error', message: `could not load the WebAssembly module: ${errorMessage(err)}` });
    throw err;
  },
);

/** @type {Playground | null} */
let playground = null;

/** @param {TrainRequest} request */
async function train(request) {
  await ready;
  playground?.free();
  playground = null;
  const started = performance.now();
  playground = new Playground(request.config);
  for (let epoch = 0; epoch < request.epochs; epoch += 1) {
    /** @type {EpochMetrics[]} */
    const metrics = playground.train(1);
    for (const m of metrics) post({ type: 'epoch', metrics: m });
  }
  post({ type: 'done', evaluation: playground.evaluate(), ms: performance.now() - started });
}

self.addEventListener('message', (/** @type {MessageEvent<TrainRequest>} */ event) => {
  if (event.data?.type !== 'train') return;
  train(event.data).catch((err) => post({ type: 'error', message: errorMessage(err) }));
});

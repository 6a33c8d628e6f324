// Module Web Worker that owns the one wasm `Playground`, so nothing heavy runs on the page thread.
//
// Protocol (see docs/api.md, "Engine"):
//   page → worker  { id, method, args }        call a Playground method, or one of the worker's
//                                               own methods below; answered once with
//   worker → page  { id, result } | { id, error: message, detail? }   detail: the engine's error
//                                               as data ({ kind, … }, crates/core/src/error.rs)
//   worker → page  { type: 'progress', id, kind, ... }   during long runs (train loop, play, lottery)
//   page → worker  { type: 'cancel' }           stops the running loop at the next step boundary
//
// Worker methods: create(config), capabilities(), frame(options), trainLoop(epochs, fineTune),
// play(), lottery(spec), timeInference(rows, repeats), and the file methods exportSafetensors(),
// exportInitSafetensors(), importSafetensors(bytes), pytorchScript(spec). Anything else is `playground[method](...args)`.
// The file methods and CSV data sets use the I/O wasm module (pkg/pruning_playground_io.js),
// which is loaded the first time one of them is asked for: a training session never waits for it.
// Long loops yield to the event loop between steps, so a cancel (or a `frame` request) is seen
// between two steps; typed arrays in results are transferred, never copied twice.
import init, { Playground } from './pkg/pruning_playground.js';
import { trialInputs } from './lottery-trials.js';

/**
 * @typedef {import('./types.js').Request} Request
 * @typedef {import('./types.js').Frame} Frame
 * @typedef {import('./types.js').FrameOptions} FrameOptions
 * @typedef {import('./types.js').EpochMetrics} EpochMetrics
 * @typedef {import('./types.js').LotterySpec} LotterySpec
 * @typedef {import('./types.js').LotteryProgress} LotteryProgress
 * @typedef {import('./types.js').LevelResult} LevelResult
 * @typedef {import('./types.js').PlaygroundConfig} PlaygroundConfig
 */

const ready = init();

/** @type {Playground | null} */
let pg = null;

/** @type {Promise<void> | null} */
let digits = null;
/**
 * The wasm build does not embed the 8×8 digits (117 KB): fetched once, next to the wasm, the
 * first time a digits network is built. A failed fetch is retried on the next build.
 */
function loadDigits() {
  if (Playground.hasDigits()) return Promise.resolve();
  digits ??= fetch(new URL('./pkg/digits.bin', import.meta.url))
    .then((r) => {
      if (!r.ok) throw new Error(`could not load the digits data set (pkg/digits.bin): HTTP ${r.status}`);
      return r.arrayBuffer();
    })
    .then((buf) => Playground.loadDigits(new Uint8Array(buf)))
    .catch((err) => {
      digits = null;
      throw err;
    });
  return digits;
}
/** @type {Promise<void> | null} */
let mnist = null;
/**
 * Nor MNIST (pkg/mnist.bin, 7.85 MB raw, ≈ 1.6 MB gzipped by a compressing server): fetched once,
 * only when an MNIST network is built, posting `{ kind: 'data', loaded, total }` progress for
 * call `id` as the bytes arrive (`total` is null when the server does not say). A failed fetch
 * is retried on the next build.
 * @param {number} id
 */
function loadMnist(id) {
  if (Playground.hasMnist()) return Promise.resolve();
  mnist ??= fetch(new URL('./pkg/mnist.bin', import.meta.url))
    .then(async (r) => {
      if (!r.ok || !r.body) throw new Error(`could not load the MNIST data set (pkg/mnist.bin): HTTP ${r.status}`);
      const header = Number(r.headers.get('content-length'));
      // A compressed response states the compressed length; the body is counted decompressed.
      const total = header > 0 && !r.headers.get('content-encoding') ? header : null;
      /** @type {Uint8Array[]} */
      const parts = [];
      let loaded = 0;
      const reader = r.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        loaded += value.length;
        post({ type: 'progress', id, kind: 'data', loaded, total });
      }
      const bytes = new Uint8Array(loaded);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.length;
      }
      Playground.loadMnist(bytes);
    })
    .catch((err) => {
      mnist = null;
      throw err;
    });
  return mnist;
}
/** @typedef {typeof import('./pkg/pruning_playground_io.js')} IoModule */
/** @type {Promise<IoModule> | null} */
let ioModule = null;
/** The I/O module (model files, PyTorch script, CSV), loaded once on first use; retried after a failure. */
function io() {
  ioModule ??= import('./pkg/pruning_playground_io.js')
    .then(async (m) => {
      await m.default();
      return m;
    })
    .catch((err) => {
      ioModule = null;
      throw new Error(`could not load the I/O module (pkg/pruning_playground_io.js): ${errorText(err)}`);
    });
  return ioModule;
}

/** Methods the worker answers with the I/O module; listed with the Playground's in `methods()`. */
const IO_METHODS = ['exportSafetensors', 'exportInitSafetensors', 'importSafetensors', 'pytorchScript'];

/** Generation counter of running loops: a cancel (or a new model) bumps it, loops compare. */
let generation = 0;

/** @returns {Playground} */
function playground() {
  if (!pg) throw new Error('no model yet: call create(config) first');
  return pg;
}

/** @param {string} name */
function has(name) {
  return pg !== null && typeof (/** @type {any} */ (pg)[name]) === 'function';
}

/** Lets queued messages (cancel, frame requests) run before the next step. */
function yieldToEvents() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve(undefined);
    channel.port2.postMessage(null);
  });
}

/** Milliseconds of training between two looks at the message queue: a Cancel is seen this soon. */
const SLICE_MS = 8;

/**
 * The slicing of epochs into chunks of optimizer steps for one training loop: the rows and batch
 * size give the steps of an epoch (ceil(rows / batch), the engine's rule); `chunk` adapts so that
 * one chunk takes about SLICE_MS.
 * @param {any} p
 */
function slicer(p) {
  const { order, cursor } = p.epochOrder();
  const batch = Number(p.config().batchSize);
  return { rows: order.length, cursor: Number(cursor), batch, chunk: 1 };
}

/**
 * One epoch in chunks of optimizer steps (`trainSteps`), yielding to the event loop between
 * chunks. Chunks never cross the epoch's end, and steps taken in chunks are the steps of a whole
 * epoch, bit for bit (tests/node/wasm-api.test.mjs). Keeps a checkpoint at the epoch's start.
 * Returns the epoch's metrics, or null when cancelled: the checkpoint is restored, so the model
 * is exactly the one after the last whole epoch (what the step log records).
 * @param {any} p
 * @param {number} mine   the loop's generation (a cancel bumps `generation`)
 * @param {{ rows: number, cursor: number, batch: number, chunk: number }} sl
 * @returns {Promise<EpochMetrics[] | null>}
 */
async function epochInSlices(p, mine, sl) {
  p.checkpoint();
  let left = Math.ceil((sl.rows - sl.cursor) / sl.batch);
  sl.cursor = 0;
  /** @type {EpochMetrics[]} */
  const metrics = [];
  while (left > 0) {
    const n = Math.min(sl.chunk, left);
    const t0 = performance.now();
    const out = p.trainSteps(n);
    const ms = performance.now() - t0;
    metrics.push(...out.completed);
    left -= n;
    // About SLICE_MS per chunk: grow at most 2× at a time (the first steps may be cold).
    sl.chunk = Math.max(1, Math.min(2 * sl.chunk, Math.floor((n * SLICE_MS) / Math.max(ms, 0.05))));
    if (left > 0) {
      await yieldToEvents();
      if (generation !== mine) {
        if (pg === p) p.restoreCheckpoint();
        return null;
      }
    }
  }
  return metrics;
}

/**
 * Every ArrayBuffer under `value`, for the transfer list.
 * @param {unknown} value
 * @param {Set<ArrayBuffer>} [found]
 */
function transferables(value, found = new Set()) {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, found);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) transferables(v, found);
  }
  return found;
}

/** @param {unknown} message */
function post(message) {
  self.postMessage(message, { transfer: [...transferables(message)] });
}

/** Whether an engine error is a divergence (non-finite loss or weights), not a bad call. */
function isDivergence(/** @type {unknown} */ err) {
  return errorDetail(err)?.kind === 'diverged';
}

/**
 * The engine's error as data: the own properties the wasm layer set on the Error (`kind`, …),
 * which posting an Error would drop; undefined for other errors.
 * @param {unknown} err
 * @returns {import('./types.js').EngineError | undefined}
 */
function errorDetail(err) {
  if (!(err instanceof Error) || typeof (/** @type {any} */ (err).kind) !== 'string') return undefined;
  return /** @type {any} */ ({ ...err, message: err.message });
}

/** @param {unknown} err */
function errorText(err) {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The Playground methods present in this build (the page enables controls from this). */
function methods() {
  const own = Object.getOwnPropertyNames(Playground.prototype).filter(
    (name) => name !== 'constructor' && typeof (/** @type {any} */ (Playground.prototype)[name]) === 'function',
  );
  return [...own, ...IO_METHODS];
}

/** @type {Record<string, (id: number, ...args: any[]) => unknown>} */
const own = {
  /** Builds a new Playground; the old one stays if the config is invalid. */
  async create(id, /** @type {PlaygroundConfig} */ config) {
    if (config?.dataset?.kind === 'digits') await loadDigits();
    if (config?.dataset?.kind === 'mnist') await loadMnist(id);
    // CSV text is read by the I/O module; the engine gets the data set as typed arrays.
    const data = config?.dataset?.kind === 'csv' ? (await io()).csvDataset(config) : undefined;
    const next = new Playground(config, data);
    generation += 1; // stop any loop that was driving the old model
    pg?.free();
    pg = next;
    return {
      apiVersion: Playground.apiVersion(),
      methods: methods(),
      dataset: pg.dataset(),
      config: has('config') ? /** @type {any} */ (pg).config() : undefined,
    };
  },

  /** A named experiment's configs (`Playground.preset`). */
  preset(_id, /** @type {string} */ name) {
    return Playground.preset(name);
  },

  capabilities() {
    return { apiVersion: Playground.apiVersion(), methods: methods() };
  },

  /** Everything the views draw, in one round trip. */
  frame(_id, /** @type {FrameOptions} */ options = {}) {
    const p = /** @type {any} */ (playground());
    /** @type {Frame} */
    const frame = {};
    if (has('snapshot')) frame.snapshot = p.snapshot();
    frame.evaluation = p.evaluate();
    if (options.history && has('history')) frame.history = p.history();
    if (has('weightHistogram')) frame.histogram = p.weightHistogram(options.histogramBins ?? 30);
    if (has('costs')) frame.costs = p.costs();
    const range = options.range;
    if (range && options.gridResolution && has('predictGrid')) {
      frame.grid = p.predictGrid(options.gridResolution, range[0], range[1]);
    }
    if (range && options.mapResolution && has('neuronMaps')) {
      frame.maps = p.neuronMaps(options.mapResolution, range[0], range[1]);
    }
    return frame;
  },

  /**
   * Trains (or fine-tunes) epoch by epoch, posting progress; stops early on cancel, also within
   * an epoch (`epochInSlices`): the unfinished epoch is then undone, so the model is exactly the
   * one after the epochs reported. Before each epoch the Playground keeps a checkpoint; an epoch
   * that diverges ends the loop with `diverged: message` (the model stays as it diverged,
   * `restoreCheckpoint` goes back to the end of the last good epoch).
   */
  async trainLoop(id, /** @type {number} */ epochs, /** @type {boolean} */ fineTune = false) {
    void fineTune; // fine-tuning is training with the mask kept (the engine's fineTune = train)
    const mine = generation;
    const slices = slicer(playground());
    /** @type {EpochMetrics[]} */
    const all = [];
    for (let done = 0; done < epochs; done += 1) {
      /** @type {EpochMetrics[] | null} */
      let metrics;
      try {
        metrics = await epochInSlices(playground(), mine, slices);
      } catch (err) {
        if (isDivergence(err)) return { metrics: all, cancelled: false, diverged: errorText(err), divergedDetail: errorDetail(err) };
        throw err;
      }
      if (metrics === null) return { metrics: all, cancelled: true };
      all.push(...metrics);
      post({ type: 'progress', id, kind: 'train', done: done + 1, total: epochs, metrics });
      await yieldToEvents();
      if (generation !== mine) return { metrics: all, cancelled: true };
    }
    return { metrics: all, cancelled: false };
  },

  /**
   * The control branches of a lottery split with `parallelLottery`, in a worker of their own:
   * started from `config` (by `create`), fed each ticket level's structure by `feed` messages,
   * posting progress as `lottery` does. Ends when every level's controls are trained.
   */
  async lotteryControls(id, /** @type {LotterySpec} */ spec) {
    const p = /** @type {any} */ (playground());
    p.startLottery(spec, 'controls');
    const mine = generation;
    /** @type {LotteryProgress | null} */
    let step = null;
    for (;;) {
      if (feedError) throw feedError;
      if (!p.lotteryHasWork()) {
        if (step?.finished || spec.levels === 0) break;
        await new Promise((resolve) => {
          wakeControls = resolve;
        });
      } else {
        step = p.lotteryStep();
        post({ type: 'progress', id, kind: 'lottery', step, history: p.lotteryHistory() });
      }
      await yieldToEvents();
      if (generation !== mine) return { cancelled: true, history: p.lotteryHistory() };
    }
    return { cancelled: false, history: p.lotteryHistory() };
  },

  /** Continuous training until cancel ("Play"); a pause within an epoch undoes that epoch. */
  async play(id) {
    const mine = generation;
    const slices = slicer(playground());
    let epochs = 0;
    while (generation === mine) {
      /** @type {EpochMetrics[] | null} */
      let metrics;
      try {
        metrics = await epochInSlices(playground(), mine, slices);
      } catch (err) {
        if (isDivergence(err)) return { epochs, cancelled: false, diverged: errorText(err), divergedDetail: errorDetail(err) };
        throw err;
      }
      if (metrics === null) break;
      epochs += 1;
      post({ type: 'progress', id, kind: 'play', epoch: metrics.at(-1)?.epoch ?? epochs, metrics });
      await yieldToEvents();
    }
    return { epochs, cancelled: true };
  },

  /**
   * The lottery experiment, one `lotteryStep()` (one epoch) at a time. With control branches, two
   * or more cores and nested workers, the controls run beside the ticket in a second worker
   * (see `parallelLottery`); `spec.parallel: false` keeps everything in this one. Either way the
   * returned history is the same, bit for bit. With `spec.trials` above 1 the whole experiment
   * runs once per trial (see `lotteryTrials`): trial 0 here, on this model's θ₀, the others in
   * a pool of workers; the result adds every trial's history as `trials`.
   */
  async lottery(id, /** @type {LotterySpec & { parallel?: boolean }} */ spec) {
    const p = /** @type {any} */ (playground());
    if (!has('startLottery')) throw new Error('this engine build has no lottery runner yet');
    const { parallel = true, ...engineSpec } = spec ?? {};
    const report = (/** @type {LotteryProgress} */ step, /** @type {LevelResult[]} */ history) =>
      post({ type: 'progress', id, kind: 'lottery', step, history });
    if ((engineSpec.trials ?? 1) > 1 && has('config')) return lotteryTrials(id, p, engineSpec, parallel);
    return lotteryRun(p, engineSpec, parallel && canSplitLottery(engineSpec), report);
  },

  /**
   * The model as PyTorch-compatible safetensors bytes (the CLI's format): `form` 'pruned'
   * (torch.nn.utils.prune's weight_orig / weight_mask, the default) or 'plain' (masked weights).
   */
  async exportSafetensors(_id, /** @type {'pruned' | 'plain' | undefined} */ form) {
    const model = playground().exportModel();
    return (await io()).exportSafetensors(model, form);
  },

  /** θ₀ as safetensors bytes of its own (a plain state_dict, the CLI's `--with-init`). */
  async exportInitSafetensors() {
    return (await io()).exportInitSafetensors(playground().exportModel());
  },

  /**
   * Replaces the model with a safetensors file's if it fits the data, with θ₀ from its θ₀ file's
   * bytes `init` if given (without it θ₀ is unknown and rewinding is refused); returns `snapshot()`.
   */
  async importSafetensors(_id, /** @type {Uint8Array} */ bytes, /** @type {Uint8Array | undefined} */ init) {
    const model = (await io()).importSafetensors(bytes, init);
    return playground().importModel(model);
  },

  /** A Python script that reproduces this experiment as a lottery run with `spec` in PyTorch. */
  async pytorchScript(_id, /** @type {LotterySpec | undefined} */ spec) {
    const config = playground().config();
    return (await io()).pytorchScript(config, spec);
  },

  /**
   * Raises the error a wasm trap raises (`WebAssembly.RuntimeError`), for the tests of crash
   * recovery: nothing in the engine traps on purpose, and a test cannot make it.
   */
  simulateTrap() {
    throw new WebAssembly.RuntimeError('unreachable executed (simulated trap)');
  },

  /** Mean milliseconds per predicted row: `repeats` calls of `predict` on `rows` test rows. */
  timeInference(_id, /** @type {number} */ rows = 256, /** @type {number} */ repeats = 20) {
    const p = playground();
    const data = p.dataset();
    const f = data.nFeatures;
    const n = Math.min(rows, Math.floor(data.xTest.length / f)) || 1;
    const x = data.xTest.length >= n * f ? data.xTest.slice(0, n * f) : new Float32Array(n * f);
    p.predict(x); // warm up
    const t0 = performance.now();
    for (let r = 0; r < repeats; r += 1) p.predict(x);
    const ms = performance.now() - t0;
    return { msPerRow: ms / (repeats * n), msPerBatch: ms / repeats, rows: n };
  },
};

/** `lotteryControls` waits on this for the next `feed` message. */
/** @type {((v: unknown) => void) | null} */
let wakeControls = null;
/** A `feed` the controls runner refused; `lotteryControls` throws it. */
/** @type {Error | null} */
let feedError = null;

/** @param {unknown} structure */
function feed(structure) {
  try {
    /** @type {any} */ (playground()).lotteryFeed(structure);
  } catch (err) {
    feedError = /** @type {Error} */ (err);
  }
  wakeControls?.(undefined);
  wakeControls = null;
}

/**
 * A lottery spec that names its controls and epochs (the page always sends both; an API call
 * that leaves them to the engine's defaults runs in one worker).
 * @typedef {LotterySpec & { controls: string[], epochs: number }} SplitSpec
 */

/**
 * @param {LotterySpec} spec
 * @returns {spec is SplitSpec}
 */
function canSplitLottery(spec) {
  return (
    Array.isArray(spec.controls) &&
    spec.controls.length > 0 &&
    (spec.levels ?? 0) > 0 &&
    typeof Worker === 'function' &&
    (self.navigator?.hardwareConcurrency ?? 1) >= 2 &&
    Number.isInteger(spec.epochs) &&
    has('lotteryFeed') &&
    has('config')
  );
}

/**
 * One whole lottery experiment on `p`, split over two workers when `split`; `report` is told of
 * every step. Progress counts all the work: the engine's epochs plus, with an other-seed
 * comparison (`compareSeed`), that ticket line's, which train beside the ticket's.
 * @param {any} p
 * @param {LotterySpec} spec
 * @param {boolean} split
 * @param {(step: LotteryProgress, history: LevelResult[]) => void} report
 * @returns {Promise<{ cancelled: boolean, history: LevelResult[], split?: boolean }>}
 */
async function lotteryRun(p, spec, split, report) {
  if (split && canSplitLottery(spec)) return parallelLottery(p, spec, report);
  const total = p.startLottery(spec);
  const mine = generation;
  // The engine's total is E + L·(1 + C)·e (dense epochs E, L levels of e epochs, C controls); the
  // other seed's line trains E + L·e of them, one per step of this runner at most.
  const levels = spec.levels ?? 3;
  const controls = (spec.controls ?? ['random-reinit']).length;
  const dense = spec.epochs ?? 10;
  const compared = spec.compareSeed !== undefined && spec.compareSeed !== null;
  const otherTotal = compared ? dense + (levels > 0 ? (total - dense) / (levels * (1 + controls)) : 0) * levels : 0;
  let ticketEpochs = 0;
  /** @type {LotteryProgress} */
  let step;
  do {
    await yieldToEvents();
    if (generation !== mine) {
      if (pg === p) p.cancelLottery();
      return { cancelled: true, history: pg === p ? p.lotteryHistory() : [] };
    }
    step = p.lotteryStep();
    if (step.branch === 'ticket' && step.epoch > 0) ticketEpochs += 1;
    const other = step.finished ? otherTotal : Math.min(otherTotal, ticketEpochs);
    report({ ...step, epochsDone: step.epochsDone + other, epochsTotal: step.epochsTotal + otherTotal }, p.lotteryHistory());
  } while (!step.finished);
  return { cancelled: false, history: p.lotteryHistory() };
}

/** Most workers a lottery uses at once (trials, and a trial's controls). */
const MAX_LOTTERY_WORKERS = 4;

/**
 * A worker running this same script for a lottery trial: `call` sends one request and resolves
 * with its result; lottery progress goes to `onProgress` (the helper's data download does not).
 * @param {(m: { step: LotteryProgress, history: LevelResult[] }) => void} onProgress
 */
function spawnHelper(onProgress) {
  const w = new Worker(new URL(import.meta.url), { type: 'module' });
  let seq = 0;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  const waiting = new Map();
  w.onmessage = (/** @type {MessageEvent<any>} */ e) => {
    const m = e.data;
    if (m.type === 'progress') {
      if (m.kind === 'lottery') onProgress(m);
      return;
    }
    const r = waiting.get(m.id);
    waiting.delete(m.id);
    if ('error' in m) r?.reject(Object.assign(new Error(m.error), m.detail ?? {}));
    else r?.resolve(m.result);
  };
  w.onerror = (e) => {
    e.preventDefault();
    for (const r of waiting.values()) r.reject(new Error(`a lottery trial's worker failed: ${e.message}`));
    waiting.clear();
  };
  return {
    /** @param {string} method @param {unknown[]} args */
    call(method, args) {
      seq += 1;
      const id = seq;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.postMessage({ id, method, args });
      });
    },
    terminate: () => w.terminate(),
  };
}

/**
 * Trials of one lottery experiment (the CLI's `--trials`): trial t is the experiment with every
 * seed moved by t (lottery-trials.js). Trial 0 runs here on `p` (split as a single run is when a
 * core is left for it), so the page can adopt its ticket; trials 1 … n−1 run in a pool of worker
 * helpers, up to `navigator.hardwareConcurrency` workers in all (at most MAX_LOTTERY_WORKERS), each
 * building its own playground and loading its data once. Without nested workers they run here
 * one after another. Progress sums every trial's work; a cancel stops them all. The result is
 * trial 0's `history` and every trial's in `trials`.
 * @param {number} id
 * @param {any} p
 * @param {LotterySpec} spec
 * @param {boolean} parallel
 */
async function lotteryTrials(id, p, spec, parallel) {
  const mine = generation;
  const trials = Number(spec.trials);
  const config = p.config();
  const cores = Math.max(1, Math.min(self.navigator?.hardwareConcurrency ?? 1, MAX_LOTTERY_WORKERS));
  const helpers = parallel && typeof Worker === 'function' ? Math.min(trials - 1, Math.max(1, cores - 1)) : 0;
  /** @type {LevelResult[][]} */
  const histories = Array.from({ length: trials }, () => []);
  const done = new Array(trials).fill(0);
  let perTrial = 0;
  /** @type {LotteryProgress | null} */
  let latest = null;
  let sent = '';
  const publish = () => {
    if (!latest) return;
    const step = { ...latest, epochsDone: done.reduce((a, b) => a + b, 0), epochsTotal: perTrial * trials, finished: false };
    // Every trial's results only when one has finished a level (the page redraws the chart then).
    const sizes = histories.map((h) => h.length).join();
    const more = sizes === sent ? {} : { trials: histories.map((h) => [...h]) };
    sent = sizes;
    post({ type: 'progress', id, kind: 'lottery', step, history: histories[0], ...more });
  };
  /** @param {number} t */
  const reporter = (t) => (/** @type {LotteryProgress} */ step, /** @type {LevelResult[]} */ history) => {
    histories[t] = history;
    done[t] = step.epochsDone;
    perTrial = Math.max(perTrial, step.epochsTotal);
    if (t === 0 || !latest) latest = step;
    publish();
  };
  // Trial 0 first: its spec is checked (an error leaves nothing running) before any helper starts.
  const first = lotteryRun(p, { ...spec }, parallel && cores >= helpers + 2, reporter(0));
  // (`startLottery` runs before lotteryRun's first await, so a refused spec has rejected `first`
  // already, and its handler runs before the resolved promise's.)
  const refused = await Promise.race([first.then(() => null, (err) => ({ err })), Promise.resolve(null)]);
  if (refused) throw refused.err;
  let next = 1;
  /** @type {ReturnType<typeof spawnHelper>[]} */
  const pool = [];
  /** Runs queued trials in one helper until none is left. */
  const drain = async () => {
    let current = 0;
    const helper = spawnHelper((m) => reporter(current)(m.step, m.history));
    pool.push(helper);
    while (next < trials && generation === mine) {
      current = next;
      next += 1;
      const t = trialInputs(config, spec, current);
      await helper.call('create', [t.config]);
      const out = await helper.call('lottery', [{ ...t.spec, trials: 1, parallel: false }]);
      if (out.cancelled) return;
      histories[current] = out.history;
    }
  };
  /** Without nested workers: the queued trials here, each on a playground of its own. */
  const local = async () => {
    await first;
    while (next < trials && generation === mine) {
      const t = trialInputs(config, spec, next);
      const data = t.config?.dataset?.kind === 'csv' ? (await io()).csvDataset(t.config) : undefined;
      const q = new Playground(t.config, data);
      try {
        const out = await lotteryRun(q, t.spec, false, reporter(next));
        if (out.cancelled) return;
        histories[next] = out.history;
      } finally {
        q.free();
      }
      next += 1;
    }
  };
  const runners = helpers > 0 ? Array.from({ length: helpers }, drain) : [local()];
  /** @type {{ error: unknown } | null} */
  let failed = null;
  let settled = false;
  const all = Promise.all([first, ...runners]).then(
    () => {
      settled = true;
    },
    (error) => {
      failed = { error };
      settled = true;
    },
  );
  // A cancel reaches this worker only: the helpers stop when it is seen.
  while (!settled && generation === mine) await new Promise((resolve) => setTimeout(resolve, 5));
  for (const h of pool) h.terminate();
  if (generation !== mine) {
    const out = await first.catch(() => null);
    if (pg === p && !out?.cancelled) p.cancelLottery();
    return { cancelled: true, history: histories[0], trials: histories };
  }
  await all;
  if (failed) {
    // Stops trial 0 too (a failed trial fails the experiment).
    generation += 1;
    await first.catch(() => null);
    if (pg === p) p.cancelLottery();
    throw /** @type {{ error: unknown }} */ (failed).error;
  }
  const out = await first;
  return { cancelled: false, history: out.history, trials: [out.history, ...histories.slice(1)], ...(out.split ? { split: true } : {}) };
}

/**
 * Sorts lottery results as one runner finishes them: by level, the ticket first, then the
 * controls in the spec's order (the engine's `LotteryRunner::absorb` order).
 * @param {import('./types.js').LevelResult[]} results
 * @param {string[]} controls
 */
function lotteryOrder(results, controls) {
  const rank = (/** @type {string} */ b) => (b === 'ticket' ? 0 : 1 + controls.indexOf(b));
  return [...results].sort((a, b) => a.level - b.level || rank(a.branch) - rank(b.branch));
}

/**
 * Runs the ticket here and the controls in a second worker (this same script), feeding it each
 * ticket level's structure as soon as it is pruned: the controls of level k train while the
 * ticket trains level k + 1. Progress carries the results in the order they finish (the page
 * appends them); the returned history is in the one-runner order.
 * @param {any} p
 * @param {SplitSpec} spec
 * @param {(step: LotteryProgress, history: LevelResult[]) => void} report
 */
async function parallelLottery(p, spec, report) {
  const mine = generation;
  const ticketTotal = p.startLottery(spec, 'ticket');
  // Every level after the dense one trains as many epochs for each branch (fewer than the dense
  // level's after rewinding to step k: the remaining T − k steps). The other seed's ticket line
  // trains beside this worker's ticket, epoch for epoch: its work counts as much again.
  const ticketWork = spec.compareSeed === undefined || spec.compareSeed === null ? 1 : 2;
  const total = ticketWork * ticketTotal + spec.controls.length * (ticketTotal - spec.epochs);
  const helper = new Worker(new URL(import.meta.url), { type: 'module' });
  /** @type {import('./types.js').LevelResult[]} results in the order they finished */
  const arrived = [];
  let ticketSeen = 0;
  let controlsSeen = 0;
  let ticketDone = 0;
  /** @type {LotteryProgress | null} */
  let lastTicketStep = null;
  let controlsEpochs = 0;
  /** @type {{ history: import('./types.js').LevelResult[] } | null} */
  let controlsResult = null;
  /** @type {Error | null} */
  let controlsError = null;
  /** @type {(v: unknown) => void} */
  let created = () => {};
  const createdPromise = new Promise((resolve) => {
    created = resolve;
  });
  const publish = (/** @type {LotteryProgress} */ latest) => {
    const tickets = p.lotteryHistory();
    arrived.push(...tickets.slice(ticketSeen));
    ticketSeen = tickets.length;
    const step = { ...latest, epochsDone: ticketWork * ticketDone + controlsEpochs, epochsTotal: total, finished: false };
    report(step, [...arrived]);
  };
  helper.onmessage = (/** @type {MessageEvent<any>} */ e) => {
    const m = e.data;
    if ('error' in m) {
      controlsError = Object.assign(new Error(m.error), m.detail ?? {});
      created(undefined);
    } else if (m.type === 'progress') {
      // (The helper's own data loading reports progress too: only its lottery's counts here.)
      if (m.kind !== 'lottery') return;
      arrived.push(...m.history.slice(controlsSeen));
      controlsSeen = m.history.length;
      controlsEpochs = m.step.epochsDone;
      // The status line follows the ticket while it trains, then the last controls.
      publish(lastTicketStep && !lastTicketStep.finished ? lastTicketStep : m.step);
    } else if (m.id === 1) {
      created(undefined);
    } else if (m.id === 2) {
      controlsResult = m.result;
    }
  };
  helper.onerror = (e) => {
    e.preventDefault();
    controlsError = new Error(`the lottery's control worker failed: ${e.message}`);
    created(undefined);
  };
  const cancelled = () => {
    helper.terminate();
    if (pg === p) p.cancelLottery();
    return { cancelled: true, history: lotteryOrder(arrived, spec.controls) };
  };
  try {
    // The controls' playground is built from the same config (same data, same θ₀); the lottery
    // in it starts before the first structure is fed.
    helper.postMessage({ id: 1, method: 'create', args: [p.config()] });
    await createdPromise;
    if (controlsError) throw controlsError;
    helper.postMessage({ id: 2, method: 'lotteryControls', args: [spec] });
    let fed = 0;
    /** @type {LotteryProgress} */
    let step;
    do {
      await yieldToEvents();
      if (controlsError) throw controlsError;
      if (generation !== mine) return cancelled();
      step = p.lotteryStep();
      ticketDone = step.epochsDone;
      lastTicketStep = step;
      const t = p.lotteryTicketStructure();
      if (t && t.level > fed) {
        fed = t.level;
        helper.postMessage({ type: 'feed', structure: t }, { transfer: [...transferables(t)] });
      }
      publish(step);
    } while (!step.finished);
    // The ticket is done; the last level's controls are still training.
    while (!controlsResult) {
      if (controlsError) throw controlsError;
      if (generation !== mine) return cancelled();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    helper.terminate();
    // (Set by the message handler; TypeScript does not see assignments in callbacks.)
    const done = /** @type {{ history: import('./types.js').LevelResult[] }} */ (/** @type {unknown} */ (controlsResult));
    const history = lotteryOrder([...p.lotteryHistory(), ...done.history], spec.controls);
    return { cancelled: false, history, split: true };
  } catch (err) {
    helper.terminate();
    if (pg === p) p.cancelLottery();
    throw err;
  }
}

/**
 * @param {number} id
 * @param {string} method
 * @param {unknown[]} args
 */
async function handle(id, method, args) {
  await ready;
  if (Object.hasOwn(own, method)) return own[method](id, ...args);
  const p = /** @type {any} */ (playground());
  if (typeof p[method] !== 'function') throw new Error(`unknown engine method: ${method}`);
  return p[method](...args);
}

self.onmessage = (/** @type {MessageEvent<Request>} */ event) => {
  const msg = event.data;
  if ('type' in msg) {
    if (msg.type === 'cancel') generation += 1;
    else if (msg.type === 'feed') ready.then(() => feed(msg.structure));
    return;
  }
  const { id, method, args } = msg;
  handle(id, method, args ?? []).then(
    (result) => post({ id, result }),
    (err) => {
      // A wasm trap (a Rust panic aborts into `unreachable`) leaves the instance unusable: say so
      // and stop this worker; the page starts a new one and replays its step log.
      const crashed = err instanceof WebAssembly.RuntimeError;
      post({ id, error: errorText(err), detail: errorDetail(err), ...(crashed ? { crashed: true } : {}) });
      if (crashed) self.close();
    },
  );
};

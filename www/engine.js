// The promise client of the engine worker (docs/api.md, "Engine"): hides the messages.
//
//   const engine = await Engine.create(config);
//   const metrics = await engine.call('train', 5);
//   engine.onProgress = (p) => { … };
//   await engine.runLottery(spec);   // resolves when finished or after engine.cancel()
//   engine.terminate();
//
// An engine error rejects with an Error whose message is the engine's English text and whose
// `detail` is the error as data ({ kind, … }); the page words it in its language from that
// (app/engine-text.js), also for a divergence's `diverged` message (`divergedDetail`).

import { rememberEngineError } from './app/engine-text.js';

/**
 * @typedef {import('./types.js').PlaygroundConfig} PlaygroundConfig
 * @typedef {import('./types.js').Progress} Progress
 * @typedef {import('./types.js').Reply} Reply
 * @typedef {import('./types.js').EngineError} EngineError
 * @typedef {import('./types.js').LotterySpec} LotterySpec
 * @typedef {import('./types.js').LevelResult} LevelResult
 * @typedef {import('./types.js').CreateResult} CreateResult
 * @typedef {import('./types.js').Frame} Frame
 * @typedef {import('./types.js').FrameOptions} FrameOptions
 * @typedef {import('./types.js').EpochMetrics} EpochMetrics
 */

/**
 * Every ArrayBuffer directly in `args` (typed-array arguments are transferred).
 * @param {unknown[]} args
 */
function transfers(args) {
  /** @type {ArrayBuffer[]} */
  const out = [];
  for (const a of args) if (ArrayBuffer.isView(a) && a.buffer instanceof ArrayBuffer) out.push(a.buffer);
  return out;
}

export class Engine {
  /** @param {Worker} worker */
  constructor(worker) {
    /** @private */
    this.worker = worker;
    /** @private */
    this.nextId = 1;
    /** @private @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
    this.pending = new Map();
    /** @type {(p: Progress) => void} */
    this.onProgress = () => {};
    /** What the last successful `create` reported (methods present in this wasm build, data set). */
    /** @type {CreateResult | null} */
    this.info = null;
    /** Why the worker is gone (a wasm trap or a worker error), or null while it works. */
    /** @type {string | null} */
    this.crashed = null;
    /** Told once when the worker is gone; the app then starts a new engine. */
    /** @type {(reason: string) => void} */
    this.onCrash = () => {};
    worker.onmessage = (/** @type {MessageEvent<Reply>} */ e) => this.receive(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      this.crash(`engine worker failed: ${e.message || 'could not start'}`);
    };
  }

  /**
   * The worker is gone: every pending and later call fails with `reason`.
   * @param {string} reason
   */
  crash(reason) {
    if (this.crashed !== null) return;
    this.crashed = reason;
    const err = new Error(`the engine crashed: ${reason}`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.worker.terminate();
    this.onCrash(reason);
  }

  /**
   * Spawns the worker and builds the Playground.
   * @param {PlaygroundConfig} config
   * @param {URL | string} [workerUrl] default: worker.js next to this module, spelled out as the
   *   literal `new Worker(new URL('./worker.js', import.meta.url), …)` that bundlers (Vite) follow
   */
  static async create(config, workerUrl) {
    const worker = workerUrl === undefined
      ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })
      : new Worker(workerUrl, { type: 'module' });
    const engine = new Engine(worker);
    try {
      await engine.configure(config);
    } catch (err) {
      engine.terminate();
      throw err;
    }
    return engine;
  }

  /**
   * Replaces the model (a new Playground in the same worker); the old one stays on error.
   * @param {PlaygroundConfig} config
   * @returns {Promise<CreateResult>}
   */
  async configure(config) {
    const info = /** @type {CreateResult} */ (await this.call('create', config));
    this.info = info;
    return info;
  }

  /**
   * Calls a Playground method (or a worker method: frame, trainLoop, play, lottery, …).
   * @param {string} method
   * @param {...unknown} args
   * @returns {Promise<any>}
   */
  call(method, ...args) {
    const id = this.nextId++;
    if (this.crashed !== null) return Promise.reject(new Error(`the engine crashed: ${this.crashed}`));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args }, transfers(args));
    });
  }

  /**
   * Everything the views draw, in one round trip.
   * @param {FrameOptions} options
   * @returns {Promise<Frame>}
   */
  frame(options) {
    return this.call('frame', options);
  }

  /**
   * Runs the lottery experiment step by step (progress through `onProgress`) until it finishes
   * or `cancel()` is called. With `spec.trials` above 1 it runs once per trial, in parallel
   * workers, and `trials` holds every trial's results (trial 0's are `history`).
   * @param {LotterySpec} spec
   * @returns {Promise<{ cancelled: boolean, history: LevelResult[], trials?: LevelResult[][] }>}
   */
  runLottery(spec) {
    return this.call('lottery', spec);
  }

  /**
   * Continuous training, one epoch at a time, until `pause()` (or a divergence: `diverged` holds
   * the message and `restoreCheckpoint` goes back to the last good epoch).
   * @returns {Promise<{ epochs: number, cancelled: boolean, diverged?: string, divergedDetail?: EngineError }>}
   */
  play() {
    return this.call('play');
  }

  /** Stops `play()`. */
  pause() {
    this.cancel();
  }

  /**
   * Trains `epochs` epochs one at a time with progress; `cancel()` stops it early; a divergence
   * stops it with `diverged` (the message; `restoreCheckpoint` goes back to the last good epoch).
   * @param {number} epochs
   * @param {boolean} [fineTune]
   * @returns {Promise<{ metrics: EpochMetrics[], cancelled: boolean, diverged?: string, divergedDetail?: EngineError }>}
   */
  trainLoop(epochs, fineTune = false) {
    return this.call('trainLoop', epochs, fineTune);
  }

  /** Stops the running loop (lottery, play, train loop) at its next step boundary. */
  cancel() {
    this.worker.postMessage({ type: 'cancel' });
  }

  terminate() {
    this.worker.terminate();
    const err = new Error('engine terminated');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /**
   * @private
   * @param {Reply} msg
   */
  receive(msg) {
    if ('type' in msg) {
      this.onProgress(msg);
      return;
    }
    if ('crashed' in msg && msg.crashed) {
      this.crash(msg.error);
      return;
    }
    const waiting = this.pending.get(msg.id);
    if (!waiting) return;
    this.pending.delete(msg.id);
    if ('error' in msg) {
      const err = /** @type {Error & { detail?: EngineError }} */ (new Error(msg.error));
      if (msg.detail) {
        err.detail = msg.detail;
        rememberEngineError(msg.error, msg.detail);
      }
      waiting.reject(err);
    } else {
      const r = /** @type {any} */ (msg.result);
      if (r && typeof r.diverged === 'string' && r.divergedDetail) rememberEngineError(r.diverged, r.divergedDetail);
      waiting.resolve(msg.result);
    }
  }
}

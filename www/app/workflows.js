// The workflows: everything that drives the engine — building a network, refreshing the drawing
// data, and the pipeline steps (train, prune in its three schedules, keep, rewind, reinit, retrain,
// evaluate, reset, play, lottery, adopt). Each step records itself in the step log (session.js's
// `createLog`); the same `run` serves the buttons, a link's replay and crash recovery.
import { Engine } from '../engine.js';
import { t } from './i18n.js';
import { headlineAccuracy, int, num, pct, pctList } from './format.js';
import { branchKey, engineConfig, lotterySpec, patternOf, pruneSpec, setting } from './state.js';
import { freshExperiment } from './store.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('../types.js').Frame} Frame
 * @typedef {import('../types.js').CreateResult} CreateResult
 * @typedef {import('../types.js').PruneResult} PruneResult
 * @typedef {import('../types.js').Progress} Progress
 * @typedef {import('./store.js').Store} Store
 * @typedef {{ amount: number, epochs: number, pattern: string | null }} PlanRound
 *   under a pattern, `pattern` is the round's k:m (null: the round prunes nothing)
 * @typedef {{ initialSparsity: number, finalSparsity: number, beginStep: number, endStep: number, frequency: number, power: number }} PlanGradual
 * @typedef {{ kind: 'iterative', rounds: PlanRound[] } | { kind: 'gradual', epochs: number, gradual: PlanGradual }} SchedulePlan
 *   what the core plans for an iterative or gradual pruning (Playground.schedulePlan)
 * @typedef {import('./session.js').Log} Log
 * @typedef {'train' | 'prune' | 'keep' | 'rewind' | 'rewindK' | 'reinit' | 'retrain' | 'evaluate' | 'reset'
 *   | 'play' | 'lottery' | 'adopt' | 'measure' | 'restoreGood' | 'scan' | 'pruneNM' | 'pai'} StepAction
 * @typedef {{ sparsity: number, zeros: number, loss: number, accuracy: number }} ScanPoint
 * @typedef {{ layer: number, weights: number, alive: number, points: ScanPoint[] }} ScanCurve
 * @typedef {{ split: string, base: { loss: number, accuracy: number }, curves: ScanCurve[] }} Sensitivity
 *   what Playground.sensitivity returns (docs/api.md, "The toolkit")
 * @typedef {{ dense: number, sparse: number, metadataBytes: number }} NmLayerCost
 * @typedef {{ layer: number, point: ScanPoint, done: number, total: number }} ScanStep
 *   one point of a scan in pieces (Playground.sensitivityStep)
 * @typedef {{ pattern: string, denseMultiplyAdds: number, sparseMultiplyAdds: number, metadataBytes: number, layers: NmLayerCost[] }} NmCost
 */

/** The sparsities the page's sensitivity scan prunes each layer to (0: the model as it is). */
export const SCAN_SPARSITIES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
/** The N:M pattern of the toolkit's Prune 2:4 and of the cost panel when no pattern is set: 2 of every 4 (what sparse tensor cores run). */
export const NM_PATTERN = '2:4';

/**
 * The per-layer rates that, with fraction 1 under layer scope, prune each layer to the zeros the
 * scan counted at the chosen sparsity: a layer with `alive` of `weights` alive loses
 * round(rate × alive) = zeros − (weights − alive) (already masked weights count among the zeros).
 * Rounded to 6 decimals for the link; round(rate × alive) is unchanged while alive < 500 000.
 * The same rule as the core's `prune::sensitivity::rates_for`, which tests/lessons.rs runs for the
 * sensitivity lesson (the page keeps its own copy: the scan it converts lives in the page's state).
 * @param {ScanCurve} curve
 * @param {number} sparsity   one of the curve's points, or 0 (leave it as it is)
 */
export function rateFor(curve, sparsity) {
  const point = curve.points.find((p) => p.sparsity === sparsity);
  if (!point || curve.alive === 0) return 0;
  const more = Math.max(0, point.zeros - (curve.weights - curve.alive));
  return Math.round((more / curve.alive) * 1e6) / 1e6;
}

/**
 * The sparsity of each layer the scan allows within `maxDrop` (a fraction: 0.01 = one point) of
 * the dense accuracy: the largest before the first that loses more (the core's
 * `prune::sensitivity::sparsities_within`, which the CLI's --max-drop prints).
 * @param {Sensitivity} scan
 * @param {number} maxDrop
 */
export function sparsitiesWithin(scan, maxDrop) {
  return scan.curves.map((c) => {
    let best = 0;
    for (const p of [...c.points].sort((a, b) => a.sparsity - b.sparsity)) {
      if (p.accuracy < scan.base.accuracy - maxDrop) break;
      best = p.sparsity;
    }
    return best;
  });
}

/**
 * Bounds of the 2D data with a margin, for the boundary and the neuron maps.
 * @param {CreateResult} info
 * @returns {[[number, number], [number, number]] | null}
 */
function dataRange(info) {
  const d = info.dataset;
  if (d.nFeatures !== 2) return null;
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (const xs of [d.xTrain, d.xTest]) {
    for (let i = 0; i + 1 < xs.length; i += 2) {
      for (let f = 0; f < 2; f += 1) {
        lo[f] = Math.min(lo[f], xs[i + f]);
        hi[f] = Math.max(hi[f], xs[i + f]);
      }
    }
  }
  /** @param {number} f @returns {[number, number]} */
  const axis = (f) => {
    const pad = (hi[f] - lo[f]) * 0.08 || 1;
    return [lo[f] - pad, hi[f] + pad];
  };
  return [axis(0), axis(1)];
}

/** Actions `run` handles: the pipeline steps (and measuring, going back after a divergence). */
/**
 * The scores that mean something before any training, at θ₀ (the core's
 * `Score::prunes_untrained`): SNIP and GraSP on one mini-batch, data-free SynFlow, magnitude (the
 * baseline of Frankle et al. 2021) and the random control; the Lp-norms add nothing to magnitude.
 */
export const PRUNES_AT_INIT = new Set(['snip', 'grasp', 'synflow', 'magnitude', 'random']);

/**
 * Frankle et al. 2021's comparison on the page (the core's `PaiRunner`, src/lottery/pai.rs): the
 * methods, the densities each prunes θ₀ to, the sanity checks beside each, and SynFlow's rounds.
 * Each run trains the lottery's epochs per level; the seed is the network's.
 */
export const PAI_METHODS = ['snip', 'grasp', 'synflow', 'magnitude', 'random'];
export const PAI_DENSITIES = [0.5, 0.2, 0.1, 0.05];
export const PAI_CONTROLS = ['shuffle', 'reinit'];
export const PAI_SYNFLOW_ROUNDS = 20;

/**
 * One pruned-and-trained network of the comparison (src/wasm/pai.rs's `paiStep`).
 * @typedef {{ method: string, control: 'shuffle' | 'reinit' | null, density: number,
 *   actualDensity: number, bestEpoch: number, valAccuracy: number | null, testAccuracy: number,
 *   done: number, total: number }} PaiRun
 */

export const STEP_ACTIONS = new Set(['train', 'prune', 'keep', 'rewind', 'rewindK', 'reinit', 'retrain', 'evaluate', 'reset', 'play', 'lottery', 'adopt', 'measure', 'restoreGood', 'scan', 'pruneNM', 'pai']);

/**
 * @param {Store} store
 * @param {Log} log
 * @param {{ workerUrl?: URL | string, emit: (type: string, detail: Record<string, unknown>) => void,
 *   onCrash: () => void }} options
 *   onCrash: the worker died between two actions
 */
export function createWorkflows(store, log, options) {
  const { set, say } = store;
  const { emit } = options;
  /** @type {Engine | null} */
  let engine = null;

  function frameOptions() {
    const { range, settings } = store.state;
    const twoD = range !== null;
    const maps = twoD && settings.hidden.reduce((a, b) => a + b, 0) <= 64;
    return {
      gridResolution: twoD ? 60 : 0,
      mapResolution: maps ? 24 : 0,
      range: range ?? undefined,
      histogramBins: 30,
      history: true,
    };
  }

  /** @returns {Engine} */
  function eng() {
    if (!engine) throw new Error('the engine is not ready');
    return engine;
  }

  /** Fetches new drawing data now. */
  async function refresh() {
    const frame = await eng().frame(frameOptions());
    set({ frame, history: frame.history ?? store.state.history });
    // What hardware with the pattern's support (2:4 when none is set) would do with this
    // network, beside the engine's own costs (cost panel).
    if (store.state.info?.methods.includes('nmCost')) {
      const pattern = patternOf(store.state.settings) ?? NM_PATTERN;
      set({ nmCost: /** @type {NmCost} */ (await eng().call('nmCost', pattern)) });
    }
    return frame;
  }

  /**
   * Per-layer rates go with layer scope and one rate per layer before the output (neurons: per
   * hidden layer), and not with an N:M pattern (every layer keeps N of every M); the page refuses
   * other combinations in the learner's language before the engine sees them.
   * @param {Settings} s
   * @returns {boolean}  whether the rates (if any) fit
   */
  function ratesFit(s) {
    if (s.layerRates.length === 0) return true;
    const layers = s.structure === 'neurons' ? s.hidden.length : (store.state.frame?.snapshot?.layers.length ?? 1) - 1;
    /** @type {[string, Record<string, string | number>] | null} */
    const refusal = patternOf(s) !== null ? ['msg.layerRates.pattern', { pattern: s.pattern }]
      : s.scope !== 'layer' ? ['msg.layerRates.scope', { rates: s.layerRates.join(', ') }]
        : s.layerRates.length !== layers ? ['msg.layerRates.count', { given: s.layerRates.length, layers }]
          : s.schedule === 'gradual' ? ['msg.layerRates.gradual', {}]
            : null;
    if (!refusal) return true;
    say('error', ...refusal);
    // The element's prune() and runLottery() reject with it.
    emit('error', { action: 'prune', error: t(...refusal) });
    return false;
  }

  /**
   * The per-layer sensitivity scan: each layer pruned alone, evaluated without retraining, one
   * point (one layer at one sparsity) per engine call, so the curves grow as points arrive and
   * Stop ends it between two points. A stopped scan is dropped: the previous one (if any) is
   * shown again. Each point is also the element's `scanpoint` event.
   */
  async function scan() {
    const s = store.state.settings;
    const e = eng();
    const before = store.state.sensitivity;
    const start = /** @type {Sensitivity & { total: number }} */ (await e.call('startSensitivity', SCAN_SPARSITIES, s.score, s.seed));
    const { total, ...empty } = start;
    const tag = { modelSeq: store.state.modelSeq, logLength: store.state.log.length };
    const layers = empty.curves.length;
    /** @type {Sensitivity} */
    let partial = empty;
    set({ sensitivity: { ...partial, ...tag, partial: true }, progress: { value: 0, max: total, label: t('msg.scanProgress', { layer: 1, layers, sparsity: pct(0, 0) }) } });
    let done = 0;
    try {
      while (!store.state.cancelled) {
        const r = /** @type {ScanStep | null} */ (await e.call('sensitivityStep'));
        if (!r) break;
        done = r.done;
        partial = { ...partial, curves: partial.curves.map((c) => (c.layer === r.layer ? { ...c, points: [...c.points, r.point] } : c)) };
        set({
          sensitivity: { ...partial, ...tag, partial: done < total },
          progress: { value: done, max: total, label: t('msg.scanProgress', { layer: r.layer + 1, layers, sparsity: pct(r.point.sparsity, 0) }) },
        });
        emit('scanpoint', { layer: r.layer, point: { ...r.point }, done, total });
      }
    } catch (err) {
      // A scan that failed half-way is not shown as if it were one.
      set({ sensitivity: before });
      throw err;
    }
    set({ progress: null });
    if (done < total) {
      set({ sensitivity: before });
      return say('info', 'msg.scanCancelled', { done, total });
    }
    say('info', 'msg.scanned', { layers, split: t(`split.${partial.split}`), base: pct(partial.base.accuracy) });
  }

  /**
   * Pruning at initialization compared (Frankle et al. 2021), one run per engine call from the
   * network's θ₀ (the model on the page is not changed): progress between runs, and Stop ends it
   * after the current run, keeping the runs done.
   */
  async function pai() {
    const s = store.state.settings;
    const e = eng();
    const total = /** @type {number} */ (await e.call('startPai', PAI_METHODS, PAI_DENSITIES, PAI_CONTROLS, s.lotteryEpochs, PAI_SYNFLOW_ROUNDS, s.seed));
    /** @type {PaiRun[]} */
    const runs = [];
    const epochs = s.lotteryEpochs;
    set({ pai: { runs, total, epochs }, progress: { value: 0, max: total, label: `0 / ${total}` } });
    while (!store.state.cancelled) {
      const r = /** @type {PaiRun | null} */ (await e.call('paiStep'));
      if (!r) break;
      runs.push(r);
      set({ pai: { runs: [...runs], total, epochs }, progress: { value: runs.length, max: total, label: `${runs.length} / ${total}` } });
    }
    set({ progress: null });
    if (runs.length < total) say('info', 'msg.paiCancelled', { done: runs.length, total });
    else say('info', 'msg.paiDone', { total, epochs });
  }

  /**
   * The toolkit's shortcut: one-shot 2:4 pruning of every layer with the settings' score (the
   * Prune button's path with the pattern set to 2:4, whatever the structure and per-layer
   * rates); a step of the log.
   */
  async function pruneNM() {
    const s = store.state.settings;
    if (store.state.history.length === 0 && !PRUNES_AT_INIT.has(s.score)) return say('info', 'msg.needTraining');
    const r = /** @type {PruneResult} */ (await eng().call('prune', pruneSpec({ ...s, structure: 'weights', layerRates: [] }, s.fraction, NM_PATTERN)));
    set({ lastPrune: r, transition: { kind: 'prune', seq: nextTransition() } });
    mark('prune');
    log.record('pruneNM');
    await refresh();
    set({ cutTest: store.state.frame?.evaluation?.testAccuracy ?? null });
    emit('pruned', { ...r, density: store.state.frame?.snapshot?.density });
    say('info', 'msg.prunedNM', { pattern: NM_PATTERN, removed: int(r.removed), before: int(r.removed + r.remaining), layers: pctList(r.layerDensity) });
  }

  // Coalesced refreshes while a loop runs in the worker: at most one request in flight.
  let refreshing = false;
  let refreshAgain = false;
  function requestRefresh() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    refresh()
      .catch(() => {})
      .finally(() => {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          requestRefresh();
        }
      });
  }

  /** @param {Progress} p */
  function onProgress(p) {
    if (p.kind === 'train') {
      set({ progress: { value: p.done, max: p.total, label: `${p.done} / ${p.total}` } });
      for (const m of p.metrics) emit('epoch', { ...m });
      requestRefresh();
    } else if (p.kind === 'play') {
      set({ progress: null });
      requestRefresh();
    } else if (p.kind === 'data') {
      // The MNIST download (pkg/mnist.bin), fetched once per worker when an MNIST network is built.
      const mb = (/** @type {number} */ n) => num(n / 1e6);
      const total = p.total ?? 0;
      set({
        progress: { value: p.loaded, max: Math.max(total, p.loaded, 1), label: total > 0 ? `${mb(p.loaded)} / ${mb(total)} MB` : `${mb(p.loaded)} MB` },
        message: { kind: 'info', key: 'msg.mnistLoading', params: { loaded: mb(p.loaded), total: total > 0 ? mb(total) : '?' } },
      });
    } else if (p.kind === 'lottery') {
      const s = p.step;
      for (const r of p.history.slice(store.state.lottery.length)) emit('level', { ...r });
      set({
        lottery: p.history,
        ...(p.trials ? { lotteryTrials: p.trials } : {}),
        lotteryStep: s,
        progress: { value: s.epochsDone, max: s.epochsTotal, label: `${s.epochsDone} / ${s.epochsTotal}` },
        message: {
          kind: 'info',
          key: 'msg.lotteryRunning',
          params: { branch: t(branchKey(s.branch, store.state.settings.initMode)), level: s.level, epoch: s.epoch },
        },
      });
    }
  }

  /**
   * Builds a new network for `settings`; on failure the current one (and settings) stay.
   * @param {Settings} settings
   * @param {string} [csv]   the CSV text for `dataset: 'csv'` (default: the current one)
   */
  async function build(settings, csv = store.state.csvText) {
    const config = engineConfig(settings, csv);
    // MNIST comes as a download the first time (progress in onProgress); say so before it starts.
    const mnist = settings.dataset === 'mnist';
    if (mnist) say('info', 'msg.mnistLoading', { loaded: '0', total: '7.85' });
    let info;
    if (engine) info = await engine.configure(config);
    else {
      engine = await Engine.create(config, options.workerUrl);
      info = engine.info;
    }
    if (!info) throw new Error('the engine did not start');
    eng().onProgress = onProgress;
    eng().onCrash = options.onCrash;
    const range = dataRange(info);
    set({
      ...freshExperiment(),
      settings,
      info,
      modelSeq: store.state.modelSeq + 1,
      range,
      transition: { kind: 'none', seq: store.state.transition.seq + 1 },
    });
    const frame = await refresh();
    if (mnist) {
      set({ progress: null });
      say('info', 'msg.mnistReady', { train: int(info.dataset.yTrain.length), test: int(info.dataset.yTest.length) });
    }
    return { info, frame };
  }

  /** Stops the worker (a new one starts with the next `build`). */
  function terminate() {
    engine?.terminate();
    engine = null;
  }

  /** @param {Frame} frame */
  function readyParams(frame) {
    const d = /** @type {CreateResult} */ (store.state.info).dataset;
    const f = d.nFeatures || 1;
    return {
      params: int(frame.costs?.parameters ?? frame.snapshot?.layers.reduce((a, l) => a + l.weights.length, 0)),
      train: int(d.xTrain.length / f),
      test: int(d.xTest.length / f),
    };
  }

  /** @param {string} kind */
  function mark(kind) {
    const { history, markers, steps } = store.state;
    const epoch = history.at(-1)?.epoch ?? 0;
    set({ markers: [...markers, { epoch, kind }], steps: [...steps, kind] });
  }

  /**
   * Training diverged: the model stays as it diverged (so the learner can see it), the log stops
   * until "go back" restores the checkpoint the worker kept before the failing epoch.
   * @param {string} error
   */
  function divergedAt(error) {
    set({ diverged: error });
    log.cutLog('diverged');
    say('error', 'msg.diverged', { error, epoch: (store.state.history.at(-1)?.epoch ?? 0) + 1 });
    emit('error', { action: 'train', error });
  }

  function aliveWeights() {
    const layers = store.state.frame?.snapshot?.layers ?? [];
    let n = 0;
    for (const l of layers) for (const m of l.mask) n += m;
    return n;
  }

  /**
   * Trains `epochs` epochs in the worker with progress.
   * @param {number} epochs
   * @param {boolean} fineTune
   */
  async function trainLoop(epochs, fineTune) {
    const out = await eng().trainLoop(epochs, fineTune);
    set({ progress: null });
    await refresh();
    return out;
  }

  /** @param {number} round */
  async function applyInit(round) {
    const s = store.state.settings;
    const e = eng();
    if (s.initMode === 'init') await e.call('rewind');
    else if (s.initMode === 'step') await e.call('rewindTo', s.rewindStep);
    else if (s.initMode === 'reinit') await e.call('reinit', s.seed + 1 + round);
  }

  /**
   * The Initialization setting follows the Keep / Rewind / Reinit button just pressed, so it never
   * names one thing while the network got another.
   * @param {string} mode
   */
  function followInit(mode) {
    const s = store.state.settings;
    if (s.initMode !== mode) set({ settings: { ...s, initMode: mode } });
  }

  /** The next transition's sequence number (views animate each new one once). */
  function nextTransition() {
    return store.state.transition.seq + 1;
  }

  /** @param {PruneResult} r */
  function pruneMessage(r) {
    const s = store.state.settings;
    const scope = t(`msg.scope.${s.scope}`);
    const pattern = patternOf(s);
    if (pattern) {
      say('info', 'msg.prunedNM', { pattern, removed: int(r.removed), before: int(r.removed + r.remaining), layers: pctList(r.layerDensity) });
    } else if (r.structure === 'neurons') {
      say('info', 'msg.pruned.neurons', {
        pct: pct(s.fraction, 0),
        scope,
        removed: int(r.removed),
        perLayer: r.removedPerLayer.join(' / '),
        density: pct(r.density),
      });
    } else {
      say('info', 'msg.pruned.weights', {
        pct: pct(s.fraction, 0),
        scope,
        removed: int(r.removed),
        before: int(r.removed + r.remaining),
        layers: pctList(r.layerDensity),
      });
    }
  }

  /**
   * SynFlow at initialization (Tanaka et al. 2020): the iterative schedule's rounds, each
   * rescoring the masked network, with no training between them (the score is data-free and the
   * network stays at θ₀); one step of the log, which replays it from the same θ₀.
   */
  async function pruneSynflowAtInit() {
    const s = store.state.settings;
    const e = eng();
    if (!ratesFit(s)) return;
    const plan = /** @type {SchedulePlan} */ (await e.call('schedulePlan', 'iterative', s.fraction, s.rounds, 0, patternOf(s) ?? undefined));
    if (plan.kind !== 'iterative') return;
    /** @type {PruneResult | null} */
    let r = null;
    for (const { amount, pattern } of plan.rounds) r = /** @type {PruneResult} */ (await e.call('prune', pruneSpec(s, amount, pattern)));
    if (!r) return;
    set({ lastPrune: r, transition: { kind: 'prune', seq: nextTransition() } });
    mark('prune');
    log.record('prune');
    const frame = await refresh();
    set({ cutTest: frame?.evaluation?.testAccuracy ?? null });
    emit('pruned', { ...r, density: frame?.snapshot?.density });
    say('info', 'msg.prunedAtInitRounds', { rounds: plan.rounds.length, density: pct(frame?.snapshot?.density) });
  }

  async function prune() {
    const s = store.state.settings;
    const e = eng();
    if (!ratesFit(s)) return;
    if (s.schedule === 'oneshot') {
      const r = /** @type {PruneResult} */ (await e.call('prune', pruneSpec(s)));
      set({ lastPrune: r, transition: { kind: 'prune', seq: nextTransition() } });
      mark('prune');
      log.record('prune');
      await refresh();
      set({ cutTest: store.state.frame?.evaluation?.testAccuracy ?? null });
      pruneMessage(r);
      emit('pruned', { ...r, density: store.state.frame?.snapshot?.density });
      return;
    }
    // The core plans both schedules (Experiment::schedule_plan): the same final density as
    // one-shot pruning of s.fraction, from the network as it is now; under an N:M pattern, the
    // rounds' k:m steps down to it.
    const plan = /** @type {SchedulePlan} */ (await e.call('schedulePlan', s.schedule, s.fraction, s.rounds, s.retrainEpochs, patternOf(s) ?? undefined));
    if (plan.kind === 'iterative') {
      const rounds = plan.rounds.length;
      for (let round = 0; round < rounds && !store.state.cancelled; round += 1) {
        const { amount, epochs, pattern } = plan.rounds[round];
        set({ progress: { value: round, max: rounds, label: t('msg.round', { round: round + 1, rounds }) } });
        const r = /** @type {PruneResult} */ (await e.call('prune', pruneSpec(s, amount, pattern)));
        set({ lastPrune: r, transition: { kind: 'prune', seq: nextTransition() } });
        mark('prune');
        await refresh();
        set({ cutTest: store.state.frame?.evaluation?.testAccuracy ?? null });
        await applyInit(round);
        const out = await e.trainLoop(epochs, true);
        if (out.cancelled) set({ cancelled: true });
        if (out.diverged) {
          log.cutLog('prune');
          set({ progress: null });
          await refresh();
          return divergedAt(out.diverged);
        }
      }
      if (store.state.cancelled) log.cutLog('prune');
      else log.record('prune');
      set({ progress: null });
      const frame = await refresh();
      emit('pruned', { ...store.state.lastPrune, density: frame.snapshot?.density });
      const pattern = patternOf(s);
      // Under a pattern each round names its k:m (a round that keeps every weight: M:M).
      if (pattern) {
        say('info', 'msg.prunedIterativeNM', {
          rounds,
          pattern,
          steps: plan.rounds.map((r) => r.pattern ?? `${pattern.split(':')[1]}:${pattern.split(':')[1]}`).join(' → '),
          density: pct(frame.snapshot?.density),
          test: pct(frame.evaluation?.testAccuracy),
        });
      } else {
        say('info', 'msg.prunedIterative', {
          rounds,
          pct: pct(plan.rounds[0]?.amount),
          density: pct(frame.snapshot?.density),
          test: pct(frame.evaluation?.testAccuracy),
        });
      }
    } else {
      const { epochs } = plan;
      const pattern = patternOf(s);
      await e.call('setGradual', {
        ...plan.gradual,
        structure: s.structure,
        score: s.score,
        scope: s.scope,
        outputRate: 1,
        ...(pattern ? { pattern } : {}),
      });
      set({ transition: { kind: 'prune', seq: nextTransition() } });
      mark('prune');
      try {
        const out = await e.trainLoop(epochs, true);
        if (out.cancelled || out.diverged) log.cutLog('prune');
        else log.record('prune');
        if (out.diverged) {
          await e.call('setGradual', null);
          set({ progress: null });
          await refresh();
          return divergedAt(out.diverged);
        }
      } finally {
        await e.call('setGradual', null);
      }
      set({ progress: null });
      const frame = await refresh();
      emit('pruned', { density: frame.snapshot?.density });
      say('info', 'msg.prunedGradual', {
        epochs,
        density: pct(frame.snapshot?.density),
        test: pct(frame.evaluation?.testAccuracy),
      });
    }
  }

  async function lottery() {
    const s = store.state.settings;
    const e = eng();
    if (!ratesFit({ ...s, schedule: 'oneshot' })) return;
    // The UI counts the dense network as a level; the engine counts pruning levels after it.
    const spec = { ...lotterySpec(s), levels: Math.max(0, s.levels - 1) };
    set({ lottery: [], lotteryTrials: [], lotteryStep: null, progress: { value: 0, max: 1, label: '' } });
    const out = await e.runLottery(spec);
    const step = store.state.lotteryStep;
    // With trials, trial 0 is `lottery` (its ticket is the one adopted) and all are `lotteryTrials`.
    set({ lottery: out.history, lotteryTrials: out.trials ?? [], progress: null });
    if (out.cancelled) {
      set({ lotteryCancelled: true });
      say('info', 'msg.lotteryCancelled', { done: step?.epochsDone ?? 0, total: step?.epochsTotal ?? 0 });
      return;
    }
    set({ lotteryCancelled: false });
    log.record('lottery');
    emit('lottery-done', { history: out.history });
    const last = out.history.filter((r) => r.branch === 'ticket').at(-1);
    const controls = out.history
      .filter((r) => r.branch !== 'ticket' && r.level === last?.level)
      .map((r) => t('msg.lotteryControl', { branch: t(branchKey(r.branch, s.initMode)), acc: pct(headlineAccuracy(r)) }))
      .join('');
    // The readouts show the trained ticket, not the untrained network the run started from.
    if (last && last.level > 0 && (store.state.info?.methods.includes('adoptTicket') ?? false)) {
      await e.call('adoptTicket');
      // The engine's history is now the ticket's training at that level (refresh reads it).
      set({ history: [], markers: [], lastPrune: null, cutTest: null, steps: ['ticket'], transition: { kind: 'prune', seq: nextTransition() } });
      await refresh();
    }
    say('info', 'msg.lotteryDone', {
      density: pct(last?.density), ticket: pct(last && headlineAccuracy(last)), controls, branch: t(branchKey('ticket', s.initMode)),
    });
  }

  /**
   * Runs one pipeline step with the current settings.
   * @param {StepAction} type
   */
  async function run(type) {
    const e = eng();
    const s = store.state.settings;
    switch (type) {
      case 'train': {
        const out = await trainLoop(s.epochs, false);
        mark('train');
        if (out.metrics.length > 0) log.record('train', { epochs: out.metrics.length });
        if (out.diverged) return divergedAt(out.diverged);
        const ev = store.state.frame?.evaluation;
        if (out.cancelled) say('info', 'msg.trainCancelled', { epochs: out.metrics.length });
        else say('info', 'msg.trained', { epochs: out.metrics.length, train: pct(ev?.trainAccuracy), test: pct(ev?.testAccuracy) });
        return;
      }
      case 'prune':
        if (store.state.history.length === 0) {
          if (!PRUNES_AT_INIT.has(s.score)) return say('info', 'msg.needTraining');
          if (s.score === 'synflow' && s.schedule === 'iterative') return pruneSynflowAtInit();
        }
        return prune();
      case 'keep':
        mark('keep');
        log.record('keep');
        followInit('keep');
        return say('info', 'msg.kept', { alive: int(aliveWeights()) });
      case 'rewind':
        await e.call('rewind');
        set({ transition: { kind: 'rewind', seq: nextTransition() } });
        mark('rewind');
        log.record('rewind');
        followInit('init');
        await refresh();
        emit('rewound', { to: 0 });
        return say('info', 'msg.rewound', { alive: int(aliveWeights()) });
      case 'rewindK':
        if (s.rewindStep <= 0) return say('info', 'msg.noRewindStep');
        await e.call('rewindTo', s.rewindStep);
        set({ transition: { kind: 'rewind', seq: nextTransition() } });
        mark('rewind');
        log.record('rewindK');
        followInit('step');
        await refresh();
        emit('rewound', { to: s.rewindStep });
        return say('info', 'msg.rewoundK', { k: s.rewindStep });
      case 'reinit':
        await e.call('reinit', s.seed + 1000 + store.state.steps.length);
        set({ transition: { kind: 'reinit', seq: nextTransition() } });
        mark('reinit');
        log.record('reinit');
        followInit('reinit');
        await refresh();
        return say('info', 'msg.reinit', { alive: int(aliveWeights()) });
      case 'retrain': {
        const out = await trainLoop(s.retrainEpochs, true);
        mark('retrain');
        if (out.metrics.length > 0) log.record('retrain', { retrainEpochs: out.metrics.length });
        if (out.diverged) return divergedAt(out.diverged);
        return say('info', 'msg.retrained', {
          epochs: out.metrics.length,
          density: pct(store.state.frame?.snapshot?.density),
          test: pct(store.state.frame?.evaluation?.testAccuracy),
        });
      }
      case 'evaluate': {
        const frame = await refresh();
        mark('evaluate');
        log.record('evaluate');
        const ev = frame.evaluation;
        return say('info', 'msg.evaluated', {
          train: pct(ev?.trainAccuracy),
          test: pct(ev?.testAccuracy),
          loss: num(ev?.testLoss),
          density: pct(frame.snapshot?.density),
        });
      }
      case 'reset':
        await e.call('reset');
        set({ history: [], markers: [], lastPrune: null, cutTest: null, steps: [], transition: { kind: 'none', seq: nextTransition() } });
        log.record('reset');
        await refresh();
        return say('info', 'msg.reset');
      case 'play': {
        say('info', 'msg.playing');
        const before = store.state.history.at(-1)?.epoch ?? 0;
        const played = await e.play();
        set({ progress: null });
        await refresh();
        mark('train');
        const ran = (store.state.history.at(-1)?.epoch ?? 0) - before;
        // A link's train step holds at most the epochs setting's maximum: a long Play is logged
        // in chunks (consecutive epochs replay to the same numbers), each marked as its replay
        // will mark it, so the step count (and the reinit seed drawn from it) stays the same.
        const most = /** @type {number} */ (setting('epochs').max);
        for (let left = ran; left > 0; left -= most) {
          if (left < ran) mark('train');
          log.record('train', { epochs: Math.min(most, left) });
        }
        if (played.diverged) return divergedAt(played.diverged);
        return say('info', 'msg.paused', { epoch: store.state.history.at(-1)?.epoch ?? 0 });
      }
      case 'restoreGood': {
        if (store.state.diverged === null) return;
        await e.call('restoreCheckpoint');
        set({ diverged: null, logCut: store.state.logCut === 'diverged' ? null : store.state.logCut });
        await refresh();
        return say('info', 'msg.restoredGood', { epoch: store.state.history.at(-1)?.epoch ?? 0 });
      }
      case 'lottery':
        return lottery();
      case 'scan':
        return scan();
      case 'pai':
        return pai();
      case 'pruneNM':
        return pruneNM();
      case 'adopt': {
        await e.call('adoptTicket');
        if (store.state.lotteryCancelled) log.cutLog('adopt');
        else log.record('adopt');
        set({ history: [], markers: [], lastPrune: null, cutTest: null, steps: ['ticket'], transition: { kind: 'prune', seq: nextTransition() } });
        const frame = await refresh();
        return say('info', 'msg.adopted', { density: pct(frame.snapshot?.density), test: pct(frame.evaluation?.testAccuracy) });
      }
      case 'measure': {
        // One timing of a small model is mostly noise (other tabs, the JIT, the garbage
        // collector): the median of TIMINGS timings, with their range, tagged with the model's
        // size so a view can tell a timing of another model apart.
        const TIMINGS = 9;
        /** @type {number[]} */
        const per = [];
        let rows = 0;
        for (let i = 0; i < TIMINGS; i += 1) {
          const r = /** @type {{ msPerRow: number, rows: number }} */ (await e.call('timeInference', 256, 10));
          per.push(r.msPerRow);
          rows = r.rows;
        }
        per.sort((a, b) => a - b);
        const costs = store.state.frame?.costs;
        const timing = {
          msPerRow: per[(TIMINGS - 1) / 2], min: per[0], max: per[TIMINGS - 1], repeats: TIMINGS, rows,
          flopsDense: costs?.flopsDense ?? 0, nonzero: costs?.nonzero ?? 0,
        };
        set({ timing });
        const us = (/** @type {number} */ ms) => num(ms * 1000);
        return say('info', 'msg.measured', { us: us(timing.msPerRow), repeats: TIMINGS, min: us(timing.min), max: us(timing.max) });
      }
      default:
        return;
    }
  }

  return {
    eng,
    build,
    refresh,
    terminate,
    run,
    readyParams,
    /** The engine, or null before the first build and after `terminate`. */
    get engine() {
      return engine;
    },
  };
}

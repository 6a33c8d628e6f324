// The one dispatcher: every user action goes through `dispatch(action)`, which calls the engine,
// folds the answer into a new immutable AppState, and schedules one render (requestAnimationFrame)
// in which every view reads the state and updates only what changed.
import { Engine } from '../engine.js';
import { t, setLang, applyTranslations } from './i18n.js';
import { int, num, pct, pctList } from './format.js';
import { SCHEMA, TOY_2D, defaults, engineConfig, lotterySpec, pruneSpec, setting, switchDataset, toQuery } from './state.js';
import { LESSONS } from './lessons.js';
import { download, makeExport } from './export.js';
import { clearSaved, save } from './autosave.js';
import { formatSteps, isStep, makeStep, stepSettings } from './steplog.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('../types.js').Frame} Frame
 * @typedef {import('../types.js').CreateResult} CreateResult
 * @typedef {import('../types.js').EpochMetrics} EpochMetrics
 * @typedef {import('../types.js').PruneResult} PruneResult
 * @typedef {import('../types.js').LevelResult} LevelResult
 * @typedef {import('../types.js').LotteryProgress} LotteryProgress
 * @typedef {import('../types.js').Progress} Progress
 */

/**
 * @typedef {object} Message
 * @property {'info' | 'error'} kind
 * @property {string} key                i18n key
 * @property {Record<string, string | number>} [params]
 */

/**
 * @typedef {object} AppState
 * @property {Settings} settings
 * @property {CreateResult | null} info            the engine's model: data set and available methods
 * @property {number} modelSeq                      bumped whenever a new network is built
 * @property {Frame | null} frame                   the latest drawing data from the worker
 * @property {EpochMetrics[]} history
 * @property {{ epoch: number, kind: string }[]} markers   prune/rewind/reinit events on the epoch axis
 * @property {PruneResult | null} lastPrune
 * @property {LevelResult[]} lottery
 * @property {LotteryProgress | null} lotteryStep
 * @property {{ value: number, max: number, label: string } | null} progress
 * @property {string | null} busy                   the running action, or null
 * @property {number} done                          actions finished so far (tests wait on it)
 * @property {Message | null} message
 * @property {{ msPerRow: number, rows: number } | null} timing
 * @property {{ kind: 'rewind' | 'reinit' | 'prune' | 'none', seq: number }} transition
 * @property {string[]} steps                       pipeline steps since the last reset (for lessons)
 * @property {string | null} lesson
 * @property {[[number, number], [number, number]] | null} range   drawing range of 2D data
 * @property {import('./steplog.js').Step[]} log   model-changing steps since the network was built (URL `steps=`)
 * @property {string | null} logCut   why the log stopped recording (a step that cannot be replayed exactly)
 * @property {string | null} diverged  the divergence message while the model is in its diverged state
 *   (the "go back to the last good state" button shows)
 */

/**
 * @typedef {{ type: 'set', key: string, value: unknown }
 *   | { type: 'csv', name: string, text: string }
 *   | { type: 'csvRefused', name: string, bytes: number }
 *   | { type: 'lesson', id: string }
 *   | { type: 'export', kind: string }
 *   | { type: 'train' | 'prune' | 'keep' | 'rewind' | 'rewindK' | 'reinit' | 'retrain' | 'evaluate'
 *       | 'reset' | 'play' | 'lottery' | 'cancel' | 'measure' | 'adopt' | 'newExperiment' | 'restoreGood'
 *       | 'recover' }} Action
 */

/** @typedef {{ update(state: AppState, prev: AppState | null): void }} View */

/** Settings that only change the page. */
const UI_KEYS = new Set(['lang', 'theme']);

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

/**
 * @param {Settings} initial
 * @param {View[]} views
 * @param {{ problems?: string[], restore?: import('./autosave.js').Saved | null, storageError?: string | null,
 *   steps?: import('./steplog.js').Step[], embedded?: boolean, workerUrl?: URL | string, autosave?: boolean,
 *   onEvent?: (type: string, detail: Record<string, unknown>) => void }} [options]
 *   restore: a saved experiment (autosave.js) whose history and lottery table are shown once the
 *   network is built; storageError: reading the saved experiment failed; steps: a step log (from
 *   the link or the saved experiment) replayed on the new network; embedded: a
 *   `<pruning-playground>` element (www/element.js): no URL, no autosave, no page language;
 *   workerUrl: the engine worker's script; onEvent: told of epochs, prunes, rewinds, lottery
 *   levels and errors (the element's DOM events); autosave: false for the page inside an iframe
 *   (it must not overwrite the reader's own saved experiment)
 */
export function createApp(initial, views, options = {}) {
  /** @type {AppState} */
  let state = {
    settings: initial,
    info: null,
    modelSeq: 0,
    frame: null,
    history: [],
    markers: [],
    lastPrune: null,
    lottery: [],
    lotteryStep: null,
    progress: null,
    busy: 'build',
    done: 0,
    message: { kind: 'info', key: 'app.loading' },
    timing: null,
    transition: { kind: 'none', seq: 0 },
    steps: [],
    lesson: null,
    range: null,
    log: [],
    logCut: null,
    diverged: null,
  };
  /** @type {AppState | null} */
  let rendered = null;
  let renderQueued = false;
  /** @type {Engine | null} */
  let engine = null;
  let csvText = '';
  /** Cancels dispatcher-level sequences (iterative rounds) between engine calls. */
  let cancelled = false;
  const emit = options.onEvent ?? (() => {});

  function render() {
    renderQueued = false;
    const prev = rendered;
    rendered = state;
    for (const v of views) {
      try {
        v.update(state, prev);
      } catch (err) {
        console.error(err);
      }
    }
  }

  /** @param {Partial<AppState>} patch */
  function set(patch) {
    state = { ...state, ...patch };
    if (!renderQueued) {
      renderQueued = true;
      requestAnimationFrame(render);
    }
  }

  /**
   * @param {'info' | 'error'} kind
   * @param {string} key
   * @param {Record<string, string | number>} [params]
   */
  function say(kind, key, params) {
    set({ message: { kind, key, params } });
  }

  function frameOptions() {
    const twoD = state.range !== null;
    const maps = twoD && state.settings.hidden.reduce((a, b) => a + b, 0) <= 64;
    return {
      gridResolution: twoD ? 60 : 0,
      mapResolution: maps ? 24 : 0,
      range: state.range ?? undefined,
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
    set({ frame, history: frame.history ?? state.history });
    return frame;
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
    } else if (p.kind === 'lottery') {
      const s = p.step;
      for (const r of p.history.slice(state.lottery.length)) emit('level', { ...r });
      set({
        lottery: p.history,
        lotteryStep: s,
        progress: { value: s.epochsDone, max: s.epochsTotal, label: `${s.epochsDone} / ${s.epochsTotal}` },
        message: {
          kind: 'info',
          key: 'msg.lotteryRunning',
          params: { branch: t(`branch.${s.branch}`), level: s.level, epoch: s.epoch },
        },
      });
    }
  }

  /** The last storage error shown, so a full or disabled storage is reported once, not per action. */
  let storageFailed = false;

  /**
   * Autosaves the experiment after an action: settings, history and the finished lottery table
   * (a default, empty experiment is not kept). A storage failure only shows a message.
   */
  function persist() {
    if (options.embedded || options.autosave === false) return;
    const { settings, history, lottery, log } = state;
    const pristine = history.length === 0 && lottery.length === 0 && log.length === 0 && toQuery(settings).toString() === '';
    const error = pristine ? clearSaved() : save({ settings, history, lottery, steps: formatSteps(log, settings) });
    if (error && !storageFailed) say('error', 'msg.storageError', { error });
    storageFailed = error !== null;
  }

  /** The page's query: the settings that differ from the defaults, then the step log. */
  function currentQuery() {
    const steps = formatSteps(state.log, state.settings);
    // Classroom mode (which controls are shown) stays in the link as it came.
    const classroom = new URLSearchParams(location.search).get('controls');
    return [
      toQuery(state.settings).toString(),
      steps ? `steps=${steps}` : '',
      classroom !== null ? new URLSearchParams({ controls: classroom }).toString() : '',
    ].filter(Boolean).join('&');
  }

  function syncUrl() {
    if (options.embedded) return;
    const query = currentQuery();
    const url = `${location.pathname}${query ? `?${query}` : ''}${location.hash}`;
    history.replaceState(null, '', url);
  }

  /**
   * Builds a new network for `settings`; on failure the current one (and settings) stay.
   * @param {Settings} settings
   * @param {string} [csv]
   */
  async function build(settings, csv = csvText) {
    const config = engineConfig(settings, csv);
    let info;
    if (engine) info = await engine.configure(config);
    else {
      engine = await Engine.create(config, options.workerUrl);
      info = engine.info;
    }
    if (!info) throw new Error('the engine did not start');
    eng().onProgress = onProgress;
    eng().onCrash = () => {
      // Between actions, recover at once; during one, its failing call leads there (dispatch).
      if (state.busy === null) void dispatch({ type: 'recover' });
    };
    const range = dataRange(info);
    set({
      settings,
      info,
      modelSeq: state.modelSeq + 1,
      range,
      frame: null,
      history: [],
      markers: [],
      lastPrune: null,
      lottery: [],
      lotteryStep: null,
      timing: null,
      steps: [],
      log: [],
      logCut: null,
      diverged: null,
      transition: { kind: 'none', seq: state.transition.seq + 1 },
    });
    lotteryCancelled = false;
    const frame = await refresh();
    return { info, frame };
  }

  /** @param {Frame} frame */
  function readyParams(frame) {
    const d = /** @type {CreateResult} */ (state.info).dataset;
    const f = d.nFeatures || 1;
    return {
      params: int(frame.costs?.parameters ?? frame.snapshot?.layers.reduce((a, l) => a + l.weights.length, 0)),
      train: int(d.xTrain.length / f),
      test: int(d.xTest.length / f),
    };
  }

  /** @param {string} kind */
  function mark(kind) {
    const epoch = state.history.at(-1)?.epoch ?? 0;
    set({ markers: [...state.markers, { epoch, kind }], steps: [...state.steps, kind] });
  }

  /** Set when a lottery run was cancelled: its partial runner cannot be replayed, so neither can `adopt`. */
  let lotteryCancelled = false;

  /**
   * Appends a model-changing step, with the settings it ran with, to the log (the URL's `steps=`).
   * @param {import('./steplog.js').StepType} type
   * @param {Record<string, unknown>} [overrides]   values really used (e.g. epochs run before a cancel)
   */
  function record(type, overrides) {
    if (state.logCut !== null) return;
    set({ log: [...state.log, makeStep(type, state.settings, overrides)] });
  }

  /**
   * Stops the log: the model now depends on something a replay cannot repeat exactly.
   * @param {string} step
   */
  function cutLog(step) {
    if (state.logCut === null) set({ logCut: step });
  }

  /**
   * Training diverged: the model stays as it diverged (so the learner can see it), the log stops
   * until "go back" restores the checkpoint the worker kept before the failing epoch.
   * @param {string} error
   */
  function divergedAt(error) {
    set({ diverged: error });
    cutLog('diverged');
    say('error', 'msg.diverged', { error, epoch: (state.history.at(-1)?.epoch ?? 0) + 1 });
    emit('error', { action: 'train', error });
  }

  function aliveWeights() {
    const layers = state.frame?.snapshot?.layers ?? [];
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
    const s = state.settings;
    const e = eng();
    if (s.initMode === 'init') await e.call('rewind');
    else if (s.initMode === 'step') await e.call('rewindTo', s.rewindStep);
    else if (s.initMode === 'reinit') await e.call('reinit', s.seed + 1 + round);
  }

  /** @param {PruneResult} r */
  function pruneMessage(r) {
    const s = state.settings;
    const scope = t(`msg.scope.${s.scope}`);
    if (r.structure === 'neurons') {
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

  async function prune() {
    const s = state.settings;
    const e = eng();
    if (s.schedule === 'oneshot') {
      const r = /** @type {PruneResult} */ (await e.call('prune', pruneSpec(s)));
      set({ lastPrune: r, transition: { kind: 'prune', seq: state.transition.seq + 1 } });
      mark('prune');
      record('prune');
      await refresh();
      pruneMessage(r);
      emit('pruned', { ...r, density: state.frame?.snapshot?.density });
    } else if (s.schedule === 'iterative') {
      // Same final density as one-shot: (1 - p)^rounds = 1 - fraction.
      const per = 1 - Math.pow(1 - s.fraction, 1 / s.rounds);
      for (let round = 0; round < s.rounds && !cancelled; round += 1) {
        set({ progress: { value: round, max: s.rounds, label: t('msg.round', { round: round + 1, rounds: s.rounds }) } });
        const r = /** @type {PruneResult} */ (await e.call('prune', pruneSpec(s, per)));
        set({ lastPrune: r, transition: { kind: 'prune', seq: state.transition.seq + 1 } });
        mark('prune');
        await refresh();
        await applyInit(round);
        const out = await e.trainLoop(s.retrainEpochs, true);
        if (out.cancelled) cancelled = true;
        if (out.diverged) {
          cutLog('prune');
          set({ progress: null });
          await refresh();
          return divergedAt(out.diverged);
        }
      }
      if (cancelled) cutLog('prune');
      else record('prune');
      set({ progress: null });
      const frame = await refresh();
      emit('pruned', { ...state.lastPrune, density: frame.snapshot?.density });
      say('info', 'msg.prunedIterative', {
        rounds: s.rounds,
        pct: pct(per),
        density: pct(frame.snapshot?.density),
        test: pct(frame.evaluation?.testAccuracy),
      });
    } else {
      if (!e.has('setGradual')) {
        say('error', 'msg.unavailable', { method: 'setGradual' });
        return;
      }
      const d = /** @type {CreateResult} */ (state.info).dataset;
      const nTrain = d.xTrain.length / (d.nFeatures || 1);
      const perEpoch = Math.max(1, Math.ceil(nTrain / s.batchSize));
      const step = state.frame?.snapshot?.step ?? 0;
      const density = state.frame?.snapshot?.density ?? 1;
      const epochs = s.retrainEpochs * s.rounds;
      const end = step + perEpoch * Math.max(1, epochs - 1);
      await e.call('setGradual', {
        initialSparsity: 1 - density,
        finalSparsity: 1 - density * (1 - s.fraction),
        beginStep: step,
        endStep: end,
        frequency: Math.max(1, Math.floor((end - step) / (s.rounds * 4))),
        power: 3,
        structure: s.structure,
        score: s.score,
        scope: s.scope,
        outputRate: 1,
      });
      set({ transition: { kind: 'prune', seq: state.transition.seq + 1 } });
      mark('prune');
      try {
        const out = await e.trainLoop(epochs, true);
        if (out.cancelled || out.diverged) cutLog('prune');
        else record('prune');
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
    const s = state.settings;
    const e = eng();
    if (!e.has('startLottery')) {
      say('error', 'msg.unavailable', { method: 'startLottery' });
      return;
    }
    // The UI counts the dense network as a level; the engine counts pruning levels after it.
    const spec = { ...lotterySpec(s), levels: Math.max(0, s.levels - 1) };
    set({ lottery: [], lotteryStep: null, progress: { value: 0, max: 1, label: '' } });
    const out = await e.runLottery(spec);
    const step = state.lotteryStep;
    set({ lottery: out.history, progress: null });
    if (out.cancelled) {
      lotteryCancelled = true;
      say('info', 'msg.lotteryCancelled', { done: step?.epochsDone ?? 0, total: step?.epochsTotal ?? 0 });
      return;
    }
    lotteryCancelled = false;
    record('lottery');
    emit('lottery-done', { history: out.history });
    const last = out.history.filter((r) => r.branch === 'ticket').at(-1);
    const controls = out.history
      .filter((r) => r.branch !== 'ticket' && r.level === last?.level)
      .map((r) => t('msg.lotteryControl', { branch: t(`branch.${r.branch}`), acc: pct(r.testAccuracy) }))
      .join('');
    say('info', 'msg.lotteryDone', { density: pct(last?.density), ticket: pct(last?.testAccuracy), controls });
  }

  /** @param {string} key @param {unknown} value */
  async function applySetting(key, value) {
    const s = setting(key);
    const next = key === 'dataset'
      ? switchDataset(state.settings, String(value))
      : /** @type {Settings} */ ({ ...state.settings, [key]: value });
    if (UI_KEYS.has(key)) {
      if (key === 'lang' && !options.embedded) {
        setLang(/** @type {'en' | 'ko'} */ (value));
        applyTranslations(document);
      }
      set({ settings: next });
      syncUrl();
      persist();
      return;
    }
    if (!s.rebuild) {
      set({ settings: next });
      syncUrl();
      return;
    }
    if (key === 'dataset' && value === 'csv' && !csvText) {
      // Nothing uploaded yet: the file picker does the rest.
      set({ settings: { ...state.settings } });
      return;
    }
    try {
      const { frame } = await build(next);
      syncUrl();
      say('info', 'msg.built', readyParams(frame));
    } catch (err) {
      set({ settings: { ...state.settings } }); // controls snap back
      say('error', 'msg.settingError', { error: errorText(err) });
    }
  }

  /** @param {Record<string, unknown>} preset */
  async function applyPreset(preset) {
    const next = /** @type {Settings} */ ({ ...state.settings, ...preset });
    await build(next);
    syncUrl();
  }

  /** @param {Action} action */
  async function run(action) {
    const e = eng();
    const s = state.settings;
    switch (action.type) {
      case 'train': {
        const out = await trainLoop(s.epochs, false);
        mark('train');
        if (out.metrics.length > 0) record('train', { epochs: out.metrics.length });
        if (out.diverged) return divergedAt(out.diverged);
        const ev = state.frame?.evaluation;
        if (out.cancelled) say('info', 'msg.trainCancelled', { epochs: out.metrics.length });
        else say('info', 'msg.trained', { epochs: out.metrics.length, train: pct(ev?.trainAccuracy), test: pct(ev?.testAccuracy) });
        return;
      }
      case 'prune':
        if (!e.has('prune')) return say('error', 'msg.unavailable', { method: 'prune' });
        // Only SNIP (pruning at initialization) and the random control mean something at θ₀.
        if (state.history.length === 0 && s.score !== 'random' && s.score !== 'snip') return say('info', 'msg.needTraining');
        return prune();
      case 'keep':
        mark('keep');
        record('keep');
        return say('info', 'msg.kept', { alive: int(aliveWeights()) });
      case 'rewind':
        await e.call('rewind');
        set({ transition: { kind: 'rewind', seq: state.transition.seq + 1 } });
        mark('rewind');
        record('rewind');
        await refresh();
        emit('rewound', { to: 0 });
        return say('info', 'msg.rewound', { alive: int(aliveWeights()) });
      case 'rewindK':
        if (s.rewindStep <= 0) return say('info', 'msg.noRewindStep');
        await e.call('rewindTo', s.rewindStep);
        set({ transition: { kind: 'rewind', seq: state.transition.seq + 1 } });
        mark('rewind');
        record('rewindK');
        await refresh();
        emit('rewound', { to: s.rewindStep });
        return say('info', 'msg.rewoundK', { k: s.rewindStep });
      case 'reinit':
        await e.call('reinit', s.seed + 1000 + state.steps.length);
        set({ transition: { kind: 'reinit', seq: state.transition.seq + 1 } });
        mark('reinit');
        record('reinit');
        await refresh();
        return say('info', 'msg.reinit', { alive: int(aliveWeights()) });
      case 'retrain': {
        const out = await trainLoop(s.retrainEpochs, true);
        mark('retrain');
        if (out.metrics.length > 0) record('retrain', { retrainEpochs: out.metrics.length });
        if (out.diverged) return divergedAt(out.diverged);
        return say('info', 'msg.retrained', {
          epochs: out.metrics.length,
          density: pct(state.frame?.snapshot?.density),
          test: pct(state.frame?.evaluation?.testAccuracy),
        });
      }
      case 'evaluate': {
        const frame = await refresh();
        mark('evaluate');
        record('evaluate');
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
        set({ history: [], markers: [], lastPrune: null, steps: [], transition: { kind: 'none', seq: state.transition.seq + 1 } });
        record('reset');
        await refresh();
        return say('info', 'msg.reset');
      case 'play': {
        say('info', 'msg.playing');
        const before = state.history.at(-1)?.epoch ?? 0;
        const played = await e.play();
        set({ progress: null });
        await refresh();
        mark('train');
        const ran = (state.history.at(-1)?.epoch ?? 0) - before;
        // A link's train step holds at most the epochs setting's maximum: a long Play is logged
        // in chunks (consecutive epochs replay to the same numbers), each marked as its replay
        // will mark it, so the step count (and the reinit seed drawn from it) stays the same.
        const most = /** @type {number} */ (setting('epochs').max);
        for (let left = ran; left > 0; left -= most) {
          if (left < ran) mark('train');
          record('train', { epochs: Math.min(most, left) });
        }
        if (played.diverged) return divergedAt(played.diverged);
        return say('info', 'msg.paused', { epoch: state.history.at(-1)?.epoch ?? 0 });
      }
      case 'recover':
        return recover(eng().crashed ?? 'the engine stopped');
      case 'restoreGood': {
        if (state.diverged === null) return;
        await e.call('restoreCheckpoint');
        set({ diverged: null, logCut: state.logCut === 'diverged' ? null : state.logCut });
        await refresh();
        return say('info', 'msg.restoredGood', { epoch: state.history.at(-1)?.epoch ?? 0 });
      }
      case 'lottery':
        return lottery();
      case 'adopt': {
        if (!e.has('adoptTicket')) return say('error', 'msg.unavailable', { method: 'adoptTicket' });
        await e.call('adoptTicket');
        if (lotteryCancelled) cutLog('adopt');
        else record('adopt');
        set({ history: [], markers: [], lastPrune: null, steps: ['ticket'], transition: { kind: 'prune', seq: state.transition.seq + 1 } });
        const frame = await refresh();
        return say('info', 'msg.adopted', { density: pct(frame.snapshot?.density), test: pct(frame.evaluation?.testAccuracy) });
      }
      case 'measure': {
        const timing = await e.call('timeInference', 256, 30);
        set({ timing });
        return say('info', 'msg.measured', { us: num(timing.msPerRow * 1000) });
      }
      case 'export': {
        // The UI counts the dense network as a level; the engine counts pruning levels after it.
        const spec = { ...lotterySpec(s), levels: Math.max(0, s.levels - 1) };
        const file = await makeExport(action.kind, state, e, spec);
        download(file);
        return say('info', 'msg.exported', { name: file.name });
      }
      case 'newExperiment': {
        const error = clearSaved();
        csvText = '';
        await build({ ...defaults(), lang: s.lang, theme: s.theme });
        set({ lesson: null });
        syncUrl();
        if (error) return say('error', 'msg.storageError', { error });
        return say('info', 'msg.newExperiment');
      }
      case 'lesson': {
        const lesson = LESSONS.find((l) => l.id === action.id);
        if (!lesson) return;
        await applyPreset(lesson.preset);
        set({ lesson: lesson.id, lottery: [] });
        return say('info', `lesson.${lesson.id}.intro`);
      }
      case 'csvRefused':
        return say('error', 'msg.csvError', {
          name: action.name,
          error: t('msg.csvTooLarge', { bytes: int(action.bytes), max: int(20_000_000) }),
        });
      case 'csv': {
        try {
          const next = /** @type {Settings} */ ({ ...state.settings, dataset: 'csv' });
          const { info } = await build(next, action.text);
          csvText = action.text;
          syncUrl();
          const d = info.dataset;
          say('info', 'msg.csvLoaded', {
            name: action.name,
            rows: int((d.xTrain.length + d.xTest.length) / (d.nFeatures || 1)),
            features: d.nFeatures,
            classes: d.nClasses,
          });
        } catch (err) {
          set({ settings: { ...state.settings } });
          say('error', 'msg.csvError', { name: action.name, error: errorText(err) });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * The one entry point for user actions.
   * @param {Action} action
   */
  async function dispatch(action) {
    if (action.type === 'cancel') {
      cancelled = true;
      engine?.cancel();
      return;
    }
    if (action.type === 'play' && state.busy === 'play') {
      engine?.pause();
      return;
    }
    if (action.type === 'set' && UI_KEYS.has(action.key)) {
      await applySetting(action.key, action.value);
      return;
    }
    if (state.busy !== null || !engine) return;
    cancelled = false;
    // Going back is offered until the next step changes the model (its checkpoint is then gone).
    if (state.diverged !== null && action.type !== 'evaluate' && (isStep(action.type) || action.type === 'play')) set({ diverged: null });
    set({ busy: action.type });
    try {
      const cutBefore = state.logCut;
      if (action.type === 'set') await applySetting(action.key, action.value);
      else await run(action);
      if (state.logCut !== cutBefore && state.logCut !== null && state.diverged === null) {
        say('info', 'msg.logCut', { step: t(`logstep.${state.logCut}`), steps: state.log.length });
      }
    } catch (err) {
      if (engine?.crashed) {
        try {
          await recover(engine.crashed);
        } catch (again) {
          say('error', 'msg.error', { error: errorText(again) });
        }
        return;
      }
      // A step that failed half-way (e.g. diverged) may have changed the model: stop the log here.
      if (isStep(action.type) || action.type === 'play') cutLog(action.type);
      say('error', 'msg.error', { error: errorText(err) });
      emit('error', { action: action.type, error: errorText(err) });
      try {
        await refresh();
      } catch {
        /* the message above says enough */
      }
    } finally {
      set({ busy: null, progress: null });
      syncUrl();
      persist();
      set({ done: state.done + 1 });
    }
  }

  /**
   * The engine's worker died (a wasm trap or a worker error): start a new one with the same
   * settings (and CSV) and replay the step log, so the model comes back as it was after the last
   * recorded step; say what happened.
   * @param {string} reason
   */
  async function recover(reason) {
    const { settings, log } = state;
    engine?.terminate();
    engine = null;
    await build(settings);
    if (log.length > 0) await replay(log);
    set({ busy: 'recover' });
    say('error', 'msg.crashRecovered', { error: reason, steps: state.log.length });
    emit('error', { action: 'recover', error: reason });
  }

  /**
   * Replays a step log (from a link or the autosave) on the freshly built network, step by step
   * with progress; Cancel stops it, keeping the steps replayed so far.
   * @param {import('./steplog.js').Step[]} steps
   */
  async function replay(steps) {
    const final = state.settings;
    cancelled = false;
    set({ busy: 'replay' });
    try {
      for (const [i, step] of steps.entries()) {
        if (cancelled) break;
        set({
          settings: stepSettings(step, final),
          progress: { value: i, max: steps.length, label: t('msg.replayProgress', { step: i + 1, steps: steps.length, name: t(`logstep.${step.type}`) }) },
          message: { kind: 'info', key: 'msg.replaying', params: { step: i + 1, steps: steps.length, name: t(`logstep.${step.type}`) } },
        });
        await run({ type: step.type });
        set({ settings: final });
      }
    } finally {
      set({ settings: final, busy: null, progress: null });
    }
    return !cancelled;
  }

  async function start() {
    try {
      /** @type {{ info: CreateResult, frame: Frame, restored?: boolean }} */
      let built;
      try {
        built = await build(state.settings);
      } catch (err) {
        // Settings from the link that the engine refuses: start from the defaults instead.
        options.problems = [...(options.problems ?? []), errorText(err)];
        built = { ...(await build(defaults())), restored: false };
        syncUrl();
      }
      const { frame } = built;
      const problems = options.problems ?? [];
      const saved = built.restored === false ? null : options.restore;
      // The step log (link or autosave) replays the model itself; the saved tables are only shown
      // when there is no log to replay (older saves) or the log has no lottery run.
      const steps = built.restored === false ? [] : options.steps ?? [];
      let replayed = false;
      if (steps.length > 0) {
        const complete = await replay(steps);
        replayed = true;
        syncUrl();
        persist();
        if (!complete) {
          say('info', 'msg.replayCancelled', { done: state.log.length, steps: steps.length });
          return;
        }
      }
      if (saved && (saved.history.length > 0 || saved.lottery.length > 0)) {
        if (!replayed) set({ history: saved.history, lottery: saved.lottery });
        else if (state.lottery.length === 0 && saved.lottery.length > 0) set({ lottery: saved.lottery });
      }
      const ev = state.frame?.evaluation;
      if (problems.length > 0) say('error', options.embedded ? 'embed.attrProblem' : 'msg.urlProblem', { problem: problems.join('; ') });
      else if (options.storageError) say('error', 'msg.storageError', { error: options.storageError });
      else if (replayed) {
        say('info', 'msg.replayed', { steps: steps.length, epochs: state.history.at(-1)?.epoch ?? 0, test: pct(ev?.testAccuracy) });
      } else if (saved) say('info', 'msg.restored', { epochs: saved.history.at(-1)?.epoch ?? 0, rows: saved.lottery.length });
      else say('info', 'msg.ready', readyParams(frame));
    } catch (err) {
      say('error', 'msg.error', { error: errorText(err) });
      emit('error', { action: 'start', error: errorText(err) });
    } finally {
      set({ busy: null, done: state.done + 1 });
    }
  }

  return {
    dispatch,
    start,
    /** The current state (for debugging and tests). */
    get state() {
      return state;
    },
    /** Stops the engine's worker (an embedded element leaving the page). */
    dispose() {
      engine?.terminate();
      engine = null;
    },
    /** Forces a full re-render (e.g. after a theme change, canvases re-read colours). */
    rerender() {
      rendered = null;
      set({});
    },
  };
}

/** @param {unknown} err */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

export { SCHEMA, TOY_2D };

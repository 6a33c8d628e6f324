// The composition root of the dispatcher: every user action goes through `dispatch(action)`.
// The store (store.js) holds the one immutable AppState and renders it once per animation frame;
// the workflows (workflows.js) drive the engine through the pipeline steps; the session
// (session.js) keeps the step log, the URL, the autosave, replays and crash recovery. Settings,
// lessons, CSV uploads, exports and New experiment are handled here.
import { t } from './i18n.js';
import { int } from './format.js';
import { SCHEMA, TOY_2D, defaults, lotterySpec, setting, switchDataset } from './state.js';
import { LESSONS, finishedArm, tagLabel } from './lessons.js';
import { download, makeExport } from './export.js';
import { clearSaved } from './autosave.js';
import { isStep } from './steplog.js';
import { createStore } from './store.js';
import { STEP_ACTIONS, createWorkflows } from './workflows.js';
import { createLog, createSession } from './session.js';
import { formatSteps } from './steplog.js';
import { MAX_RUNS, addRun, alreadyKept, editRuns, makeRun, runNames } from './runs.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('./store.js').AppState} AppState
 * @typedef {import('./store.js').Message} Message
 * @typedef {import('./store.js').View} View
 */

/**
 * @typedef {{ type: 'set', key: string, value: unknown }
 *   | { type: 'csv', name: string, text: string }
 *   | { type: 'csvRefused', name: string, bytes: number }
 *   | { type: 'lesson', id: string }
 *   | { type: 'leaveLesson' }
 *   | { type: 'settings', values: Record<string, unknown> }
 *   | { type: 'export', kind: string }
 *   | { type: 'train' | 'prune' | 'keep' | 'rewind' | 'rewindK' | 'reinit' | 'retrain' | 'evaluate'
 *       | 'reset' | 'play' | 'lottery' | 'cancel' | 'measure' | 'adopt' | 'newExperiment' | 'restoreGood'
 *       | 'recover' | 'resumeRestore' | 'discardRestore' | 'scan' | 'pruneNM' | 'pai' }
 *   | { type: 'keepRun', name?: string }
 *   | { type: 'runs', edit: import('./runs.js').RunEdit }
 *   | { type: 'runsMode', mode: 'density' | 'epoch' }} Action
 *   keepRun: keep the experiment now as a run; runs: rename, pin, show, remove kept runs;
 *   runsMode: the compare chart's axes
 */

/** Settings that only change the page. */
const UI_KEYS = new Set(['lang', 'theme']);

/**
 * @param {Settings} initial
 * @param {View[]} views
 * @param {import('./session.js').SessionOptions & { workerUrl?: URL | string,
 *   onEvent?: (type: string, detail: Record<string, unknown>) => void }} [options]
 *   workerUrl: the engine worker's script; onEvent: told of epochs, prunes, rewinds, lottery
 *   levels and errors (the element's DOM events); the rest: session.js's SessionOptions
 */
export function createApp(initial, views, options = {}) {
  const store = createStore(initial, views);
  const { set, say } = store;
  const emit = options.onEvent ?? (() => {});
  const log = createLog(store);
  const wf = createWorkflows(store, log, {
    workerUrl: options.workerUrl,
    emit,
    // Between actions, recover at once; during one, its failing call leads there (dispatch).
    onCrash: () => {
      if (store.state.busy === null) void dispatch({ type: 'recover' });
    },
  });
  const session = createSession(store, wf, options, emit, errorText);
  const { syncUrl, persist } = session;

  /**
   * Keeps the experiment now as a run (runs.js): refused when there is nothing to keep (no epoch,
   * no lottery level) or every kept run is pinned; else the oldest unpinned makes room.
   * `auto`: kept by New experiment or a finished lottery, quietly (the list shows it; the
   * action's own message stays) unless a run had to make room; not when that experiment is
   * already kept.
   * @param {string | undefined} name
   * @param {boolean} auto
   * @param {string | null} [tag]   a lesson's arm (`lesson:arm`): replaces that arm's earlier run
   */
  function keepRun(name, auto, tag = null) {
    const s = store.state;
    if (s.history.length === 0 && s.lottery.length === 0) {
      if (!auto) say('error', 'msg.runNothing');
      return null;
    }
    const run = makeRun({
      settings: s.settings,
      history: s.history,
      lottery: s.lottery,
      density: s.frame?.snapshot?.density ?? null,
      testAccuracy: s.frame?.evaluation?.testAccuracy ?? null,
      steps: formatSteps(s.log, s.settings),
    }, { id: crypto.randomUUID(), at: Date.now(), name, tag });
    // Automatic keeping never adds the same experiment twice (the button does, on purpose).
    if (auto && tag === null && alreadyKept(s.runs, run)) return null;
    const { runs, dropped, refused } = addRun(s.runs, run);
    if (refused) {
      say('error', 'msg.runsAllPinned', { max: MAX_RUNS });
      return null;
    }
    set({ runs });
    const names = runNames(runs, t, tagLabel);
    if (dropped) say('info', 'msg.runDropped', { max: MAX_RUNS, name: runNames(s.runs, t, tagLabel).get(dropped.id) ?? '' });
    else if (!auto) say('info', 'msg.runKept', { name: names.get(run.id) ?? '', count: runs.length, max: MAX_RUNS });
    emit('runkept', { run: structuredClone(run), name: names.get(run.id) ?? '' });
    return run;
  }

  /** @param {string} key @param {unknown} value */
  async function applySetting(key, value) {
    const s = setting(key);
    const next = key === 'dataset'
      ? switchDataset(store.state.settings, String(value))
      : /** @type {Settings} */ ({ ...store.state.settings, [key]: value });
    if (UI_KEYS.has(key)) {
      // The views apply them (element.js: language and theme first).
      set({ settings: next });
      await syncUrl();
      persist();
      return;
    }
    if (!s.rebuild) {
      set({ settings: next });
      await syncUrl();
      // The cost panel's hardware figures are for the pattern set (2:4 without one).
      if (key === 'pattern' && wf.engine) await wf.refresh();
      return;
    }
    if (key === 'dataset' && value === 'csv' && !store.state.csvText) {
      // Nothing uploaded yet: the file picker does the rest.
      set({ settings: { ...store.state.settings } });
      return;
    }
    try {
      const { frame } = await wf.build(next);
      await syncUrl();
      say('info', 'msg.built', wf.readyParams(frame));
    } catch (err) {
      set({ settings: { ...store.state.settings } }); // controls snap back
      say('error', 'msg.settingError', { error: errorText(err) });
    }
  }

  /** @type {Settings | null} the settings before the first lesson was loaded */
  let beforeLesson = null;

  /** @param {Record<string, unknown>} preset */
  async function applyPreset(preset) {
    const next = /** @type {Settings} */ ({ ...store.state.settings, ...preset });
    await wf.build(next);
    await syncUrl();
  }

  /**
   * The actions that are not pipeline steps.
   * @param {Action} action
   */
  async function other(action) {
    const s = store.state.settings;
    switch (action.type) {
      case 'recover':
        return session.recover(wf.eng().crashed ?? 'the engine stopped');
      case 'export': {
        // The UI counts the dense network as a level; the engine counts pruning levels after it.
        const spec = { ...lotterySpec(s), levels: Math.max(0, s.levels - 1) };
        const file = await makeExport(action.kind, store.state, wf.eng(), spec);
        download(file);
        return say('info', 'msg.exported', { name: file.name });
      }
      case 'keepRun':
        keepRun(action.name, false);
        return;
      case 'newExperiment': {
        // The experiment New experiment discards is kept as a run first.
        keepRun(undefined, true);
        const error = clearSaved();
        set({ csvText: '', restorePending: null });
        await wf.build({ ...defaults(), lang: s.lang, theme: s.theme });
        set({ lesson: null });
        await syncUrl();
        if (error) return say('error', 'msg.storageError', { error });
        return say('info', 'msg.newExperiment');
      }
      case 'lesson': {
        const lesson = LESSONS.find((l) => l.id === action.id);
        if (!lesson) return;
        // The learner's own settings, given back on leaving (kept from the first lesson loaded).
        if (store.state.lesson === null) beforeLesson = store.state.settings;
        await applyPreset(lesson.preset);
        set({ lesson: lesson.id, lottery: [] });
        return say('info', `lesson.${lesson.id}.intro`);
      }
      case 'settings': {
        // Several settings at once (a lesson's arm): no rebuild when none of them needs one.
        const next = /** @type {Settings} */ ({ ...s, ...action.values });
        if (Object.keys(action.values).some((k) => setting(k).rebuild)) return applyPreset(action.values);
        set({ settings: next });
        return syncUrl();
      }
      case 'leaveLesson': {
        if (store.state.lesson === null) return;
        const own = beforeLesson ?? { ...defaults(), lang: s.lang, theme: s.theme };
        beforeLesson = null;
        await applyPreset({ ...own, lang: s.lang, theme: s.theme });
        set({ lesson: null, lottery: [] });
        return say('info', 'msg.lessonLeft');
      }
      case 'csvRefused':
        return say('error', 'msg.csvError', {
          name: action.name,
          error: t('msg.csvTooLarge', { bytes: int(action.bytes), max: int(20_000_000) }),
        });
      case 'resumeRestore':
        return session.resume();
      case 'discardRestore':
        return session.discard();
      case 'csv': {
        try {
          if (store.state.restorePending === 'csv' && (await session.csvArrived(action.text))) return;
          const next = /** @type {Settings} */ ({ ...s, dataset: 'csv' });
          const { info } = await wf.build(next, action.text);
          set({ csvText: action.text });
          await syncUrl();
          const d = info.dataset;
          say('info', 'msg.csvLoaded', {
            name: action.name,
            rows: int((d.xTrain.length + d.xTest.length) / (d.nFeatures || 1)),
            features: d.nFeatures,
            classes: d.nClasses,
          });
        } catch (err) {
          set({ settings: { ...store.state.settings } });
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
      set({ cancelled: true });
      wf.engine?.cancel();
      return;
    }
    if (action.type === 'play' && store.state.busy === 'play') {
      wf.engine?.pause();
      return;
    }
    if (action.type === 'set' && UI_KEYS.has(action.key)) {
      await applySetting(action.key, action.value);
      return;
    }
    // The kept runs' list is page state, not the engine's: edited even while an action runs.
    if (action.type === 'runs' || action.type === 'runsMode') {
      if (action.type === 'runs') set({ runs: editRuns(store.state.runs, action.edit) });
      else set({ runsMode: action.mode });
      persist();
      return;
    }
    if (store.state.busy !== null || !wf.engine) return;
    set({ cancelled: false });
    // Going back is offered until the next step changes the model (its checkpoint is then gone).
    if (store.state.diverged !== null && action.type !== 'evaluate' && (isStep(action.type) || action.type === 'play')) set({ diverged: null });
    set({ busy: action.type });
    try {
      const cutBefore = store.state.logCut;
      if (action.type === 'set') await applySetting(action.key, action.value);
      else if (STEP_ACTIONS.has(action.type)) {
        await wf.run(/** @type {import('./workflows.js').StepAction} */ (action.type));
        // A finished (not cancelled) lottery experiment is kept as a run.
        if (action.type === 'lottery' && !store.state.lotteryCancelled && store.state.lottery.length > 0) keepRun(undefined, true);
        // A lesson's finished arm is kept too (replacing that arm's earlier run): the arms are
        // then overlaid in the Kept runs chart.
        const lesson = LESSONS.find((l) => l.id === store.state.lesson);
        const arm = lesson ? finishedArm(lesson, store.state) : null;
        if (lesson && arm && action.type !== 'lottery') keepRun(undefined, true, `${lesson.id}:${arm.id}`);
      }
      else await other(action);
      const { logCut, diverged } = store.state;
      if (logCut !== cutBefore && logCut !== null && diverged === null) {
        say('info', 'msg.logCut', { step: t(`logstep.${logCut}`), steps: store.state.log.length });
      }
    } catch (err) {
      const crashed = wf.engine?.crashed;
      if (crashed) {
        try {
          await session.recover(crashed);
        } catch (again) {
          say('error', 'msg.error', { error: errorText(again) });
        }
        return;
      }
      // A step that failed half-way (e.g. diverged) may have changed the model: stop the log here.
      if (isStep(action.type) || action.type === 'play') log.cutLog(action.type);
      say('error', 'msg.error', { error: errorText(err) });
      emit('error', { action: action.type, error: errorText(err) });
      try {
        await wf.refresh();
      } catch {
        /* the message above says enough */
      }
    } finally {
      set({ busy: null, progress: null });
      await syncUrl();
      persist();
      set({ done: store.state.done + 1 });
    }
  }

  return {
    dispatch,
    start: session.start,
    /** The current state (for debugging and tests). */
    get state() {
      return store.state;
    },
    /** Stops the engine's worker (an embedded element leaving the page). */
    dispose() {
      wf.terminate();
    },
    /** Forces a full re-render (e.g. after a theme change, canvases re-read colours). */
    rerender: store.rerender,
  };
}

/** @param {unknown} err */
export function errorText(err) {
  return err instanceof Error ? err.message : String(err);
}

export { SCHEMA, TOY_2D };

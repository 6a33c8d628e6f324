// The session: what makes an experiment outlive the moment — the step log (every model-changing
// step with the settings it used), the URL that carries it, the autosave, the replay of a log
// (from a link or the autosave) and the recovery after the engine's worker died.
import { t } from './i18n.js';
import { pct } from './format.js';
import { defaults, toQuery } from './state.js';
import { clearSaved, save } from './autosave.js';
import { formatSteps, makeStep, stepSettings } from './steplog.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('../types.js').CreateResult} CreateResult
 * @typedef {import('../types.js').Frame} Frame
 * @typedef {import('./steplog.js').Step} Step
 * @typedef {import('./store.js').Store} Store
 * @typedef {ReturnType<typeof import('./workflows.js').createWorkflows>} Workflows
 */

/**
 * @typedef {object} Log
 * @property {(type: import('./steplog.js').StepType, overrides?: Record<string, unknown>) => void} record
 *   appends a model-changing step, with the settings it ran with (overrides: values really used,
 *   e.g. the epochs run before a cancel)
 * @property {(step: string) => void} cutLog   stops the log: the model now depends on something a
 *   replay cannot repeat exactly
 */

/**
 * @param {Store} store
 * @returns {Log}
 */
export function createLog(store) {
  return {
    record(type, overrides) {
      const { logCut, log, settings } = store.state;
      if (logCut !== null) return;
      store.set({ log: [...log, makeStep(type, settings, overrides)] });
    },
    cutLog(step) {
      if (store.state.logCut === null) store.set({ logCut: step });
    },
  };
}

/**
 * @typedef {object} SessionOptions
 * @property {string[]} [problems]   problems with the link (or the element's attributes)
 * @property {import('./autosave.js').Saved | null} [restore]   a saved experiment whose history and
 *   lottery table are shown once the network is built
 * @property {string | null} [storageError]   reading the saved experiment failed
 * @property {Step[]} [steps]   a step log (from the link or the saved experiment) replayed on the new network
 * @property {boolean} [embedded]   a `<pruning-playground>` element: no URL, no autosave
 * @property {boolean} [autosave]   false for the page inside an iframe (it must not overwrite the
 *   reader's own saved experiment)
 */

/**
 * @param {Store} store
 * @param {Workflows} wf
 * @param {SessionOptions} options
 * @param {(type: string, detail: Record<string, unknown>) => void} emit
 * @param {(err: unknown) => string} errorText
 */
export function createSession(store, wf, options, emit, errorText) {
  const { set, say } = store;
  /** The last storage error shown, so a full or disabled storage is reported once, not per action. */
  let storageFailed = false;

  /**
   * Autosaves the experiment after an action: settings, history and the finished lottery table
   * (a default, empty experiment is not kept). A storage failure only shows a message.
   */
  function persist() {
    if (options.embedded || options.autosave === false) return;
    const { settings, history, lottery, log } = store.state;
    const pristine = history.length === 0 && lottery.length === 0 && log.length === 0 && toQuery(settings).toString() === '';
    const error = pristine ? clearSaved() : save({ settings, history, lottery, steps: formatSteps(log, settings) });
    if (error && !storageFailed) say('error', 'msg.storageError', { error });
    storageFailed = error !== null;
  }

  /** The page's query: the settings that differ from the defaults, then the step log. */
  function currentQuery() {
    const { log, settings } = store.state;
    const steps = formatSteps(log, settings);
    // Classroom mode (which controls are shown) stays in the link as it came.
    const classroom = new URLSearchParams(location.search).get('controls');
    return [
      toQuery(settings).toString(),
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
   * Replays a step log (from a link or the autosave) on the freshly built network, step by step
   * with progress; Cancel stops it, keeping the steps replayed so far.
   * @param {Step[]} steps
   */
  async function replay(steps) {
    const final = store.state.settings;
    set({ cancelled: false, busy: 'replay' });
    try {
      for (const [i, step] of steps.entries()) {
        if (store.state.cancelled) break;
        const params = { step: i + 1, steps: steps.length, name: t(`logstep.${step.type}`) };
        set({
          settings: stepSettings(step, final),
          progress: { value: i, max: steps.length, label: t('msg.replayProgress', params) },
          message: { kind: 'info', key: 'msg.replaying', params },
        });
        await wf.run(step.type);
        set({ settings: final });
      }
    } finally {
      set({ settings: final, busy: null, progress: null });
    }
    return !store.state.cancelled;
  }

  /**
   * The engine's worker died (a wasm trap or a worker error): start a new one with the same
   * settings (and CSV) and replay the step log, so the model comes back as it was after the last
   * recorded step; say what happened.
   * @param {string} reason
   */
  async function recover(reason) {
    const { settings, log } = store.state;
    wf.terminate();
    await wf.build(settings);
    if (log.length > 0) await replay(log);
    set({ busy: 'recover' });
    say('error', 'msg.crashRecovered', { error: reason, steps: store.state.log.length });
    emit('error', { action: 'recover', error: reason });
  }

  /** Builds the first network, replays the link's or the autosave's steps and says what happened. */
  async function start() {
    try {
      /** @type {{ info: CreateResult, frame: Frame, restored?: boolean }} */
      let built;
      try {
        built = await wf.build(store.state.settings);
      } catch (err) {
        // Settings from the link that the engine refuses: start from the defaults instead.
        options.problems = [...(options.problems ?? []), errorText(err)];
        built = { ...(await wf.build(defaults())), restored: false };
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
          say('info', 'msg.replayCancelled', { done: store.state.log.length, steps: steps.length });
          return;
        }
      }
      if (saved && (saved.history.length > 0 || saved.lottery.length > 0)) {
        if (!replayed) set({ history: saved.history, lottery: saved.lottery });
        else if (store.state.lottery.length === 0 && saved.lottery.length > 0) set({ lottery: saved.lottery });
      }
      const ev = store.state.frame?.evaluation;
      if (problems.length > 0) say('error', options.embedded ? 'embed.attrProblem' : 'msg.urlProblem', { problem: problems.join('; ') });
      else if (options.storageError) say('error', 'msg.storageError', { error: options.storageError });
      else if (replayed) {
        say('info', 'msg.replayed', { steps: steps.length, epochs: store.state.history.at(-1)?.epoch ?? 0, test: pct(ev?.testAccuracy) });
      } else if (saved) say('info', 'msg.restored', { epochs: saved.history.at(-1)?.epoch ?? 0, rows: saved.lottery.length });
      else say('info', 'msg.ready', wf.readyParams(frame));
    } catch (err) {
      say('error', 'msg.error', { error: errorText(err) });
      emit('error', { action: 'start', error: errorText(err) });
    } finally {
      set({ busy: null, done: store.state.done + 1 });
    }
  }

  return { persist, syncUrl, replay, recover, start };
}

// The session: what makes an experiment outlive the moment — the step log (every model-changing
// step with the settings it used), the link that carries it (link.js), the autosave (autosave.js),
// the replay of a log (from a link or the autosave) and the recovery after the engine's worker
// died. A restore that does not finish (cancelled, failed, or its CSV data is not stored) never
// overwrites the save or the link it came from: it says where it stopped and offers Resume (or
// uploading the CSV again) and Discard.
import { t } from './i18n.js';
import { pct } from './format.js';
import { defaults, switchDataset, toQuery } from './state.js';
import { clearSaved, save } from './autosave.js';
import { formatSteps, makeStep, stepSettings } from './steplog.js';
import { compactSteps, writeLink } from './link.js';
import { parseRuns } from './runs.js';

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
 * @property {boolean} [own]   `restore` is this tab's own save (not a copy of another tab's)
 * @property {string | null} [storageError]   reading the saved experiment failed
 * @property {Step[]} [steps]   a step log replayed on the new network
 * @property {'link' | 'storage'} [source]   where `steps` came from (default: the link)
 * @property {string} [csv]   the uploaded data of a saved CSV experiment
 * @property {string | null} [classroom]   the link's `controls` list, kept in the link as it came
 * @property {boolean} [embedded]   a `<pruning-playground>` element: no URL, no autosave
 * @property {boolean} [autosave]   false for the page inside an iframe (it must not overwrite the
 *   reader's own saved experiment)
 * @property {unknown[]} [runs]   the kept runs of the saved experiment (runs.js; kept whatever the link)
 * @property {boolean} [legacyLink]   the link is a query link (`?…`) of a version before the
 *   fidelity rules (fresh optimizer, validation split, torch's rounding): it replays with today's
 *   rules, so its numbers can differ from what its sender saw, and the page says so
 */

/**
 * @typedef {object} Pending   a restore that did not finish, as it was asked for
 * @property {import('./state.js').Settings} settings
 * @property {Step[]} steps
 * @property {'link' | 'storage'} source
 * @property {string} csv
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
  /** The CSV text whose "too large to keep" was said (once per upload). */
  let csvWarned = '';
  /** The kept runs' storage failure was said (once, until they fit again). */
  let runsWarned = false;
  /** @type {Pending | null} */
  let pending = null;
  /** Link writes in flight (compression is asynchronous): only the newest one lands. */
  let linkSeq = 0;

  /**
   * Autosaves the experiment after an action: settings, history, the finished lottery table and
   * an uploaded CSV (a default, empty experiment is not kept). Not while a restore is pending: the
   * save it came from stays. A storage failure only shows a message.
   */
  function persist() {
    if (options.embedded || options.autosave === false || store.state.restorePending !== null) return;
    const { settings, history, lottery, log, csvText, runs } = store.state;
    const pristine = history.length === 0 && lottery.length === 0 && log.length === 0 && runs.length === 0 && toQuery(settings).toString() === '';
    const csv = settings.dataset === 'csv' ? csvText : undefined;
    const { error, csvDropped, runsError } = pristine
      ? { error: clearSaved(), csvDropped: false, runsError: null }
      : save({ settings, history, lottery, steps: formatSteps(log, settings), csv, runs });
    if (error && !storageFailed) say('error', 'msg.storageError', { error });
    storageFailed = error !== null;
    if (runsError && !runsWarned) say('error', 'msg.runsNotSaved', { error: runsError });
    runsWarned = Boolean(runsError);
    if (csvDropped && csv !== csvWarned) {
      csvWarned = csv ?? '';
      say('info', 'msg.csvNotSaved', { kb: Math.round((csv ?? '').length / 1024) });
    }
  }

  /** The page's link: the settings that differ from the defaults, the step log, the classroom. */
  async function currentQuery() {
    const { log, settings } = store.state;
    const steps = await compactSteps(formatSteps(log, settings));
    // Classroom mode (which controls are shown) stays in the link as it came.
    const classroom = options.classroom ?? null;
    return [
      toQuery(settings).toString(),
      steps ? `steps=${steps}` : '',
      classroom !== null ? new URLSearchParams({ controls: classroom }).toString() : '',
    ].filter(Boolean).join('&');
  }

  /** Writes the experiment to the link (the fragment); not while a restore is pending. */
  async function syncUrl() {
    if (options.embedded || store.state.restorePending !== null) return;
    const seq = ++linkSeq;
    const query = await currentQuery();
    if (seq === linkSeq) writeLink(query);
  }

  /**
   * Replays a step log on the freshly built network, step by step with progress; Cancel stops it,
   * keeping the steps replayed so far.
   * @param {Step[]} steps
   * @param {'link' | 'storage'} [source]   where the steps came from (for the progress message)
   * @returns {Promise<{ complete: true } | { complete: false, step: number, name: string, detail: string }>}
   *   where it stopped: the 1-based step, its name, and how far into it (epochs, or the error)
   */
  async function replay(steps, source = 'link') {
    const final = store.state.settings;
    set({ cancelled: false, busy: 'replay' });
    let i = 0;
    try {
      for (; i < steps.length; i += 1) {
        if (store.state.cancelled) break;
        const step = steps[i];
        const params = { step: i + 1, steps: steps.length, name: t(`logstep.${step.type}`) };
        set({
          settings: stepSettings(step, final),
          progress: { value: i, max: steps.length, label: t('msg.replayProgress', params) },
          message: { kind: 'info', key: source === 'storage' ? 'msg.replaying.storage' : 'msg.replaying', params },
        });
        const before = store.state.history.at(-1)?.epoch ?? 0;
        await wf.run(step.type);
        set({ settings: final });
        if (store.state.cancelled) {
          const total = step.type === 'train' ? step.settings.epochs : step.type === 'retrain' ? step.settings.retrainEpochs : null;
          const ran = (store.state.history.at(-1)?.epoch ?? 0) - before;
          const detail = total !== null && ran < Number(total) ? t('msg.replayStoppedEpochs', { done: ran, total: Number(total) }) : '';
          return { complete: false, step: i + 1, name: params.name, detail };
        }
      }
    } catch (err) {
      const name = i < steps.length ? t(`logstep.${steps[i].type}`) : '';
      return { complete: false, step: i + 1, name, detail: t('msg.replayStoppedError', { error: errorText(err) }) };
    } finally {
      set({ settings: final, busy: null, progress: null });
    }
    if (i < steps.length) return { complete: false, step: i + 1, name: t(`logstep.${steps[i].type}`), detail: '' };
    return { complete: true };
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

  /**
   * Replays a restore's steps; when they all ran, the restore is over (the link and the save
   * follow the page again), else it stays pending with a message saying where it stopped.
   * @param {Pending} p
   */
  async function replayRestore(p) {
    const result = await replay(p.steps, p.source);
    if (!result.complete && options.embedded) {
      // An element keeps no save and writes no link: it only says where its steps stopped.
      say('error', 'msg.replayStopped.embed', { step: result.step, steps: p.steps.length, name: result.name, detail: result.detail });
      return false;
    }
    if (!result.complete) {
      pending = p;
      set({ restorePending: 'stopped' });
      say('error', `msg.replayStopped.${p.source}`, { step: result.step, steps: p.steps.length, name: result.name, detail: result.detail });
      return false;
    }
    pending = null;
    set({ restorePending: null });
    return true;
  }

  /** @param {Pending} p */
  function sayReplayed(p) {
    const ev = store.state.frame?.evaluation;
    const params = { steps: p.steps.length, epochs: store.state.history.at(-1)?.epoch ?? 0, test: pct(ev?.testAccuracy) };
    const key = p.source === 'storage' ? 'msg.restoredReplayed' : options.legacyLink ? 'msg.replayedOldLink' : 'msg.replayed';
    say('info', key, params);
  }

  /** Resume: the stopped restore again, from the start (a fresh network, every step). */
  async function resume() {
    const p = pending;
    if (!p || store.state.restorePending !== 'stopped') return;
    await wf.build(p.settings, p.csv);
    if (await replayRestore(p)) {
      sayReplayed(p);
      await syncUrl();
      persist();
    }
  }

  /** Discard: the pending restore is forgotten; what the page shows becomes the save and the link. */
  async function discard() {
    if (store.state.restorePending === null) return;
    const p = pending;
    pending = null;
    set({ restorePending: null });
    if (p?.source === 'storage') clearSaved();
    await syncUrl();
    persist();
    say('info', 'msg.restoreDiscarded');
  }

  /**
   * A CSV was uploaded: when a restore waits for its data, it goes on with this file.
   * @param {string} csv
   */
  async function csvArrived(csv) {
    const p = pending;
    if (!p || store.state.restorePending !== 'csv') return false;
    const next = { ...p, csv };
    await wf.build(p.settings, csv); // a file the engine refuses throws here: still pending
    set({ csvText: csv, restorePending: null });
    if (await replayRestore(next)) {
      sayReplayed(next);
      await syncUrl();
      persist();
    }
    return true;
  }

  /** Builds the first network, replays the link's or the autosave's steps and says what happened. */
  async function start() {
    try {
      const source = options.source ?? 'link';
      if (options.runs) set({ runs: parseRuns(options.runs) });
      const asked = store.state.settings;
      // An uploaded CSV whose data is not here (not stored, or a link): the built-in data meanwhile.
      const csvMissing = asked.dataset === 'csv' && !options.csv;
      const first = csvMissing ? switchDataset(asked, defaults().dataset) : asked;
      /** @type {{ info: CreateResult, frame: Frame, restored?: boolean }} */
      let built;
      try {
        built = await wf.build(first, options.csv ?? '');
        if (asked.dataset === 'csv' && options.csv) set({ csvText: options.csv });
      } catch (err) {
        // Settings from the link that the engine refuses: start from the defaults instead.
        options.problems = [...(options.problems ?? []), errorText(err)];
        built = { ...(await wf.build(defaults())), restored: false };
        await syncUrl();
      }
      const { frame } = built;
      const problems = options.problems ?? [];
      const saved = built.restored === false ? null : options.restore;
      const steps = built.restored === false ? [] : options.steps ?? [];
      /** @type {Pending} */
      const asRestore = { settings: asked, steps, source, csv: options.csv ?? '' };
      if (csvMissing && built.restored !== false) {
        pending = asRestore;
        set({ restorePending: 'csv' });
        say('error', 'msg.csvMissing', { steps: steps.length });
        return;
      }
      // The step log (link or autosave) replays the model itself; the saved tables are only shown
      // when there is no log to replay (older saves) or the log has no lottery run.
      let replayed = false;
      if (steps.length > 0) {
        if (!(await replayRestore(asRestore))) return;
        replayed = true;
      }
      if (saved && (saved.history.length > 0 || saved.lottery.length > 0)) {
        if (!replayed) set({ history: saved.history, lottery: saved.lottery });
        else if (store.state.lottery.length === 0 && saved.lottery.length > 0) set({ lottery: saved.lottery });
      }
      if (problems.length > 0) say('error', options.embedded ? 'embed.attrProblem' : 'msg.urlProblem', { problem: problems.join('; ') });
      else if (options.storageError) say('error', 'msg.storageError', { error: options.storageError });
      else if (replayed) sayReplayed(asRestore);
      // A save holding only kept runs (after New experiment) restores no experiment to speak of.
      else if (saved && (saved.history.length > 0 || saved.lottery.length > 0 || (saved.steps ?? '') !== '')) say('info', 'msg.restored', { epochs: saved.history.at(-1)?.epoch ?? 0, rows: saved.lottery.length });
      else say('info', 'msg.ready', wf.readyParams(frame));
      await syncUrl();
      // This tab's own save, restored as it was, needs no writing; a link or another tab's copy does.
      if (replayed && !(source === 'storage' && options.own)) persist();
    } catch (err) {
      say('error', 'msg.error', { error: errorText(err) });
      emit('error', { action: 'start', error: errorText(err) });
    } finally {
      set({ busy: null, done: store.state.done + 1 });
    }
  }

  return { persist, syncUrl, replay, recover, start, resume, discard, csvArrived };
}

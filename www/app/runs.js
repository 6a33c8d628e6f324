// Kept runs: finished experiments kept side by side (settings, step log, curves), named by the
// settings that differ between them, compared in one chart (views/runs.js) and exported as CSV.
// Pure functions of plain data: the dispatcher keeps the list in the AppState, the autosave stores it.

import { SCHEMA } from './state.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {{ epoch: number, trainLoss: number, testLoss: number, valLoss: number | null,
 *   trainAccuracy: number, testAccuracy: number, valAccuracy: number | null }} RunEpoch
 * @typedef {{ branch: string, level: number, density: number, accuracy: number }} RunLevel
 *   accuracy: the lottery's headline number (at the early-stop epoch when there is one)
 * @typedef {object} Run
 * @property {string} id
 * @property {string | null} name      the learner's name; null: named from what differs (`runNames`)
 * @property {boolean} pinned          never dropped to make room
 * @property {boolean} shown           overlaid in the compare chart
 * @property {number} at               when it was kept (ms since 1970)
 * @property {Settings} settings
 * @property {string} steps            its step log (steplog.js `formatSteps`): replays the model
 * @property {RunEpoch[]} history
 * @property {RunLevel[]} lottery
 * @property {number | null} density        final density of the network (null: not built)
 * @property {number | null} testAccuracy   final test accuracy
 * @property {string | null} tag   what kept it, when a later run of the same kind replaces it
 *   (a lesson's arm: `lesson:arm`); null for runs the learner or New experiment kept
 */

/** Most runs kept; beyond that the oldest unpinned one goes. */
export const MAX_RUNS = 20;

/** Settings that do not describe an experiment (the page's language, theme and shown controls). */
const NOT_EXPERIMENT = new Set(['lang', 'theme', 'controls']);

/**
 * A run record of the experiment now.
 * @param {{ settings: Settings, history: import('../types.js').EpochMetrics[],
 *   lottery: import('../types.js').LevelResult[], density: number | null, testAccuracy: number | null,
 *   steps: string }} exp
 * @param {{ id: string, at: number, name?: string | null, tag?: string | null }} meta
 * @returns {Run}
 */
export function makeRun(exp, meta) {
  const name = meta.name?.trim() ? meta.name.trim() : null;
  return {
    id: meta.id,
    name,
    pinned: false,
    shown: true,
    at: meta.at,
    settings: structuredClone(exp.settings),
    steps: exp.steps,
    history: exp.history.map((m) => ({
      epoch: m.epoch,
      trainLoss: m.trainLoss,
      testLoss: m.testLoss,
      valLoss: m.valLoss,
      trainAccuracy: m.trainAccuracy,
      testAccuracy: m.testAccuracy,
      valAccuracy: m.valAccuracy,
    })),
    lottery: exp.lottery.map((r) => ({
      branch: r.branch,
      level: r.level,
      density: r.density,
      accuracy: r.earlyStopTestAccuracy ?? r.testAccuracy,
    })),
    density: exp.density,
    testAccuracy: exp.testAccuracy,
    tag: meta.tag ?? null,
  };
}

/**
 * The same experiment as a kept run: same settings, step log and curves' lengths (New experiment
 * after a kept lottery run, or a restored one, would keep it twice).
 * @param {Run[]} runs
 * @param {Run} run
 */
export function alreadyKept(runs, run) {
  const same = (/** @type {Run} */ r) => r.steps === run.steps && r.history.length === run.history.length
    && r.lottery.length === run.lottery.length && JSON.stringify(r.settings) === JSON.stringify(run.settings);
  return runs.some(same);
}

/**
 * Adds a run: at most MAX_RUNS, the oldest unpinned dropped first. When every kept run is
 * pinned the new one is refused (`refused: true`, the list unchanged). A run with a tag first
 * replaces the unpinned runs with the same tag.
 * @param {Run[]} runs
 * @param {Run} run
 * @param {number} [max]
 * @returns {{ runs: Run[], dropped: Run | null, refused: boolean }}
 */
export function addRun(runs, run, max = MAX_RUNS) {
  // A tagged run replaces the unpinned runs of its tag (a lesson arm run again).
  if (run.tag !== null) runs = runs.filter((r) => r.pinned || r.tag !== run.tag);
  if (runs.length < max) return { runs: [...runs, run], dropped: null, refused: false };
  const oldest = runs.filter((r) => !r.pinned).sort((a, b) => a.at - b.at)[0];
  if (!oldest) return { runs, dropped: null, refused: true };
  return { runs: [...runs.filter((r) => r !== oldest), run], dropped: oldest, refused: false };
}

/**
 * @typedef {{ op: 'rename', id: string, name: string } | { op: 'pin', id: string, pinned: boolean }
 *   | { op: 'show', id: string, shown: boolean } | { op: 'remove', id: string }
 *   | { op: 'only', ids: string[] }} RunEdit
 *   only: exactly these runs overlaid
 */

/**
 * The list after one edit; an unknown id changes nothing. A blank name gives the run back its
 * automatic name.
 * @param {Run[]} runs
 * @param {RunEdit} edit
 * @returns {Run[]}
 */
export function editRuns(runs, edit) {
  switch (edit.op) {
    case 'remove':
      return runs.filter((r) => r.id !== edit.id);
    case 'only':
      return runs.map((r) => ({ ...r, shown: edit.ids.includes(r.id) }));
    case 'rename':
      return runs.map((r) => (r.id === edit.id ? { ...r, name: edit.name.trim() || null } : r));
    case 'pin':
      return runs.map((r) => (r.id === edit.id ? { ...r, pinned: edit.pinned } : r));
    case 'show':
      return runs.map((r) => (r.id === edit.id ? { ...r, shown: edit.shown } : r));
    default:
      return runs;
  }
}

/**
 * The experiment settings whose values are not the same in every run, in schema order.
 * @param {Run[]} runs
 * @returns {string[]}
 */
export function differingKeys(runs) {
  return SCHEMA.map((s) => s.key).filter((key) => {
    if (NOT_EXPERIMENT.has(key)) return false;
    const values = new Set(runs.map((r) => JSON.stringify(/** @type {Record<string, unknown>} */ (/** @type {unknown} */ (r.settings))[key])));
    return values.size > 1;
  });
}

/**
 * A setting's value in words: an option's label for enums and sets, the number otherwise.
 * @param {string} key
 * @param {unknown} value
 * @param {(key: string, params?: Record<string, string | number>) => string} tr   i18n's `t`
 */
export function valueLabel(key, value, tr) {
  const s = SCHEMA.find((x) => x.key === key);
  if (s?.type === 'enum') return tr(`opt.${key}.${String(value)}`);
  if (Array.isArray(value)) return value.length === 0 ? '–' : value.join(s?.type === 'set' ? ' + ' : '-');
  return String(value);
}

/**
 * A short label of one setting's value: the option's label for enums (its name says the setting:
 * "Iterative", "Layer-wise (local)"), "label value" for the rest ("Prune fraction 0.5").
 * @param {string} key
 * @param {unknown} value
 * @param {(key: string, params?: Record<string, string | number>) => string} tr
 */
export function shortLabel(key, value, tr) {
  const s = SCHEMA.find((x) => x.key === key);
  const v = valueLabel(key, value, tr);
  return s?.type === 'enum' ? v : `${tr(`label.${key}`)} ${v}`;
}

/**
 * Each run's name: the learner's, else its tag's label (a lesson's arm: "Every layer at 65 %"),
 * else the labels of the settings that differ across the list ("Iterative · Layer-wise (local)"),
 * else "run N" (N: its place in the list, from 1). Two runs whose automatic names agree (same
 * settings) get " (2)", " (3)" … after the first.
 * @param {Run[]} runs
 * @param {(key: string, params?: Record<string, string | number>) => string} tr
 * @param {(tag: string) => string | null} [tagLabel]   the label of a tag, null for none
 * @returns {Map<string, string>}   run id → name
 */
export function runNames(runs, tr, tagLabel = () => null) {
  const keys = differingKeys(runs);
  /** @type {Map<string, string>} */
  const names = new Map();
  /** @type {Map<string, number>} */
  const seen = new Map();
  runs.forEach((r, i) => {
    if (r.name) {
      names.set(r.id, r.name);
      return;
    }
    const settings = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (r.settings));
    const base = (r.tag !== null ? tagLabel(r.tag) : null) ?? (keys.length > 0
      ? keys.map((k) => shortLabel(k, settings[k], tr)).join(' · ')
      : tr('runs.unnamed', { n: i + 1 }));
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    names.set(r.id, n === 1 ? base : `${base} (${n})`);
  });
  return names;
}

/**
 * @typedef {{ series: string, points: [number, number][] }} Curve
 */

/**
 * A run's curves for the compare chart. `density`: accuracy against density, one curve per
 * lottery branch (the controls from the dense level 0), or the run's one point (its final density and test accuracy) without a
 * lottery. `epoch`: loss per epoch on the validation split, or the training split without one.
 * @param {Run} run
 * @param {'density' | 'epoch'} mode
 * @returns {Curve[]}
 */
export function runCurves(run, mode) {
  if (mode === 'epoch') {
    if (run.history.length === 0) return [];
    const val = run.history.every((m) => m.valLoss !== null);
    return [{
      series: val ? 'val_loss' : 'train_loss',
      points: run.history.map((m) => [m.epoch, /** @type {number} */ (val ? m.valLoss : m.trainLoss)]),
    }];
  }
  if (run.lottery.length > 0) {
    /** @type {Map<string, [number, number][]>} */
    const byBranch = new Map();
    for (const r of [...run.lottery].sort((a, b) => a.level - b.level)) {
      const pts = byBranch.get(r.branch) ?? [];
      pts.push([r.density, r.accuracy]);
      byBranch.set(r.branch, pts);
    }
    // The controls start from the shared dense level 0 (the ticket's), as the lottery chart draws them.
    const dense = run.lottery.find((r) => r.level === 0);
    return [...byBranch].map(([series, points]) => ({
      series,
      points: dense && !run.lottery.some((r) => r.branch === series && r.level === 0)
        ? /** @type {[number, number][]} */ ([[dense.density, dense.accuracy], ...points])
        : points,
    }));
  }
  if (run.density === null || run.testAccuracy === null) return [];
  return [{ series: 'final', points: [[run.density, run.testAccuracy]] }];
}

/** @param {string} text */
function csvCell(text) {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Long-format CSV of the runs, as the CLI's `compare --csv` writes it: `run,series,x,y`, one row
 * per point — every epoch's losses and accuracies (x: epoch; series train_loss, val_loss,
 * test_loss, train_accuracy, val_accuracy, test_accuracy) and every lottery level (x: density;
 * series: the branch).
 * @param {Run[]} runs
 * @param {Map<string, string>} names   run id → name
 */
export function runsCsv(runs, names) {
  const rows = ['run,series,x,y'];
  for (const r of runs) {
    const name = csvCell(names.get(r.id) ?? r.id);
    for (const m of r.history) {
      /** @type {[string, number | null][]} */
      const cells = [
        ['train_loss', m.trainLoss], ['val_loss', m.valLoss], ['test_loss', m.testLoss],
        ['train_accuracy', m.trainAccuracy], ['val_accuracy', m.valAccuracy], ['test_accuracy', m.testAccuracy],
      ];
      for (const [series, y] of cells) if (y !== null) rows.push(`${name},${series},${m.epoch},${y}`);
    }
    for (const l of [...r.lottery].sort((a, b) => a.level - b.level)) rows.push(`${name},${csvCell(l.branch)},${l.density},${l.accuracy}`);
  }
  return `${rows.join('\n')}\n`;
}

/**
 * The saved runs that are well-formed (the autosave is read back from storage another version
 * may have written): the rest are dropped.
 * @param {unknown} raw
 * @returns {Run[]}
 */
export function parseRuns(raw) {
  if (!Array.isArray(raw)) return [];
  return raw.filter((r) => r && typeof r === 'object'
    && typeof r.id === 'string' && (r.name === null || typeof r.name === 'string')
    && typeof r.settings === 'object' && r.settings !== null && typeof r.steps === 'string'
    && Array.isArray(r.history) && Array.isArray(r.lottery) && typeof r.at === 'number')
    .map((r) => ({ ...r, pinned: r.pinned === true, shown: r.shown !== false, tag: typeof r.tag === 'string' ? r.tag : null }))
    .slice(-MAX_RUNS);
}

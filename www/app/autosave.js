// Autosave: the settings, the step log, the training history and the finished lottery table in
// localStorage, so a reload restores the experiment (the step log replays the model itself). Storage can be missing, disabled or full: every call
// catches and reports instead of throwing, so the page never breaks over it.

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('../types.js').EpochMetrics} EpochMetrics
 * @typedef {import('../types.js').LevelResult} LevelResult
 * @typedef {{ version: 1, settings: Settings, history: EpochMetrics[], lottery: LevelResult[], steps?: string }} Saved
 *   steps: the step log (steplog.js `formatSteps`), replayed on reload to rebuild the model itself
 */

export const STORAGE_KEY = 'pruning-playground:experiment:v1';

/** @returns {Storage} */
function storage() {
  // Reading `localStorage` itself throws when storage is disabled.
  return window.localStorage;
}

/**
 * The saved experiment, or null (none, unreadable or malformed).
 * @returns {{ saved: Saved | null, error: string | null }}
 */
export function loadSaved() {
  try {
    const raw = storage().getItem(STORAGE_KEY);
    if (!raw) return { saved: null, error: null };
    const v = JSON.parse(raw);
    if (
      !v || v.version !== 1 || typeof v.settings !== 'object' || !Array.isArray(v.history) || !Array.isArray(v.lottery)
      || (v.steps !== undefined && typeof v.steps !== 'string')
    ) {
      return { saved: null, error: null };
    }
    return { saved: /** @type {Saved} */ (v), error: null };
  } catch (err) {
    return { saved: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Saves the experiment; returns an error message instead of throwing.
 * @param {{ settings: Settings, history: EpochMetrics[], lottery: LevelResult[], steps?: string }} exp
 * @returns {string | null}
 */
export function save(exp) {
  try {
    /** @type {Saved} */
    const v = { version: 1, settings: exp.settings, history: exp.history, lottery: exp.lottery, steps: exp.steps ?? '' };
    storage().setItem(STORAGE_KEY, JSON.stringify(v));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Forgets the saved experiment; returns an error message instead of throwing. */
export function clearSaved() {
  try {
    storage().removeItem(STORAGE_KEY);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

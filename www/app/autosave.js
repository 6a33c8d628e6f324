// Autosave: the settings, the step log, the training history, the finished lottery table and an
// uploaded CSV in localStorage, so a reload restores the experiment (the step log replays the
// model itself). Each tab has its own slot: sessionStorage holds the tab's id (it survives a
// reload of that tab, not a new tab), localStorage holds one slot per id. A tab that has never
// saved is offered the most recent slot of any tab (a copy: it saves into its own slot), so no tab
// overwrites or deletes another's work. Storage can be missing, disabled or full: every call
// catches and reports instead of throwing, so the page never breaks over it.

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('../types.js').EpochMetrics} EpochMetrics
 * @typedef {import('../types.js').LevelResult} LevelResult
 * @typedef {{ version: 1 | 2, settings: Settings, history: EpochMetrics[], lottery: LevelResult[], steps?: string,
 *   csv?: string, savedAt?: number, runs?: unknown[] }} Saved
 *   steps: the step log (steplog.js `formatSteps`), replayed on reload to rebuild the model itself;
 *   csv: the uploaded data of a `dataset: 'csv'` experiment, when it fitted the storage;
 *   runs: the kept runs (runs.js), read back through `parseRuns`
 */

/** Slots: one per tab id. */
export const SLOT_PREFIX = 'pruning-playground:experiment:v2:';
/** The single slot of earlier versions: offered to a new tab like any other slot, then removed. */
export const LEGACY_KEY = 'pruning-playground:experiment:v1';
/** sessionStorage: this tab's id, and whether this tab has saved (or cleared) its slot yet. */
const TAB_KEY = 'pruning-playground:tab';
const OWNS_KEY = 'pruning-playground:tab-saved';
/** Most slots kept; the least recently saved beyond that are removed (never this tab's). */
const MAX_SLOTS = 12;

/** @param {unknown} err */
function message(err) {
  return err instanceof Error ? err.message : String(err);
}

/** @type {string | null} */
let fallbackId = null;

/** This tab's id (a new one per load where sessionStorage is unavailable). */
export function tabId() {
  try {
    let id = window.sessionStorage.getItem(TAB_KEY);
    if (!id) {
      id = crypto.randomUUID();
      window.sessionStorage.setItem(TAB_KEY, id);
    }
    return id;
  } catch {
    fallbackId ??= crypto.randomUUID();
    return fallbackId;
  }
}

function ownKey() {
  return SLOT_PREFIX + tabId();
}

/** Marks this tab as having a slot of its own (saved or cleared): it is not offered another tab's. */
function markOwned() {
  try {
    window.sessionStorage.setItem(OWNS_KEY, '1');
  } catch {
    /* without sessionStorage every load is a new tab */
  }
}

function owned() {
  try {
    return window.sessionStorage.getItem(OWNS_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * @param {string | null} raw
 * @returns {Saved | null}
 */
function parse(raw) {
  if (!raw) return null;
  const v = JSON.parse(raw);
  if (
    !v || (v.version !== 1 && v.version !== 2) || typeof v.settings !== 'object' || !Array.isArray(v.history) || !Array.isArray(v.lottery)
    || (v.steps !== undefined && typeof v.steps !== 'string') || (v.csv !== undefined && typeof v.csv !== 'string')
  ) {
    return null;
  }
  return /** @type {Saved} */ (v);
}

/** Every slot key on this origin. */
function slotKeys() {
  const keys = [];
  for (let i = 0; i < window.localStorage.length; i += 1) {
    const key = window.localStorage.key(i);
    if (key?.startsWith(SLOT_PREFIX)) keys.push(key);
  }
  return keys;
}

/**
 * This tab's saved experiment; for a tab that has not saved yet, the most recently saved one of
 * any tab (`own: false`: a copy to start from), or null.
 * @returns {{ saved: Saved | null, own: boolean, error: string | null }}
 */
export function loadSaved() {
  try {
    const storage = window.localStorage;
    const mine = parse(storage.getItem(ownKey()));
    if (mine || owned()) return { saved: mine, own: true, error: null };
    /** @type {Saved | null} */
    let best = null;
    for (const key of slotKeys()) {
      let v = null;
      try {
        v = parse(storage.getItem(key));
      } catch {
        /* a malformed slot is skipped */
      }
      if (v && (best === null || (v.savedAt ?? 0) > (best.savedAt ?? 0))) best = v;
    }
    if (!best) best = parse(storage.getItem(LEGACY_KEY));
    return { saved: best, own: false, error: null };
  } catch (err) {
    return { saved: null, own: false, error: message(err) };
  }
}

/** Removes the least recently saved slots beyond MAX_SLOTS (never this tab's). */
function trim() {
  const storage = window.localStorage;
  const own = ownKey();
  const slots = slotKeys()
    .filter((k) => k !== own)
    .map((key) => {
      let at = 0;
      try {
        at = parse(storage.getItem(key))?.savedAt ?? 0;
      } catch {
        /* malformed: oldest */
      }
      return { key, at };
    })
    .sort((a, b) => b.at - a.at);
  for (const { key } of slots.slice(MAX_SLOTS - 1)) storage.removeItem(key);
}

/**
 * Saves this tab's experiment. The CSV is kept with it when it fits the storage; when it does not,
 * the rest is saved and `csvDropped` says so. The kept runs likewise: when the save does not fit
 * with them, it is written without them and `runsError` holds the storage's reason.
 * Returns an error message instead of throwing.
 * @param {{ settings: Settings, history: EpochMetrics[], lottery: LevelResult[], steps?: string, csv?: string, runs?: unknown[] }} exp
 * @returns {{ error: string | null, csvDropped: boolean, runsError?: string | null }}
 */
export function save(exp) {
  const { runs, ...rest } = exp;
  if (runs && runs.length > 0) {
    const first = saveWith(rest, runs);
    if (!first.error) return { ...first, runsError: null };
    const without = saveWith(rest);
    return { ...without, runsError: without.error ? null : first.error };
  }
  return saveWith(rest);
}

/**
 * @param {{ settings: Settings, history: EpochMetrics[], lottery: LevelResult[], steps?: string, csv?: string }} exp
 * @param {unknown[]} [runs]
 * @returns {{ error: string | null, csvDropped: boolean }}
 */
function saveWith(exp, runs) {
  /** @type {Saved} */
  const v = { version: 2, settings: exp.settings, history: exp.history, lottery: exp.lottery, steps: exp.steps ?? '', savedAt: Date.now(), ...(runs ? { runs } : {}) };
  try {
    const storage = window.localStorage;
    markOwned();
    trim();
    if (exp.csv) {
      try {
        storage.setItem(ownKey(), JSON.stringify({ ...v, csv: exp.csv }));
        storage.removeItem(LEGACY_KEY);
        return { error: null, csvDropped: false };
      } catch {
        // Too large with its data (or storage refused): keep the experiment without it.
      }
    }
    storage.setItem(ownKey(), JSON.stringify(v));
    storage.removeItem(LEGACY_KEY);
    return { error: null, csvDropped: Boolean(exp.csv) };
  } catch (err) {
    return { error: message(err), csvDropped: false };
  }
}

/** Forgets this tab's saved experiment (other tabs' stay); returns an error message instead of throwing. */
export function clearSaved() {
  try {
    markOwned();
    window.localStorage.removeItem(ownKey());
    return null;
  } catch (err) {
    return message(err);
  }
}

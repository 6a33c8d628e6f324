// The step log: every action that changes the model since the network was built, each with the
// settings it used, so a link (or a reload) replays the same experiment — same seed, same steps,
// same numbers. It lives in the URL as `steps=` next to the settings:
//
//   ?frac=0.5&steps=train,prune,rewind,retrain(rt:5),prune(frac:0.2;st:neurons)
//
// A step names the settings it read only where they differ from the link's own settings (short
// URL keys from state.js's SCHEMA, values parsed by the same schema), so a link stays short and
// every value goes through one validator. Epoch counts are the epochs actually run (a cancelled
// or paused run records what it did).
import { SCHEMA, formatValue, parseValue, quote, setting } from './state.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {'train' | 'retrain' | 'prune' | 'keep' | 'rewind' | 'rewindK' | 'reinit' | 'evaluate'
 *   | 'reset' | 'lottery' | 'adopt' | 'pruneNM'} StepType
 * @typedef {{ type: StepType, settings: Record<string, unknown> }} Step
 *   settings: the values of STEP_KEYS[type] when the step ran
 */

const PRUNE_KEYS = ['structure', 'score', 'scope', 'pattern', 'schedule', 'fraction', 'outputRate', 'rounds', 'retrainEpochs', 'initMode', 'layerRates'];

/**
 * The settings each step reads. Only settings that do not rebuild the network can differ between
 * steps (a rebuild starts a new log), so these are the only ones a step has to carry.
 * @type {Readonly<Record<StepType, readonly string[]>>}
 */
export const STEP_KEYS = {
  train: ['epochs'],
  retrain: ['retrainEpochs'],
  prune: PRUNE_KEYS,
  keep: [],
  rewind: [],
  rewindK: [],
  reinit: [],
  evaluate: [],
  reset: [],
  lottery: ['levels', 'lotteryEpochs', 'controls', 'structure', 'score', 'scope', 'pattern', 'fraction', 'outputRate', 'initMode', 'layerRates', 'trials'],
  adopt: [],
  // N:M (2:4) semi-structured pruning: the pattern is fixed, the score ranks within each group.
  pruneNM: ['score'],
};

/** Most steps a link may ask for (each is at most a few hundred epochs; replay can be cancelled). */
export const MAX_STEPS = 200;

/** @param {string} type @returns {type is StepType} */
export function isStep(type) {
  return Object.hasOwn(STEP_KEYS, type);
}

/**
 * A step with the values it reads from `settings`, `overrides` on top (e.g. the epochs really run).
 * @param {StepType} type
 * @param {Settings} settings
 * @param {Record<string, unknown>} [overrides]
 * @returns {Step}
 */
export function makeStep(type, settings, overrides = {}) {
  const cur = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (settings));
  /** @type {Record<string, unknown>} */
  const values = {};
  for (const key of STEP_KEYS[type]) values[key] = key in overrides ? overrides[key] : cur[key];
  return { type, settings: values };
}

/**
 * The settings a step ran with: the current ones, with the step's own values on top.
 * @param {Step} step
 * @param {Settings} settings
 * @returns {Settings}
 */
export function stepSettings(step, settings) {
  return /** @type {Settings} */ ({ ...settings, ...step.settings });
}

/** Characters a step list keeps as they are in a URL query (RFC 3986 query characters). */
const SAFE = /[A-Za-z0-9._~()\-,:;!*]/;

/** @param {string} text */
function escape(text) {
  let out = '';
  for (const c of text) out += SAFE.test(c) ? c : encodeURIComponent(c);
  return out;
}

/**
 * The `steps=` value for a log, relative to the settings the link carries.
 * @param {readonly Step[]} steps
 * @param {Settings} settings
 */
export function formatSteps(steps, settings) {
  const cur = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (settings));
  return steps
    .map((step) => {
      const pairs = [];
      for (const key of STEP_KEYS[step.type]) {
        const s = setting(key);
        const v = formatValue(s, step.settings[key]);
        if (v !== formatValue(s, cur[key])) pairs.push(`${s.url ?? s.key}:${v}`);
      }
      return escape(pairs.length > 0 ? `${step.type}(${pairs.join(';')})` : step.type);
    })
    .join(',');
}

/**
 * Splits `a,b(x:1,2;y:3),c` at the commas outside parentheses.
 * @param {string} text
 */
function splitTop(text) {
  /** @type {string[]} */
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '(') depth += 1;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * Parses a `steps=` value. The log stops at the first step that cannot be read (a replay must not
 * skip a step and go on from a different model); the problem names the step and what is allowed.
 * @param {string} text
 * @param {Settings} settings   the link's settings (values a step does not name)
 * @returns {{ steps: Step[], problems: string[] }}
 */
export function parseSteps(text, settings) {
  /** @type {Step[]} */
  const steps = [];
  /** @type {string[]} */
  const problems = [];
  const parts = splitTop(text);
  for (const [i, part] of parts.entries()) {
    if (steps.length >= MAX_STEPS) {
      problems.push(`steps: more than ${MAX_STEPS} steps; the first ${MAX_STEPS} are replayed`);
      break;
    }
    const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(part);
    const where = `steps: step ${i + 1} ${quote(part)}`;
    if (!m || !isStep(m[1])) {
      problems.push(`${where} is not a step (allowed: ${Object.keys(STEP_KEYS).join(', ')}); the steps from here on are not replayed`);
      break;
    }
    const type = /** @type {StepType} */ (m[1]);
    const keys = STEP_KEYS[type];
    const step = makeStep(type, settings);
    let bad = null;
    for (const pair of m[2] ? m[2].split(';').filter((p) => p.trim() !== '') : []) {
      const colon = pair.indexOf(':');
      const name = colon < 0 ? pair : pair.slice(0, colon);
      const s = SCHEMA.find((x) => (x.url ?? x.key) === name.trim());
      if (!s || !keys.includes(s.key)) {
        bad = `${where}: ${quote(name)} is not a setting of ${type} (allowed: ${
          keys.map((k) => setting(k).url ?? k).join(', ') || 'none'
        })`;
        break;
      }
      try {
        step.settings[s.key] = parseValue(s, colon < 0 ? '' : pair.slice(colon + 1));
      } catch (err) {
        bad = `${where}: ${err instanceof Error ? err.message : String(err)}`;
        break;
      }
    }
    if (bad) {
      problems.push(`${bad}; the steps from here on are not replayed`);
      break;
    }
    steps.push(step);
  }
  return { steps, problems };
}

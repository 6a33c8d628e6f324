// Engine errors in the page's language. The engine (Rust, crates/core/src/error.rs) throws an
// Error whose message is English and whose own properties are the error as data: `kind`, and
// per kind `field`, `value`, `allowed` ({ kind, … }), `line` and `problem` ({ kind, … }) of a
// CSV file, … The worker passes that data on (`detail`, www/engine.js), and here it is worded
// with the `err.*` templates of app/i18n.js; a kind without a template keeps the English message.
//
// The page's messages take the error as text (`{error}`, app/dispatch.js), so the data of the
// errors the engine client saw is kept here by message (`rememberEngineError`) and `{error}` is
// worded from it in whichever language the page shows (also after a language switch).

import { quote } from './state.js';

/** @typedef {import('../types.js').EngineError} EngineError */

/**
 * A template lookup in one language: the filled-in string, or undefined for an unknown key.
 * @typedef {(key: string, params?: Record<string, string | number>) => string | undefined} Templates
 */

/** Error kinds worded here (the tests check these against every kind the engine produces). */
export const ERROR_KINDS = ['setting', 'csv', 'shape', 'model-file', 'diverged', 'rewind', 'state', 'read'];

/** A number as the engine wrote it; anything else quoted and cut (app/state.js `quote`). */
function value(/** @type {unknown} */ v) {
  const text = String(v);
  return /^-?(\d+(\.\d+)?(e[+-]?\d+)?|NaN|-?Infinity|inf)$/i.test(text) ? text : quote(text);
}

/**
 * What a setting allows, worded.
 * @param {EngineError} a
 * @param {Templates} tr
 */
function allowed(a, tr) {
  /** @type {Record<string, string | number>} */
  const params = {};
  for (const [k, v] of Object.entries(a)) if (k !== 'kind') params[k] = Array.isArray(v) ? v.join(', ') : v;
  if (a.kind === 'interval') params.interval = `${a.lowOpen ? '(' : '['}${a.low}, ${a.high}${a.highOpen ? ')' : ']'}`;
  if (a.kind === 'at-least-steps') params.s = a.min === 1 ? '' : 's';
  return tr(`err.allowed.${a.kind}`, params);
}

/**
 * What is wrong with a CSV file, worded.
 * @param {EngineError} p
 * @param {Templates} tr
 */
function csvProblem(p, tr) {
  /** @type {Record<string, string | number>} */
  const params = {};
  for (const [k, v] of Object.entries(p)) if (k !== 'kind') params[k] = Array.isArray(v) ? v.map((c) => `"${c}"`).join(', ') : v;
  if (p.kind === 'too-large') params.mb = Math.round(p.limit / 1e6);
  return tr(`err.csv.${p.kind}`, params);
}

/**
 * An engine error worded with `tr`'s templates, or null when its kind (or a part's) has none.
 * @param {EngineError} e
 * @param {Templates} tr
 * @returns {string | null}
 */
export function wordEngineError(e, tr) {
  switch (e.kind) {
    case 'setting': {
      const a = allowed(e.allowed ?? {}, tr);
      return a === undefined ? null : (tr('err.setting', { field: e.field, value: value(e.value), allowed: a }) ?? null);
    }
    case 'csv': {
      const problem = csvProblem(e.problem ?? {}, tr);
      if (problem === undefined) return null;
      return tr(e.line > 0 ? 'err.csv.line' : 'err.csv.file', { line: e.line, problem }) ?? null;
    }
    case 'rewind':
      return tr(e.saved === null || e.saved === undefined ? 'err.rewind.none' : 'err.rewind.saved', { step: e.step, saved: e.saved ?? '' }) ?? null;
    case 'diverged':
    case 'shape':
    case 'model-file':
    case 'state':
    case 'read': {
      /** @type {Record<string, string | number>} */
      const params = {};
      for (const [k, v] of Object.entries(e)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
      return tr(`err.${e.kind}`, params) ?? null;
    }
    default:
      return null;
  }
}

/** The data of the engine errors seen last, by their English message (a few dozen at most). */
const seen = new Map();
const SEEN_MAX = 32;

/**
 * Keeps an engine error's data for `localizeEngineMessage` (called by the engine client).
 * @param {string} message
 * @param {EngineError} detail
 */
export function rememberEngineError(message, detail) {
  seen.delete(message);
  seen.set(message, detail);
  if (seen.size > SEEN_MAX) seen.delete(seen.keys().next().value);
}

/**
 * An engine message in the page's language, worded from its data when the engine client saw it;
 * any other text unchanged.
 * @param {string} message
 * @param {Templates} tr the `err.*` templates of the page's language
 */
export function localizeEngineMessage(message, tr) {
  const detail = seen.get(message);
  return (detail && wordEngineError(detail, tr)) ?? message;
}

// Classroom mode (TF Playground's idea): a `controls` list — in a link (`?controls=…`) or on a
// <pruning-playground> element — names the settings and pipeline buttons a learner sees; the rest
// are removed, so a lesson shows only what it is about.
import { SCHEMA, quote } from './state.js';
import { attributeOf } from './embed.js';

/** Buttons a `controls` list can name (token → data-action). */
export const BUTTONS = /** @type {Record<string, string>} */ ({
  train: 'train', prune: 'prune', keep: 'keep', rewind: 'rewind', 'rewind-k': 'rewindK', reinit: 'reinit',
  retrain: 'retrain', evaluate: 'evaluate', play: 'play', reset: 'reset', lottery: 'lottery', cancel: 'cancel', adopt: 'adopt',
  scan: 'scan', 'prune-nm': 'pruneNM', pai: 'pai',
});

/** Buttons that recover a user's work: never removed by a controls list. */
const RECOVERY = new Set(['restoreGood', 'resumeRestore', 'discardRestore']);

/**
 * Removes the settings fields and pipeline buttons that `list` does not name (setting keys, URL
 * keys or attribute names; button tokens; `none`). A list with an unknown token is refused whole
 * (reported in `problems`, nothing removed).
 * The recovery buttons (go back to the last good state; resume or discard a restore) stay: they
 * are not controls.
 * @param {ParentNode} root
 * @param {string} list
 * @param {string[]} problems
 */
export function limitControls(root, list, problems) {
  const tokens = list.split(/[\s,]+/).filter(Boolean);
  const keys = new Set();
  const actions = new Set();
  /** @type {string[]} */
  const unknown = [];
  for (const tok of tokens) {
    const s = SCHEMA.find((x) => x.key.toLowerCase() === tok.toLowerCase() || (x.url ?? x.key) === tok || attributeOf(x) === tok);
    if (s) keys.add(s.key);
    else if (tok in BUTTONS) actions.add(BUTTONS[tok]);
    else if (tok !== 'none') unknown.push(tok);
  }
  if (unknown.length > 0) {
    // A list with a typo would hide what its author meant to show: refuse it whole, show everything.
    problems.push(`controls: ${quote(unknown.join(' '))} (allowed: setting keys, ${Object.keys(BUTTONS).join(', ')}, none); the list is ignored, every control is shown`);
    return;
  }
  for (const field of root.querySelectorAll('#controls .field')) {
    const key = /** @type {HTMLElement} */ (field).dataset.key;
    if (!key || !keys.has(key)) field.remove();
  }
  for (const fs of root.querySelectorAll('#controls fieldset')) if (!fs.querySelector('.field')) fs.remove();
  if (keys.size === 0) root.querySelector('#controls')?.remove();
  // On the page the header's tools (New experiment, Embed, Export, language) stay: only the
  // playground's layout (views/markup.js: the page's <main>, an element's .embed) is limited.
  const scope = root.querySelector('.layout, .embed') ?? root;
  for (const b of scope.querySelectorAll('button[data-action]')) {
    const action = /** @type {HTMLElement} */ (b).dataset.action ?? '';
    if (!actions.has(action) && !RECOVERY.has(action)) b.remove();
  }
  for (const step of root.querySelectorAll('.step')) if (!step.querySelector('button')) step.remove();
  for (const bar of root.querySelectorAll('.steps, .runbar')) if (!bar.querySelector('button')) bar.remove();
  if (!root.querySelector('.pipeline button')) root.querySelector('.pipeline')?.remove();
}

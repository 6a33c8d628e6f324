// Readouts (epoch, accuracies, density, level), the progress bar, the "what just happened" message
// and which pipeline buttons are enabled. Reads the state only; buttons dispatch through element.js.
import { t } from '../app/i18n.js';
import { pct } from '../app/format.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 */

/** Buttons that stay usable while a run is going (they stop it). */
const STOPPERS = new Set(['cancel', 'play']);
/** Runs that Cancel can stop. */
const CANCELLABLE = new Set(['train', 'retrain', 'play', 'lottery', 'prune', 'replay', 'pai', 'scan']);

/**
 * @param {HTMLElement} el
 * @param {string} text
 * @param {string | number} [value]  machine-readable value (data-value) for tests and tools
 */
function show(el, text, value) {
  if (el.textContent !== text) el.textContent = text;
  const v = value === undefined ? '' : String(value);
  if (el.dataset.value !== v) el.dataset.value = v;
}

/**
 * @param {ParentNode} root
 * @param {HTMLElement} flags  where `data-busy` / `data-done` go, for tests and scripts to wait on
 *   (element.js: <body> for the page, the element itself for an embedded one)
 */
export function createReadouts(root, flags) {
  /** @param {string} id */
  const q = (id) => /** @type {HTMLElement} */ (root.querySelector(`[data-testid="${id}"]`));
  const epoch = q('epoch');
  const train = q('train-accuracy');
  const test = q('test-accuracy');
  const density = q('density');
  const level = q('level');
  const message = q('message');
  const progress = /** @type {HTMLProgressElement} */ (q('progress'));
  const progressLabel = /** @type {HTMLElement} */ (root.querySelector('#progress-label'));
  const buttons = /** @type {HTMLButtonElement[]} */ ([...root.querySelectorAll('button[data-action]')]);
  const playLabel = /** @type {HTMLElement} */ (root.querySelector('.play-label'));
  const playButton = q('play');
  const restoreGood = /** @type {HTMLButtonElement | null} */ (root.querySelector('[data-testid="restore-good"]'));
  // The page's offer after a restore that did not finish (absent in the element).
  const offer = /** @type {HTMLElement | null} */ (root.querySelector('[data-testid="restore-offer"]'));
  const resume = /** @type {HTMLElement | null} */ (root.querySelector('[data-testid="resume-restore"]'));
  const reupload = /** @type {HTMLElement | null} */ (root.querySelector('[data-testid="csv-reupload"]'));
  /** @type {HTMLButtonElement | null} */
  let refocus = null;

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (langChanged || prev?.frame !== s.frame || prev?.history !== s.history) {
      const ev = s.frame?.evaluation;
      const last = s.history.at(-1);
      show(epoch, String(last?.epoch ?? 0), last?.epoch ?? 0);
      show(train, ev ? pct(ev.trainAccuracy) : '—', ev?.trainAccuracy ?? '');
      show(test, ev ? pct(ev.testAccuracy) : '—', ev?.testAccuracy ?? '');
      const d = s.frame?.snapshot?.density;
      show(density, d === undefined ? '—' : pct(d), d ?? '');
    }
    if (langChanged || prev?.lotteryStep !== s.lotteryStep || prev?.lottery !== s.lottery) {
      const step = s.lotteryStep;
      const max = Math.max(0, s.settings.levels - 1);
      if (step) show(level, `${step.level} / ${max}`, step.level);
      else show(level, '—', '');
    }
    if (langChanged || prev?.message !== s.message) {
      const m = s.message;
      show(message, m ? t(m.key, m.params) : '');
      message.classList.toggle('error', m?.kind === 'error');
    }
    if (restoreGood && prev?.diverged !== s.diverged) restoreGood.hidden = s.diverged === null;
    if (offer && resume && reupload && prev?.restorePending !== s.restorePending) {
      offer.hidden = s.restorePending === null;
      resume.hidden = s.restorePending !== 'stopped';
      // Uploading again needs the page's file input (a classroom list may have removed it).
      reupload.hidden = s.restorePending !== 'csv' || !root.querySelector('#set-csv');
    }
    if (prev?.progress !== s.progress) {
      const p = s.progress;
      progress.max = p ? Math.max(1, p.max) : 1;
      progress.value = p ? p.value : 0;
      progressLabel.textContent = p ? p.label : '';
    }
    if (langChanged || prev?.busy !== s.busy || prev?.done !== s.done || prev?.lottery !== s.lottery || prev?.info !== s.info || prev?.history !== s.history) {
      const busy = s.busy;
      // Disabling the focused button drops focus to <body>: remember it and give it back after.
      const focused = document.activeElement;
      if (focused instanceof HTMLButtonElement && buttons.includes(focused)) refocus = focused;
      for (const b of buttons) {
        const action = /** @type {string} */ (b.dataset.action);
        let enabled = busy === null && s.info !== null;
        if (action === 'cancel') enabled = busy !== null && CANCELLABLE.has(busy);
        else if (action === 'play') enabled = s.info !== null && (busy === null || busy === 'play');
        else if (action === 'lottery' || action === 'prune') enabled = enabled && (s.info?.methods.includes(action === 'lottery' ? 'startLottery' : 'prune') ?? false);
        else if (action === 'pai') enabled = enabled && (s.info?.methods.includes('startPai') ?? false);
        else if (action === 'scan' || action === 'pruneNM') enabled = enabled && (s.info?.methods.includes(action === 'scan' ? 'sensitivity' : 'nmCost') ?? false);
        else if (action === 'adopt') enabled = enabled && s.lottery.some((r) => r.branch === 'ticket' && r.level > 0) && (s.info?.methods.includes('adoptTicket') ?? false);
        else if (STOPPERS.has(action)) enabled = true;
        b.disabled = !enabled;
        b.classList.toggle('running', busy === action);
      }
      const playing = busy === 'play';
      playButton.setAttribute('aria-pressed', String(playing));
      playLabel.textContent = t(playing ? 'btn.pause' : 'btn.play');
      if (busy === null && refocus && !refocus.disabled && (document.activeElement === document.body || document.activeElement === null)) {
        refocus.focus();
        refocus = null;
      }
      flags.dataset.busy = busy ?? '';
      flags.dataset.done = String(s.done);
    }
  }

  return { update };
}

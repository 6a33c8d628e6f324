// The example post's script: the buttons in the text drive the two <pruning-playground> elements
// through their promise API, and the lottery's `level` events fill the list under step 5.
// Nothing here is special to this page: any post can do the same with its own buttons.

/** @typedef {import('../element.js').PruningPlayground} PruningPlayground */

const pct = (/** @type {number | null | undefined} */ x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** @param {string} id */
function element(id) {
  return /** @type {PruningPlayground} */ (/** @type {unknown} */ (document.getElementById(id)));
}

/** What each button does: a promise of the element's state afterwards, and a sentence about it. */
/** @type {Record<string, (el: PruningPlayground) => Promise<string>>} */
const RUNS = {
  async train(el) {
    const s = await el.train();
    return `trained ${s?.epoch} epochs: test accuracy ${pct(s?.testAccuracy)}.`;
  },
  async prune(el) {
    const s = await el.prune(0.5);
    return `density ${pct(s?.density)}, test accuracy ${pct(s?.testAccuracy)} before any retraining.`;
  },
  async rewind(el) {
    const s = await el.rewind();
    return `rewound to θ₀: test accuracy ${pct(s?.testAccuracy)} (untrained again). Now retrain.`;
  },
  async retrain(el) {
    const s = await el.retrain();
    return `the ticket after retraining: test accuracy ${pct(s?.testAccuracy)} at density ${pct(s?.density)}.`;
  },
  async control(el) {
    await el.train();
    await el.prune(0.5);
    await el.reinit();
    const s = await el.retrain();
    return `random reinit after retraining: test accuracy ${pct(s?.testAccuracy)} at density ${pct(s?.density)}.`;
  },
  async lottery(el) {
    levels.replaceChildren();
    const s = await el.runLottery();
    const ticket = s?.lottery.filter((r) => r.branch === 'ticket').at(-1);
    return `done: the sparsest ticket (density ${pct(ticket?.density)}) reaches ${pct(ticket?.testAccuracy)}.`;
  },
};

const levels = /** @type {HTMLOListElement} */ (document.querySelector('.levels'));

document.addEventListener('click', async (e) => {
  const button = /** @type {HTMLElement} */ (e.target).closest('button[data-run]');
  if (!(button instanceof HTMLButtonElement)) return;
  const run = RUNS[button.dataset.run ?? ''];
  const el = element(button.dataset.target ?? '');
  const out = /** @type {HTMLOutputElement | null} */ (document.querySelector(`output[data-for="${button.dataset.run}"]`));
  if (!run || !el || !out) return;
  button.disabled = true;
  out.classList.remove('error');
  out.textContent = '…';
  try {
    out.textContent = await run(el);
  } catch (err) {
    out.classList.add('error');
    out.textContent = err instanceof Error ? err.message : String(err);
  } finally {
    button.disabled = false;
  }
});

// Each finished lottery level (any branch) becomes a line of the list.
element('story').addEventListener('level', (e) => {
  const r = /** @type {CustomEvent<import('../types.js').LevelResult>} */ (e).detail;
  const li = document.createElement('li');
  li.textContent = `level ${r.level}, ${r.branch}: density ${pct(r.density)}, test accuracy ${pct(r.testAccuracy)}`;
  levels.append(li);
});

// The explorable article (en.html, ko.html): each concept section has one small
// <pruning-playground> and buttons in the text that drive it. Everything a demo does is in the
// DEMOS table below: which lesson's settings it uses (www/app/lessons.json, the settings
// tests/lessons.rs checks natively on seeds 0–2, so the text only claims what is verified), which
// views it shows, and what each button runs. The buttons and outputs in the two HTML files name a
// demo and a run of this table; tests/node/article.test.mjs checks both files name the same ones.

import LESSON_DATA from '../app/lessons.json' with { type: 'json' };
import { SCHEMA, defaults, toQuery } from '../app/state.js';
import { attributeOf } from '../app/embed.js';
import { normalizeLang, setLang, t } from '../app/i18n.js';
import { pct } from '../app/format.js';

/** @typedef {import('../element.js').PruningPlayground} PruningPlayground */

/**
 * One step of a run: an element method and its argument.
 * @typedef {['reset'] | ['train'] | ['retrain'] | ['rewind'] | ['reinit'] | ['prune', Record<string, unknown>] | ['lottery']} Step
 */

/**
 * A run: the steps from a fresh network (every run starts with `reset`, so each button gives the
 * same numbers however often and in whatever order it is pressed), and the i18n key of the
 * sentence that reports it (params: dense, cut, test, density, layers, levels).
 * @typedef {{ steps: Step[], say: string }} Run
 */

/**
 * @typedef {object} Demo
 * @property {string} lesson    the lessons.json lesson whose settings the element gets
 * @property {string} views     the element's `views`
 * @property {Record<string, Run>} runs
 */

/** @type {(prune: Record<string, unknown>, say?: string) => Run} */
const cutAndRetrain = (prune, say = 'article.out.retrained') => ({ steps: [['reset'], ['train'], ['prune', prune], ['retrain']], say });
/** @type {(prune: Record<string, unknown>, say?: string) => Run} */
const cut = (prune, say = 'article.out.pruned') => ({ steps: [['reset'], ['train'], ['prune', prune]], say });
/** @type {(after: Step) => Run} */
const rewindArm = (after) => ({ steps: [['reset'], ['train'], ['prune', {}], after, ['retrain']], say: 'article.out.retrained' });

/** @type {Record<string, Demo>} */
export const DEMOS = {
  why: { lesson: 'scoring', views: 'boundary density', runs: { cut: cutAndRetrain({}) } },
  structure: {
    lesson: 'structure', views: 'boundary density',
    runs: { weights: cutAndRetrain({ structure: 'weights' }), neurons: cutAndRetrain({ structure: 'neurons' }) },
  },
  scoring: {
    lesson: 'scoring', views: 'boundary density',
    runs: { magnitude: cutAndRetrain({ score: 'magnitude' }), random: cutAndRetrain({ score: 'random' }) },
  },
  norms: {
    lesson: 'norms', views: 'density',
    runs: {
      magnitude: cut({ structure: 'weights', score: 'magnitude', scope: 'layer' }, 'article.out.layers'),
      l2: cut({ structure: 'weights', score: 'lp:2', scope: 'layer' }, 'article.out.layers'),
      l1: cut({ structure: 'neurons', score: 'lp:1', scope: 'global' }, 'article.out.layers'),
      linf: cut({ structure: 'neurons', score: 'lp:inf', scope: 'global' }, 'article.out.layers'),
    },
  },
  scope: {
    lesson: 'scoring', views: 'density histogram',
    runs: { global: cut({ scope: 'global' }, 'article.out.layers'), layer: cut({ scope: 'layer' }, 'article.out.layers') },
  },
  schedule: {
    lesson: 'scheduling', views: 'boundary training density',
    runs: {
      oneshot: cutAndRetrain({ schedule: 'oneshot' }),
      iterative: cut({ schedule: 'iterative', rounds: 3, retrainEpochs: 10 }, 'article.out.scheduled'),
    },
  },
  gradual: {
    lesson: 'gradual', views: 'boundary training density',
    runs: {
      oneshot: cutAndRetrain({ schedule: 'oneshot' }),
      gradual: cut({ schedule: 'gradual', rounds: 3, retrainEpochs: 10 }, 'article.out.scheduled'),
    },
  },
  init: {
    lesson: 'init', views: 'training density',
    runs: { keep: rewindArm(['retrain']), rewind: rewindArm(['rewind']), reinit: rewindArm(['reinit']) },
  },
  lottery: { lesson: 'lottery', views: 'curve density', runs: { imp: { steps: [['reset'], ['lottery']], say: 'article.out.lottery' } } },
};

const LESSONS = /** @type {Record<string, { settings: Record<string, unknown> }>} */ (/** @type {unknown} */ (LESSON_DATA.lessons));

/**
 * The element's attributes for a lesson's settings: the URL keys of the settings that differ
 * from the defaults, as the Embed dialog writes them (app/embed.js).
 * @param {string} lesson
 */
export function demoAttributes(lesson) {
  const settings = /** @type {import('../app/state.js').Settings} */ (/** @type {unknown} */ ({ ...defaults(), ...LESSONS[lesson].settings }));
  return [...toQuery(settings)]
    .filter(([k]) => k !== 'lang' && k !== 'theme')
    .map(([k, v]) => [attributeOf(/** @type {import('../app/state.js').Setting} */ (SCHEMA.find((s) => (s.url ?? s.key) === k))), v]);
}

/**
 * Runs one step on the element; resolves with its state afterwards.
 * @param {PruningPlayground} el
 * @param {Step} step
 */
function runStep(el, step) {
  switch (step[0]) {
    case 'reset': return el.reset();
    case 'train': return el.train();
    case 'retrain': return el.retrain();
    case 'rewind': return el.rewind();
    case 'reinit': return el.reinit();
    case 'prune': return el.prune(step[1]);
    case 'lottery': return el.runLottery();
  }
}

/**
 * Runs a run's steps and fills in its sentence from what the element measured.
 * @param {PruningPlayground} el
 * @param {Run} run
 */
async function perform(el, run) {
  /** @type {Record<string, string>} */
  const p = {};
  for (const step of run.steps) {
    const s = await runStep(el, step);
    if (!s) continue;
    if (step[0] === 'train') p.dense = pct(s.testAccuracy);
    if (step[0] === 'prune') {
      p.cut = pct(s.testAccuracy);
      p.density = pct(s.density);
      p.layers = (s.lastPrune?.layerDensity ?? []).map((d) => pct(d, 0)).join(' · ');
    }
    p.test = pct(s.testAccuracy);
    if (step[0] === 'lottery') {
      // The sparsest level of each branch, by the headline number: the test accuracy at the
      // epoch of least validation loss (Frankle & Carbin's measure; format.js headlineAccuracy).
      const last = (/** @type {string} */ branch) => s.lottery.filter((r) => r.branch === branch).at(-1);
      const acc = (/** @type {import('../types.js').LevelResult | undefined} */ r) => pct(r?.earlyStopTestAccuracy ?? r?.testAccuracy);
      const [ticket, reinit, mask] = ['ticket', 'random-reinit', 'random-mask'].map(last);
      Object.assign(p, { density: pct(ticket?.density), ticket: acc(ticket), reinit: acc(reinit), mask: acc(mask) });
    }
  }
  return t(run.say, p);
}

/** Builds every demo's element in its placeholder and wires the buttons of the text. */
function main() {
  const lang = normalizeLang(document.documentElement.lang);
  setLang(lang);
  for (const slot of document.querySelectorAll('[data-demo-slot]')) {
    const id = /** @type {HTMLElement} */ (slot).dataset.demoSlot ?? '';
    const demo = DEMOS[id];
    if (!demo) throw new Error(`article: no demo ${id}`);
    const el = document.createElement('pruning-playground');
    for (const [k, v] of demoAttributes(demo.lesson)) el.setAttribute(k, v);
    el.id = `demo-${id}`;
    el.setAttribute('controls', 'none');
    el.setAttribute('views', demo.views);
    el.setAttribute('lang', lang);
    slot.replaceWith(el);
  }
  document.addEventListener('click', async (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button[data-run]');
    if (!(button instanceof HTMLButtonElement)) return;
    const { demo: id = '', run: name = '' } = button.dataset;
    const run = DEMOS[id]?.runs[name];
    const el = /** @type {PruningPlayground | null} */ (/** @type {unknown} */ (document.getElementById(`demo-${id}`)));
    const out = document.querySelector(`output[data-demo="${id}"][data-run="${name}"]`);
    if (!run || !el || !out) return;
    // One run at a time per demo: its other buttons wait too.
    const siblings = [...document.querySelectorAll(`button[data-demo="${id}"]`)].filter((b) => b instanceof HTMLButtonElement);
    for (const b of siblings) b.disabled = true;
    out.classList.remove('error');
    out.textContent = t('article.running');
    try {
      out.textContent = await perform(el, run);
    } catch (err) {
      out.classList.add('error');
      out.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      for (const b of siblings) b.disabled = false;
    }
  });
}

if (typeof document !== 'undefined') main();

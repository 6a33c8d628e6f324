// Guided lessons, one per axis of the pruning taxonomy plus the lottery ticket (IMP).
// Each lesson is data: a preset of settings, its steps (i18n keys `lesson.ID.s1…`), and a function
// that reads the live state to fill in `lesson.ID.result` — the result is measured, not canned.
import { t } from './i18n.js';
import { headlineAccuracy, int, num, pct, pctList } from './format.js';

/** @typedef {import('./dispatch.js').AppState} AppState */
/** @typedef {import('../types.js').LevelResult} LevelResult */

/**
 * @typedef {object} Lesson
 * @property {string} id
 * @property {Record<string, unknown>} preset       settings to load (the rest stay)
 * @property {number} steps                          how many `lesson.ID.sN` keys
 * @property {(s: AppState) => Record<string, string> | null} result
 */

/** @param {AppState} s */
function live(s) {
  const snap = s.frame?.snapshot;
  const ev = s.frame?.evaluation;
  if (!snap || !ev || s.history.length === 0) return null;
  return { snap, ev };
}

/**
 * @param {AppState} s
 * @param {string} key
 */
const opt = (s, key) => t(`opt.${key}.${/** @type {any} */ (s.settings)[key]}`);

/** @type {Lesson[]} */
export const LESSONS = [
  {
    id: 'structure',
    preset: { dataset: 'circle', hidden: [8, 8], fraction: 0.5, schedule: 'oneshot', structure: 'weights', score: 'magnitude', scope: 'global' },
    steps: 3,
    result: (s) => {
      const l = live(s);
      if (!l) return null;
      return {
        structure: opt(s, 'structure'),
        density: pct(l.snap.density),
        flops: int(s.frame?.costs?.flopsSparse),
        test: pct(l.ev.testAccuracy),
        time: s.timing ? `${num(s.timing.msPerRow * 1000)} µs` : t('lesson.notMeasured'),
      };
    },
  },
  {
    id: 'scoring',
    preset: { dataset: 'spiral', hidden: [12, 12], fraction: 0.7, schedule: 'oneshot', structure: 'weights', score: 'magnitude', scope: 'global', epochs: 40, retrainEpochs: 20 },
    steps: 3,
    result: (s) => {
      const l = live(s);
      if (!l) return null;
      return {
        score: opt(s, 'score'),
        scope: opt(s, 'scope'),
        test: pct(l.ev.testAccuracy),
        density: pct(l.snap.density),
        layers: pctList(l.snap.layerDensity),
      };
    },
  },
  {
    id: 'scheduling',
    preset: { dataset: 'moons', hidden: [12, 12], fraction: 0.9, schedule: 'oneshot', rounds: 3, initMode: 'keep', structure: 'weights', score: 'magnitude', scope: 'global', retrainEpochs: 10 },
    steps: 3,
    result: (s) => {
      const l = live(s);
      if (!l) return null;
      return { schedule: opt(s, 'schedule'), density: pct(l.snap.density), test: pct(l.ev.testAccuracy) };
    },
  },
  {
    id: 'init',
    preset: { dataset: 'xor', hidden: [8, 8], fraction: 0.8, schedule: 'oneshot', structure: 'weights', score: 'magnitude', scope: 'global', retrainEpochs: 20 },
    steps: 3,
    result: (s) => {
      const l = live(s);
      if (!l) return null;
      return { density: pct(l.snap.density), test: pct(l.ev.testAccuracy), steps: s.steps.join(' → ') };
    },
  },
  {
    id: 'lottery',
    // MNIST-1D is hard enough for the ticket to separate from the random controls (the core's
    // tests/lottery.rs checks the same effect with this setup at more levels).
    preset: { dataset: 'mnist1d', hidden: [100, 100], optimizer: 'adam', learningRate: 0.001, batchSize: 100, fraction: 0.5, outputRate: 0.5, levels: 5, lotteryEpochs: 25, initMode: 'init', structure: 'weights', score: 'magnitude', scope: 'global', controls: ['random-reinit', 'random-mask'] },
    steps: 3,
    result: (s) => {
      if (s.lottery.length === 0) return null;
      const ticket = s.lottery.filter((r) => r.branch === 'ticket');
      const last = ticket.at(-1);
      if (!last) return null;
      /** @param {string} branch */
      const at = (branch) => s.lottery.find((r) => r.branch === branch && r.level === last.level);
      const na = t('lesson.na');
      /** @param {LevelResult | undefined} r */
      const acc = (r) => (r ? pct(headlineAccuracy(r)) : na);
      return {
        density: pct(last.density),
        ticket: acc(last),
        reinit: acc(at('random-reinit')),
        mask: acc(at('random-mask')),
        dense: acc(ticket[0]),
      };
    },
  },
];

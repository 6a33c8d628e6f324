// Guided lessons: the axes of the pruning taxonomy (structure, scores and norms, schedules,
// initialization and rewinding, L1 as soft pruning), the lottery ticket (IMP), pruning at
// initialization and per-layer rates from a sensitivity scan.
// Each lesson is data: its experiment's every setting and its arms (lessons.json, the same file
// tests/lessons.rs runs natively over several seeds to check each claim the texts make), its
// steps (i18n keys `lesson.ID.s1…`), and a function that reads the live state to fill in
// `lesson.ID.result` — the result is measured, not canned.
import DATA from './lessons.json' with { type: 'json' };
import { hasKey, t } from './i18n.js';
import { headlineAccuracy, int, num, pct, pctList } from './format.js';
import { SCHEMA } from './state.js';

/** @typedef {import('./dispatch.js').AppState} AppState */
/** @typedef {import('../types.js').LevelResult} LevelResult */

/**
 * @typedef {object} Lesson
 * @property {string} id
 * @property {Record<string, unknown>} preset       every setting of the experiment (all but lang/theme)
 * @property {{ id: string, settings: Record<string, unknown>, steps: string[] }[]} arms
 *   the runs a learner compares: the settings that differ, the pipeline steps
 * @property {[string, string, string, string][]} expect   [arm, measure, '>' | '>=', other arm]
 * @property {number} steps                          how many `lesson.ID.sN` keys
 * @property {(s: AppState) => Record<string, string> | null} result
 */

/**
 * A lesson's data; every experiment setting must be given, so neither lesson order nor earlier
 * fiddling changes a lesson's numbers.
 * @param {string} id
 */
function data(id) {
  const d = /** @type {Record<string, { settings: Record<string, unknown>, arms: Lesson['arms'], expect: Lesson['expect'] }>} */ (
    /** @type {unknown} */ (DATA.lessons))[id];
  const missing = SCHEMA.filter((x) => x.group !== 'ui' && !(x.key in d.settings)).map((x) => x.key);
  if (missing.length > 0) throw new Error(`lesson ${id} does not set ${missing.join(', ')}`);
  return { preset: d.settings, arms: d.arms, expect: d.expect };
}

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

/**
 * A lesson's measured result: the settings `keys` as the learner sees them (their option labels),
 * the density, the per-layer densities and the test accuracy of the network shown, and `more`.
 * @param {string[]} keys
 * @param {(s: AppState) => Record<string, string>} [more]
 * @returns {(s: AppState) => Record<string, string> | null}
 */
function measured(keys, more = () => ({})) {
  return (s) => {
    const l = live(s);
    if (!l) return null;
    return {
      ...Object.fromEntries(keys.map((k) => [k, opt(s, k)])),
      density: pct(l.snap.density),
      layers: pctList(l.snap.layerDensity),
      test: pct(l.ev.testAccuracy),
      ...more(s),
    };
  };
}

/**
 * The last Measure if it timed the model shown (same dense FLOPs and nonzero weights), else null:
 * a timing of the network before a structured prune says nothing about the one after it.
 * @param {AppState} s
 */
export function measuredTiming(s) {
  const c = s.frame?.costs;
  return s.timing && c && s.timing.flopsDense === c.flopsDense && s.timing.nonzero === c.nonzero ? s.timing : null;
}

/**
 * The median timing of the model shown with its range, or "not measured".
 * @param {AppState} s
 */
function time(s) {
  const m = measuredTiming(s);
  return m ? `${num(m.msPerRow * 1000)} µs (${num(m.min * 1000)}–${num(m.max * 1000)})` : t('lesson.notMeasured');
}

/** @type {Lesson[]} */
export const LESSONS = [
  {
    id: 'structure',
    ...data('structure'),
    steps: 3,
    result: measured(['structure'], (s) => ({ flops: int(s.frame?.costs?.flopsSparse), time: time(s) })),
  },
  {
    id: 'nm',
    ...data('nm'),
    steps: 3,
    result: measured(['structure', 'pattern']),
  },
  {
    id: 'scoring',
    ...data('scoring'),
    steps: 3,
    result: measured(['score', 'scope']),
  },
  {
    id: 'norms',
    ...data('norms'),
    steps: 3,
    result: measured(['structure', 'score', 'scope']),
  },
  {
    id: 'gradient',
    ...data('gradient'),
    steps: 3,
    result: measured(['score']),
  },
  {
    id: 'scheduling',
    ...data('scheduling'),
    steps: 3,
    result: measured(['schedule']),
  },
  {
    id: 'gradual',
    ...data('gradual'),
    steps: 3,
    result: measured(['schedule']),
  },
  {
    id: 'init',
    ...data('init'),
    steps: 3,
    result: measured([], (s) => ({ steps: s.steps.join(' → ') })),
  },
  {
    id: 'rewindk',
    ...data('rewindk'),
    steps: 3,
    result: measured([], (s) => ({ steps: s.steps.join(' → ') })),
  },
  {
    id: 'l1',
    ...data('l1'),
    steps: 3,
    result: measured([], (s) => ({ l1: String(s.settings.l1) })),
  },
  {
    id: 'lottery',
    ...data('lottery'),
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
  {
    id: 'pai',
    ...data('pai'),
    steps: 3,
    result: (s) => {
      const runs = s.pai?.runs ?? [];
      /** @param {string} method @param {string | null} control */
      const at = (method, control) => runs.find((r) => r.method === method && r.control === control && r.density === 0.1);
      const synflow = at('synflow', null);
      if (!synflow) return null;
      const na = t('lesson.na');
      /** @param {{ testAccuracy: number } | undefined} r */
      const acc = (r) => (r ? pct(r.testAccuracy) : na);
      return { synflow: acc(synflow), reinit: acc(at('synflow', 'reinit')), magnitude: acc(at('magnitude', null)), random: acc(at('random', null)) };
    },
  },
  {
    id: 'sensitivity',
    ...data('sensitivity'),
    steps: 3,
    result: measured([]),
  },
];

/**
 * @typedef {object} Row     one arm as the learner ran it
 * @property {string} arm
 * @property {number} density
 * @property {number} test
 * @property {number | null} prunedTest   test accuracy right after the last cut
 * @property {number} flopsDense
 * @property {number} flopsSparse
 * @property {number | null} time         µs per row, if measured during this arm
 */

/**
 * The arm the current settings and steps are: its settings all match and its last step was the
 * last one taken (after a Train). Null while no arm is complete.
 * @param {Lesson} lesson
 * @param {AppState} s
 */
export function finishedArm(lesson, s) {
  if (!s.steps.includes('train') || !live(s)) return null;
  const settings = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (s.settings));
  // An arm whose rates come from the scan ("use as per-layer rates") has them set.
  const rates = s.settings.layerRates.length > 0 && s.settings.scope === 'layer' && s.settings.fraction === 1;
  return lesson.arms.find((a) =>
    a.steps.at(-1) === s.steps.at(-1)
    && (!a.steps.includes('useRates') || rates)
    && Object.entries(a.settings).every(([k, v]) => JSON.stringify(settings[k]) === JSON.stringify(v))) ?? null;
}

/**
 * The setting values that tell an arm apart, as the learner sees them.
 * @param {Lesson['arms'][number]} arm
 */
export function armLabel(arm) {
  // An arm may have a name of its own (when its settings would make a long label).
  if (hasKey(`lesson.${arm.id}.arm`)) return t(`lesson.${arm.id}.arm`);
  // An empty list (no per-layer rates) only undoes an earlier arm's: nothing to tell apart.
  const parts = Object.entries(arm.settings).filter(([, v]) => !(Array.isArray(v) && v.length === 0)).map(([k, v]) =>
    typeof v === 'string' ? t(`opt.${k}.${v}`) : `${t(`label.${k}`)} ${v}`);
  return parts.join(', ');
}

/**
 * The lesson's expectations checked on the learner's rows: one line each, or null while a row
 * it compares is missing.
 * @param {Lesson} lesson
 * @param {Map<string, Row>} rows
 * @returns {{ ok: boolean, text: string }[]}
 */
export function checkRows(lesson, rows) {
  /** @type {{ ok: boolean, text: string }[]} */
  const out = [];
  for (const [a, measure, op, b] of lesson.expect) {
    const x = rows.get(a);
    const y = rows.get(b);
    const arm = (/** @type {string} */ id) => armLabel(/** @type {Lesson['arms'][number]} */ (lesson.arms.find((r) => r.id === id)));
    const params = { a: arm(a), b: arm(b), measure: t(`lesson.measure.${measure}`), op };
    if (!x || !y) {
      out.push({ ok: true, text: t('lesson.expect.pending', params) });
      continue;
    }
    const vx = /** @type {number | null} */ (/** @type {any} */ (x)[measure]);
    const vy = /** @type {number | null} */ (/** @type {any} */ (y)[measure]);
    if (vx === null || vy === null) continue;
    const ok = op === '>' ? vx > vy : vx >= vy;
    out.push({ ok, text: t(ok ? 'lesson.expect.ok' : 'lesson.expect.no', params) });
  }
  return out;
}

/**
 * The name of a run kept with the tag `lesson:arm`: its arm's label; null for any other tag.
 * @param {string} tag
 * @returns {string | null}
 */
export function tagLabel(tag) {
  const [lessonId, armId] = tag.split(':');
  const arm = LESSONS.find((l) => l.id === lessonId)?.arms.find((a) => a.id === armId);
  return arm ? armLabel(arm) : null;
}

// Several trials of one lottery experiment, for error bars: the CLI's rules (src/lottery/trials.rs)
// in JavaScript, for the worker (which runs each trial) and the page (which draws and exports the
// spread). Trial t is the whole experiment with every seed moved by t — the model's, the data's
// and the controls' draws; trial 0 is the experiment itself. `summarizeTrials` is the CLI's
// `summarize`: the same sums in the same order, so the same numbers bit for bit.

/**
 * @typedef {import('./types.js').LevelResult} LevelResult
 * @typedef {import('./types.js').LotterySpec} LotterySpec
 * @typedef {import('./types.js').PlaygroundConfig} PlaygroundConfig
 * @typedef {{ mean: number, min: number, max: number }} Spread
 * @typedef {object} LevelSummary   one (branch, level) over the trials that reached it
 * @property {string} branch
 * @property {number} level
 * @property {number} trials
 * @property {Spread} density
 * @property {Spread} testAccuracy
 * @property {Spread | null} earlyStopTestAccuracy
 * @property {Spread | null} earlyStopEpoch
 * @property {Spread | null} earlyStopStep
 */

/** The most trials the page offers (the CLI takes up to 10). */
export const MAX_PAGE_TRIALS = 5;

/**
 * The engine config and lottery spec of trial `t`: every seed moved by `t` (an absent seed is the
 * engine's default, 0), the other-seed comparison's too (so it never meets the trial's own seed),
 * nothing else changed, as the CLI's trials do.
 * @template {PlaygroundConfig} C
 * @template {LotterySpec} S
 * @param {C} config
 * @param {S} spec
 * @param {number} t
 * @returns {{ config: C, spec: S }}
 */
export function trialInputs(config, spec, t) {
  if (t === 0) return { config, spec };
  const shift = (/** @type {number | undefined} */ s) => (s ?? 0) + t;
  return {
    config: { ...config, seed: shift(config.seed), dataset: { ...config.dataset, seed: shift(config.dataset?.seed) } },
    spec: {
      ...spec,
      seed: shift(spec.seed),
      ...(spec.compareSeed !== undefined ? { compareSeed: shift(spec.compareSeed) } : {}),
    },
  };
}

/**
 * Mean, minimum and maximum of `values` (summed in order, as the CLI does); null for none.
 * @param {number[]} values
 * @returns {Spread | null}
 */
export function spread(values) {
  if (values.length === 0) return null;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { mean: sum / values.length, min, max };
}

/**
 * Each (branch, level) found in any trial, in the order of the first trial that has it, with the
 * spread of its numbers over the trials that reached it.
 * @param {LevelResult[][]} trials
 * @returns {LevelSummary[]}
 */
export function summarizeTrials(trials) {
  /** @type {Map<string, { branch: string, level: number }>} */
  const keys = new Map();
  for (const r of trials.flat()) {
    const k = `${r.branch}:${r.level}`;
    if (!keys.has(k)) keys.set(k, { branch: r.branch, level: r.level });
  }
  return [...keys.values()].map(({ branch, level }) => {
    const rs = trials.flatMap((h) => h.find((r) => r.branch === branch && r.level === level) ?? []);
    /** @param {(r: LevelResult) => number | null | undefined} f */
    const of = (f) => spread(rs.map(f).filter((v) => v !== null && v !== undefined).map(Number));
    return {
      branch,
      level,
      trials: rs.length,
      density: /** @type {Spread} */ (of((r) => r.density)),
      testAccuracy: /** @type {Spread} */ (of((r) => r.testAccuracy)),
      earlyStopTestAccuracy: of((r) => r.earlyStopTestAccuracy),
      earlyStopEpoch: of((r) => r.earlyStopEpoch),
      earlyStopStep: of((r) => r.earlyStopStep),
    };
  });
}

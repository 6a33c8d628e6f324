// Settings: ONE schema table (key, type, default, allowed values, group) that drives the
// controls, validation, the engine config and URL serialize/parse. Nothing else lists settings.

/**
 * @typedef {'data' | 'model' | 'training' | 'pruning' | 'lottery' | 'ui'} Group
 * @typedef {object} Setting
 * @property {string} key
 * @property {'enum' | 'int' | 'number' | 'widths' | 'rates' | 'set'} type
 *   enum: one of `values`; int/number: within [min, max] (and one of `values` if given);
 *   widths: comma-separated positive integers; rates: comma-separated numbers in [min, max]
 *   (empty: none); set: a subset of `values`
 * @property {string | number | number[] | string[]} default
 * @property {readonly (string | number)[]} [values]
 * @property {number} [min]
 * @property {number} [max]
 * @property {Group} group
 * @property {boolean} rebuild    a change needs a new network (the engine config changed)
 * @property {string} [url]       short URL key (default: key)
 * @property {(s: Settings) => boolean} [shown]  shown only when this holds
 */

/**
 * @typedef {object} Settings
 * @property {string} dataset
 * @property {number} noise
 * @property {number} trainFraction
 * @property {number} validation     share of the training points held out for early stopping
 * @property {number[]} hidden
 * @property {string} activation
 * @property {string} weightInit      kaiming-normal | kaiming-uniform | glorot-normal | glorot-uniform | torch
 * @property {string} optimizer
 * @property {number} learningRate
 * @property {number} batchSize
 * @property {number} l1
 * @property {number} l2
 * @property {number} shift       training images moved by up to this many pixels each way (image data only; 0 = off)
 * @property {number} seed
 * @property {number} epochs
 * @property {number} rewindStep
 * @property {string} structure
 * @property {string} score
 * @property {string} scope
 * @property {string} pattern     N:M semi-structured sparsity ('2:4', …) instead of the fraction; 'off' = none
 * @property {string} schedule
 * @property {number} rounds
 * @property {string} initMode
 * @property {number} fraction
 * @property {number} outputRate
 * @property {number[]} layerRates   layer scope: a rate per layer before the output; [] = all 1
 * @property {number} retrainEpochs
 * @property {number} levels
 * @property {number} lotteryEpochs
 * @property {string[]} controls
 * @property {number} trials   the whole lottery experiment per seed shift 0 … trials − 1 (error bars)
 * @property {string} lang
 * @property {string} theme
 */

export const DATASETS = /** @type {const} */ (['circle', 'xor', 'gauss', 'spiral', 'moons', 'mnist1d', 'digits', 'mnist', 'csv']);
/** Data sets of square images (the core's DatasetKind::image_side): the `shift` setting applies. */
export const IMAGES = ['digits', 'mnist'];
/** Data sets with two features: drawn as a decision boundary. */
export const TOY_2D = ['circle', 'xor', 'gauss', 'spiral', 'moons'];

/**
 * A sensible starting network per data set: 8-8 tanh suits the 2D toys, but MNIST-1D and the
 * digits need wider relu layers to show anything. Applied when the data set changes while the
 * network is still the previous data set's suggestion, so a learner's own choices are kept.
 * @type {Record<string, { hidden: number[], activation: string, learningRate: number, batchSize: number, shift: number }>}
 */
const SUGGESTED = {
  toy: { hidden: [8, 8], activation: 'tanh', learningRate: 0.01, batchSize: 10, shift: 0 },
  mnist1d: { hidden: [100, 100], activation: 'relu', learningRate: 0.001, batchSize: 100, shift: 0 },
  digits: { hidden: [64, 32], activation: 'relu', learningRate: 0.001, batchSize: 32, shift: 0 },
  // Frankle & Carbin's LeNet-300-100 (config::preset in the core), its images shifted by up to 1 pixel.
  mnist: { hidden: [300, 100], activation: 'relu', learningRate: 0.0012, batchSize: 60, shift: 1 },
};

/** Data sets with a fixed split (the core's): the split settings do not apply to them. */
export const FIXED_SPLIT = ['mnist'];

/**
 * The settings after switching `from` to data set `to`: the new data set's suggested network if
 * the current one is untouched, else the current one.
 * @param {Settings} from
 * @param {string} to
 * @returns {Settings}
 */
export function switchDataset(from, to) {
  const key = (/** @type {string} */ d) => (TOY_2D.includes(d) ? 'toy' : d);
  const prev = SUGGESTED[key(from.dataset)];
  const next = SUGGESTED[key(to)];
  const untouched = prev && Object.entries(prev).every(
    ([k, v]) => JSON.stringify(/** @type {Record<string, unknown>} */ (from)[k]) === JSON.stringify(v),
  );
  return /** @type {Settings} */ ({ ...from, dataset: to, ...(untouched && next ? next : {}) });
}

/** @type {readonly Setting[]} */
export const SCHEMA = [
  { key: 'dataset', type: 'enum', values: DATASETS, default: 'circle', group: 'data', rebuild: true, url: 'data' },
  { key: 'noise', type: 'number', values: [0, 0.05, 0.1, 0.2, 0.3, 0.5], min: 0, max: 0.5, default: 0.1, group: 'data', rebuild: true,
    shown: (s) => TOY_2D.includes(s.dataset) },
  { key: 'trainFraction', type: 'number', values: [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9], min: 0.1, max: 0.9, default: 0.5, group: 'data', rebuild: true, url: 'split',
    shown: (s) => !FIXED_SPLIT.includes(s.dataset) },
  { key: 'validation', type: 'number', values: [0, 0.05, 0.1, 0.2, 0.3], min: 0, max: 0.5, default: 0.1, group: 'data', rebuild: true, url: 'val',
    shown: (s) => !FIXED_SPLIT.includes(s.dataset) },
  { key: 'hidden', type: 'widths', default: [8, 8], min: 1, max: 300, group: 'model', rebuild: true },
  { key: 'activation', type: 'enum', values: ['tanh', 'relu', 'sigmoid', 'linear'], default: 'tanh', group: 'model', rebuild: true, url: 'act' },
  { key: 'weightInit', type: 'enum', values: ['kaiming-normal', 'kaiming-uniform', 'glorot-normal', 'glorot-uniform', 'torch'], default: 'kaiming-normal', group: 'model', rebuild: true, url: 'winit' },
  { key: 'optimizer', type: 'enum', values: ['adam', 'momentum', 'sgd'], default: 'adam', group: 'training', rebuild: true, url: 'opt' },
  { key: 'learningRate', type: 'number', values: [0.0001, 0.001, 0.0012, 0.003, 0.01, 0.03, 0.1, 0.3, 1], min: 0.0001, max: 1, default: 0.01, group: 'training', rebuild: true, url: 'lr' },
  { key: 'batchSize', type: 'int', min: 1, max: 1000, default: 10, group: 'training', rebuild: true, url: 'batch' },
  { key: 'l1', type: 'number', values: [0, 0.00001, 0.0001, 0.001, 0.01], min: 0, max: 0.01, default: 0, group: 'training', rebuild: true },
  { key: 'l2', type: 'number', values: [0, 0.00001, 0.0001, 0.001, 0.01], min: 0, max: 0.01, default: 0, group: 'training', rebuild: true },
  // TrainConfig.shift in the core (0 to MAX_SHIFT = 3); sent to the engine for image data only.
  { key: 'shift', type: 'int', values: [0, 1, 2, 3], min: 0, max: 3, default: 0, group: 'training', rebuild: true,
    shown: (s) => IMAGES.includes(s.dataset) },
  { key: 'seed', type: 'int', min: 0, max: 1_000_000, default: 0, group: 'training', rebuild: true },
  { key: 'epochs', type: 'int', min: 1, max: 500, default: 20, group: 'training', rebuild: false, url: 'ep' },
  { key: 'rewindStep', type: 'int', min: 0, max: 100_000, default: 0, group: 'training', rebuild: true, url: 'k' },
  { key: 'structure', type: 'enum', values: ['weights', 'neurons'], default: 'weights', group: 'pruning', rebuild: false, url: 'st' },
  { key: 'score', type: 'enum', values: ['magnitude', 'lp:1', 'lp:2', 'lp:inf', 'lp:1:raw', 'random', 'snip', 'grasp', 'synflow'], default: 'magnitude', group: 'pruning', rebuild: false, url: 'sc' },
  { key: 'scope', type: 'enum', values: ['global', 'layer'], default: 'global', group: 'pruning', rebuild: false },
  // N:M semi-structured sparsity (PruneSpec.pattern in the core), weights only.
  { key: 'pattern', type: 'enum', values: ['off', '2:4', '1:4', '4:8'], default: 'off', group: 'pruning', rebuild: false, url: 'nm',
    shown: (s) => s.structure === 'weights' },
  { key: 'schedule', type: 'enum', values: ['oneshot', 'iterative', 'gradual'], default: 'oneshot', group: 'pruning', rebuild: false, url: 'sched' },
  { key: 'rounds', type: 'int', min: 2, max: 20, default: 3, group: 'pruning', rebuild: false,
    shown: (s) => s.schedule !== 'oneshot' },
  { key: 'initMode', type: 'enum', values: ['keep', 'init', 'step', 'reinit'], default: 'init', group: 'pruning', rebuild: false, url: 'init' },
  // Up to 1: with per-layer rates, fraction 1 prunes each layer to exactly its rate.
  { key: 'fraction', type: 'number', values: [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95], min: 0.01, max: 1, default: 0.2, group: 'pruning', rebuild: false, url: 'frac' },
  { key: 'outputRate', type: 'number', values: [0, 0.5, 1], min: 0, max: 1, default: 0.5, group: 'pruning', rebuild: false, url: 'out' },
  { key: 'layerRates', type: 'rates', default: [], min: 0, max: 1, group: 'pruning', rebuild: false, url: 'rates' },
  { key: 'retrainEpochs', type: 'int', min: 1, max: 200, default: 10, group: 'pruning', rebuild: false, url: 'rt' },
  { key: 'levels', type: 'int', min: 1, max: 20, default: 3, group: 'lottery', rebuild: false, url: 'lv' },
  { key: 'lotteryEpochs', type: 'int', min: 1, max: 200, default: 10, group: 'lottery', rebuild: false, url: 'lep' },
  { key: 'controls', type: 'set', values: ['random-reinit', 'random-mask', 'other-seed'], default: ['random-reinit', 'random-mask'], group: 'lottery', rebuild: false, url: 'ctl' },
  // Trial t moves every seed by t, as the CLI's `--trials` (lottery-trials.js); the page offers up to 5.
  { key: 'trials', type: 'int', min: 1, max: 5, default: 1, group: 'lottery', rebuild: false, url: 'tr' },
  { key: 'lang', type: 'enum', values: ['en', 'ko'], default: 'en', group: 'ui', rebuild: false },
  { key: 'theme', type: 'enum', values: ['auto', 'light', 'dark'], default: 'auto', group: 'ui', rebuild: false },
];

/**
 * The i18n key naming a lottery branch. The main line is a winning ticket only when its
 * survivors go back to θ₀ (or to step k); pruned and reinitialized, or pruned and fine-tuned,
 * it is something else, and is called so.
 * @param {string} branch
 * @param {string} initMode
 */
export function branchKey(branch, initMode) {
  if (branch === 'ticket' && (initMode === 'reinit' || initMode === 'keep')) return `branch.ticket-${initMode}`;
  return `branch.${branch}`;
}

/** @param {string} key */
export function setting(key) {
  const s = SCHEMA.find((x) => x.key === key);
  if (!s) throw new Error(`unknown setting: ${key}`);
  return s;
}

/** @returns {Settings} */
export function defaults() {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const s of SCHEMA) out[s.key] = Array.isArray(s.default) ? [...s.default] : s.default;
  return /** @type {Settings} */ (/** @type {unknown} */ (out));
}

/** Most characters of a refused value a message quotes. */
export const QUOTE_MAX = 40;

/**
 * A value from a link, a file or an attribute as a message quotes it: in quotes, cut after
 * QUOTE_MAX characters with its length said, so a huge value cannot flood the message.
 * @param {string} text
 */
export function quote(text) {
  const chars = [...text];
  if (chars.length <= QUOTE_MAX) return JSON.stringify(text);
  return `${JSON.stringify(chars.slice(0, QUOTE_MAX).join(''))}… (${chars.length} characters)`;
}

/**
 * Parses a raw (string) value for a setting; throws an Error naming the key and what is allowed.
 * @param {Setting} s
 * @param {string} raw
 * @returns {string | number | number[] | string[]}
 */
export function parseValue(s, raw) {
  const text = raw.trim();
  const allowed = () => (s.values ? s.values.join(', ') : `${s.min}…${s.max}`);
  const fail = () => {
    throw new Error(`${s.key}: ${quote(raw)} (allowed: ${allowed()})`);
  };
  switch (s.type) {
    case 'enum':
      if (!s.values?.includes(text)) fail();
      return text;
    case 'int':
    case 'number': {
      const v = Number(text);
      if (text === '' || !Number.isFinite(v)) fail();
      if (s.type === 'int' && !Number.isInteger(v)) fail();
      if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max)) fail();
      return v;
    }
    case 'widths': {
      if (text === '') return [];
      const parts = text.split(/[\s,]+/).filter(Boolean).map(Number);
      if (parts.length > 6 || parts.some((v) => !Number.isInteger(v) || v < (s.min ?? 1) || v > (s.max ?? 256))) fail();
      return parts;
    }
    case 'rates': {
      if (text === '') return [];
      const parts = text.split(/[\s,]+/).filter(Boolean);
      const values = parts.map(Number);
      if (parts.length > 6 || values.some((v) => !Number.isFinite(v) || v < (s.min ?? 0) || v > (s.max ?? 1))) fail();
      return values;
    }
    case 'set': {
      const parts = text === '' ? [] : text.split(',').map((p) => p.trim());
      if (parts.some((p) => !s.values?.includes(p))) fail();
      return parts;
    }
  }
}

/**
 * The URL form of a value.
 * @param {Setting} s
 * @param {unknown} v
 */
export function formatValue(s, v) {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** Query keys that are not settings: the step log (steplog.js) and classroom mode (classroom.js). */
export const EXTRA_QUERY_KEYS = ['steps', 'controls'];

/**
 * Settings from a URL query; unknown keys are ignored and invalid values fall back to the default with a problem reported.
 * @param {URLSearchParams} params
 * @param {Settings} [base]
 * @returns {{ settings: Settings, problems: string[] }}
 */
export function fromQuery(params, base = defaults()) {
  const settings = /** @type {Record<string, unknown>} */ ({ ...base });
  /** @type {string[]} */
  const problems = [];
  const known = new Set([...SCHEMA.map((s) => s.url ?? s.key), ...EXTRA_QUERY_KEYS]);
  for (const key of new Set(params.keys())) {
    if (!known.has(key)) problems.push(`unknown key ${quote(key)} ignored`);
  }
  for (const s of SCHEMA) {
    const raw = params.get(s.url ?? s.key);
    if (raw === null) continue;
    try {
      settings[s.key] = parseValue(s, raw);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return { settings: /** @type {Settings} */ (/** @type {unknown} */ (settings)), problems };
}

/**
 * The URL query for the settings that differ from the defaults.
 * @param {Settings} settings
 */
export function toQuery(settings) {
  const params = new URLSearchParams();
  const d = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (defaults()));
  const cur = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (settings));
  for (const s of SCHEMA) {
    const v = formatValue(s, cur[s.key]);
    if (v !== formatValue(s, d[s.key])) params.set(s.url ?? s.key, v);
  }
  return params;
}

/**
 * The engine config (docs/api.md) for these settings.
 * @param {Settings} s
 * @param {string} [csv]     CSV text when the data set is 'csv'
 * @returns {import('../types.js').PlaygroundConfig}
 */
export function engineConfig(s, csv) {
  return {
    dataset: {
      kind: s.dataset,
      noise: s.noise,
      trainFraction: s.trainFraction,
      validation: s.validation,
      seed: s.seed,
      ...(s.dataset === 'csv' ? { csv } : {}),
    },
    hidden: s.hidden,
    activation: s.activation,
    init: s.weightInit,
    optimizer: s.optimizer,
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    l1: s.l1,
    l2: s.l2,
    seed: s.seed,
    ...(s.rewindStep > 0 ? { rewindStep: s.rewindStep } : {}),
    ...(s.shift > 0 && IMAGES.includes(s.dataset) ? { shift: s.shift } : {}),
  };
}

/**
 * The N:M pattern of these settings for the engine ('2:4'), or null: none, or neurons.
 * @param {Settings} s
 * @returns {string | null}
 */
export function patternOf(s) {
  return s.pattern !== 'off' && s.structure === 'weights' ? s.pattern : null;
}

/**
 * The prune spec for these settings.
 * @param {Settings} s
 * @param {number} [fraction]   overrides s.fraction (the per-round fraction of iterative schedules)
 * @param {string | null} [pattern]   overrides the settings' pattern (an iterative round's k:m;
 *   null: none)
 * @returns {import('../types.js').PruneSpec}
 */
export function pruneSpec(s, fraction = s.fraction, pattern = patternOf(s)) {
  return {
    structure: /** @type {'weights' | 'neurons'} */ (s.structure),
    score: s.score,
    scope: /** @type {'global' | 'layer'} */ (s.scope),
    fraction,
    outputRate: s.outputRate,
    ...(s.layerRates.length > 0 ? { layerRates: s.layerRates } : {}),
    seed: s.seed,
    ...(pattern ? { pattern } : {}),
  };
}

/**
 * The lottery spec for these settings.
 * @param {Settings} s
 * @returns {import('../types.js').LotterySpec}
 */
export function lotterySpec(s) {
  const init = s.initMode === 'step' ? `step:${s.rewindStep}` : s.initMode;
  const pattern = patternOf(s);
  return {
    levels: s.levels,
    fraction: s.fraction,
    structure: s.structure,
    score: s.score,
    scope: s.scope,
    outputRate: s.outputRate,
    ...(s.layerRates.length > 0 ? { layerRates: s.layerRates } : {}),
    ...(pattern ? { pattern } : {}),
    init,
    // 'other-seed' is no control branch: it runs the ticket line of model seed + 1 beside the
    // ticket for the mask analysis (LotterySpec.compareSeed).
    controls: s.controls.filter((c) => c !== 'other-seed'),
    epochs: s.lotteryEpochs,
    seed: s.seed,
    ...(s.controls.includes('other-seed') ? { compareSeed: s.seed + 1 } : {}),
    ...(s.trials > 1 ? { trials: s.trials } : {}),
  };
}

// Presets of the <pruning-playground> element (`preset="…"`): a lesson's settings (lessons.js)
// plus which controls and views suit that comparison. The element's own `controls` and `views`
// attributes, and every config attribute, override what a preset chooses.
import { LESSONS } from './lessons.js';

/**
 * @typedef {object} Preset
 * @property {Record<string, unknown>} settings   settings keys (state.js SCHEMA), the rest default
 * @property {string} controls                     default for the `controls` attribute
 * @property {string} views                        default for the `views` attribute
 */

/**
 * Frankle & Carbin (2019), figure 3: LeNet-300-100 on MNIST, layer-wise magnitude pruning of 20 %
 * per level (the output layer at half that rate), rewound to θ₀, against a random reinit and a
 * random mask; 13 levels counting the dense one (12 prunings, 6.9 % of the weights remaining).
 * Training images are shifted by up to 1 pixel (the one departure from the paper: 7,000 training
 * digits, not 55,000).
 * The same experiment as the core's preset `frankle-carbin-lenet` (Playground.preset; the
 * MNIST e2e spec checks they agree).
 */
export const FRANKLE_CARBIN = {
  dataset: 'mnist', noise: 0.1, trainFraction: 0.5, validation: 0.1,
  hidden: [300, 100], activation: 'relu', weightInit: 'glorot-normal',
  optimizer: 'adam', learningRate: 0.0012, batchSize: 60, l1: 0, l2: 0, shift: 1, seed: 0, epochs: 10, rewindStep: 0,
  structure: 'weights', score: 'magnitude', scope: 'layer', schedule: 'oneshot', rounds: 3, initMode: 'init',
  fraction: 0.2, outputRate: 0.5, retrainEpochs: 10,
  levels: 13, lotteryEpochs: 10, controls: ['random-reinit', 'random-mask'],
};

/** @param {string} id */
function lessonPreset(id) {
  const lesson = LESSONS.find((l) => l.id === id);
  if (!lesson) throw new Error(`no lesson ${id}`);
  return lesson.preset;
}

/** @type {Record<string, Preset>} */
export const PRESETS = {
  // Train, prune, rewind to θ₀, retrain — and the lottery run with its random controls.
  lottery: {
    settings: lessonPreset('lottery'),
    controls: 'fraction levels lotteryEpochs train prune rewind reinit retrain lottery cancel reset',
    views: 'training curve density',
  },
  'structured-vs-unstructured': {
    settings: lessonPreset('structure'),
    controls: 'structure fraction train prune retrain reset cancel',
    views: 'network boundary training density',
  },
  'global-vs-local': {
    settings: lessonPreset('scoring'),
    controls: 'scope score fraction train prune retrain reset cancel',
    views: 'network boundary density histogram',
  },
  'one-shot-vs-iterative': {
    settings: lessonPreset('scheduling'),
    controls: 'schedule rounds fraction train prune retrain reset cancel',
    views: 'network boundary training density',
  },
  'frankle-carbin-lenet': {
    settings: FRANKLE_CARBIN,
    controls: 'levels lotteryEpochs controls lottery cancel reset',
    views: 'curve network training density',
  },
};

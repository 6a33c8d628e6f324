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
};

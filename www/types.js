// Shared JSDoc types of the engine contract (docs/api.md) for the page and the worker.
// Type-checked by `tsc`; no runtime code. The config objects are generated from the Rust
// settings into config-types.js (tests/js_types.rs) and named here for the modules that import
// them from this file.

/**
 * @typedef {import('./config-types.js').DatasetConfig} DatasetConfig
 * @typedef {import('./config-types.js').PlaygroundConfig} PlaygroundConfig
 * @typedef {import('./config-types.js').PruneSpec} PruneSpec
 * @typedef {import('./config-types.js').LotterySpec} LotterySpec
 * @typedef {import('./config-types.js').GradualSpec} GradualSpec
 */

/**
 * @typedef {object} EpochMetrics
 * @property {number} epoch
 * @property {number} step
 * @property {number} trainLoss
 * @property {number} testLoss
 * @property {number} trainAccuracy
 * @property {number} testAccuracy
 * @property {number | null} valLoss       on the validation split (null without one)
 * @property {number | null} valAccuracy
 */

/**
 * @typedef {object} Evaluation
 * @property {number} trainLoss
 * @property {number} testLoss
 * @property {number} trainAccuracy
 * @property {number} testAccuracy
 */

/**
 * @typedef {object} PruneResult
 * @property {string} structure
 * @property {number} removed
 * @property {number} remaining
 * @property {number} density
 * @property {number[]} layerDensity
 * @property {number[]} removedPerLayer
 * @property {number} threshold
 */

/**
 * @typedef {object} LayerSnapshot
 * @property {number[]} shape           [out, in]
 * @property {Float32Array} weights     row-major [out, in]
 * @property {Float32Array} initialWeights
 * @property {Uint8Array} mask
 * @property {Float32Array} bias
 * @property {number[]} neuronIds       original indices of this layer's neurons
 */

/**
 * @typedef {object} Snapshot
 * @property {number} step
 * @property {number} epoch
 * @property {number} density
 * @property {number[]} layerDensity
 * @property {number[]} widths
 * @property {number[]} originalWidths
 * @property {LayerSnapshot[]} layers
 */

/**
 * @typedef {object} DatasetInfo
 * @property {string} name
 * @property {number} nFeatures
 * @property {number} nClasses
 * @property {string[]} featureNames
 * @property {Float32Array} xTrain
 * @property {Uint8Array | Uint16Array} yTrain Uint16Array when nClasses > 256
 * @property {Float32Array} xTest
 * @property {Uint8Array | Uint16Array} yTest
 */

/**
 * @typedef {object} Histogram
 * @property {number[]} edges
 * @property {number[]} counts
 * @property {number | null} threshold
 */

/**
 * @typedef {object} Costs
 * @property {number} parameters
 * @property {number} nonzero
 * @property {number} denseBytes
 * @property {number} sparseBytes
 * @property {number} flopsDense
 * @property {number} flopsSparse
 */

/**
 * @typedef {object} LotteryProgress
 * @property {string} branch
 * @property {number} level
 * @property {number} epoch
 * @property {number} epochsDone
 * @property {number} epochsTotal
 * @property {boolean} finished
 */

/**
 * The share of the ticket's survivors another mask also keeps, |A∩B|/|A|, per layer (hidden layer
 * for neuron tickets) and overall, beside the chance level of an independent random mask, |B|/n.
 * @typedef {object} Agreement
 * @property {number[]} layer
 * @property {number[]} layerChance
 * @property {number} overall
 * @property {number} chance
 */

/**
 * θ₀ of one layer binned (edges symmetric around 0), survivors and pruned weights apart.
 * @typedef {object} InitHistogram
 * @property {number[]} edges
 * @property {number[]} kept
 * @property {number[]} pruned
 */

/**
 * @typedef {object} MaskAnalysis
 * @property {Agreement} vsRandomMask
 * @property {Agreement | null} vsInitMagnitude  null for neuron tickets
 * @property {Agreement | null} vsOtherSeed      null unless another seed's ticket was run
 * @property {InitHistogram[]} initHistogram     empty for neuron tickets
 */

/**
 * @typedef {object} LevelResult
 * @property {string} branch
 * @property {number} level
 * @property {number} density
 * @property {number[]} layerDensity
 * @property {number} testAccuracy                 after the last epoch
 * @property {number | null} earlyStopEpoch         the epoch of least validation loss (null without a validation split)
 * @property {number | null} earlyStopStep          the optimizer step at its end
 * @property {number | null} earlyStopTestAccuracy  the test accuracy there: the headline number
 * @property {MaskAnalysis | null} maskAnalysis     the ticket's mask against others (null at level 0 and on controls)
 * @property {boolean} diverged
 * @property {EpochMetrics[]} epochs             the level's training, epoch by epoch
 */

/**
 * What the worker's `frame` method returns: everything the views draw, in one round trip.
 * Fields are absent when the engine lacks the method (older wasm) or the view is not needed.
 * @typedef {object} Frame
 * @property {Snapshot} [snapshot]
 * @property {Evaluation} [evaluation]
 * @property {EpochMetrics[]} [history]
 * @property {Histogram} [histogram]
 * @property {Costs} [costs]
 * @property {Float32Array} [grid]          predictGrid over FrameOptions.range
 * @property {Float32Array[]} [maps]        neuronMaps over FrameOptions.range
 */

/**
 * @typedef {object} FrameOptions
 * @property {number} [gridResolution]      0 or absent: no grid
 * @property {number} [mapResolution]       0 or absent: no neuron maps
 * @property {[[number, number], [number, number]]} [range]  [[x0, x1], [y0, y1]]
 * @property {number} [histogramBins]
 * @property {boolean} [history]
 */

/**
 * What the worker's `create` method returns.
 * @typedef {object} CreateResult
 * @property {number} apiVersion
 * @property {string[]} methods          the Playground methods this wasm build has
 * @property {DatasetInfo} dataset
 * @property {PlaygroundConfig} [config]
 */

/**
 * Progress messages from long runs in the worker.
 * @typedef {{ type: 'progress', id: number, kind: 'train', done: number, total: number, metrics: EpochMetrics[] }
 *   | { type: 'progress', id: number, kind: 'play', epoch: number, metrics: EpochMetrics[] }
 *   | { type: 'progress', id: number, kind: 'lottery', step: LotteryProgress, history: LevelResult[], trials?: LevelResult[][] }
 *   | { type: 'progress', id: number, kind: 'data', loaded: number, total: number | null }} Progress
 */

/**
 * Messages page → worker.
 * @typedef {{ id: number, method: string, args: unknown[] } | { type: 'cancel' } | { type: 'feed', structure: unknown }} Request
 */

/**
 * An engine error as data (crates/core/src/error.rs; docs/api.md): `kind` and the kind's fields,
 * and the English `message`. app/engine-text.js words it in the page's language.
 * @typedef {{ kind: string, message?: string } & Record<string, any>} EngineError
 */

/**
 * Messages worker → page.
 * @typedef {{ id: number, result: unknown } | { id: number, error: string, detail?: EngineError, crashed?: boolean } | Progress} Reply
 *   crashed: the wasm instance trapped; the worker has closed itself
 */

export {};

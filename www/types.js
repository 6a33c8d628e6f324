// Shared JSDoc types for main.js and worker.js (type-checked by `tsc`; no runtime code).

/**
 * @typedef {object} DatasetConfig
 * @property {string} kind            e.g. 'circle'
 * @property {number} [noise]
 * @property {number} [trainFraction]
 * @property {number} [samples]
 * @property {number} [seed]
 */

/**
 * The object passed to `new Playground(config)`.
 * @typedef {object} PlaygroundConfig
 * @property {DatasetConfig} dataset
 * @property {number[]} hidden
 * @property {string} activation
 * @property {string} optimizer
 * @property {number} learningRate
 * @property {number} batchSize
 * @property {number} seed
 */

/**
 * One element of the array returned by `Playground.train(epochs)`.
 * @typedef {object} EpochMetrics
 * @property {number} epoch
 * @property {number} trainLoss
 * @property {number} testLoss
 * @property {number} trainAccuracy
 * @property {number} testAccuracy
 */

/**
 * What `Playground.evaluate()` returns.
 * @typedef {object} Evaluation
 * @property {number} trainLoss
 * @property {number} testLoss
 * @property {number} trainAccuracy
 * @property {number} testAccuracy
 */

/**
 * @typedef {object} TrainRequest
 * @property {'train'} type
 * @property {PlaygroundConfig} config
 * @property {number} epochs
 */

/**
 * @typedef {{ type: 'ready' }
 *   | { type: 'epoch', metrics: EpochMetrics }
 *   | { type: 'done', evaluation: Evaluation, ms: number }
 *   | { type: 'error', message: string }} WorkerMessage
 */

export {};

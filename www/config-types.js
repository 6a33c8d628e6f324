// Generated from src/config.rs by tests/js_types.rs: do not edit by hand.
// Rewrite it with `UPDATE_JS_TYPES=1 cargo test --test js_types`.
// The config objects of the JS API (docs/api.md); no runtime code.

/**
 * Which data to use: a built-in dataset by name, or CSV text.
 * @typedef {object} DatasetConfig
 * @property {string} [kind] `circle`, `xor`, `gauss`, `spiral`, `moons`, `mnist1d`, `digits`, `mnist` or `csv`. Default: "circle".
 * @property {number} [noise] Noise of the toy sets, 0 to 0.5. Default: 0.1.
 * @property {number} [trainFraction] Fraction of samples used for training. Default: 0.5.
 * @property {number} [samples] Samples of a toy set (train + test). Default: 500.
 * @property {number} [seed] Seed of generation and split. Default: 0.
 * @property {number} [validation] Fraction of the training samples held out as the validation split (0 to 0.5; 0 = none), drawn from `seed`: early stopping reads it, training never sees it. MNIST has its own fixed validation split and ignores this. Default: 0.1.
 * @property {string} [csv] The CSV text when `kind` is `csv`.
 * @property {string} [labelColumn] The label column's name (default: the last column).
 */

/**
 * Everything that defines an experiment before any step is taken. Field names are camelCase in JSON/JS; enumerations are given by name so that a wrong value gets a message listing the allowed ones.
 * @typedef {object} PlaygroundConfig
 * @property {DatasetConfig} [dataset] The data.
 * @property {number[]} [hidden] Hidden layer widths, input side first. Default: [8, 8].
 * @property {string} [activation] Hidden activation: relu, tanh, sigmoid, linear. Default: "tanh".
 * @property {string} [outputActivation] Output activation; default linear for cross-entropy, tanh for MSE.
 * @property {string} [init] Initializer: kaiming-normal, kaiming-uniform, glorot-normal, glorot-uniform, torch. Default: "kaiming-normal".
 * @property {string} [loss] Loss: cross-entropy or mse. Default: "cross-entropy".
 * @property {string} [optimizer] Optimizer: sgd, momentum, adam. Default: "adam".
 * @property {number} [momentum] Momentum coefficient for `momentum`. Default: 0.9.
 * @property {number} [learningRate] Learning rate. Default: 0.01.
 * @property {number} [batchSize] Mini-batch size. Default: 10.
 * @property {number} [l1] L1 penalty. Default: 0.
 * @property {number} [l2] L2 penalty. Default: 0.
 * @property {number} [seed] Seed of the initial weights and of the data order. Default: 0.
 * @property {number} [rewindStep] Save the weights after this many steps, for late rewinding.
 * @property {number} [shift] Augmentation: each training image moved by a random offset of up to this many pixels in each direction, zero fill (0 to 3; 0, the default, is off). Image data only (digits, MNIST); validation and test images are never moved. Default: 0.
 */

/**
 * One pruning step as the CLI flags and the JS API give it: names, not types, so every wrong value gets a message listing the allowed ones.
 * @typedef {object} PruneSpec
 * @property {string} [structure] `weights` or `neurons`. Default: "weights".
 * @property {string} [score] `magnitude`, `lp:P`, `lp:P:raw`, `random`, `snip`, `synflow` or `grasp`. Default: "magnitude".
 * @property {string} [scope] `global` or `layer`. Default: "global".
 * @property {number} [fraction] Fraction of the remaining weights (or neurons) to prune.
 * @property {number} [count] Or an absolute number to prune (exactly one of `fraction` and `count`).
 * @property {number} [outputRate] Output layer pruned at `fraction × outputRate`; 0 leaves it alone. Default: 1.
 * @property {number[]} [layerRates] A rate per layer before the output (neurons: per hidden layer), layer scope only: each loses `fraction × rate` of its remaining entries; 0 leaves it dense. Empty: all 1. Default: [].
 * @property {number} [seed] Seed of the `random` score. Default: 0.
 * @property {string} [pattern] N:M semi-structured sparsity instead of an amount (`2:4`: at most 2 of every 4 consecutive inputs of a neuron stay, in every layer); `fraction`, `count`, `scope` and `outputRate` are then not used. Weights only, without `layerRates`.
 */

/**
 * A lottery experiment as the CLI flags and the JS API give it.
 * @typedef {object} LotterySpec
 * @property {number} [levels] Pruning levels after the dense level 0. Default: 3.
 * @property {number} [fraction] Fraction of the remaining weights (or neurons) pruned per level. Default: 0.2.
 * @property {string} [structure] `weights` or `neurons`. Default: "weights".
 * @property {string} [score] `magnitude`, `lp:P`, `lp:P:raw`, `random`, `snip`, `synflow` or `grasp`. Default: "magnitude".
 * @property {string} [scope] `global` or `layer`. Default: "global".
 * @property {number} [outputRate] Output layer pruned at `fraction × outputRate` (Frankle & Carbin: 0.5). Default: 0.5.
 * @property {number[]} [layerRates] A rate per layer before the output (neurons: per hidden layer), layer scope only: each level prunes `fraction × rate` of its remaining entries; 0 leaves it dense. Empty: all 1. Default: [].
 * @property {string} [pattern] N:M semi-structured sparsity (`2:4`) instead of `fraction`: level L of `levels` prunes every group of M consecutive inputs of a neuron to keep M − round((M − N) · L / levels) (Python's round), the last level N; `scope` and `outputRate` are not used.
 * @property {string} [init] `keep`, `init`, `step:K` or `reinit`. Default: "init".
 * @property {string[]} [controls] Control branches: `random-reinit`, `random-mask`. Default: ["random-reinit"].
 * @property {number} [epochs] Epochs per level and branch. Default: 10.
 * @property {number} [seed] Seed of the controls' draws. Default: 0.
 * @property {number} [compareSeed] A model seed whose ticket line runs beside the ticket for the mask analysis's `vs_other_seed` (doubles the ticket's training); none by default.
 * @property {number} [trials] How many times the whole experiment runs, trial t with every seed moved by t ([`crate::lottery::trials`]), for the mean and min–max of each level; 1 to 10. Default: 1.
 */

/**
 * Gradual pruning during training (Zhu & Gupta 2017), as the JS API gives it.
 * @typedef {object} GradualSpec
 * @property {number} [initialSparsity] Sparsity at `beginStep`. Default: 0.
 * @property {number} [finalSparsity] Sparsity reached at `endStep`. Default: 0.8.
 * @property {number} [beginStep] First pruning step. Default: 0.
 * @property {number} [endStep] Last pruning step. Default: 1000.
 * @property {number} [frequency] Steps between prunings. Default: 100.
 * @property {number} [power] Exponent of the polynomial decay. Default: 3.
 * @property {string} [structure] `weights` or `neurons`. Default: "weights".
 * @property {string} [score] `magnitude`, `lp:P`, `lp:P:raw`, `random`, `snip`, `synflow` or `grasp`. Default: "magnitude".
 * @property {string} [scope] `global` or `layer`. Default: "global".
 * @property {number} [outputRate] Output layer rate (1 = like the others, so the final density is exact). Default: 1.
 * @property {string} [pattern] N:M semi-structured sparsity (`2:4`): the keep count per group of M falls from M to N along the sparsity curve's progress; the sparsities are then not used.
 */

export {};

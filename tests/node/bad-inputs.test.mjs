// Bad input across the engine's boundary (the wasm Playground, which the page, the worker, the
// <pruning-playground> element and bloggers' scripts all go through) and the URL parsers: each
// case is refused with a message naming the field, the value and what is allowed, and the model
// that was there before is untouched (weights, masks, history, lottery state).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circleConfig, loadIo, loadWasm } from './wasm-helpers.mjs';
import { fromQuery } from '../../www/app/state.js';
import { parseSteps } from '../../www/app/steplog.js';
import { defaults } from '../../www/app/state.js';

const { Playground } = await loadWasm();
const io = await loadIo();

/**
 * A Playground as the worker builds one: CSV text goes through the I/O module first.
 * @param {any} config
 */
function create(config) {
  return new Playground(config, config?.dataset?.kind === 'csv' ? io.csvDataset(config) : undefined);
}
/** The worker's exportSafetensors / importSafetensors: the engine and the I/O module together. */
const exportFile = (/** @type {any} */ pg) => io.exportSafetensors(pg.exportModel());
const importFile = (/** @type {any} */ pg, /** @type {Uint8Array} */ bytes) => pg.importModel(io.importSafetensors(bytes));

/** Everything observable about a model, for before/after comparison. */
function state(/** @type {any} */ pg) {
  const snap = pg.snapshot();
  return JSON.stringify({
    layers: snap.layers.map((/** @type {any} */ l) => ({
      w: Array.from(l.weights),
      m: Array.from(l.mask),
      b: Array.from(l.bias),
      w0: Array.from(l.initialWeights),
      shape: l.shape,
    })),
    evaluation: pg.evaluate(),
    history: pg.history().length,
    config: pg.config(),
  });
}

const csv = (/** @type {string} */ text) => circleConfig({ dataset: { kind: 'csv', csv: text } });
const withData = (/** @type {object} */ d) => circleConfig({ dataset: { kind: 'circle', ...d } });

/**
 * [what, call on the trained model `pg` (a second model `other` with 3 inputs for imports), message].
 * @type {[string, (pg: any, x: { good: Uint8Array, other: Uint8Array }) => unknown, RegExp][]}
 */
const CASES = [
  // Config objects (new Playground(config)): a refused config leaves the existing model alone.
  ['hidden width 0', () => new Playground(circleConfig({ hidden: [0] })), /invalid hidden: 0 \(each hidden layer has 1 to 4096 neurons\)/],
  ['hidden width 100000', () => new Playground(circleConfig({ hidden: [100000] })), /invalid hidden: 100000 \(each hidden layer has 1 to 4096 neurons\)/],
  ['40 hidden layers', () => new Playground(circleConfig({ hidden: Array(40).fill(4) })), /invalid hidden: 40 \(at most 16 hidden layers\)/],
  ['16.8 M parameters', () => new Playground(circleConfig({ hidden: [4096, 4096] })), /invalid hidden: 16801794 \(at most 2000000 parameters\)/],
  ['learning rate NaN', () => new Playground(circleConfig({ learningRate: NaN })), /invalid learningRate: NaN \(a finite number\)/],
  ['learning rate Infinity', () => new Playground(circleConfig({ learningRate: Infinity })), /invalid learningRate: Infinity \(a finite number\)/],
  ['learning rate -1', () => new Playground(circleConfig({ learningRate: -1 })), /invalid learning_rate: -1 \(a number in \(0, 10\]\)/],
  ['learning rate as text', () => new Playground(circleConfig({ learningRate: 'fast' })), /invalid config: learningRate: invalid type: string "fast", expected f32/],
  ['batch size 0', () => new Playground(circleConfig({ batchSize: 0 })), /invalid batch_size: 0 \(1 to 4096\)/],
  ['unknown activation', () => new Playground(circleConfig({ activation: 'swish' })), /invalid activation: swish \(one of relu, tanh, sigmoid, linear\)/],
  ['unknown optimizer', () => new Playground(circleConfig({ optimizer: 'lion' })), /invalid optimizer: lion \(one of sgd, momentum, adam\)/],
  ['unknown loss', () => new Playground(circleConfig({ loss: 'hinge' })), /invalid loss: hinge \(one of cross-entropy, mse\)/],
  ['unknown initializer', () => new Playground(circleConfig({ init: 'zeros' })), /invalid init: zeros \(one of kaiming-normal, .*torch\)/],
  ['misspelt key', () => new Playground(circleConfig({ learningrate: 0.1 })), /unknown field `learningrate`, expected one of .*`learningRate`/],
  ['unknown data set', () => new Playground(circleConfig({ dataset: { kind: 'imagenet' } })), /invalid dataset: imagenet \(one of circle, .*csv\)/],
  ['noise 5', () => new Playground(withData({ noise: 5 })), /invalid noise: 5 \(between 0 and 0\.5\)/],
  ['train fraction 1', () => new Playground(withData({ trainFraction: 1 })), /invalid train_fraction: 1 \(strictly between 0 and 1/],
  ['10⁹ samples', () => new Playground(withData({ samples: 1e9 })), /invalid samples: 1000000000 \(between 10 and 20000\)/],
  ['negative seed', () => new Playground(circleConfig({ seed: -1 })), /invalid config: seed: invalid value: integer `-1`, expected u64/],
  ['negative data seed', () => new Playground(withData({ seed: -3 })), /invalid config: dataset\.seed: invalid value: integer `-3`/],
  ['L2 -1', () => new Playground(circleConfig({ l2: -1 })), /invalid l2: -1 \(a number in \[0, 1\]\)/],
  ['config as text', () => new Playground('circle'), /invalid config: invalid type: string "circle", expected struct/],
  ['hidden as text', () => new Playground(circleConfig({ hidden: '8,8' })), /invalid config: hidden: invalid type: string "8,8", expected a sequence/],
  // CSV text.
  ['empty CSV', () => create(csv('')), /CSV line 0: the file is empty/],
  ['CSV header only', () => create(csv('a,b,label\n')), /CSV line 0: only a header row, no data rows/],
  ['ragged CSV row', () => create(csv('a,b,label\n1,2,0\n1,0\n3,4,1\n')), /CSV line 3: expected 3 columns, got 2/],
  ['text in a CSV number column', () => create(csv('a,b,label\n1,2,0\n1,x,1\n3,4,1\n2,2,0\n')), /CSV line 3: column "b": "x" is not a number/],
  ['NaN in CSV', () => create(csv('a,b,label\n1,2,0\n1,NaN,1\n3,4,1\n2,2,0\n')), /CSV line 3: column "b": "NaN" is not a finite number/],
  ['CSV with one class', () => create(csv('a,b,label\n1,2,0\n1,3,0\n3,4,0\n2,2,0\n')), /the label column "label" has only one class \("0"\); need at least 2/],
  ['markup as a CSV', () => create(csv('<script>alert(1)</script>\n1\n')), /CSV line 1: need at least 2 columns \(features and a label\), got 1/],
  ['CSV config without its data set', () => new Playground(csv('a,b,label\n1,2,0\n2,1,1\n')), /a csv data set is read by the I\/O module/],
  ['data set with a label ≥ nClasses', () => {
    const config = csv('a,b,label\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n');
    const data = io.csvDataset(config);
    data.yTrain[0] = 7;
    return new Playground(config, data);
  }, /invalid data set\.yTrain: label 7 \(labels below nClasses = 2\)/],
  ['data set with rows cut short', () => {
    const config = csv('a,b,label\n1,2,0\n2,1,1\n3,3,0\n1,1,1\n');
    const data = io.csvDataset(config);
    data.xTrain = data.xTrain.slice(1);
    return new Playground(config, data);
  }, /invalid data set\.xTrain: \d+ numbers \(\d+ numbers\)/],
  // Prune specs on the trained model.
  ['prune fraction 1.5', (pg) => pg.prune({ fraction: 1.5 }), /invalid amount: 1\.5 \(a fraction of the remaining in \[0, 1\]/],
  ['prune fraction NaN', (pg) => pg.prune({ fraction: NaN }), /invalid fraction: NaN \(a finite number\)/],
  ['prune structure "filters"', (pg) => pg.prune({ structure: 'filters', fraction: 0.5 }), /invalid structure: filters \(one of weights, neurons\)/],
  ['prune score "taylor"', (pg) => pg.prune({ score: 'taylor', fraction: 0.5 }), /invalid score: taylor \(one of magnitude, lp:P/],
  ['prune score lp:0.5', (pg) => pg.prune({ score: 'lp:0.5', fraction: 0.5 }), /invalid score: lp:0\.5 \(one of magnitude, lp:P \(P ≥ 1/],
  ['prune scope "local"', (pg) => pg.prune({ scope: 'local', fraction: 0.5 }), /invalid scope: local \(one of global, layer\)/],
  ['prune output rate 2', (pg) => pg.prune({ fraction: 0.5, outputRate: 2 }), /invalid output_rate: 2 \(a number in \[0, 1\]\)/],
  ['prune spec with an unknown key', (pg) => pg.prune({ fraction: 0.5, amount: 3 }), /unknown field `amount`, expected one of .*`fraction`/],
  ['prune more weights than remain', (pg) => pg.prune({ count: 1000000 }), /invalid amount: count:1000000 \(at most the \d+ weights that remain\)/],
  // Lottery and gradual specs.
  ['lottery with 1000 levels', (pg) => pg.startLottery({ levels: 1000, fraction: 0.2, epochs: 1 }), /invalid levels: 1000 \(0 to 40\)/],
  ['lottery reset "rewind"', (pg) => pg.startLottery({ levels: 2, fraction: 0.2, epochs: 1, init: 'rewind' }), /invalid init: rewind \(one of keep, init, step:K/],
  ['lottery control "shuffle"', (pg) => pg.startLottery({ levels: 2, fraction: 0.2, epochs: 1, controls: ['shuffle'] }), /invalid controls: shuffle \(one of random-reinit, random-mask\)/],
  ['lottery with 20 trials', (pg) => pg.startLottery({ levels: 2, fraction: 0.2, epochs: 1, trials: 20 }), /invalid trials: 20 \(1 to 10\)/],
  ['lottery with 0 epochs', (pg) => pg.startLottery({ levels: 2, fraction: 0.2, epochs: 0 }), /invalid epochs: 0 \(1 to 10000\)/],
  ['lottery step before start', (pg) => pg.lotteryStep(), /no lottery experiment is running; call startLottery first/],
  ['gradual final < initial sparsity', (pg) => pg.setGradual({ initialSparsity: 0.5, finalSparsity: 0.2, beginStep: 0, endStep: 10, frequency: 1 }), /invalid final_sparsity: 0\.2 \(a number in \[initial_sparsity = 0\.5, 1\)\)/],
  ['gradual end before begin', (pg) => pg.setGradual({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 10, endStep: 5, frequency: 1 }), /invalid end_step: 5 \(at least begin_step = 10\)/],
  ['gradual frequency 0', (pg) => pg.setGradual({ initialSparsity: 0, finalSparsity: 0.5, beginStep: 0, endStep: 10, frequency: 0 }), /invalid frequency: 0 \(at least 1 step\)/],
  // Model objects (exportModel / importModel, how models cross to the I/O module).
  ['model object with a short weight array', (pg) => {
    const m = pg.exportModel();
    m.layers[0].weight = new Float32Array(3);
    return pg.importModel(m);
  }, /invalid model\.layers\[0\]\.weight: 3 numbers \(16 numbers\)/],
  ['model object with a mask value 2', (pg) => {
    const m = pg.exportModel();
    m.layers[1].mask[0] = 2;
    return pg.importModel(m);
  }, /invalid mask: 2 \(only 0 and 1\)/],
  ['model object as text', (pg) => pg.importModel('model'), /invalid model: "model" \(a model object\)/],
  // Calls.
  ['rewind to a step never saved', (pg) => pg.rewindTo(5), /no weights were saved at step 5; the rewind point is step 0/],
  ['train 10⁹ epochs', (pg) => pg.train(1e9), /invalid epochs: 1000000000 \(0 to 10000\)/],
  ['predict a partial row', (pg) => pg.predict(new Float32Array(3)), /predict: 3 numbers is not a whole number of rows of 2 features/],
  ['predict NaN', (pg) => pg.predict(new Float32Array([0.5, NaN])), /predict: input 1 \(row 0, feature 1\) is NaN; inputs must be finite numbers/],
  ['grid resolution 0', (pg) => pg.predictGrid(0, [-1, 1], [-1, 1]), /invalid resolution: 0 \(2 to 512\)/],
  ['grid resolution 10⁶', (pg) => pg.predictGrid(1e6, [-1, 1], [-1, 1]), /invalid resolution: 1000000 \(2 to 512\)/],
  ['grid range reversed', (pg) => pg.predictGrid(10, [1, -1], [-1, 1]), /invalid xRange: \[1\.0, -1\.0\] \(two finite numbers, low < high\)/],
  ['neuron maps too large', (pg) => pg.neuronMaps(100000, [-1, 1], [-1, 1]), /invalid resolution: 100000 \(at most \d+ for \d+ neurons\)/],
  // Model files.
  ['import 3 bytes', (pg) => importFile(pg, new Uint8Array([1, 2, 3])), /model file: not a safetensors file \(header too small\)/],
  ['import a truncated file', (pg, x) => importFile(pg, x.good.slice(0, x.good.length - 10)), /model file: not a safetensors file \(incomplete metadata, file not fully covered\)/],
  ['import a huge header length', (pg, x) => { const b = x.good.slice(); b[7] = 0x7f; return importFile(pg, b); }, /model file: not a safetensors file \(header too large\)/],
  ['import a model for 3 inputs', (pg, x) => importFile(pg, x.other), /3 inputs.*2 features|2 features.*3 inputs|inputs/],
  ['MNIST file corrupted', () => Playground.loadMnist(new Uint8Array(1000)), /mnist\.bin is corrupted: bad magic \(expected PPMNIST1\)/],
  ['unknown preset', () => Playground.preset('lenet'), /invalid preset: lenet \(frankle-carbin-lenet\)/],
  ['digits file corrupted', () => Playground.loadDigits(new Uint8Array(1000)), /digits\.bin is corrupted: bad magic \(expected PPDIGITS\)/],
];

test(`${CASES.length} bad inputs to the engine: each refused with a clear message, the model untouched`, () => {
  assert.ok(CASES.length >= 40);
  const pg = new Playground(circleConfig({ rewindStep: 0 }));
  pg.train(3);
  pg.prune({ fraction: 0.3 });
  const other = create(circleConfig({ dataset: { kind: 'csv', csv: 'a,b,c,label\n1,2,3,0\n2,3,4,1\n3,4,5,0\n4,5,6,1\n' } }));
  const x = { good: exportFile(pg), other: exportFile(other) };
  const before = state(pg);
  /** @type {string[]} */
  const failures = [];
  for (const [what, call, message] of CASES) {
    let thrown = null;
    try {
      call(pg, x);
    } catch (err) {
      thrown = err;
    }
    if (!(thrown instanceof Error)) failures.push(`${what}: accepted (no Error thrown)`);
    else if (!message.test(thrown.message)) failures.push(`${what}: message ${JSON.stringify(thrown.message)} does not match ${message}`);
    if (state(pg) !== before) failures.push(`${what}: the model changed`);
  }
  assert.deepEqual(failures, []);
  // The model still works after all of that.
  assert.equal(pg.train(1).length, 1);
});

test('bad URL values and steps: a message names the key or step, the rest of the link applies', () => {
  /** @type {[string, RegExp, Record<string, unknown>][]} */
  const URLS = [
    ['lr=<script>alert(1)</script>', /learningRate: "<script>alert\(1\)<\/script>" \(allowed: 0\.0001, 0\.001, .*, 1\)/, {}],
    ['hidden=100000,100000&frac=0.5', /hidden: "100000,100000" \(allowed: 1…300\)/, { fraction: 0.5 }],
    ['batch=1000000000', /batchSize: "1000000000" \(allowed: 1…1000\)/, {}],
    ['ep=NaN&seed=3', /epochs: "NaN" \(allowed: 1…500\)/, { seed: 3 }],
    ['frac=Infinity', /fraction: "Infinity" \(allowed: 0\.1, 0\.2, .*0\.95\)/, {}],
    ['data=imagenet', /dataset: "imagenet" \(allowed: circle, /, {}],
    ['lang=<img src=x onerror=alert(1)>', /lang: "<img src=x onerror=alert\(1\)>" \(allowed: en, ko\)/, {}],
    ['ctl=random-mask,evil', /controls: "random-mask,evil" \(allowed: random-reinit, random-mask, other-seed\)/, {}],
    ['%3Cb%3E=1', /unknown key "<b>" ignored/, {}],
  ];
  for (const [query, message, applied] of URLS) {
    const { settings, problems } = fromQuery(new URLSearchParams(query));
    assert.equal(problems.length, 1, query);
    assert.match(problems[0], message, query);
    const d = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (defaults()));
    const s = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (settings));
    for (const key of Object.keys(d)) assert.deepEqual(s[key], key in applied ? applied[key] : d[key], `${query}: ${key}`);
  }
  const { steps, problems } = parseSteps('train,prune(frac:<b>x</b>)', defaults());
  assert.equal(steps.length, 1);
  assert.match(problems[0], /step 2 .*fraction: "<b>x<\/b>"/);
});

test('a controls lottery refuses bad ticket structures with a message and runs on after them', () => {
  const spec = { levels: 2, fraction: 0.3, epochs: 1, controls: ['random-reinit'] };
  const ticket = new Playground(circleConfig());
  const controls = new Playground(circleConfig());
  ticket.startLottery(spec, 'ticket');
  controls.startLottery(spec, 'controls');
  while (ticket.lotteryTicketStructure() === null) ticket.lotteryStep();
  const good = ticket.lotteryTicketStructure();
  const copy = () => ({ level: good.level, masks: good.masks.map((/** @type {Uint8Array} */ m) => m.slice()), neuronIds: good.neuronIds.map((/** @type {Uint32Array} */ m) => m.slice()) });
  /** @type {[string, unknown, RegExp][]} */
  const BAD = [
    ['level 2 first', { ...copy(), level: 2 }, /expected the ticket of level 1, got level 2/],
    ['level 0.5', { ...copy(), level: 0.5 }, /invalid ticket structure: level is not a whole number ≥ 1/],
    ['masks missing', { level: 1, neuronIds: copy().neuronIds }, /invalid ticket structure: masks is not a list/],
    ['a mask too short', { ...copy(), masks: [new Uint8Array(3), ...copy().masks.slice(1)] }, /invalid ticket structure: mask 0 has 3 values, the layer 8×2/],
    ['masks as numbers', { ...copy(), masks: [1, 2, 3] }, /masks holds something other than Uint8Array/],
    ['a mask value 7', { ...copy(), masks: copy().masks.map((/** @type {Uint8Array} */ m) => m.map(() => 7)) }, /invalid mask: 7 \(only 0 and 1\)/],
    ['hidden layers missing', { ...copy(), neuronIds: [] }, /invalid ticket structure: 3 masks for 1 layers/],
  ];
  const failures = [];
  for (const [what, structure, message] of BAD) {
    try {
      controls.lotteryFeed(structure);
      failures.push(`${what}: accepted`);
    } catch (err) {
      if (!message.test(/** @type {Error} */ (err).message)) failures.push(`${what}: ${/** @type {Error} */ (err).message}`);
    }
    if (controls.lotteryHasWork()) failures.push(`${what}: queued work`);
  }
  assert.throws(() => ticket.lotteryFeed(copy()), /only a controls runner is fed ticket structures/);
  assert.deepEqual(failures, []);
  // The good structure still goes in, and the controls train.
  controls.lotteryFeed(good);
  assert.equal(controls.lotteryHasWork(), true);
  do controls.lotteryStep();
  while (controls.lotteryHasWork());
  assert.equal(controls.lotteryHistory().length, 1);
  assert.equal(controls.lotteryHistory()[0].branch, 'random-reinit');
});

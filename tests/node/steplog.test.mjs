// The URL step log (www/app/steplog.js) and the query parser (www/app/state.js): a log survives
// format → parse unchanged, values go through the settings schema, and a bad or hostile log stops
// at its first bad step with a message naming it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaults, fromQuery, toQuery } from '../../www/app/state.js';
import { MAX_STEPS, STEP_KEYS, formatSteps, makeStep, parseSteps } from '../../www/app/steplog.js';

test('a log with per-step settings round-trips through the URL form', () => {
  const base = defaults();
  const at = (o) => ({ ...base, ...o });
  const log = [
    makeStep('train', base, { epochs: 7 }),
    makeStep('prune', at({ fraction: 0.5, structure: 'neurons', score: 'lp:2', schedule: 'iterative', rounds: 4 })),
    makeStep('rewind', base),
    makeStep('retrain', base, { retrainEpochs: 3 }),
    makeStep('lottery', at({ levels: 5, controls: ['random-mask'], initMode: 'step' })),
    makeStep('adopt', base),
    makeStep('reinit', base),
    makeStep('evaluate', base),
    makeStep('reset', base),
  ];
  const final = at({ fraction: 0.2 });
  const text = formatSteps(log, final);
  // Only the values that differ from the link's own settings are written.
  assert.equal(text.split(',')[0], 'train(ep:7)');
  assert.ok(text.includes('prune(st:neurons;sc:lp:2;sched:iterative;frac:0.5;rounds:4)'), text);
  assert.ok(text.includes('lottery(lv:5;ctl:random-mask;init:step)'), text);
  assert.match(text, /^[A-Za-z0-9._~()\-,:;!*]+$/, 'URL-safe without escaping');
  const parsed = parseSteps(new URLSearchParams(`steps=${text}`).get('steps') ?? '', final);
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.steps, log);
});

test('every step type round-trips, with every key it reads', () => {
  const base = defaults();
  for (const type of /** @type {(keyof typeof STEP_KEYS)[]} */ (Object.keys(STEP_KEYS))) {
    const step = makeStep(type, base);
    const { steps, problems } = parseSteps(formatSteps([step], base), base);
    assert.deepEqual(problems, [], type);
    assert.deepEqual(steps, [step], type);
  }
});

test('per-layer rates and 2:4 pruning ride in the step log', () => {
  const base = defaults();
  const rates = { ...base, scope: 'layer', fraction: 1, layerRates: [0.625, 0.203125] };
  const log = [makeStep('train', base), makeStep('prune', rates), makeStep('pruneNM', { ...base, score: 'random' })];
  const text = formatSteps(log, base);
  assert.equal(text, 'train,prune(scope:layer;frac:1;rates:0.625,0.203125),pruneNM(sc:random)');
  assert.deepEqual(parseSteps(text, base), { steps: log, problems: [] });
  const bad = parseSteps('train,prune(rates:0.5,1.5)', base);
  assert.equal(bad.steps.length, 1);
  assert.match(bad.problems[0], /layerRates: "0\.5,1\.5" \(allowed: 0…1\)/);
});

test('a bad step stops the log there, naming the step, the key and what is allowed', () => {
  const base = defaults();
  const cases = [
    ['train,explode,prune', 1, /step 2 "explode" is not a step \(allowed: train, retrain, prune/],
    ['train(ep:0),prune', 0, /step 1 .*epochs: "0" \(allowed: 1…500\)/],
    ['train,prune(frac:2)', 1, /step 2 .*fraction: "2" \(allowed: 0\.1, 0\.2/],
    ['train,prune(lr:1)', 1, /"lr" is not a setting of prune \(allowed: st, sc, scope, nm, sched, frac, out, rounds, rt, init, rates\)/],
    ['rewind(ep:3)', 0, /"ep" is not a setting of rewind \(allowed: none\)/],
    ['train(ep:NaN)', 0, /epochs: "NaN"/],
    ['<script>alert(1)</script>', 0, /step 1 "<script>alert\(1\)<\/script>" is not a step/],
    ['lottery(ctl:random-mask,evil)', 0, /controls: "random-mask,evil"/],
  ];
  for (const [text, kept, message] of cases) {
    const { steps, problems } = parseSteps(String(text), base);
    assert.equal(steps.length, kept, String(text));
    assert.equal(problems.length, 1, String(text));
    assert.match(problems[0], /** @type {RegExp} */ (message));
    assert.match(problems[0], /the steps from here on are not replayed/);
  }
});

test('a log longer than the limit is cut with a message; empty parts are ignored', () => {
  const base = defaults();
  const { steps, problems } = parseSteps(Array(MAX_STEPS + 5).fill('evaluate').join(','), base);
  assert.equal(steps.length, MAX_STEPS);
  assert.match(problems[0], new RegExp(`more than ${MAX_STEPS} steps`));
  assert.deepEqual(parseSteps(',,train,,', base), { steps: [makeStep('train', base)], problems: [] });
  assert.deepEqual(parseSteps('', base), { steps: [], problems: [] });
});

test('the query parser reports unknown keys and bad values, keeping defaults', () => {
  const { settings, problems } = fromQuery(new URLSearchParams('frac=0.5&bogus=1&lr=abc&steps=train'));
  assert.equal(settings.fraction, 0.5);
  assert.equal(settings.learningRate, defaults().learningRate);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /unknown key "bogus" ignored/);
  assert.match(problems[1], /learningRate: "abc"/);
  assert.equal(toQuery(settings).toString(), 'frac=0.5');
});

// Engine errors in the page's language. The engine throws data ({ kind, field, value, allowed,
// line, problem, … }, crates/core/src/error.rs) beside its English message; app/engine-text.js
// words it with the err.* templates of app/i18n.js. tests/fixtures/engine-errors.json holds one
// example of every kind, allowed value and CSV problem the engine has (written and checked by
// tests/errors.rs), so a kind added in Rust without wording here fails this test; the other
// cases are real errors of the real engine and I/O module.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { circleConfig, loadIo, loadWasm, repoRoot } from './wasm-helpers.mjs';
import { ERROR_KINDS, localizeEngineMessage, rememberEngineError, wordEngineError } from '../../www/app/engine-text.js';
import { TABLES, templates } from '../../www/app/i18n.js';

const { Playground } = await loadWasm();
const io = await loadIo();

/** @type {any[]} */
const EXAMPLES = JSON.parse(readFileSync(path.join(repoRoot, 'tests', 'fixtures', 'engine-errors.json'), 'utf8'));

const en = templates('en');
const ko = templates('ko');

/** English words the engine's sentences are made of; none may be left outside quotes in Korean. */
const GLUE = /\b(the|is|not|a|an|number|finite|columns?|line|expected|got|limit|invalid|need|least|most|empty|only|one|of|file|rows?|label|class|header|cell|between|and|to|each|neurons|layers|parameters|positive|named|has|separated|commas|bytes|weights|saved|step|rewind|point|train|with|first|training|diverged|loss)\b/i;

/** Kinds whose data carries the engine's English prose (a reason, a description), kept as sent. */
const PROSE = new Set(['state', 'model-file', 'read', 'shape', 'text', 'unreadable']);

/** @param {any} e */
const isProse = (e) => PROSE.has(e.kind) || PROSE.has(e.allowed?.kind) || PROSE.has(e.problem?.kind);

test('every kind of engine error is worded in English as the engine words it', () => {
  for (const e of EXAMPLES) {
    assert.ok(ERROR_KINDS.includes(e.kind), `kind ${e.kind} is not worded by the page`);
    // The page says "CSV:" where the engine says "CSV line 0:" (the file as a whole).
    assert.equal(wordEngineError(e, en), e.message.replace(/^CSV line 0: /, 'CSV: '), JSON.stringify(e));
  }
});

test('every kind of engine error is worded in Korean, with its values kept', () => {
  for (const e of EXAMPLES) {
    const text = wordEngineError(e, ko);
    assert.ok(text, `no Korean wording for ${JSON.stringify(e)}`);
    if (!isProse(e)) {
      assert.match(text, /[가-힣]/, text);
      // Outside quoted cells and identifiers (batch_size), no English sentence glue.
      const rest = text.replace(/"[^"]*"/g, '').replace(/\b[a-z_.]+[_.][a-z_.]+\b/g, '');
      assert.doesNotMatch(rest, GLUE, `English left in "${text}" (from "${e.message}")`);
    }
    // Every number of the English message survives (line numbers, limits, values).
    for (const n of e.message.replace('CSV line 0:', '').match(/\d+(\.\d+)?/g) ?? []) assert.ok(text.includes(n), `${n} lost: ${text}`);
  }
});

test('the examples cover every kind the page words, and both languages have every err.* template', () => {
  const kinds = new Set(EXAMPLES.map((e) => e.kind));
  // `read` comes from the wasm layer's config reader, not the core (tested below with the engine).
  for (const kind of ERROR_KINDS) if (kind !== 'read') assert.ok(kinds.has(kind), `no example of ${kind}`);
  const keys = (/** @type {'en' | 'ko'} */ lang) => Object.keys(TABLES[lang]).filter((k) => k.startsWith('err.'));
  assert.deepEqual(keys('ko'), keys('en'));
});

/** The engine's error for a call that must fail. */
function errorOf(/** @type {() => unknown} */ call) {
  try {
    call();
  } catch (err) {
    return /** @type {any} */ (err);
  }
  throw new Error('the call did not fail');
}

const csv = (/** @type {string} */ text) => () => {
  const config = circleConfig({ dataset: { kind: 'csv', csv: text } });
  return new Playground(config, io.csvDataset(config));
};
const config = (/** @type {object} */ over) => () => new Playground(circleConfig(over));

const CASES = [
  csv(''),
  csv('a,b,label\n'),
  csv('a,b,label\n1,2,0\n1,0\n3,4,1\n'),
  csv('a,b,label\n1,2,0\n1,x,1\n3,4,1\n2,2,0\n'),
  csv('a,b,label\n1,2,0\n1,NaN,1\n3,4,1\n2,2,0\n'),
  csv('a,b,label\n1,2,0\n1,,1\n3,4,1\n2,2,0\n'),
  csv('a,b,label\n1,2,0\n1,3,\n3,4,1\n2,2,0\n'),
  csv('a,b,label\n1,2,0\n1,3,0\n3,4,0\n2,2,0\n'),
  csv('<script>alert(1)</script>\n1\n'),
  csv(`${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n`),
  config({ hidden: [0] }),
  config({ hidden: Array(40).fill(4) }),
  config({ hidden: [4096, 4096] }),
  config({ learningRate: -1 }),
  config({ learningRate: NaN }),
  config({ batchSize: 0 }),
  config({ activation: 'swish' }),
  config({ l2: -1 }),
  config({ dataset: { kind: 'circle', noise: 5, trainFraction: 0.5, samples: 500, seed: 0 } }),
  config({ dataset: { kind: 'circle', noise: 0.1, trainFraction: 0.5, samples: 1e9, seed: 0 } }),
  () => new Playground(circleConfig()).rewindTo(5),
  () => {
    const p = new Playground(circleConfig({ rewindStep: 3 }));
    p.train(1);
    p.rewindTo(5);
  },
];

test("the engine's real errors carry their data and read in Korean", () => {
  const seen = new Set();
  for (const call of CASES) {
    const err = errorOf(call);
    assert.ok(err instanceof Error, 'a JS Error');
    assert.ok(ERROR_KINDS.includes(err.kind), `${err.message}: kind ${err.kind}`);
    const detail = { ...err, message: err.message };
    assert.equal(wordEngineError(detail, en), err.message.replace(/^CSV line 0: /, 'CSV: ').replace(/: swish \(/, ': "swish" ('));
    rememberEngineError(err.message, detail);
    const text = localizeEngineMessage(err.message, ko);
    assert.notEqual(text, err.message, `not worded: ${err.message}`);
    assert.match(text, /[가-힣]/, text);
    for (const n of err.message.replace('CSV line 0:', '').match(/\d+(\.\d+)?/g) ?? []) assert.ok(text.includes(n), `${n} lost: ${text}`);
    seen.add(text);
  }
  assert.equal(seen.size, CASES.length, 'every case gave its own message');
});

test("a config the wasm layer cannot read is a `read` error naming the field's path", () => {
  const err = errorOf(config({ learningRate: 'fast' }));
  assert.equal(err.kind, 'read');
  assert.equal(err.path, 'learningRate');
  assert.equal(wordEngineError(err, en), err.message);
  assert.match(/** @type {string} */ (wordEngineError(err, ko)), /^config을\(를\) 읽을 수 없습니다: learningRate: /);
});

test('long values are quoted and cut; unknown kinds and unseen messages keep the engine text', () => {
  const value = 'x'.repeat(100);
  const text = wordEngineError({ kind: 'setting', field: 'activation', value, allowed: { kind: 'one-of', values: ['relu', 'tanh'] } }, en);
  assert.equal(text, `invalid activation: "${'x'.repeat(40)}"… (100 characters) (one of relu, tanh)`);
  assert.equal(wordEngineError({ kind: 'someday', message: 'new trouble' }, ko), null);
  assert.equal(wordEngineError({ kind: 'setting', field: 'f', value: 1, allowed: { kind: 'someday' } }, ko), null);
  rememberEngineError('new trouble', { kind: 'someday', message: 'new trouble' });
  assert.equal(localizeEngineMessage('new trouble', ko), 'new trouble');
  assert.equal(localizeEngineMessage('the engine stopped', ko), 'the engine stopped');
});

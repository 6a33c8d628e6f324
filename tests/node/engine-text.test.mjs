// Engine messages in the Korean page: every CSV problem the engine reports, and refused settings,
// come out in Korean (values, field names and quoted cells as the engine wrote them). The
// messages are produced by the real engine and I/O module, not written out here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circleConfig, loadIo, loadWasm } from './wasm-helpers.mjs';
import { localizeEngineMessage } from '../../www/app/engine-text.js';

const { Playground } = await loadWasm();
const io = await loadIo();

/** The engine's message for a call that must fail. */
function messageOf(/** @type {() => unknown} */ call) {
  try {
    call();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('the call did not fail');
}

const csv = (/** @type {string} */ text) => () => {
  const config = circleConfig({ dataset: { kind: 'csv', csv: text } });
  return new Playground(config, io.csvDataset(config));
};
const config = (/** @type {object} */ over) => () => new Playground(circleConfig(over));

/** English words the engine's sentences are made of; none may be left outside quotes. */
const GLUE = /\b(the|is|not|a|an|number|finite|columns?|line|expected|got|limit|invalid|need|least|most|empty|only|one|of|file|rows?|label|class|header|cell|between|and|to|each|neurons|layers|parameters|positive|named|has|separated|commas|bytes|weights|saved|step|rewind|point|train|with|first)\b/i;

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

test('engine messages read in Korean, with their values kept', () => {
  const seen = new Set();
  for (const call of CASES) {
    const en = messageOf(call);
    const ko = localizeEngineMessage(en, 'ko');
    assert.notEqual(ko, en, `not translated: ${en}`);
    assert.match(ko, /[가-힣]/, ko);
    // Outside quoted cells and the field name / value / allowed identifiers, no English sentence glue.
    const rest = ko.replace(/"[^"]*"/g, '').replace(/\b[a-z_.]+[_.][a-z_.]+\b/g, '');
    assert.doesNotMatch(rest, GLUE, `English left in "${ko}" (from "${en}")`);
    // Every number of the English message survives (line numbers, limits, values).
    // ("CSV line 0" means the whole file: that 0 is dropped.)
    for (const n of en.replace('CSV line 0:', '').match(/\d+(\.\d+)?/g) ?? []) assert.ok(ko.includes(n), `${n} lost: ${ko}`);
    seen.add(ko);
  }
  assert.equal(seen.size, CASES.length, 'every case gave its own message');
});

test('English pages and unknown shapes keep the engine message', () => {
  const en = messageOf(csv('a,b,label\n1,2,0\n1,x,1\n3,4,1\n2,2,0\n'));
  assert.equal(localizeEngineMessage(en, 'en'), en);
  assert.equal(localizeEngineMessage('the engine stopped', 'ko'), 'the engine stopped');
});

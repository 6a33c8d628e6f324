// The page's link (www/app/link.js): long step logs compressed and read back exactly; a broken or
// oversized compressed log is a problem, not a crash; refused values are quoted cut short.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPRESS_ABOVE, compactSteps, expandSteps, readLink } from '../../www/app/link.js';
import { QUOTE_MAX, quote } from '../../www/app/state.js';

test('a short step log stays readable; a long one is compressed and reads back exactly', async () => {
  assert.equal(await compactSteps('train,prune(frac:0.5),rewind'), 'train,prune(frac:0.5),rewind');
  const long = Array(200).fill('prune(st:weights;sc:random;scope:layer;sched:oneshot;frac:0.01;out:0;rounds:2;rt:3;init:keep)').join(',');
  assert.ok(long.length > COMPRESS_ABOVE);
  const packed = await compactSteps(long);
  assert.match(packed, /^~[A-Za-z0-9_-]+$/, 'base64url after ~');
  assert.ok(packed.length < long.length / 20, `${packed.length} characters for ${long.length}`);
  assert.deepEqual(await expandSteps(packed), { steps: long, problem: null });
  assert.deepEqual(await expandSteps('train,prune'), { steps: 'train,prune', problem: null });
});

test('a broken or oversized compressed log is reported, nothing replayed', async () => {
  for (const bad of ['~!!!', '~AAAA', '~']) {
    const out = await expandSteps(bad);
    assert.equal(out.steps, '');
    assert.match(/** @type {string} */ (out.problem), /^steps: the compressed step log cannot be read/);
  }
  // 1 MB that compresses to about a kilobyte: inflating stops at the limit.
  const bomb = await compactSteps('a'.repeat(1_000_000));
  assert.ok(bomb.length < 2000);
  assert.match(/** @type {string} */ ((await expandSteps(bomb)).problem), /longer than 200000 bytes/);
});

test('the link is read from the fragment when it has one, else from the query', () => {
  const at = (/** @type {string} */ search, /** @type {string} */ hash) => /** @type {Location} */ (/** @type {unknown} */ ({ search, hash }));
  assert.equal(readLink(at('?ep=2', '#ep=5&steps=train')).get('ep'), '5');
  assert.equal(readLink(at('?ep=2', '')).get('ep'), '2');
  assert.equal(readLink(at('?ep=2', '#pipeline')).get('ep'), '2', 'an in-page anchor is no link');
});

test('a refused value is quoted whole when short, cut with its length when long', () => {
  assert.equal(quote('relu6'), '"relu6"');
  const long = '9'.repeat(100_000);
  const q = quote(long);
  assert.equal(q, `"${'9'.repeat(QUOTE_MAX)}"… (100000 characters)`);
  assert.equal(quote('한'.repeat(50)), `"${'한'.repeat(QUOTE_MAX)}"… (50 characters)`, 'cut at characters, not bytes');
});

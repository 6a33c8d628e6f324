// The explorable article (www/article/): the English and Korean pages have the same sections,
// the same demos and the same buttons, and every button names a run of article.js's DEMOS table,
// whose demos use lessons that exist (so their settings are the ones tests/lessons.rs checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMOS, demoAttributes } from '../../www/article/article.js';

const page = (/** @type {string} */ lang) => readFileSync(new URL(`../../www/article/${lang}.html`, import.meta.url), 'utf8');
const all = (/** @type {string} */ html, /** @type {RegExp} */ re) => [...html.matchAll(re)].map((m) => m.slice(1).join('/'));

/** @param {string} html */
function outline(html) {
  return {
    sections: all(html, /data-section="([^"]+)"/g),
    slots: all(html, /data-demo-slot="([^"]+)"/g),
    buttons: all(html, /<button[^>]*data-demo="([^"]+)" data-run="([^"]+)"/g),
    outputs: all(html, /<output data-demo="([^"]+)" data-run="([^"]+)"/g),
    anchors: all(html, /<a href="#([^"]+)"/g),
  };
}

test('the English and Korean articles have the same sections, demos, buttons and contents list', () => {
  const [en, ko] = [outline(page('en')), outline(page('ko'))];
  assert.deepEqual(ko, en);
  assert.deepEqual(en.anchors, en.sections, 'the contents list links every section in order');
});

test('every demo of the table has one slot, and every run one button and one output', () => {
  const o = outline(page('en'));
  assert.deepEqual([...o.slots].sort(), Object.keys(DEMOS).sort());
  const runs = Object.entries(DEMOS).flatMap(([id, d]) => Object.keys(d.runs).map((r) => `${id}/${r}`));
  assert.deepEqual([...o.buttons].sort(), [...runs].sort());
  assert.deepEqual([...o.outputs].sort(), [...runs].sort());
});

test('each demo gets its lesson settings as element attributes (URL keys, layers for hidden)', () => {
  const lessons = JSON.parse(readFileSync(new URL('../../www/app/lessons.json', import.meta.url), 'utf8')).lessons;
  for (const [id, demo] of Object.entries(DEMOS)) {
    assert.ok(lessons[demo.lesson], `${id}: lesson ${demo.lesson}`);
    const attrs = Object.fromEntries(demoAttributes(demo.lesson));
    assert.equal(attrs.hidden, undefined, `${id}: hidden would hide the element`);
    assert.equal(attrs.layers ?? '8,8', lessons[demo.lesson].settings.hidden.join(','), `${id}: layers`);
    assert.equal(attrs.data ?? 'circle', lessons[demo.lesson].settings.dataset, `${id}: data`);
  }
});

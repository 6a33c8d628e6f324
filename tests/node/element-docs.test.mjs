// The element's reference (docs/element.md) and the npm package's types (packages/element/index.d.ts)
// name exactly the attributes, public properties and methods, and events the element has: read from
// www/element.js (its class, its getAttribute calls), the settings schema and the dispatcher's emits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { SCHEMA } from '../../www/app/state.js';
import { attributeOf } from '../../www/app/embed.js';

const read = (/** @type {string} */ p) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const element = read('www/element.js');
const docs = read('docs/element.md');
const dts = read('packages/element/index.d.ts');

/** @param {Iterable<string>} xs */
const sorted = (xs) => [...new Set(xs)].sort();

/** The names in the first column of the table under the `## TITLE` section of docs/element.md. */
function documented(/** @type {string} */ title) {
  const section = docs.split(/^## /m).find((s) => s.startsWith(`${title}\n`));
  assert.ok(section, `docs/element.md has no "## ${title}" section`);
  return sorted(section.split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...l.split('|')[1].matchAll(/`([\w-]+)(?:\([^`]*\))?`/g)].map((m) => m[1])));
}

/** The string literals of a union type alias `export type NAME = 'a' | 'b' …;` in index.d.ts. */
function union(/** @type {string} */ name) {
  const m = new RegExp(`export type ${name} =([^;]+);`).exec(dts);
  assert.ok(m, `index.d.ts has no type ${name}`);
  const own = [...m[1].matchAll(/'([\w-]+)'/g)].map((x) => x[1]);
  const refs = [...m[1].matchAll(/\b([A-Z]\w+)\b/g)].flatMap((x) => union(x[1]));
  return sorted([...own, ...refs]);
}

/** Public members of the element's class: methods and getters, and constructor fields, not @private. */
function publicMembers() {
  const body = element.slice(element.indexOf('export class PruningPlayground'));
  const lines = body.split('\n');
  /** @type {string[]} */
  const names = [];
  const lifecycle = new Set(['constructor', 'connectedCallback', 'disconnectedCallback', 'attributeChangedCallback']);
  const constructorEnd = lines.findIndex((l, i) => i > lines.findIndex((x) => x.startsWith('  constructor(')) && l === '  }');
  lines.forEach((line, i) => {
    const m = /^ {2}(?:async |get )?(\w+)\(/.exec(line) ?? (i < constructorEnd ? /^ {4}this\.(\w+) = /.exec(line) : null);
    if (!m || lifecycle.has(m[1])) return;
    // The comment right above: a one-line /** … */ or a block ending on the line before.
    let j = i - 1;
    let comment = '';
    if (lines[j]?.trim().endsWith('*/')) {
      while (j >= 0 && !lines[j].trim().startsWith('/**')) comment = lines[j--] + comment;
      comment = (lines[j] ?? '') + comment;
    }
    if (!comment.includes('@private')) names.push(m[1]);
  });
  return sorted(names);
}

test('every attribute the element reads is documented and typed, and no other', () => {
  const read = [...element.matchAll(/(?:get|has)Attribute\('([\w-]+)'\)/g)].map((m) => m[1]);
  const attrs = sorted([...SCHEMA.map(attributeOf), ...read]);
  assert.ok(attrs.includes('layers') && attrs.includes('page') && attrs.includes('height'));
  assert.deepEqual(union('PruningPlaygroundAttribute'), attrs);
  // The settings table may put two attributes in one row (`l1`, `l2`).
  assert.deepEqual(sorted([...documented('Attributes')]), attrs);
  // observedAttributes: the settings and height, which the element re-reads when they change.
  assert.match(element, /return \[\.\.\.CONFIG_ATTRS, 'height'\];/);
});

test('every public property and method is documented and declared, and no other', () => {
  const members = publicMembers();
  assert.ok(members.includes('train') && members.includes('state') && members.includes('ready'));
  assert.ok(!members.includes('enqueue') && !members.includes('app'), 'private members are left out');
  assert.deepEqual(sorted([...documented('Properties'), ...documented('Methods')]), members);
  const declared = [...dts.slice(dts.indexOf('export declare class PruningPlayground')).split('\n}')[0]
    .matchAll(/^ {2}(?:readonly )?(\w+)[(:]/gm)].map((m) => m[1]).filter((n) => !/EventListener$/.test(n));
  assert.deepEqual(sorted(declared), members);
});

test('every event the element emits is documented and in the typed event map, and no other', () => {
  const app = readdirSync(new URL('../../www/app/', import.meta.url)).filter((f) => f.endsWith('.js'))
    .map((f) => read(`www/app/${f}`)).join('\n');
  const emitted = sorted([
    ...[...app.matchAll(/\bemit\('([\w-]+)'/g)].map((m) => m[1]),
    ...[...element.matchAll(/new CustomEvent\('([\w-]+)'/g)].map((m) => m[1]),
  ]);
  assert.ok(emitted.includes('epoch') && emitted.includes('error'));
  assert.deepEqual(documented('Events'), emitted);
  const map = dts.slice(dts.indexOf('interface PruningPlaygroundEventMap')).split('\n}')[0];
  assert.deepEqual(sorted([...map.matchAll(/^ {2}'?([\w-]+)'?: CustomEvent/gm)].map((m) => m[1])), emitted);
});

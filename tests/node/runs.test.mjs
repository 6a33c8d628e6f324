// Kept runs (www/app/runs.js): a run's record, the bounded list, edits, names from the settings
// that differ (in both languages), the curves the compare chart draws and the long-format CSV.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaults } from '../../www/app/state.js';
import { TABLES } from '../../www/app/i18n.js';
import { LESSONS, armLabel, tagLabel } from '../../www/app/lessons.js';
import { MAX_RUNS, addRun, alreadyKept, differingKeys, editRuns, makeRun, parseRuns, runCurves, runNames, runsCsv } from '../../www/app/runs.js';

/** i18n's `t` in one language, without touching the page's. */
const tr = (lang) => (key, params = {}) => TABLES[lang][key].replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

const epoch = (e, val) => ({ epoch: e, step: 10 * e, trainLoss: 1 / e, testLoss: 1.1 / e, trainAccuracy: 0.5 + e / 100, testAccuracy: 0.4 + e / 100, valLoss: val ? 1.2 / e : null, valAccuracy: val ? 0.45 : null });
const level = (branch, l, density, acc, stop = null) => ({ branch, level: l, density, layerDensity: [density], testAccuracy: acc, earlyStopEpoch: null, earlyStopStep: null, earlyStopTestAccuracy: stop, maskAnalysis: null, diverged: false, epochs: 2 });

function run(id, settings = {}, extra = {}) {
  return makeRun({
    settings: { ...defaults(), ...settings },
    history: extra.history ?? [epoch(1, true), epoch(2, true)],
    lottery: extra.lottery ?? [],
    density: extra.density ?? 1,
    testAccuracy: extra.testAccuracy ?? 0.42,
    steps: 'T2',
  }, { id, at: extra.at ?? (Number(id.replace(/\D/g, '')) || 0), name: extra.name, tag: extra.tag });
}

test('a run keeps the settings, the steps and the curves, not the live objects', () => {
  const settings = defaults();
  const r = makeRun({ settings, history: [epoch(1, false)], lottery: [level('ticket', 1, 0.5, 0.7, 0.8)], density: 0.5, testAccuracy: 0.7, steps: 'T1.P' }, { id: 'a', at: 5 });
  settings.hidden.push(99);
  assert.notDeepEqual(r.settings.hidden, settings.hidden);
  assert.deepEqual(r.lottery, [{ branch: 'ticket', level: 1, density: 0.5, accuracy: 0.8 }], 'the early-stop accuracy is the headline');
  assert.equal(r.steps, 'T1.P');
  assert.deepEqual([r.name, r.pinned, r.shown], [null, false, true]);
  assert.equal(makeRun({ ...r, lottery: [], history: [] }, { id: 'b', at: 1, name: '  mine ' }).name, 'mine');
});

test('the list holds at most MAX_RUNS: the oldest unpinned goes, all pinned refuses', () => {
  let runs = [];
  for (let i = 0; i < MAX_RUNS; i += 1) runs = addRun(runs, run(`r${i}`, {}, { at: 100 - i })).runs;
  runs = editRuns(runs, { op: 'pin', id: 'r0', pinned: true }); // the oldest by time is r19 (at 81)
  const { runs: next, dropped } = addRun(runs, run('new', {}, { at: 200 }));
  assert.equal(next.length, MAX_RUNS);
  assert.equal(dropped?.id, 'r19');
  assert.ok(next.some((r) => r.id === 'r0') && next.at(-1)?.id === 'new');
  const allPinned = runs.map((r) => ({ ...r, pinned: true }));
  const refused = addRun(allPinned, run('x'));
  assert.equal(refused.refused, true);
  assert.equal(refused.runs, allPinned);
});

test('edits rename (blank: automatic again), pin, show, remove and overlay exactly some', () => {
  const runs = [run('a1'), run('b2')];
  let e = editRuns(runs, { op: 'rename', id: 'a1', name: ' fine-tune ' });
  assert.equal(e[0].name, 'fine-tune');
  assert.equal(editRuns(e, { op: 'rename', id: 'a1', name: '   ' })[0].name, null);
  e = editRuns(e, { op: 'show', id: 'b2', shown: false });
  assert.deepEqual(e.map((r) => r.shown), [true, false]);
  assert.deepEqual(editRuns(e, { op: 'only', ids: ['b2'] }).map((r) => r.shown), [false, true]);
  assert.deepEqual(editRuns(e, { op: 'remove', id: 'a1' }).map((r) => r.id), ['b2']);
  assert.equal(editRuns(e, { op: 'remove', id: 'zz' }).length, 2);
});

test('names come from the settings that differ, in the current language', () => {
  const runs = [
    run('a1', { schedule: 'iterative', scope: 'layer' }),
    run('b2', { schedule: 'oneshot', scope: 'global' }),
    run('c3', { schedule: 'oneshot', scope: 'global', lang: 'ko' }),
  ];
  assert.deepEqual(differingKeys(runs), ['scope', 'schedule'], 'the language is not an experiment setting');
  const en = runNames(runs, tr('en'));
  assert.equal(en.get('a1'), `${TABLES.en['opt.scope.layer']} · ${TABLES.en['opt.schedule.iterative']}`);
  assert.equal(en.get('b2'), `${TABLES.en['opt.scope.global']} · ${TABLES.en['opt.schedule.oneshot']}`);
  assert.equal(en.get('c3'), `${en.get('b2')} (2)`, 'equal settings are numbered');
  assert.equal(runNames(runs, tr('ko')).get('a1'), `${TABLES.ko['opt.scope.layer']} · ${TABLES.ko['opt.schedule.iterative']}`);
  const numeric = runNames([run('a1', { fraction: 0.2 }), run('b2', { fraction: 0.5 })], tr('en'));
  assert.equal(numeric.get('b2'), `${TABLES.en['label.fraction']} 0.5`);
  const same = runNames([run('a1'), editRuns([run('b2')], { op: 'rename', id: 'b2', name: 'mine' })[0]], tr('en'));
  assert.equal(same.get('a1'), TABLES.en['runs.unnamed'].replace('{n}', '1'));
  assert.equal(same.get('b2'), 'mine');
});

test("a lesson's kept arm is named by the arm, unless renamed; other runs by what differs", () => {
  const label = (tag) => (tag === 'sensitivity:uniform' ? 'Every layer at 65 %' : null);
  const runs = [
    run('a1', { fraction: 0.65 }, { tag: 'sensitivity:uniform' }),
    run('b2', { fraction: 1 }, { tag: 'other:arm' }),
    run('c3', { fraction: 0.5 }),
    run('d4', { fraction: 0.65 }, { tag: 'sensitivity:uniform', name: 'mine' }),
  ];
  const names = runNames(runs, tr('en'), label);
  assert.equal(names.get('a1'), 'Every layer at 65 %');
  assert.equal(names.get('b2'), `${TABLES.en['label.fraction']} 1`, 'a tag without a label: named by what differs');
  assert.equal(names.get('c3'), `${TABLES.en['label.fraction']} 0.5`);
  assert.equal(names.get('d4'), 'mine');
  // The page's labels: each lesson arm's, as the lesson's table shows it.
  const lesson = LESSONS.find((l) => l.arms.length > 1);
  assert.ok(lesson);
  assert.equal(tagLabel(`${lesson.id}:${lesson.arms[1].id}`), armLabel(lesson.arms[1]));
  assert.equal(tagLabel(`${lesson.id}:nope`), null);
  assert.equal(tagLabel('nope:nope'), null);
});

test('curves: loss per epoch on validation (training without it), accuracy per branch against density', () => {
  const val = run('a1');
  assert.deepEqual(runCurves(val, 'epoch'), [{ series: 'val_loss', points: [[1, 1.2], [2, 0.6]] }]);
  const noVal = run('b2', {}, { history: [epoch(1, false), epoch(2, false)] });
  assert.equal(runCurves(noVal, 'epoch')[0].series, 'train_loss');
  const lottery = run('c3', {}, { lottery: [level('ticket', 1, 0.8, 0.7), level('random-reinit', 1, 0.8, 0.6), level('ticket', 0, 1, 0.75)] });
  assert.deepEqual(runCurves(lottery, 'density'), [
    { series: 'ticket', points: [[1, 0.75], [0.8, 0.7]] },
    { series: 'random-reinit', points: [[1, 0.75], [0.8, 0.6]] },
  ]);
  assert.deepEqual(runCurves(noVal, 'density'), [{ series: 'final', points: [[1, 0.42]] }]);
});

test('the CSV is long-format run,series,x,y with every point, names quoted', () => {
  const runs = [run('a1', {}, { history: [epoch(1, false)] }), run('b2', {}, { history: [], lottery: [level('ticket', 0, 1, 0.9)] })];
  const csv = runsCsv(runs, new Map([['a1', 'one, "quoted"'], ['b2', 'two']]));
  const rows = csv.trimEnd().split('\n');
  assert.equal(rows[0], 'run,series,x,y');
  assert.equal(rows.length, 1 + 4 + 1, 'four training series without validation, one lottery level');
  assert.equal(rows[1], '"one, ""quoted""",train_loss,1,1');
  assert.equal(rows.at(-1), 'two,ticket,1,0.9');
});

test('saved runs are read back only when well-formed', () => {
  const good = run('a1');
  const parsed = parseRuns([good, { id: 3 }, null, { ...good, id: 'b2', steps: 5 }, { ...good, id: 'c3', pinned: 'yes' }]);
  assert.deepEqual(parsed.map((r) => [r.id, r.pinned]), [['a1', false], ['c3', false]]);
  assert.deepEqual(parseRuns('nope'), []);
});

test('a tagged run (a lesson arm) replaces that arm\'s unpinned run, not a pinned one', () => {
  const tagged = (id, at) => makeRun({ settings: defaults(), history: [epoch(1, false)], lottery: [], density: 1, testAccuracy: 0.5, steps: '' }, { id, at, tag: 'scheduling:oneshot' });
  let { runs } = addRun([run('a1')], tagged('t1', 2));
  ({ runs } = addRun(runs, tagged('t2', 3)));
  assert.deepEqual(runs.map((r) => r.id), ['a1', 't2']);
  runs = editRuns(runs, { op: 'pin', id: 't2', pinned: true });
  ({ runs } = addRun(runs, tagged('t3', 4)));
  assert.deepEqual(runs.map((r) => r.id), ['a1', 't2', 't3']);
});

test('the same experiment is recognised as already kept', () => {
  const a = run('a1', { scope: 'layer' });
  assert.equal(alreadyKept([a], run('b2', { scope: 'layer' })), true);
  assert.equal(alreadyKept([a], run('b2', { scope: 'global' })), false);
  assert.equal(alreadyKept([a], run('b2', { scope: 'layer' }, { history: [epoch(1, true)] })), false);
});

// The cost panel and the guided-lessons panel: both read the state only.
import { t } from '../app/i18n.js';
import { headlineAccuracy, int, num, pct } from '../app/format.js';
import { branchKey } from '../app/state.js';
import { LESSONS, armLabel, checkRows, finishedArm, measuredTiming } from '../app/lessons.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../app/dispatch.js').Action} Action
 */

const COSTS = /** @type {const} */ (['parameters', 'nonzero', 'denseBytes', 'sparseBytes', 'flopsDense', 'flopsSparse']);
/** The glossary under the costs: i18n keys `glossary.KEY`. */
const GLOSSARY = ['density', 'flops', 'csr', 'speed', 'level', 'theta'];

/** @param {HTMLElement} list  the <dl> */
export function createCosts(list) {
  /** @type {Map<string, HTMLElement>} */
  const values = new Map();
  /** @type {Map<string, HTMLElement>} */
  const labels = new Map();
  for (const key of [...COSTS, 'time', 'nm']) {
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dd.dataset.testid = `cost-${key}`;
    row.append(dt, dd);
    list.append(row);
    values.set(key, dd);
    labels.set(key, dt);
  }
  // What the terms of this panel (and of the lottery chart) mean, where the learner meets them.
  const details = document.createElement('details');
  details.className = 'glossary';
  details.dataset.testid = 'glossary';
  const glossaryTitle = document.createElement('summary');
  /** @type {Map<string, HTMLElement>} */
  const glossary = new Map();
  for (const key of GLOSSARY) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.dataset.term = key;
    glossary.set(key, p);
  }
  details.append(glossaryTitle, ...glossary.values());
  list.after(details);
  // What N:M hardware would gain, beside the engine's own figures above it, and layer by layer
  // beside the weights this network keeps (the engine multiplies every weight, kept or not).
  const nmNote = document.createElement('p');
  nmNote.className = 'hint';
  nmNote.dataset.testid = 'cost-nm-note';
  const nmTable = document.createElement('table');
  nmTable.className = 'cost-layers';
  nmTable.dataset.testid = 'cost-nm-layers';
  const nmHead = nmTable.createTHead().insertRow();
  const nmBody = nmTable.createTBody();
  list.after(nmNote, nmTable);

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (!langChanged && prev?.frame === s.frame && prev?.timing === s.timing && prev?.nmCost === s.nmCost) return;
    for (const [key, dt] of labels) dt.textContent = t(`cost.${key}`);
    const c = s.frame?.costs;
    for (const key of COSTS) {
      const dd = /** @type {HTMLElement} */ (values.get(key));
      dd.textContent = c ? int(c[key]) : '—';
    }
    const time = /** @type {HTMLElement} */ (values.get('time'));
    const m = measuredTiming(s);
    time.textContent = m ? t('cost.timeValue', {
      us: num(m.msPerRow * 1000), min: num(m.min * 1000), max: num(m.max * 1000), repeats: m.repeats, rows: m.rows,
    }) : t('cost.timeNone');
    const nm = /** @type {HTMLElement} */ (values.get('nm'));
    const n = s.nmCost;
    const [keep, group] = (n?.pattern ?? '2:4').split(':');
    /** @type {Record<string, string>} */
    const p = { pattern: n?.pattern ?? '2:4', n: keep, m: group };
    /** @type {HTMLElement} */ (labels.get('nm')).textContent = t('cost.nm', p);
    nm.textContent = n ? t('cost.nmValue', { ...p, sparse: int(n.sparseMultiplyAdds), dense: int(n.denseMultiplyAdds), meta: int(n.metadataBytes) }) : '—';
    nmNote.textContent = t('cost.nmNote', p);
    nmHead.replaceChildren(...['layer', 'dense', 'sparse', 'meta', 'alive'].map((k) => {
      const th = document.createElement('th');
      th.textContent = t(`cost.layers.${k}`, p);
      return th;
    }));
    const layers = s.frame?.snapshot?.layers ?? [];
    nmBody.replaceChildren(...(n?.layers ?? []).map((c, l) => {
      const mask = layers[l]?.mask;
      const alive = mask ? mask.reduce((a, b) => a + b, 0) : null;
      const tr = document.createElement('tr');
      for (const v of [String(l + 1), int(c.dense), int(c.sparse), int(c.metadataBytes), alive === null ? '—' : int(alive)]) {
        tr.insertCell().textContent = v;
      }
      return tr;
    }));
    if (langChanged) {
      glossaryTitle.textContent = t('glossary.title');
      for (const [key, p] of glossary) p.textContent = t(`glossary.${key}`);
    }
  }
  return { update };
}

/**
 * @param {HTMLElement} root           the lessons section
 * @param {(a: Action) => void} dispatch
 */
export function createLessons(root, dispatch) {
  const select = /** @type {HTMLSelectElement} */ (root.querySelector('#lesson-select'));
  const load = /** @type {HTMLButtonElement} */ (root.querySelector('#lesson-load'));
  const body = /** @type {HTMLElement} */ (root.querySelector('#lesson-body'));
  for (const l of LESSONS) {
    const o = document.createElement('option');
    o.value = l.id;
    select.append(o);
  }
  const leave = /** @type {HTMLButtonElement} */ (root.querySelector('#lesson-leave'));
  load.addEventListener('click', () => dispatch({ type: 'lesson', id: select.value }));
  leave.addEventListener('click', () => dispatch({ type: 'leaveLesson' }));
  select.addEventListener('change', () => render(lastState));

  /** @type {AppState | null} */
  let lastState = null;

  /** @type {HTMLElement | null} */
  let result = null;
  /** @type {HTMLElement | null} */
  let table = null;
  let shownLesson = '';
  /** @type {Map<string, Map<string, import('../app/lessons.js').Row>>} rows per lesson, arm */
  const rows = new Map();
  let tableKey = '';

  /**
   * Records the finished arm's row (each arm the learner runs adds or replaces its row).
   * @param {AppState} s
   */
  function record(s) {
    const lesson = LESSONS.find((l) => l.id === s.lesson);
    if (!lesson || s.busy !== null) return;
    const arm = finishedArm(lesson, s);
    if (!arm) return;
    const own = rows.get(lesson.id) ?? new Map();
    rows.set(lesson.id, own);
    const timing = measuredTiming(s);
    own.set(arm.id, {
      arm: arm.id,
      density: s.frame?.snapshot?.density ?? 1,
      test: s.frame?.evaluation?.testAccuracy ?? 0,
      prunedTest: s.steps.includes('prune') ? s.cutTest : null,
      flopsDense: s.frame?.costs?.flopsDense ?? 0,
      flopsSparse: s.frame?.costs?.flopsSparse ?? 0,
      time: timing ? timing.msPerRow * 1000 : null,
    });
  }

  /**
   * The results table: one row per arm run (or per lottery branch), the expectations beside it.
   * @param {import('../app/lessons.js').Lesson} lesson
   * @param {AppState | null} s
   */
  function renderTable(lesson, s) {
    if (!table) return;
    const head = [t('lesson.col.arm'), t('lesson.col.density'), t('lesson.col.test'), t('lesson.col.pruned'), t('lesson.col.flops'), t('lesson.col.time')];
    /** @type {string[][]} */
    const body = [];
    /** @type {{ ok: boolean, text: string }[]} */
    let notes = [];
    if (lesson.id === 'lottery') {
      const last = s?.lottery.filter((r) => r.branch === 'ticket').at(-1);
      for (const r of s?.lottery.filter((x) => last && x.level === last.level && last.level > 0) ?? []) {
        body.push([t(branchKey(r.branch, s?.settings.initMode ?? 'init')), pct(r.density), pct(headlineAccuracy(r)), '—', '—', '—']);
      }
      if (last && last.level > 0 && s) {
        const ticket = headlineAccuracy(last);
        for (const r of s.lottery.filter((x) => x.level === last.level && x.branch !== 'ticket')) {
          const ok = ticket > headlineAccuracy(r);
          const params = { a: t(branchKey('ticket', s.settings.initMode)), b: t(`branch.${r.branch}`), measure: t('lesson.measure.test'), op: '>' };
          notes.push({ ok, text: t(ok ? 'lesson.expect.ok' : 'lesson.expect.no', params) });
        }
      }
    } else {
      const own = rows.get(lesson.id) ?? new Map();
      for (const arm of lesson.arms) {
        const r = own.get(arm.id);
        if (!r) continue;
        body.push([armLabel(arm), pct(r.density), pct(r.test), r.prunedTest === null ? '—' : pct(r.prunedTest),
          `${int(r.flopsDense)} / ${int(r.flopsSparse)}`, r.time === null ? '—' : `${num(r.time)} µs`]);
      }
      notes = checkRows(lesson, own);
    }
    const key = JSON.stringify([head, body, notes]);
    if (key === tableKey) return;
    tableKey = key;
    const tbl = document.createElement('table');
    tbl.className = 'lesson-table';
    tbl.dataset.testid = 'lesson-table';
    const tr = document.createElement('tr');
    for (const h of head) {
      const th = document.createElement('th');
      th.textContent = h;
      tr.append(th);
    }
    tbl.append(tr);
    for (const row of body) {
      const r = document.createElement('tr');
      for (const c of row) {
        const td = document.createElement('td');
        td.textContent = c;
        r.append(td);
      }
      tbl.append(r);
    }
    const list = document.createElement('ul');
    list.className = 'lesson-expect';
    for (const n of notes) {
      const li = document.createElement('li');
      li.textContent = n.text;
      li.className = n.ok ? 'ok' : 'disagrees';
      list.append(li);
    }
    table.replaceChildren(...(body.length > 0 ? [tbl] : []), list);
  }

  /**
   * Builds the lesson text once per lesson and language; afterwards only the result line changes.
   * @param {AppState | null} s
   * @param {boolean} rebuild
   */
  function render(s, rebuild = false) {
    const id = select.value;
    const lesson = LESSONS.find((l) => l.id === id);
    if (!lesson) return;
    if (rebuild || !result || shownLesson !== lesson.id) {
      const title = document.createElement('h3');
      title.textContent = t(`lesson.${lesson.id}.title`);
      const intro = document.createElement('p');
      intro.textContent = t(`lesson.${lesson.id}.intro`);
      const steps = document.createElement('ol');
      for (let i = 1; i <= lesson.steps; i += 1) {
        const li = document.createElement('li');
        li.textContent = t(`lesson.${lesson.id}.s${i}`);
        steps.append(li);
      }
      const resultTitle = document.createElement('h4');
      resultTitle.textContent = t('lesson.result');
      result = document.createElement('p');
      result.className = 'lesson-result';
      result.dataset.testid = 'lesson-result';
      table = document.createElement('div');
      table.className = 'lesson-rows';
      tableKey = '';
      body.replaceChildren(title, intro, steps, resultTitle, result, table);
      shownLesson = lesson.id;
    }
    const loaded = s !== null && s.lesson === lesson.id;
    const params = loaded ? lesson.result(s) : null;
    const text = params ? t(`lesson.${lesson.id}.result`, params) : t('lesson.noResult');
    if (result.textContent !== text) result.textContent = text;
    renderTable(lesson, loaded ? s : null);
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    lastState = s;
    record(s);
    leave.hidden = s.lesson === null;
    leave.disabled = s.busy !== null;
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (langChanged) for (const o of select.options) o.textContent = t(`lesson.${o.value}.title`);
    if (s.lesson && select.value !== s.lesson && prev?.lesson !== s.lesson) select.value = s.lesson;
    load.disabled = s.busy !== null;
    if (langChanged || prev?.lesson !== s.lesson || prev?.frame !== s.frame || prev?.lottery !== s.lottery || prev?.timing !== s.timing || prev?.steps !== s.steps || prev?.busy !== s.busy) {
      render(s, langChanged);
    }
  }
  return { update };
}

/**
 * The lesson dock, inside the pipeline bar (which stays on screen): the loaded lesson's current
 * step, buttons that set up each of its arms (the settings the lesson changes), and the way out.
 * @param {HTMLElement} root
 * @param {(a: Action) => void} dispatch
 */
export function createLessonDock(root, dispatch) {
  const title = document.createElement('strong');
  const counter = document.createElement('span');
  counter.className = 'dock-count';
  const prevBtn = document.createElement('button');
  prevBtn.type = 'button';
  prevBtn.textContent = '‹';
  prevBtn.dataset.testid = 'dock-prev';
  const nextBtn = document.createElement('button');
  nextBtn.type = 'button';
  nextBtn.textContent = '›';
  nextBtn.dataset.testid = 'dock-next';
  const text = document.createElement('p');
  text.className = 'dock-step';
  text.dataset.testid = 'dock-step';
  const arms = document.createElement('span');
  arms.className = 'dock-arms group';
  const head = document.createElement('div');
  head.className = 'dock-head';
  head.append(title, prevBtn, counter, nextBtn, arms);
  root.append(head, text);
  let step = 0;
  /** @type {AppState | null} */
  let last = null;

  /** @param {number} d */
  function move(d) {
    const lesson = LESSONS.find((l) => l.id === last?.lesson);
    if (!lesson) return;
    step = Math.min(lesson.steps - 1, Math.max(0, step + d));
    if (last) render(last, true);
  }
  prevBtn.addEventListener('click', () => move(-1));
  nextBtn.addEventListener('click', () => move(1));

  /**
   * @param {AppState} s
   * @param {boolean} rebuild
   */
  function render(s, rebuild) {
    const lesson = LESSONS.find((l) => l.id === s.lesson);
    root.hidden = !lesson;
    if (!lesson) return;
    if (rebuild) {
      title.textContent = t(`lesson.${lesson.id}.title`);
      counter.textContent = t('lesson.stepOf', { n: step + 1, of: lesson.steps });
      text.textContent = t(`lesson.${lesson.id}.s${step + 1}`);
      prevBtn.disabled = step === 0;
      nextBtn.disabled = step === lesson.steps - 1;
      prevBtn.setAttribute('aria-label', t('lesson.prevStep'));
      nextBtn.setAttribute('aria-label', t('lesson.nextStep'));
      arms.replaceChildren(...(lesson.arms.length > 1 ? lesson.arms.map((arm) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.arm = arm.id;
        b.dataset.testid = `arm-${arm.id}`;
        b.textContent = armLabel(arm);
        b.title = t('lesson.armTitle');
        b.addEventListener('click', () => dispatch({ type: 'settings', values: arm.settings }));
        return b;
      }) : []));
    }
    const settings = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (s.settings));
    for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (arms.querySelectorAll('button'))) {
      const arm = lesson.arms.find((a) => a.id === b.dataset.arm);
      const matches = (/** @type {import('../app/lessons.js').Lesson['arms'][number]} */ a) => Object.entries(a.settings).every(([k, v]) => JSON.stringify(settings[k]) === JSON.stringify(v));
      // An arm that sets nothing (its steps set it up) is the one on when no other arm is.
      const on = !!arm && (Object.keys(arm.settings).length > 0 ? matches(arm)
        : !lesson.arms.some((a) => Object.keys(a.settings).length > 0 && matches(a)));
      b.setAttribute('aria-pressed', String(on));
      b.disabled = s.busy !== null;
    }
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    last = s;
    if (prev?.lesson !== s.lesson) step = 0;
    const rebuild = !prev || prev.lesson !== s.lesson || prev.settings.lang !== s.settings.lang;
    if (rebuild || prev?.settings !== s.settings || prev?.busy !== s.busy) render(s, rebuild);
  }
  return { update };
}

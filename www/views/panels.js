// The cost panel and the guided-lessons panel: both read the state only.
import { t } from '../app/i18n.js';
import { int, num } from '../app/format.js';
import { LESSONS } from '../app/lessons.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../app/dispatch.js').Action} Action
 */

const COSTS = /** @type {const} */ (['parameters', 'nonzero', 'denseBytes', 'sparseBytes', 'flopsDense', 'flopsSparse']);

/** @param {HTMLElement} list  the <dl> */
export function createCosts(list) {
  /** @type {Map<string, HTMLElement>} */
  const values = new Map();
  /** @type {Map<string, HTMLElement>} */
  const labels = new Map();
  for (const key of [...COSTS, 'time']) {
    const row = document.createElement('div');
    const dt = document.createElement('dt');
    const dd = document.createElement('dd');
    dd.dataset.testid = `cost-${key}`;
    row.append(dt, dd);
    list.append(row);
    values.set(key, dd);
    labels.set(key, dt);
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (!langChanged && prev?.frame?.costs === s.frame?.costs && prev?.timing === s.timing) return;
    for (const [key, dt] of labels) dt.textContent = t(`cost.${key}`);
    const c = s.frame?.costs;
    for (const key of COSTS) {
      const dd = /** @type {HTMLElement} */ (values.get(key));
      dd.textContent = c ? int(c[key]) : '—';
    }
    const time = /** @type {HTMLElement} */ (values.get('time'));
    time.textContent = s.timing ? t('cost.timeValue', { us: num(s.timing.msPerRow * 1000), rows: s.timing.rows }) : t('cost.timeNone');
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
  load.addEventListener('click', () => dispatch({ type: 'lesson', id: select.value }));
  select.addEventListener('change', () => render(lastState));

  /** @type {AppState | null} */
  let lastState = null;

  /** @type {HTMLElement | null} */
  let result = null;
  let shownLesson = '';

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
      body.replaceChildren(title, intro, steps, resultTitle, result);
      shownLesson = lesson.id;
    }
    const loaded = s !== null && s.lesson === lesson.id;
    const params = loaded ? lesson.result(s) : null;
    const text = params ? t(`lesson.${lesson.id}.result`, params) : t('lesson.noResult');
    if (result.textContent !== text) result.textContent = text;
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    lastState = s;
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (langChanged) for (const o of select.options) o.textContent = t(`lesson.${o.value}.title`);
    if (s.lesson && select.value !== s.lesson && prev?.lesson !== s.lesson) select.value = s.lesson;
    load.disabled = s.busy !== null;
    if (langChanged || prev?.lesson !== s.lesson || prev?.frame !== s.frame || prev?.lottery !== s.lottery || prev?.timing !== s.timing || prev?.steps !== s.steps) {
      render(s, langChanged);
    }
  }
  return { update };
}

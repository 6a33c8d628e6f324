// The settings form, generated from the schema table (state.js): one field per setting, grouped;
// every change becomes one `set` action. As a view it only mirrors the state (values, visibility,
// disabled while the engine is busy, labels in the current language).
import { SCHEMA, parseValue } from './state.js';
import { t, hasKey } from './i18n.js';

/** Largest CSV file read (the engine's `data::csv::MAX_BYTES`). */
export const MAX_CSV_BYTES = 20_000_000;

/**
 * @typedef {import('./state.js').Setting} Setting
 * @typedef {import('./dispatch.js').AppState} AppState
 * @typedef {import('./dispatch.js').Action} Action
 */

const GROUPS = /** @type {const} */ (['data', 'model', 'training', 'pruning', 'lottery']);
/** Settings whose values read best as percentages. */
const PERCENT = new Set(['fraction', 'outputRate', 'trainFraction', 'validation', 'noise']);

/**
 * @param {Setting} s
 * @param {string | number} v
 */
function optionLabel(s, v) {
  const key = `opt.${s.key}.${v}`;
  if (hasKey(key)) return t(key);
  if (typeof v === 'number' && PERCENT.has(s.key)) return `${Math.round(v * 1000) / 10}%`;
  return String(v);
}

/**
 * @param {HTMLFormElement} form
 * @param {(a: Action) => void} dispatch
 */
export function createControls(form, dispatch) {
  /** @type {Map<string, { field: HTMLElement, input: HTMLSelectElement | HTMLInputElement | null, boxes: HTMLInputElement[], label: HTMLElement, help: HTMLElement, desc: HTMLElement | null, setting: Setting }>} */
  const fields = new Map();
  /** @type {Map<string, HTMLElement>} */
  const legends = new Map();
  /** @type {HTMLInputElement} */
  let fileInput;
  /** @type {HTMLLabelElement} */
  let fileLabel;
  /** @type {HTMLElement} */
  let fileHelp;
  /** @type {HTMLLabelElement} */
  let fileButton;
  /** @type {import('./state.js').Settings | null} */
  let current = null;

  for (const group of GROUPS) {
    const fs = document.createElement('fieldset');
    fs.className = `group group-${group}`;
    const legend = document.createElement('legend');
    fs.append(legend);
    legends.set(group, legend);
    for (const s of SCHEMA.filter((x) => x.group === group)) {
      const field = document.createElement('div');
      field.className = 'field';
      field.dataset.key = s.key;
      const id = `set-${s.key.replace(/[^a-zA-Z0-9]/g, '-')}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      const help = document.createElement('small');
      help.className = 'help';
      help.id = `${id}-help`;
      /** @type {HTMLSelectElement | HTMLInputElement | null} */
      let input = null;
      /** @type {HTMLInputElement[]} */
      const boxes = [];
      if (s.type === 'enum' || ((s.type === 'number' || s.type === 'int') && s.values)) {
        const select = document.createElement('select');
        for (const v of s.values ?? []) {
          const o = document.createElement('option');
          o.value = String(v);
          select.append(o);
        }
        input = select;
      } else if (s.type === 'set') {
        const group = document.createElement('div');
        group.className = 'checks';
        group.setAttribute('role', 'group');
        for (const v of s.values ?? []) {
          const l = document.createElement('label');
          l.className = 'check';
          const box = document.createElement('input');
          box.type = 'checkbox';
          box.value = String(v);
          box.setAttribute('aria-describedby', help.id);
          const span = document.createElement('span');
          l.append(box, span);
          group.append(l);
          boxes.push(box);
        }
        label.removeAttribute('for');
        label.id = `${id}-label`;
        group.setAttribute('aria-labelledby', label.id);
        field.append(label, group, help);
      } else {
        const text = document.createElement('input');
        text.type = s.type === 'widths' || s.type === 'rates' ? 'text' : 'number';
        text.inputMode = s.type === 'rates' ? 'decimal' : 'numeric';
        if (s.type === 'int') {
          text.step = '1';
          if (s.min !== undefined) text.min = String(s.min);
          if (s.max !== undefined) text.max = String(s.max);
        }
        input = text;
      }
      if (input) {
        input.id = id;
        input.name = s.key;
        input.setAttribute('aria-describedby', help.id);
        field.append(label, input, help);
      }
      /** @type {HTMLElement | null} */
      let desc = null;
      if (s.values && hasKey(`desc.${s.key}.${s.values[0]}`)) {
        desc = document.createElement('p');
        desc.className = 'desc';
        field.append(desc);
      }
      fs.append(field);
      fields.set(s.key, { field, input, boxes, label, help, desc, setting: s });
    }
    if (group === 'data') {
      const field = document.createElement('div');
      field.className = 'field';
      fileLabel = document.createElement('label');
      fileLabel.htmlFor = 'set-csv';
      fileInput = document.createElement('input');
      fileInput.type = 'file';
      fileInput.id = 'set-csv';
      fileInput.accept = '.csv,text/csv,text/plain';
      fileInput.dataset.testid = 'csv-upload';
      fileHelp = document.createElement('small');
      fileHelp.className = 'help';
      fileHelp.id = 'set-csv-help';
      fileInput.setAttribute('aria-describedby', fileHelp.id);
      fileInput.className = 'file-input';
      // The native picker's own text follows the browser's language, not ours: a styled label
      // stands in for it (the input stays focusable; Enter/Space open the picker).
      fileButton = document.createElement('label');
      fileButton.htmlFor = 'set-csv';
      fileButton.className = 'file-button';
      fileButton.setAttribute('aria-hidden', 'true');
      field.append(fileLabel, fileInput, fileButton, fileHelp);
      fs.append(field);
      fileInput.addEventListener('change', async () => {
        const file = fileInput.files?.[0];
        if (!file) return;
        // Refused before it is read: a huge file must not freeze the page (the engine's limit).
        if (file.size > MAX_CSV_BYTES) {
          fileInput.value = '';
          dispatch({ type: 'csvRefused', name: file.name, bytes: file.size });
          return;
        }
        const text = await file.text();
        fileInput.value = '';
        dispatch({ type: 'csv', name: file.name, text });
      });
    }
    form.append(fs);
  }

  // One handler for every field: parse through the schema, then dispatch.
  form.addEventListener('change', (e) => {
    const target = /** @type {HTMLElement} */ (e.target);
    if (target === fileInput) return;
    const key = /** @type {HTMLElement | null} */ (target.closest('.field'))?.dataset.key;
    const f = key ? fields.get(key) : undefined;
    if (!f) return;
    const s = f.setting;
    const raw = s.type === 'set' ? f.boxes.filter((b) => b.checked).map((b) => b.value).join(',') : f.input?.value ?? '';
    if (s.key === 'dataset' && raw === 'csv') {
      // The model changes only once a file is read: until then the select shows the real data set.
      if (f.input && current) f.input.value = current.dataset;
      fileInput.click();
      return;
    }
    try {
      const value = parseValue(s, raw);
      f.field.classList.remove('invalid');
      f.input?.removeAttribute('aria-invalid');
      dispatch({ type: 'set', key: s.key, value });
    } catch (err) {
      f.field.classList.add('invalid');
      f.input?.setAttribute('aria-invalid', 'true');
      f.help.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  form.addEventListener('submit', (e) => e.preventDefault());

  function relabel() {
    for (const [group, legend] of legends) legend.textContent = t(`group.${group}`);
    for (const f of fields.values()) {
      const s = f.setting;
      f.label.textContent = t(`label.${s.key}`);
      f.help.textContent = t(`help.${s.key}`);
      if (f.input instanceof HTMLSelectElement) {
        for (const o of f.input.options) {
          const v = s.type === 'enum' ? o.value : Number(o.value);
          o.textContent = optionLabel(s, v);
        }
      }
      for (const b of f.boxes) {
        const span = /** @type {HTMLElement} */ (b.nextElementSibling);
        span.textContent = optionLabel(s, b.value);
      }
    }
    fileLabel.textContent = t('label.csv');
    fileButton.textContent = t('btn.chooseCsv');
    fileHelp.textContent = t('help.csv');
  }

  /**
   * @param {AppState} state
   * @param {AppState | null} prev
   */
  function update(state, prev) {
    current = state.settings;
    const settings = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (state.settings));
    if (!prev || prev.settings.lang !== state.settings.lang) relabel();
    if (!prev || prev.settings !== state.settings || prev.busy !== state.busy) {
      for (const f of fields.values()) {
        const s = f.setting;
        const v = settings[s.key];
        if (f.input instanceof HTMLSelectElement) {
          const text = String(v);
          if (![...f.input.options].some((o) => o.value === text)) {
            const o = document.createElement('option');
            o.value = text;
            o.textContent = optionLabel(s, /** @type {string | number} */ (v));
            f.input.append(o);
          }
          if (f.input.value !== text) f.input.value = text;
        } else if (f.input) {
          const text = Array.isArray(v) ? v.join(', ') : String(v);
          if (document.activeElement !== f.input && f.input.value !== text) f.input.value = text;
        }
        for (const b of f.boxes) b.checked = Array.isArray(v) && v.includes(b.value);
        if (f.desc) f.desc.textContent = t(`desc.${s.key}.${v}`);
        f.field.hidden = s.shown ? !s.shown(state.settings) : false;
        // A new network cannot be built while the engine is busy.
        const lock = state.busy !== null && s.rebuild;
        if (f.input) f.input.disabled = lock;
        for (const b of f.boxes) b.disabled = state.busy !== null;
      }
      fileInput.disabled = state.busy !== null;
    }
  }

  return { update };
}

// <pruning-playground>: the playground as a custom element — the page itself (index.html is one
// `<pruning-playground page>`) and any static page (blog posts, course notes). The one composition
// root: the markup (views/markup.js), the views, the app (dispatch.js) and its worker are put
// together here, for the page and for every embedded element alike. Built into ONE ES module,
// www/pruning-playground.js (scripts/build-embed.mjs bundles this file with the app and d3); the
// worker, the wasm and the stylesheet are found next to that module (import.meta.url), never
// relative to the host page. The page loads this file unbundled (index.html's import map).
//
//   <script type="module" src="https://…/pruning-playground.js"></script>
//   <pruning-playground preset="lottery" frac="0.5" controls="train prune rewind" height="640"></pruning-playground>
//
// Attributes (read when the element connects; config attributes and `lang`/`height` also later):
//   config keys   the URL keys of state.js's SCHEMA (data, lr, seed, frac, scope, …; the hidden layer
//                 widths are `layers`, as `hidden` would hide the element), parsed by the same
//                 parser: an invalid value falls back with a message naming the attribute
//   steps         a step log (as in the page's URL, app/steplog.js) replayed on the new network
//   preset        lottery | structured-vs-unstructured | global-vs-local | one-shot-vs-iterative
//                 | frankle-carbin-lenet
//   controls      settings (keys) and buttons (train, prune, keep, rewind, rewind-k, reinit, retrain,
//                 evaluate, play, reset, lottery, cancel, adopt) to show; the rest are hidden; `all`, `none`
//   views         network boundary neurons training curve masks density toolkit histogram costs runs lessons (or `all`)
//   lang          en | ko (else the page's lang, else the browser's)
//   height        CSS height (a number is pixels); the element scrolls inside it
//   page          the page's own instance (app/page.js): settings, steps and the classroom list
//                 from the link in the address bar and the autosave (config attributes, steps,
//                 preset and controls are not read), the link kept up to date, the header's tools
//                 (New experiment, Embed, Export, language, theme), the lesson dock, every view;
//                 rendered in light DOM with the document's stylesheet, language and theme
// API: train(epochs), retrain(epochs), prune(spec), rewind(), reinit(), reset(), runLottery(spec) return promises
// of `state`; keepRun(name?) (the kept run), removeRun(id), compareRuns(ids) and the `runs` list (plain
// objects) keep experiments side by side; events epoch, pruned, rewound, level, lottery-done, runkept,
// scanpoint, error (CustomEvent, detail).
// Each element has its own app (dispatch.js) and its own worker; nothing is shared but the code.
import { SCHEMA, defaults, parseValue, quote } from './app/state.js';
import { parseSteps } from './app/steplog.js';
import { runNames } from './app/runs.js';
import { tagLabel } from './app/lessons.js';
import { applyTranslations, normalizeLang, setLang, t } from './app/i18n.js';
import { createApp, errorText } from './app/dispatch.js';
import { createControls } from './app/controls.js';
import { PRESETS } from './app/presets.js';
import { attributeOf } from './app/embed.js';
import { BUTTONS, limitControls } from './app/classroom.js';
import { applyPageTheme, createHeader, readPage, wirePage } from './app/page.js';
import { markup } from './views/markup.js';
import { createReadouts } from './views/readouts.js';
import { createNetwork } from './views/network.js';
import { createBoundary } from './views/boundary.js';
import { createCurve, createDensityBars, createHistogram, createTrainingChart } from './views/charts.js';
import { createCosts, createLessonDock, createLessons } from './views/panels.js';
import { createMasks } from './views/masks.js';
import { createSensitivity } from './views/sensitivity.js';
import { createPai } from './views/pai.js';
import { createRuns } from './views/runs.js';

/**
 * @typedef {import('./app/dispatch.js').Action} Action
 * @typedef {import('./app/dispatch.js').AppState} AppState
 * @typedef {import('./app/state.js').Settings} Settings
 * @typedef {import('./app/state.js').Setting} Setting
 */

/** Views the `views` attribute can name; an element shows all but masks, costs and lessons by default, the page all. */
export { BUTTONS };
export const VIEWS = ['network', 'boundary', 'neurons', 'training', 'curve', 'masks', 'density', 'toolkit', 'histogram', 'costs', 'runs', 'lessons'];
const DEFAULT_VIEWS = 'network boundary neurons training curve density histogram';
/** The attribute of a setting: its URL key (the `controls` setting is `ctl`, so `controls` is free), `layers` for `hidden`. */
const attrOf = attributeOf;
const CONFIG_ATTRS = SCHEMA.map(attrOf);

/**
 * Sets the strings' language without touching the host page's own `lang` attribute.
 * @param {'en' | 'ko'} lang
 */
function useLang(lang) {
  const html = document.documentElement;
  const keep = html.getAttribute('lang');
  setLang(lang);
  if (keep === null) html.removeAttribute('lang');
  else html.setAttribute('lang', keep);
}

/**
 * The settings an element's attributes describe: defaults, then the preset, then each config
 * attribute through the schema's parser (an invalid one keeps the preset's/default value and is
 * reported naming the attribute).
 * @param {Element} el
 * @returns {{ settings: Settings, problems: string[], preset: import('./app/presets.js').Preset | null }}
 */
export function settingsFromAttributes(el) {
  /** @type {string[]} */
  const problems = [];
  const name = el.getAttribute('preset');
  const preset = name === null ? null : PRESETS[name] ?? null;
  if (name !== null && !preset) problems.push(`preset: ${quote(name)} (allowed: ${Object.keys(PRESETS).join(', ')})`);
  const settings = /** @type {Record<string, unknown>} */ ({ ...defaults(), ...(preset?.settings ?? {}) });
  for (const s of SCHEMA) {
    const attr = attrOf(s);
    const raw = el.getAttribute(attr);
    if (raw === null) continue;
    try {
      settings[s.key] = parseValue(s, raw);
    } catch (err) {
      // parseValue names the setting; the author wrote the attribute.
      const msg = errorText(err);
      problems.push(attr === s.key ? msg : `${attr} (${msg})`);
    }
  }
  if (el.getAttribute('lang') === null || problems.some((p) => p.startsWith('lang'))) {
    const page = el.parentElement?.closest('[lang]')?.getAttribute('lang');
    settings.lang = normalizeLang(page || navigator.language);
  }
  return { settings: /** @type {Settings} */ (/** @type {unknown} */ (settings)), problems, preset };
}

/**
 * A setting by its key or URL key (for the script API's specs).
 * @param {string} name
 */
function findSetting(name) {
  const s = SCHEMA.find((x) => x.key === name || (x.url ?? x.key) === name);
  if (!s) throw new Error(`${name}: not a setting (allowed: ${SCHEMA.map((x) => x.key).join(', ')})`);
  return s;
}

/** This module's URL. Through a variable, so that bundlers leave the URLs built from it alone. */
const here = import.meta.url;

/**
 * The worker next to this module: undefined (the engine's own literal `new Worker(new URL(…))`,
 * which bundlers follow) on this origin; a cross-origin one is started through a same-origin blob.
 */
function workerUrl() {
  const url = new URL('./worker.js', here);
  if (url.origin === location.origin) return undefined;
  const blob = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return URL.createObjectURL(blob);
}

export class PruningPlayground extends HTMLElement {
  static get observedAttributes() {
    return [...CONFIG_ATTRS, 'height'];
  }

  constructor() {
    super();
    /** @private @type {ShadowRoot | HTMLElement | null} where the markup lives: a shadow root, or the page's element itself */
    this.root = null;
    /** @private @type {ReturnType<typeof createApp> | null} */
    this.app = null;
    /** @private true from connecting until the app exists (the page reads its link asynchronously) */
    this.starting = false;
    /** @private @type {AbortController | null} ends the listeners on the root, document and window */
    this.listeners = null;
    /** @private @type {Promise<void>} */
    this.queue = Promise.resolve();
    /** @private @type {{ action: string, error: string } | null} */
    this.lastError = null;
    /** @private @type {(() => void) | null} */
    this.markReady = null;
    /** Resolves once the first network is built (and the `steps` log replayed). */
    this.ready = new Promise((resolve) => {
      this.markReady = () => resolve(undefined);
    });
  }

  connectedCallback() {
    this.applyHeight();
    if (!this.app && !this.starting) {
      this.starting = true;
      this.init().finally(() => {
        this.starting = false;
      });
    }
  }

  disconnectedCallback() {
    // Moving the element calls disconnected then connected: stop only if it really left.
    queueMicrotask(() => {
      if (!this.isConnected && this.app) {
        this.app.dispose();
        this.app = null;
        this.listeners?.abort();
        this.root?.replaceChildren();
      }
    });
  }

  /**
   * @param {string} name
   * @param {string | null} _old
   * @param {string | null} value
   */
  attributeChangedCallback(name, _old, value) {
    if (name === 'height') {
      this.applyHeight();
      return;
    }
    if (!this.app || value === null) return;
    const s = /** @type {Setting} */ (SCHEMA.find((x) => attrOf(x) === name));
    this.enqueue(async () => {
      await this.applySpec({ [s.key]: value });
      return this.state;
    }).catch(() => {});
  }

  /** @private */
  applyHeight() {
    const h = this.getAttribute('height');
    if (h === null || h.trim() === '') this.style.removeProperty('height');
    else this.style.height = /^\d+(\.\d+)?$/.test(h.trim()) ? `${h.trim()}px` : h;
  }

  /**
   * Where this instance starts: the page's link and autosave, or an element's attributes.
   * @private
   * @param {boolean} page
   */
  async startingPoint(page) {
    if (page) {
      const { settings, problems, classroom, session } = await readPage();
      return { settings, problems, controls: classroom, views: 'all', session };
    }
    const { settings, problems, preset } = settingsFromAttributes(this);
    const steps = parseSteps(this.getAttribute('steps') ?? '', settings);
    problems.push(...steps.problems);
    return {
      settings,
      problems,
      controls: this.getAttribute('controls') ?? preset?.controls ?? null,
      views: this.getAttribute('views') ?? preset?.views ?? DEFAULT_VIEWS,
      session: { steps: steps.steps, embedded: true },
    };
  }

  /**
   * The composition root: markup, views, app and listeners, for the page and for an element.
   * @private
   */
  async init() {
    const page = this.hasAttribute('page');
    const start = await this.startingPoint(page);
    if (!this.isConnected) return;
    const { settings, problems } = start;
    // The page's markup is part of the document (its skip link, landmarks, dialog and the ids its
    // labels point at resolve there; the document's stylesheet styles it); an element's lives in
    // its own shadow root, isolated from the host page's styles and ids.
    const root = page ? this : this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    this.root = root;
    const template = document.createElement('template');
    template.innerHTML = markup(page); // a constant: no user strings
    if (page) root.replaceChildren(template.content.cloneNode(true));
    else {
      const sheet = document.createElement('link');
      sheet.rel = 'stylesheet';
      sheet.href = new URL('./style.css', import.meta.url).href;
      root.replaceChildren(sheet, template.content.cloneNode(true));
    }
    // The page's language is the document's (<html lang>); an element leaves the host's alone.
    const language = page ? setLang : useLang;
    language(/** @type {'en' | 'ko'} */ (settings.lang));

    /** @template {Element} T @param {string} sel @returns {T} */
    const $ = (sel) => {
      const el = root.querySelector(sel);
      if (!el) throw new Error(`missing element ${sel}`);
      return /** @type {T} */ (el);
    };
    /** @type {(a: Action) => void} */
    let dispatch = () => {};
    const send = (/** @type {Action} */ a) => dispatch(a);

    // Views: the ones not asked for leave the DOM (and are not drawn).
    let viewList = start.views.split(/[\s,]+/).filter(Boolean);
    if (viewList.includes('all')) viewList = [...VIEWS];
    const unknownViews = viewList.filter((v) => !VIEWS.includes(v));
    if (unknownViews.length > 0) problems.push(`views: ${quote(unknownViews.join(' '))} (allowed: ${VIEWS.join(', ')})`);
    const shown = new Set(viewList);
    for (const el of root.querySelectorAll('[data-view]')) {
      if (!shown.has(/** @type {HTMLElement} */ (el).dataset.view ?? '')) el.remove();
    }
    if (!shown.has('boundary') && !shown.has('neurons')) $('.pair').remove();
    const side = $('.side');
    if (side.children.length === 0) side.remove();

    const form = /** @type {HTMLFormElement} */ ($('#controls'));
    const host = this;
    const views = [
      {
        /** Language and theme first, before the other views read strings and colours. */
        update(/** @type {AppState} */ s, /** @type {AppState | null} */ prev) {
          language(/** @type {'en' | 'ko'} */ (s.settings.lang));
          if (!prev || prev.settings.lang !== s.settings.lang) applyTranslations(root);
          if (page) applyPageTheme(s.settings.theme);
          else if (s.settings.theme === 'auto') delete host.dataset.theme;
          else host.dataset.theme = s.settings.theme;
        },
      },
    ];
    if (page) views.push(createHeader(root));
    // Tests and scripts wait on data-busy / data-done: on <body> for the page, on the element otherwise.
    views.push(createControls(form, send), createReadouts(root, page ? document.body : this));
    if (shown.has('network')) views.push(createNetwork($('[data-testid="network"]')));
    if (shown.has('boundary') || shown.has('neurons')) {
      // The boundary view draws both; a hidden half gets a detached stand-in.
      const boundary = shown.has('boundary') ? /** @type {HTMLElement} */ ($('[data-testid="boundary"]')) : document.createElement('figure');
      if (!shown.has('boundary')) boundary.append(document.createElement('canvas'), Object.assign(document.createElement('p'), { id: 'boundary-hint' }));
      const maps = shown.has('neurons') ? /** @type {HTMLElement} */ ($('#neuron-maps')) : document.createElement('div');
      views.push(createBoundary(boundary, maps));
    }
    if (shown.has('training')) views.push(createTrainingChart($('#training-svg'), $('#training-legend')));
    if (shown.has('curve')) views.push(createCurve($('[data-testid="curve"]'), send));
    if (shown.has('masks')) views.push(createMasks($('[data-testid="masks"]')));
    if (shown.has('density')) views.push(createDensityBars($('#density-svg')));
    if (shown.has('toolkit')) views.push(createSensitivity($('[data-testid="toolkit"]'), send), createPai($('[data-testid="toolkit"]')));
    if (shown.has('histogram')) views.push(createHistogram($('[data-testid="histogram"]')));
    if (shown.has('costs')) views.push(createCosts($('#costs-list')));
    if (shown.has('runs')) views.push(createRuns($('[data-testid="runs"]'), send));
    if (shown.has('lessons')) views.push(createLessons($('[data-testid="lessons"]'), send));
    if (page) views.push(createLessonDock($('[data-testid="lesson-dock"]'), send));

    // Classroom mode: only the listed settings and buttons stay.
    const controls = start.controls;
    if (controls !== null && !controls.split(/[\s,]+/).includes('all')) limitControls(root, controls, problems);

    const app = createApp(settings, views, {
      ...start.session,
      problems,
      workerUrl: workerUrl(),
      onEvent: (type, detail) => {
        if (type === 'error') this.lastError = /** @type {{ action: string, error: string }} */ (detail);
        this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
      },
    });
    this.app = app;
    dispatch = (a) => {
      app.dispatch(a);
    };
    // Listeners on what outlives this markup (the root, the document, the window) end when the
    // element leaves the page, so one removed and added again does not hand its clicks to the old app too.
    const listeners = new AbortController();
    this.listeners = listeners;
    // One listener for every button with a data-action (the pipeline's, the export items, …).
    root.addEventListener('click', (e) => {
      const button = /** @type {HTMLElement} */ (e.target).closest('button[data-action]');
      if (!(button instanceof HTMLButtonElement) || button.disabled) return;
      const type = button.dataset.action;
      dispatch(/** @type {Action} */ (type === 'export' ? { type, kind: button.dataset.kind ?? '' } : { type }));
    }, { signal: listeners.signal });
    // Canvases read colours from CSS: redraw when the system theme flips.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => app.rerender(), { signal: listeners.signal });
    if (page) {
      wirePage(root, app, {
        classroom: controls,
        scriptUrl: new URL('./pruning-playground.js', here).href,
        signal: listeners.signal,
      });
    }
    app.start().finally(() => this.markReady?.());
  }

  /**
   * Runs API calls one after another, each once the element is ready and idle.
   * @private
   * @template T
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  enqueue(fn) {
    const run = this.queue.then(() => this.ready).then(async () => {
      await this.idle();
      return fn();
    });
    this.queue = run.then(() => {}, () => {});
    return run;
  }

  /** @private */
  async idle() {
    while (this.app && this.app.state.busy !== null) await new Promise((r) => setTimeout(r, 25));
  }

  /**
   * Dispatches one action and waits for it; rejects with the dispatcher's error.
   * @private
   * @param {Action} action
   */
  async act(action) {
    const app = this.app;
    if (!app) throw new Error('pruning-playground: the element is not on the page');
    this.lastError = null;
    await app.dispatch(action);
    const err = /** @type {{ action: string, error: string } | null} */ (this.lastError);
    if (err) throw new Error(err.error);
  }

  /**
   * Applies settings (keys or URL keys → values, validated by the schema), one `set` each.
   * @private
   * @param {Record<string, unknown>} spec
   */
  async applySpec(spec) {
    const app = this.app;
    if (!app) throw new Error('pruning-playground: the element is not on the page');
    // Validate everything first: a bad value changes nothing.
    const parsed = Object.entries(spec).map(([name, v]) => {
      const s = findSetting(name);
      try {
        return { s, value: parseValue(s, Array.isArray(v) ? v.join(',') : String(v)) };
      } catch (err) {
        const e = new Error(errorText(err));
        this.dispatchEvent(new CustomEvent('error', { detail: { action: 'set', error: e.message }, bubbles: true, composed: true }));
        throw e;
      }
    });
    for (const { s, value } of parsed) {
      const cur = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (app.state.settings))[s.key];
      if (JSON.stringify(cur) !== JSON.stringify(value)) await this.act({ type: 'set', key: s.key, value });
    }
  }

  /**
   * @private
   * @param {Action['type']} type
   * @param {Record<string, unknown>} [spec]
   */
  step(type, spec = {}) {
    return this.enqueue(async () => {
      await this.applySpec(spec);
      await this.act(/** @type {Action} */ ({ type }));
      return this.state;
    });
  }

  /**
   * Trains `epochs` epochs (default: the `ep` setting); resolves with `state`.
   * @param {number} [epochs]
   */
  train(epochs) {
    return this.step('train', epochs === undefined ? {} : { epochs });
  }

  /**
   * Trains the pruned network further, mask kept (default: the `rt` setting's epochs); resolves with `state`.
   * @param {number} [epochs]
   */
  retrain(epochs) {
    return this.step('retrain', epochs === undefined ? {} : { retrainEpochs: epochs });
  }

  /**
   * Prunes: `spec` is a fraction (0.5) or settings ({ fraction, scope, structure, score, schedule, … }).
   * @param {number | Record<string, unknown>} [spec]
   */
  prune(spec = {}) {
    return this.step('prune', typeof spec === 'number' ? { fraction: spec } : spec);
  }

  /**
   * The per-layer sensitivity scan (each layer pruned alone to 0–95 %, evaluated without
   * retraining on the validation split); resolves with `{ split, base, curves }` (docs/api.md),
   * or null when stopped (Cancel). Each point is a `scanpoint` event as it arrives.
   */
  sensitivity() {
    return this.enqueue(async () => {
      const before = this.app?.state.sensitivity;
      await this.act({ type: 'scan' });
      const scan = this.app?.state.sensitivity;
      // A stopped scan leaves the previous one: resolve with null then.
      if (!scan || scan === before || scan.partial) return null;
      const { split, base, curves } = scan;
      return structuredClone({ split, base, curves });
    });
  }

  /**
   * Pruning at initialization compared (Frankle et al. 2021): SNIP, GraSP, SynFlow, magnitude and
   * random each prune θ₀ to 50/20/10/5 % and train `lotteryEpochs` epochs, beside a layer-wise
   * shuffled mask and reinitialized weights; `spec` is settings ({ lotteryEpochs, seed, … }).
   * Resolves with the runs: `[{ method, control, density, actualDensity, bestEpoch,
   * valAccuracy, testAccuracy }]` (docs/api.md).
   * @param {Record<string, unknown>} [spec]
   */
  comparePruningAtInit(spec = {}) {
    return this.enqueue(async () => {
      await this.applySpec(spec);
      await this.act({ type: 'pai' });
      return structuredClone(this.app?.state.pai?.runs ?? []);
    });
  }

  /**
   * N:M (2:4) semi-structured pruning of every layer: `spec` is settings ({ score }); resolves with `state`.
   * @param {Record<string, unknown>} [spec]
   */
  pruneNM(spec = {}) {
    return this.step('pruneNM', spec);
  }

  /** Rewinds the surviving weights to their values at initialisation (θ₀). */
  rewind() {
    return this.step('rewind');
  }

  /** Gives the surviving weights fresh random values (the random-reinit control). */
  reinit() {
    return this.step('reinit');
  }

  /** Back to the dense network at θ₀ (same seed, same network). */
  reset() {
    return this.step('reset');
  }

  /**
   * Runs the lottery experiment: `spec` is a level count or settings ({ levels, fraction, lotteryEpochs, … }).
   * @param {number | Record<string, unknown>} [spec]
   */
  runLottery(spec = {}) {
    return this.step('lottery', typeof spec === 'number' ? { levels: spec } : spec);
  }

  /**
   * Keeps the experiment now as a run (named `name`, else from the settings that differ); resolves
   * with the kept run (a plain object, as in `runs`), or rejects when there is nothing to keep.
   * @param {string} [name]
   */
  keepRun(name) {
    return this.enqueue(async () => {
      const before = this.app?.state.runs ?? [];
      await this.act(name === undefined ? { type: 'keepRun' } : { type: 'keepRun', name: String(name) });
      const after = this.app?.state.runs ?? [];
      const kept = after.find((r) => !before.includes(r));
      if (!kept) throw new Error(t(this.app?.state.message?.key ?? 'msg.runNothing', this.app?.state.message?.params));
      return this.runs.find((r) => r.id === kept.id) ?? null;
    });
  }

  /**
   * Removes a kept run; resolves with the remaining `runs`.
   * @param {string} id
   */
  removeRun(id) {
    return this.enqueue(async () => {
      if (!this.app?.state.runs.some((r) => r.id === id)) throw new Error(`${id}: not a kept run`);
      await this.app.dispatch({ type: 'runs', edit: { op: 'remove', id } });
      return this.runs;
    });
  }

  /**
   * Overlays exactly these runs in the compare chart (`mode`: 'density' or 'epoch', else
   * unchanged); resolves with `runs`.
   * @param {string[]} ids
   * @param {'density' | 'epoch'} [mode]
   */
  compareRuns(ids, mode) {
    return this.enqueue(async () => {
      const app = this.app;
      if (!app) throw new Error('pruning-playground: the element is not on the page');
      const unknown = ids.filter((id) => !app.state.runs.some((r) => r.id === id));
      if (unknown.length > 0) throw new Error(`${unknown.join(', ')}: not a kept run`);
      if (mode !== undefined && mode !== 'density' && mode !== 'epoch') throw new Error(`mode: ${quote(String(mode))} (allowed: density, epoch)`);
      await app.dispatch({ type: 'runs', edit: { op: 'only', ids } });
      if (mode) await app.dispatch({ type: 'runsMode', mode });
      return this.runs;
    });
  }

  /** The kept runs, as plain objects, each with its display `name` (the learner's or the automatic one). */
  get runs() {
    const s = this.app?.state;
    if (!s) return [];
    useLang(/** @type {'en' | 'ko'} */ (s.settings.lang));
    const names = runNames(s.runs, t, tagLabel);
    return s.runs.map((r) => ({ ...structuredClone(r), name: names.get(r.id) ?? '', custom: r.name !== null }));
  }

  /** The experiment now: settings, history, last prune, lottery table, readouts, busy. */
  get state() {
    const s = this.app?.state;
    if (!s) return null;
    useLang(/** @type {'en' | 'ko'} */ (s.settings.lang));
    const ev = s.frame?.evaluation;
    return {
      settings: { ...s.settings },
      history: s.history.map((m) => ({ ...m })),
      lastPrune: s.lastPrune ? { ...s.lastPrune } : null,
      lottery: s.lottery.map((r) => ({ ...r })),
      busy: s.busy,
      epoch: s.history.at(-1)?.epoch ?? 0,
      trainAccuracy: ev?.trainAccuracy ?? null,
      testAccuracy: ev?.testAccuracy ?? null,
      density: s.frame?.snapshot?.density ?? null,
      message: s.message ? t(s.message.key, s.message.params) : '',
    };
  }
}

if (!customElements.get('pruning-playground')) customElements.define('pruning-playground', PruningPlayground);

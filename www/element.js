// <pruning-playground>: the playground as a custom element for any static page (blog posts,
// course notes). Built into ONE ES module, www/pruning-playground.js (scripts/build-embed.mjs
// bundles this file with the app and d3); the worker, the wasm and the stylesheet are found next
// to that module (import.meta.url), never relative to the host page.
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
//   controls      settings (keys) and buttons (train, prune, keep, rewind, rewind-k, reinit, retrain,
//                 evaluate, play, reset, lottery, cancel, adopt) to show; the rest are hidden; `all`, `none`
//   views         network boundary neurons training curve density histogram costs lessons (or `all`)
//   lang          en | ko (else the page's lang, else the browser's)
//   height        CSS height (a number is pixels); the element scrolls inside it
// API: train(epochs), retrain(epochs), prune(spec), rewind(), reinit(), reset(), runLottery(spec) return promises
// of `state`; events epoch, pruned, rewound, level, lottery-done, error (CustomEvent, detail).
// Each element has its own app (dispatch.js) and its own worker; nothing is shared but the code.
import { SCHEMA, defaults, parseValue, quote } from './app/state.js';
import { parseSteps } from './app/steplog.js';
import { applyTranslations, normalizeLang, setLang, t } from './app/i18n.js';
import { createApp, errorText } from './app/dispatch.js';
import { createControls } from './app/controls.js';
import { PRESETS } from './app/presets.js';
import { attributeOf } from './app/embed.js';
import { BUTTONS, limitControls } from './app/classroom.js';
import { createReadouts } from './views/readouts.js';
import { createNetwork } from './views/network.js';
import { createBoundary } from './views/boundary.js';
import { createCurve, createDensityBars, createHistogram, createTrainingChart } from './views/charts.js';
import { createCosts, createLessons } from './views/panels.js';

/**
 * @typedef {import('./app/dispatch.js').Action} Action
 * @typedef {import('./app/dispatch.js').AppState} AppState
 * @typedef {import('./app/state.js').Settings} Settings
 * @typedef {import('./app/state.js').Setting} Setting
 */

/** Views the `views` attribute can name; all but costs and lessons are shown by default. */
export { BUTTONS };
export const VIEWS = ['network', 'boundary', 'neurons', 'training', 'curve', 'density', 'histogram', 'costs', 'lessons'];
const DEFAULT_VIEWS = 'network boundary neurons training curve density histogram';
/** The attribute of a setting: its URL key (the `controls` setting is `ctl`, so `controls` is free), `layers` for `hidden`. */
const attrOf = attributeOf;
const CONFIG_ATTRS = SCHEMA.map(attrOf);

// Static markup (no user strings): the same classes and ids as index.html, so the views and the
// stylesheet work unchanged; ids are unique per element because each has its own shadow root.
const MARKUP = `
<div class="embed">
  <section class="pipeline">
    <div class="steps">
      <div class="step"><span class="step-label" data-i18n="step.train"></span>
        <button type="button" data-action="train" data-testid="train" data-i18n="btn.train" class="primary"></button></div>
      <div class="step"><span class="step-label" data-i18n="step.prune"></span>
        <button type="button" data-action="prune" data-testid="prune" data-i18n="btn.prune" class="primary"></button></div>
      <div class="step"><span class="step-label" data-i18n="step.init"></span>
        <span class="group">
          <button type="button" data-action="keep" data-testid="keep" data-i18n="btn.keep"></button>
          <button type="button" data-action="rewind" data-testid="rewind" data-i18n="btn.rewind"></button>
          <button type="button" data-action="rewindK" data-testid="rewind-k" data-i18n="btn.rewindK"></button>
          <button type="button" data-action="reinit" data-testid="reinit" data-i18n="btn.reinit"></button>
        </span></div>
      <div class="step"><span class="step-label" data-i18n="step.retrain"></span>
        <button type="button" data-action="retrain" data-testid="retrain" data-i18n="btn.retrain" class="primary"></button></div>
      <div class="step"><span class="step-label" data-i18n="step.evaluate"></span>
        <button type="button" data-action="evaluate" data-testid="evaluate" data-i18n="btn.evaluate"></button></div>
    </div>
    <div class="runbar">
      <button type="button" data-action="play" data-testid="play" data-i18n-title="title.play" aria-pressed="false"><span class="play-label" data-i18n="btn.play"></span></button>
      <button type="button" data-action="reset" data-testid="reset" data-i18n="btn.reset" data-i18n-title="title.reset"></button>
      <button type="button" data-action="lottery" data-testid="run-lottery" data-i18n="btn.runLottery" class="primary"></button>
      <button type="button" data-action="cancel" data-testid="cancel" data-i18n="btn.cancel"></button>
    </div>
  </section>
  <div class="embed-body">
    <form id="controls" class="controls" autocomplete="off" novalidate></form>
    <section class="work">
      <dl class="readouts">
        <div><dt data-i18n="ro.epoch"></dt><dd data-testid="epoch">0</dd></div>
        <div><dt data-i18n="ro.trainAccuracy"></dt><dd data-testid="train-accuracy">—</dd></div>
        <div><dt data-i18n="ro.testAccuracy"></dt><dd data-testid="test-accuracy">—</dd></div>
        <div><dt data-i18n="ro.density"></dt><dd data-testid="density">—</dd></div>
        <div><dt data-i18n="ro.level"></dt><dd data-testid="level">—</dd></div>
      </dl>
      <div class="progress-row">
        <progress data-testid="progress" max="1" value="0" data-i18n-aria-label="ro.progress"></progress>
        <span class="progress-label" id="progress-label"></span>
      </div>
      <p class="message" data-testid="message" role="status" aria-live="polite"></p>
      <button type="button" class="restore-good" data-action="restoreGood" data-testid="restore-good" data-i18n="btn.restoreGood" hidden></button>
      <figure class="view network" data-testid="network" data-view="network">
        <figcaption><span data-i18n="view.network"></span> <span class="hint" id="network-hint"></span></figcaption>
        <div class="network-body" id="network-body"></div>
        <div class="legend">
          <span class="key pos" data-i18n="legend.positive"></span>
          <span class="key neg" data-i18n="legend.negative"></span>
          <span class="key pruned" data-i18n="legend.pruned"></span>
        </div>
        <output class="tooltip" id="network-tip" hidden></output>
      </figure>
      <div class="pair">
        <figure class="view boundary" data-testid="boundary" data-view="boundary">
          <figcaption data-i18n="view.boundary"></figcaption>
          <canvas id="boundary-canvas" width="320" height="320"></canvas>
          <p class="hint" id="boundary-hint"></p>
        </figure>
        <figure class="view neurons" id="neurons-view" data-view="neurons">
          <figcaption data-i18n="view.neurons"></figcaption>
          <div id="neuron-maps" class="neuron-maps"></div>
        </figure>
      </div>
    </section>
    <section class="side">
      <figure class="view chart" data-testid="training-chart" data-view="training">
        <figcaption data-i18n="view.training"></figcaption>
        <svg id="training-svg" viewBox="0 0 420 200" role="img" data-i18n-aria-label="view.training"></svg>
        <div class="legend" id="training-legend"></div>
      </figure>
      <figure class="view chart" data-testid="curve" data-view="curve">
        <figcaption data-i18n="view.curve"></figcaption>
        <svg id="curve-svg" viewBox="0 0 420 220" role="img" data-i18n-aria-label="view.curve"></svg>
        <svg id="curve-epoch-svg" viewBox="0 0 420 160" role="img" data-i18n-aria-label="view.curveEpoch"></svg>
        <div class="legend" id="curve-legend"></div>
        <p class="hint" id="curve-empty" data-i18n="curve.empty"></p>
        <button type="button" data-action="adopt" data-testid="adopt" data-i18n="btn.adopt" data-i18n-title="title.adopt"></button>
      </figure>
      <figure class="view chart" data-testid="density-bars" data-view="density">
        <figcaption data-i18n="view.density"></figcaption>
        <svg id="density-svg" viewBox="0 0 420 120" role="img" data-i18n-aria-label="view.density"></svg>
      </figure>
      <figure class="view chart" data-testid="histogram" data-view="histogram">
        <figcaption data-i18n="view.histogram"></figcaption>
        <svg id="histogram-svg" viewBox="0 0 420 170" role="img" data-i18n-aria-label="view.histogram"></svg>
        <div class="legend" id="histogram-legend"></div>
      </figure>
      <section class="view costs" data-testid="costs" data-view="costs">
        <h2 data-i18n="view.costs"></h2>
        <dl id="costs-list" class="costs-list"></dl>
        <button type="button" data-action="measure" data-testid="measure" data-i18n="btn.measure"></button>
        <p class="hint" data-i18n="cost.note"></p>
      </section>
      <section class="view lessons" data-testid="lessons" data-view="lessons">
        <h2 data-i18n="view.lessons"></h2>
        <label class="inline"><span data-i18n="lesson.choose"></span> <select id="lesson-select"></select></label>
        <button type="button" id="lesson-load" data-i18n="btn.loadLesson"></button>
        <div id="lesson-body" class="lesson-body"></div>
      </section>
    </section>
  </div>
</div>`;

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

/** The worker next to this module; a cross-origin one is started through a same-origin blob. */
function workerUrl() {
  const url = new URL('./worker.js', import.meta.url);
  if (url.origin === location.origin) return url;
  const blob = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  return URL.createObjectURL(blob);
}

export class PruningPlayground extends HTMLElement {
  static get observedAttributes() {
    return [...CONFIG_ATTRS, 'height'];
  }

  constructor() {
    super();
    /** @private */
    this.root = this.attachShadow({ mode: 'open' });
    /** @private @type {ReturnType<typeof createApp> | null} */
    this.app = null;
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
    if (!this.app) this.init();
  }

  disconnectedCallback() {
    // Moving the element calls disconnected then connected: stop only if it really left.
    queueMicrotask(() => {
      if (!this.isConnected && this.app) {
        this.app.dispose();
        this.app = null;
        this.root.replaceChildren();
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

  /** @private */
  init() {
    const root = this.root;
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = new URL('./style.css', import.meta.url).href;
    const template = document.createElement('template');
    template.innerHTML = MARKUP; // a constant: no user strings
    root.replaceChildren(sheet, template.content.cloneNode(true));

    const { settings, problems, preset } = settingsFromAttributes(this);
    const steps = parseSteps(this.getAttribute('steps') ?? '', settings);
    problems.push(...steps.problems);
    useLang(/** @type {'en' | 'ko'} */ (settings.lang));

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
    let viewList = (this.getAttribute('views') ?? preset?.views ?? DEFAULT_VIEWS).split(/[\s,]+/).filter(Boolean);
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
    const views = [
      {
        /** This element's language and theme, set before the other views read strings and colours. */
        update(/** @type {AppState} */ s, /** @type {AppState | null} */ prev) {
          useLang(/** @type {'en' | 'ko'} */ (s.settings.lang));
          if (!prev || prev.settings.lang !== s.settings.lang) applyTranslations(root);
          const host = /** @type {HTMLElement} */ (root.host);
          if (s.settings.theme === 'auto') delete host.dataset.theme;
          else host.dataset.theme = s.settings.theme;
        },
      },
      createControls(form, send),
      createReadouts(root),
    ];
    if (shown.has('network')) views.push(createNetwork($('[data-testid="network"]')));
    if (shown.has('boundary') || shown.has('neurons')) {
      // The boundary view draws both; a hidden half gets a detached stand-in.
      const boundary = shown.has('boundary') ? /** @type {HTMLElement} */ ($('[data-testid="boundary"]')) : document.createElement('figure');
      if (!shown.has('boundary')) boundary.append(document.createElement('canvas'), Object.assign(document.createElement('p'), { id: 'boundary-hint' }));
      const maps = shown.has('neurons') ? /** @type {HTMLElement} */ ($('#neuron-maps')) : document.createElement('div');
      views.push(createBoundary(boundary, maps));
    }
    if (shown.has('training')) views.push(createTrainingChart($('#training-svg'), $('#training-legend')));
    if (shown.has('curve')) views.push(createCurve($('[data-testid="curve"]')));
    if (shown.has('density')) views.push(createDensityBars($('#density-svg')));
    if (shown.has('histogram')) views.push(createHistogram($('[data-testid="histogram"]')));
    if (shown.has('costs')) views.push(createCosts($('#costs-list')));
    if (shown.has('lessons')) views.push(createLessons($('[data-testid="lessons"]'), send));

    // Classroom mode: only the listed settings and buttons stay.
    const controls = this.getAttribute('controls') ?? preset?.controls ?? null;
    if (controls !== null && !controls.split(/[\s,]+/).includes('all')) limitControls(this.root, controls, problems);

    const app = createApp(settings, views, {
      problems,
      steps: steps.steps,
      embedded: true,
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
    root.addEventListener('click', (e) => {
      const button = /** @type {HTMLElement} */ (e.target).closest('button[data-action]');
      if (!(button instanceof HTMLButtonElement) || button.disabled) return;
      dispatch(/** @type {Action} */ ({ type: button.dataset.action }));
    });
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

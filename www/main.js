// Entry point of the playground page: reads the settings from the URL (state.js), picks the
// language, builds the views, wires the buttons to the one dispatcher, and starts the engine.
import { SCHEMA, fromQuery, toQuery } from './app/state.js';
import { parseSteps } from './app/steplog.js';
import { limitControls } from './app/classroom.js';
import { loadSaved } from './app/autosave.js';
import { expandSteps, readLink } from './app/link.js';
import { applyTranslations, normalizeLang, setLang } from './app/i18n.js';
import { createApp } from './app/dispatch.js';
import { createControls } from './app/controls.js';
import { createReadouts } from './views/readouts.js';
import { createNetwork } from './views/network.js';
import { createBoundary } from './views/boundary.js';
import { createCurve, createDensityBars, createHistogram, createTrainingChart } from './views/charts.js';
import { createCosts, createLessonDock, createLessons } from './views/panels.js';
import { createMasks } from './views/masks.js';
import { wireEmbed } from './app/embed.js';

/** @typedef {import('./app/dispatch.js').Action} Action */

/** @template {Element} T @param {string} sel @returns {T} */
function $(sel) {
  const el = document.querySelector(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return /** @type {T} */ (el);
}

// The link: the fragment (`#data=…&steps=…`), or a query link of earlier versions (link.js).
const params = readLink();
const fromUrl = fromQuery(params);
const { problems } = fromUrl;
let { settings } = fromUrl;
// Autosave (this tab's slot, or for a new tab the most recent one: autosave.js): settings and
// steps from storage only when the link has neither; the saved tables only when they belong to
// the link's settings and steps. The step log (`steps=`, app/steplog.js) replays the model itself:
// from the link, or else from the restored experiment; parsed against the settings it belongs to,
// so a malformed or hostile log stops at its first bad step with a message.
// Inside an <iframe> (the Embed dialog's iframe snippet) the page shows the link it was given and
// neither restores nor overwrites the reader's own saved experiment on this origin.
const framed = window.self !== window.top;
const { saved, own, error: storageError } = framed ? { saved: null, own: false, error: null } : loadSaved();
const urlHasSettings = params.has('steps') || SCHEMA.some((s) => params.has(s.url ?? s.key));
const linkSteps = await expandSteps(params.get('steps') ?? '');
if (linkSteps.problem) problems.push(linkSteps.problem);
/** @type {import('./app/autosave.js').Saved | null} */
let restore = null;
if (saved) {
  // Through the schema's parser, so a stale or edited save cannot inject invalid values.
  const savedSettings = fromQuery(toQuery(saved.settings)).settings;
  if (!urlHasSettings) {
    settings = savedSettings;
    restore = saved;
  } else if (
    toQuery(savedSettings).toString() === toQuery(settings).toString()
    && (saved.steps ?? '') === linkSteps.steps
  ) restore = saved;
}
if (!params.has('lang') && !restore) settings.lang = normalizeLang(navigator.language);
const parsedSteps = parseSteps(urlHasSettings ? linkSteps.steps : restore?.steps ?? '', settings);
problems.push(...parsedSteps.problems);
setLang(/** @type {'en' | 'ko'} */ (settings.lang));
applyTranslations(document);

/** @param {string} theme */
function applyTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}
applyTheme(settings.theme);

/** @type {(a: Action) => void} */
let dispatch = () => {};
const send = (/** @type {Action} */ a) => dispatch(a);

const langSelect = /** @type {HTMLSelectElement} */ ($('#lang'));
const themeSelect = /** @type {HTMLSelectElement} */ ($('#theme'));

const views = [
  {
    /** Header selects mirror the settings; the theme applies first, before canvases read colours. */
    update(/** @type {import('./app/dispatch.js').AppState} */ s) {
      if (langSelect.value !== s.settings.lang) langSelect.value = s.settings.lang;
      if (themeSelect.value !== s.settings.theme) themeSelect.value = s.settings.theme;
      applyTheme(s.settings.theme);
    },
  },
  createControls($('#controls'), send),
  createReadouts(document),
  createNetwork($('[data-testid="network"]')),
  createBoundary($('[data-testid="boundary"]'), $('#neuron-maps')),
  createTrainingChart($('#training-svg'), $('#training-legend')),
  createCurve($('[data-testid="curve"]')),
  createMasks($('[data-testid="masks"]')),
  createDensityBars($('#density-svg')),
  createHistogram($('[data-testid="histogram"]')),
  createCosts($('#costs-list')),
  createLessons($('[data-testid="lessons"]'), send),
  createLessonDock($('[data-testid="lesson-dock"]'), send),
];

// Classroom mode: `?controls=train,prune,fraction` shows only those buttons and settings (the
// link keeps the list; `all` shows everything).
const classroom = params.get('controls');
if (classroom !== null && !classroom.split(/[\s,]+/).includes('all')) limitControls(document, classroom, problems);

const app = createApp(settings, views, {
  problems,
  restore,
  own,
  storageError,
  steps: parsedSteps.steps,
  // A link that is this tab's own saved experiment (a reload) is a restore, not someone's link.
  source: restore && (own || !urlHasSettings) ? 'storage' : 'link',
  csv: restore?.csv,
  classroom,
  autosave: !framed,
  // Links in the fragment are this version's; query links come from earlier ones (link.js).
  legacyLink: params.has('steps') && !location.hash.slice(1).includes('='),
});
dispatch = (a) => {
  app.dispatch(a);
};

// One listener for every pipeline button (data-action).
document.addEventListener('click', (e) => {
  const button = /** @type {HTMLElement} */ (e.target).closest('button[data-action]');
  if (!(button instanceof HTMLButtonElement) || button.disabled) return;
  const type = button.dataset.action;
  if (type === 'export') {
    closeExportMenu();
    dispatch({ type, kind: button.dataset.kind ?? '' });
  } else dispatch(/** @type {Action} */ ({ type }));
});

// A restore whose CSV data is not stored: "Upload the CSV file again" opens the settings' file picker.
$('[data-testid="csv-reupload"]').addEventListener('click', () => /** @type {HTMLInputElement | null} */ (document.querySelector('#set-csv'))?.click());

// The export menu: a button that shows and hides its list of items (each a data-action button).
const exportButton = /** @type {HTMLButtonElement} */ ($('[data-testid="export"]'));
const exportList = /** @type {HTMLElement} */ ($('#export-list'));
function closeExportMenu() {
  exportList.hidden = true;
  exportButton.setAttribute('aria-expanded', 'false');
}
exportButton.addEventListener('click', () => {
  const open = exportList.hidden;
  exportList.hidden = !open;
  exportButton.setAttribute('aria-expanded', String(open));
  if (open) exportList.querySelector('button')?.focus();
});
exportList.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    closeExportMenu();
    exportButton.focus();
  }
});
document.addEventListener('click', (e) => {
  if (!exportList.hidden && !(/** @type {Element} */ (e.target).closest('.export-menu'))) closeExportMenu();
});
langSelect.addEventListener('change', () => dispatch({ type: 'set', key: 'lang', value: langSelect.value }));
themeSelect.addEventListener('change', () => dispatch({ type: 'set', key: 'theme', value: themeSelect.value }));
// Canvases read colours from CSS: redraw when the system theme flips.
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => app.rerender());

wireEmbed(document, () => app.state, new URL('./pruning-playground.js', import.meta.url).href, () => classroom);
app.start();
// A link edited by hand in the address bar changes only the fragment: load it as a new link
// (an in-page anchor such as the skip link, `#pipeline`, is no link: no `=`).
let written = location.hash;
window.addEventListener('hashchange', () => {
  if (location.hash !== written && location.hash.includes('=')) location.reload();
});
// The page's own writes (history.replaceState) fire no hashchange; remember them.
const replaceState = history.replaceState.bind(history);
history.replaceState = (data, unused, url) => {
  replaceState(data, unused, url);
  written = location.hash;
};

// The static build (`npm run build`) marks its page for offline use: the service worker precaches
// the site so it keeps working without a network once loaded. The dev server's page never does.
const offline = document.documentElement.dataset.offline;
if (offline && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register(offline).catch((err) => console.warn(`offline cache unavailable: ${err}`));
}

// The page's own features, switched on by `<pruning-playground page>` (index.html): where the
// experiment comes from (the link in the address bar, else this tab's autosave), the header's
// tools (language, theme, Export menu, Embed dialog), the "Upload the CSV file again" button and
// a link edited by hand in the address bar. element.js builds the markup, the views and the app
// for the page and for every embedded element alike; this module adds what only the page has.
import { SCHEMA, fromQuery, toQuery } from './state.js';
import { parseSteps } from './steplog.js';
import { loadSaved } from './autosave.js';
import { expandSteps, readLink } from './link.js';
import { normalizeLang } from './i18n.js';
import { wireEmbed } from './embed.js';

/**
 * @typedef {import('./state.js').Settings} Settings
 * @typedef {import('./dispatch.js').AppState} AppState
 * @typedef {import('./dispatch.js').Action} Action
 * @typedef {import('./session.js').SessionOptions} SessionOptions
 */

/**
 * What the page starts from. The link: the fragment (`#data=…&steps=…`), or a query link of
 * earlier versions (link.js). Autosave (this tab's slot, or for a new tab the most recent one:
 * autosave.js): settings and steps from storage only when the link has neither; the saved tables
 * only when they belong to the link's settings and steps. The step log (`steps=`, steplog.js)
 * replays the model itself: from the link, or else from the restored experiment; parsed against
 * the settings it belongs to, so a malformed or hostile log stops at its first bad step with a
 * message. Inside an <iframe> (the Embed dialog's iframe snippet) the page shows the link it was
 * given and neither restores nor overwrites the reader's own saved experiment on this origin.
 * @returns {Promise<{ settings: Settings, problems: string[], classroom: string | null, session: SessionOptions }>}
 */
export async function readPage() {
  const params = readLink();
  const fromUrl = fromQuery(params);
  const { problems } = fromUrl;
  let { settings } = fromUrl;
  const framed = window.self !== window.top;
  const { saved, own, error: storageError } = framed ? { saved: null, own: false, error: null } : loadSaved();
  const urlHasSettings = params.has('steps') || SCHEMA.some((s) => params.has(s.url ?? s.key));
  const linkSteps = await expandSteps(params.get('steps') ?? '');
  if (linkSteps.problem) problems.push(linkSteps.problem);
  /** @type {import('./autosave.js').Saved | null} */
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
  // Classroom mode: `controls=train,prune,fraction` shows only those buttons and settings (the
  // link keeps the list; `all` shows everything).
  const classroom = params.get('controls');
  return {
    settings,
    problems,
    classroom,
    session: {
      restore,
      own,
      storageError,
      steps: parsedSteps.steps,
      // A link that is this tab's own saved experiment (a reload) is a restore, not someone's link.
      source: restore && (own || !urlHasSettings) ? 'storage' : 'link',
      csv: restore?.csv,
      // The kept runs are the learner's, not the link's experiment: they come along whatever the link.
      runs: saved?.runs,
      classroom,
      autosave: !framed,
      // Links in the fragment are this version's; query links come from earlier ones (link.js).
      legacyLink: params.has('steps') && !location.hash.slice(1).includes('='),
    },
  };
}

/**
 * The page's theme: on <html>, so the whole document (scrollbars, form controls) follows it.
 * @param {string} theme
 */
export function applyPageTheme(theme) {
  if (theme === 'auto') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/**
 * The header's language and theme selects, mirroring the settings.
 * @param {ParentNode} root
 * @returns {import('./store.js').View}
 */
export function createHeader(root) {
  const lang = /** @type {HTMLSelectElement} */ (root.querySelector('#lang'));
  const theme = /** @type {HTMLSelectElement} */ (root.querySelector('#theme'));
  return {
    update(/** @type {AppState} */ s) {
      if (lang.value !== s.settings.lang) lang.value = s.settings.lang;
      if (theme.value !== s.settings.theme) theme.value = s.settings.theme;
    },
  };
}

/**
 * Wires the page's tools to the app. Listeners on the document and window end with `signal`.
 * @param {ParentNode} root    the page's element (its markup is in light DOM)
 * @param {{ dispatch: (a: Action) => unknown, readonly state: AppState }} app
 * @param {{ classroom: string | null, scriptUrl: string, signal: AbortSignal }} options
 */
export function wirePage(root, app, { classroom, scriptUrl, signal }) {
  /** @template {Element} T @param {string} sel @returns {T} */
  const $ = (sel) => {
    const el = root.querySelector(sel);
    if (!el) throw new Error(`missing element ${sel}`);
    return /** @type {T} */ (el);
  };
  // A restore whose CSV data is not stored: "Upload the CSV file again" opens the settings' file picker.
  $('[data-testid="csv-reupload"]').addEventListener('click', () => /** @type {HTMLInputElement | null} */ (root.querySelector('#set-csv'))?.click());

  // The export menu: a button that shows and hides its list of items (each a data-action button,
  // dispatched by the element); choosing an item or clicking elsewhere closes it.
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
    const target = /** @type {Element} */ (e.target);
    if (!exportList.hidden && (!target.closest('.export-menu') || target.closest('button[data-action]'))) closeExportMenu();
  }, { signal });

  const lang = /** @type {HTMLSelectElement} */ ($('#lang'));
  const theme = /** @type {HTMLSelectElement} */ ($('#theme'));
  lang.addEventListener('change', () => app.dispatch({ type: 'set', key: 'lang', value: lang.value }));
  theme.addEventListener('change', () => app.dispatch({ type: 'set', key: 'theme', value: theme.value }));

  wireEmbed(root, () => app.state, scriptUrl, () => classroom);

  // A link edited by hand in the address bar changes only the fragment: load it as a new link
  // (an in-page anchor such as the skip link, `#pipeline`, is no link: no `=`).
  let written = location.hash;
  window.addEventListener('hashchange', () => {
    if (location.hash !== written && location.hash.includes('=')) location.reload();
  }, { signal });
  // The page's own writes (history.replaceState, session.js) fire no hashchange; remember them.
  const replaceState = history.replaceState;
  history.replaceState = (data, unused, url) => {
    replaceState.call(history, data, unused, url);
    written = location.hash;
  };
  signal.addEventListener('abort', () => {
    history.replaceState = replaceState;
  });
}

// The "Embed" dialog: the snippet that shows the current experiment in another page, as a
// <pruning-playground> element (www/element.js; the config attributes are the URL keys and the
// step log replays the model) or as an <iframe> of this page's link. Snippets are built as text
// with every value escaped; the dialog shows them in read-only text areas with Copy buttons.
import { SCHEMA, toQuery } from './state.js';
import { formatSteps } from './steplog.js';
import { t } from './i18n.js';

/**
 * The element attribute of a setting: its URL key, except where that is a global HTML attribute
 * with another meaning (`hidden` would hide the element: the layer widths are `layers`).
 * @param {import('./state.js').Setting} s
 */
export function attributeOf(s) {
  const name = (s.url ?? s.key).toLowerCase();
  return name === 'hidden' ? 'layers' : name;
}

/** @param {string} v */
function escapeAttr(v) {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The two snippets for `settings` and step log `log`, for the page at `pageUrl`: the element
 * loads the bundle at `scriptUrl` (www/pruning-playground.js), the iframe opens the page's own link.
 * @param {import('./state.js').Settings} settings
 * @param {import('./steplog.js').Step[]} log
 * @param {string} pageUrl
 * @param {string} scriptUrl
 * @param {string | null} [controls]   classroom mode (classroom.js): the controls shown, or null for all
 * @returns {{ element: string, iframe: string }}
 */
export function embedSnippets(settings, log, pageUrl, scriptUrl, controls = null) {
  const query = toQuery(settings);
  const steps = formatSteps(log, settings);
  const page = new URL(pageUrl);
  page.hash = '';
  page.search = '';
  const script = new URL(scriptUrl, page).href;
  const attrName = (/** @type {string} */ k) => attributeOf(/** @type {import('./state.js').Setting} */ (SCHEMA.find((x) => (x.url ?? x.key) === k)));
  const attrs = [...query].map(([k, v]) => ` ${attrName(k)}="${escapeAttr(v)}"`).join('')
    + (steps ? ` steps="${escapeAttr(steps)}"` : '')
    + (controls !== null ? ` controls="${escapeAttr(controls)}"` : '');
  const element = `<script type="module" src="${escapeAttr(script)}"></script>\n<pruning-playground${attrs}></pruning-playground>`;
  const q = [
    query.toString(),
    steps ? `steps=${steps}` : '',
    controls !== null ? new URLSearchParams({ controls }).toString() : '',
  ].filter(Boolean).join('&');
  // The page reads its link from the fragment (link.js), which no server or host limits.
  const src = `${page.href}${q ? `#${q}` : ''}`;
  const iframe = `<iframe src="${escapeAttr(src)}" title="Pruning Playground" width="100%" height="900" loading="lazy"></iframe>`;
  return { element, iframe };
}

/**
 * Wires the page's Embed button and dialog (index.html: #embed-open, #embed-dialog).
 * @param {ParentNode} root
 * @param {() => import('./dispatch.js').AppState} getState
 * @param {string} scriptUrl   the element bundle (www/pruning-playground.js)
 * @param {() => string | null} [getControls]   the page's classroom `controls` list, or null
 */
export function wireEmbed(root, getState, scriptUrl, getControls = () => null) {
  const open = /** @type {HTMLButtonElement | null} */ (root.querySelector('#embed-open'));
  const dialog = /** @type {HTMLDialogElement | null} */ (root.querySelector('#embed-dialog'));
  if (!open || !dialog) return;
  const status = /** @type {HTMLElement} */ (dialog.querySelector('#embed-status'));
  open.addEventListener('click', () => {
    const s = getState();
    const { element, iframe } = embedSnippets(s.settings, s.log, location.href, scriptUrl, getControls());
    /** @type {HTMLTextAreaElement} */ (dialog.querySelector('#embed-element')).value = element;
    /** @type {HTMLTextAreaElement} */ (dialog.querySelector('#embed-iframe')).value = iframe;
    status.textContent = s.logCut === null ? '' : t('embed.cut');
    dialog.showModal();
  });
  dialog.addEventListener('click', async (e) => {
    const button = /** @type {HTMLElement} */ (e.target).closest('button[data-copy]');
    if (!(button instanceof HTMLButtonElement)) return;
    const area = /** @type {HTMLTextAreaElement} */ (dialog.querySelector(`#${button.dataset.copy}`));
    try {
      await navigator.clipboard.writeText(area.value);
      status.textContent = t('embed.copied');
    } catch {
      // No clipboard permission (e.g. an insecure origin): select the text for Ctrl+C instead.
      area.focus();
      area.select();
      status.textContent = t('embed.copyFailed');
    }
  });
}

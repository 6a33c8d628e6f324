// Export: every file the export menu offers, made from the AppState (history, lottery table),
// the views in the page (PNG) or the engine (safetensors, PyTorch script), and one download helper.
// The dispatcher runs `makeExport` for the action { type: 'export', kind } and hands the file
// to `download`.

import { t } from './i18n.js';
import { runNames, runsCsv } from './runs.js';
import { tagLabel } from './lessons.js';

/**
 * @typedef {import('./dispatch.js').AppState} AppState
 * @typedef {import('../engine.js').Engine} Engine
 * @typedef {{ name: string, blob: Blob }} ExportFile
 * @typedef {import('../types.js').LevelResult} LevelResult
 */

import { summarizeTrials } from '../lottery-trials.js';

/** Every export the menu offers (data-testid `export-<kind>`), in menu order. */
export const EXPORT_KINDS = /** @type {const} */ ([
  'png-network',
  'png-boundary',
  'png-training',
  'png-lottery',
  'history-csv',
  'history-json',
  'lottery-csv',
  'lottery-json',
  'png-runs',
  'runs-csv',
  'safetensors',
  'safetensors-plain',
  'safetensors-init',
  'pytorch',
]);

/** @typedef {typeof EXPORT_KINDS[number]} ExportKind */

const PREFIX = 'pruning-playground';

/** File name of each export. */
export const EXPORT_NAMES = /** @type {Record<ExportKind, string>} */ ({
  'png-network': `${PREFIX}-network.png`,
  'png-boundary': `${PREFIX}-boundary.png`,
  'png-training': `${PREFIX}-training.png`,
  'png-lottery': `${PREFIX}-lottery.png`,
  'history-csv': `${PREFIX}-history.csv`,
  'history-json': `${PREFIX}-history.json`,
  'lottery-csv': `${PREFIX}-lottery.csv`,
  'lottery-json': `${PREFIX}-lottery.json`,
  'png-runs': `${PREFIX}-runs.png`,
  'runs-csv': `${PREFIX}-runs.csv`,
  safetensors: `${PREFIX}-model.safetensors`,
  'safetensors-plain': `${PREFIX}-model-plain.safetensors`,
  'safetensors-init': `${PREFIX}-model.init.safetensors`,
  pytorch: `${PREFIX}-experiment.py`,
});

/** The element each PNG export draws: an <svg> or a <canvas> inside the view. */
const PNG_SOURCES = /** @type {Record<string, string>} */ ({
  'png-network': '[data-testid="network"] svg',
  'png-boundary': '#boundary-canvas',
  'png-training': '#training-svg',
  'png-lottery': '#curve-svg',
  'png-runs': '#runs-svg',
});

/** @param {unknown} v */
function csvCell(v) {
  const text = Array.isArray(v) ? v.join(' ') : v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV with a header row: the keys of the first row (then any new keys of later rows).
 * Arrays become space-separated numbers in one cell.
 * @param {readonly object[]} rows
 */
export function toCsv(rows) {
  /** @type {string[]} */
  const columns = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.join(',')];
  for (const r of rows) {
    const rec = /** @type {Record<string, unknown>} */ (r);
    lines.push(columns.map((c) => csvCell(rec[c])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The lottery table's rows: one run's results as they are; with several trials every trial's
 * rows (`trial` 0 …) and then one summary row per (branch, level) (`trial` "summary"): each
 * number the trials' mean, with its min and max beside it (the CLI's `--trials` summary).
 * @param {readonly LevelResult[]} lottery   trial 0 (or the one run)
 * @param {readonly LevelResult[][]} trials  every trial's results, or [] for one run
 * @returns {object[]}
 */
export function lotteryRows(lottery, trials) {
  if (trials.length < 2) return [...lottery];
  /** @type {object[]} */
  const rows = trials.flatMap((h, trial) => h.map((r) => ({ trial, ...r })));
  for (const s of summarizeTrials([...trials])) {
    /** @type {Record<string, unknown>} */
    const row = { trial: 'summary', branch: s.branch, level: s.level, trials: s.trials, density: s.density.mean };
    for (const key of /** @type {const} */ (['testAccuracy', 'earlyStopTestAccuracy', 'earlyStopEpoch', 'earlyStopStep'])) {
      const v = s[key];
      row[key] = v?.mean ?? null;
      row[`${key}Min`] = v?.min ?? null;
      row[`${key}Max`] = v?.max ?? null;
    }
    rows.push(row);
  }
  return rows;
}

/** Presentation properties copied inline so a serialized SVG looks as it does in the page. */
const SVG_PROPS = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'visibility', 'display',
];

/**
 * An SVG element as standalone markup: computed styles inlined (the page's stylesheet and CSS
 * variables are not there when it is drawn as an image), plus an explicit size and background.
 * @param {SVGSVGElement} svg
 * @param {number} width
 * @param {number} height
 */
function standaloneSvg(svg, width, height) {
  const clone = /** @type {SVGSVGElement} */ (svg.cloneNode(true));
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const out = /** @type {SVGElement} */ (dst[i]);
    for (const p of SVG_PROPS) out.style.setProperty(p, cs.getPropertyValue(p));
  });
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  return new XMLSerializer().serializeToString(clone);
}

/** @param {HTMLCanvasElement} canvas @returns {Promise<Blob>} */
function canvasBlob(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the view could not be drawn as PNG'))), 'image/png');
  });
}

/**
 * A PNG of a view: canvases directly, SVGs drawn onto a canvas (2× for sharpness) over the
 * page background.
 * @param {Element} el
 * @returns {Promise<Blob>}
 */
export async function viewPng(el) {
  if (el instanceof HTMLCanvasElement) return canvasBlob(el);
  if (!(el instanceof SVGSVGElement)) throw new Error('nothing to draw');
  const box = el.getBoundingClientRect();
  const vb = el.viewBox.baseVal;
  const width = Math.round(box.width || vb?.width || 400);
  const height = Math.round(box.height || vb?.height || 300);
  const markup = standaloneSvg(el, width, height);
  const img = new Image();
  // A data: URL (the page's CSP allows data: images, not blob:).
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
  await img.decode();
  const scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor || '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, width, height);
  return canvasBlob(canvas);
}

/**
 * The file for one export kind.
 * @param {string} kind
 * @param {AppState} state
 * @param {Engine} engine
 * @param {import('../types.js').LotterySpec} spec   the current lottery settings (engine levels)
 * @returns {Promise<ExportFile>}
 */
export async function makeExport(kind, state, engine, spec) {
  if (!(EXPORT_KINDS).includes(/** @type {ExportKind} */ (kind))) throw new Error(`unknown export: ${kind}`);
  const k = /** @type {ExportKind} */ (kind);
  const name = EXPORT_NAMES[k];
  const json = (/** @type {unknown} */ v) => new Blob([`${JSON.stringify(v, null, 2)}\n`], { type: 'application/json' });
  const csv = (/** @type {readonly object[]} */ rows) => new Blob([toCsv(rows)], { type: 'text/csv' });
  switch (k) {
    case 'history-csv':
      return { name, blob: csv(state.history) };
    case 'history-json':
      return { name, blob: json({ settings: state.settings, history: state.history }) };
    case 'lottery-csv':
      return { name, blob: csv(lotteryRows(state.lottery, state.lotteryTrials)) };
    case 'lottery-json':
      return {
        name,
        blob: json({
          settings: state.settings,
          lottery: state.lottery,
          ...(state.lotteryTrials.length > 1 ? { trials: state.lotteryTrials, summary: summarizeTrials(state.lotteryTrials) } : {}),
        }),
      };
    case 'runs-csv': {
      // The comparison: the overlaid runs (all kept runs when none is ticked), named as listed.
      const shown = state.runs.filter((r) => r.shown);
      return { name, blob: new Blob([runsCsv(shown.length > 0 ? shown : state.runs, runNames(state.runs, t, tagLabel))], { type: 'text/csv' }) };
    }
    case 'safetensors':
    case 'safetensors-plain':
    case 'safetensors-init': {
      // torch.nn.utils.prune's form, the plain state_dict, or θ₀ in a file of its own.
      const bytes = /** @type {Uint8Array} */ (k === 'safetensors-init'
        ? await engine.call('exportInitSafetensors')
        : await engine.call('exportSafetensors', k === 'safetensors' ? 'pruned' : 'plain'));
      return { name, blob: new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: 'application/octet-stream' }) };
    }
    case 'pytorch': {
      const script = /** @type {string} */ (await engine.call('pytorchScript', spec));
      return { name, blob: new Blob([script], { type: 'text/x-python' }) };
    }
    default: {
      const el = document.querySelector(PNG_SOURCES[k]);
      if (!el) throw new Error('this view is not shown');
      return { name, blob: await viewPng(el) };
    }
  }
}

/**
 * Saves a file through a temporary object URL and a download link.
 * @param {ExportFile} file
 */
export function download(file) {
  const url = URL.createObjectURL(file.blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The lottery's mask analysis (LevelResult.maskAnalysis, src/lottery/analysis.rs): for one ticket
// level, how much of the ticket's mask a random mask and the largest-|θ₀| mask share with it,
// each beside its chance level, and per layer the θ₀ of the survivors against the pruned weights
// (small multiples drawn with d3: survivors above the axis, pruned below, each as a share of its
// own group so the two shapes compare).
import { scaleLinear } from 'd3-scale';
import { axisBottom } from 'd3-axis';
import { select } from 'd3-selection';
import { t } from '../app/i18n.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../types.js').LevelResult} LevelResult
 * @typedef {import('../types.js').Agreement} Agreement
 * @typedef {import('../types.js').InitHistogram} InitHistogram
 */

const W = 420;
const H = 96;
const M = { top: 6, right: 12, bottom: 22, left: 44 };

/** @param {number} v */
const two = (v) => v.toFixed(2);

/**
 * @param {string} tag
 * @param {string} [text]
 * @param {string} [cls]
 */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/**
 * The agreement table: one row per comparison, one column per layer and the overall figure,
 * each cell "agreement (chance)".
 * @param {{ key: string, a: Agreement }[]} rows
 * @param {number} layers
 * @param {boolean} neurons
 */
function table(rows, layers, neurons) {
  const tbl = el('table', undefined, 'masks-table');
  const head = el('tr');
  head.append(el('th', t('masks.against')));
  for (let l = 0; l < layers; l += 1) head.append(el('th', t(neurons ? 'masks.hidden' : 'masks.layer', { n: l + 1 })));
  head.append(el('th', t('masks.overall')));
  tbl.append(el('thead'));
  /** @type {HTMLElement} */ (tbl.firstChild).append(head);
  const body = el('tbody');
  for (const { key, a } of rows) {
    const tr = el('tr');
    tr.dataset.row = key;
    tr.append(el('th', t(`masks.${key}`)));
    const cell = (/** @type {number} */ v, /** @type {number} */ c) => {
      const td = el('td');
      td.append(el('strong', two(v)), ' ', el('span', t('masks.chance', { c: two(c) }), 'chance'));
      return td;
    };
    a.layer.forEach((v, i) => tr.append(cell(v, a.layerChance[i])));
    tr.append(cell(a.overall, a.chance));
    body.append(tr);
  }
  tbl.append(body);
  return tbl;
}

/**
 * One layer's θ₀ histogram as an SVG.
 * @param {InitHistogram} h
 * @param {number} layer
 */
function histogram(h, layer) {
  const svgEl = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svgEl.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svgEl.setAttribute('role', 'img');
  svgEl.setAttribute('aria-label', t('masks.histLabel', { n: layer + 1 }));
  svgEl.dataset.layer = String(layer);
  const svg = select(svgEl);
  const share = (/** @type {number[]} */ c) => {
    const n = c.reduce((a, b) => a + b, 0);
    return c.map((v) => (n > 0 ? v / n : 0));
  };
  const kept = share(h.kept);
  const pruned = share(h.pruned);
  const top = Math.max(1e-9, ...kept, ...pruned);
  const x = scaleLinear().domain([h.edges[0], h.edges.at(-1) ?? 1]).range([M.left, W - M.right]);
  const mid = (H - M.bottom + M.top) / 2;
  const y = scaleLinear().domain([0, top]).range([0, mid - M.top]);
  svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - M.bottom})`).call(axisBottom(x).ticks(5));
  svg.append('text').attr('class', 'axis-label').attr('x', 4).attr('y', M.top + 10).text(t('masks.layer', { n: layer + 1 }));
  const bar = (/** @type {number[]} */ v, /** @type {number[]} */ counts, /** @type {string} */ cls, /** @type {boolean} */ up) =>
    svg
      .append('g')
      .attr('class', cls)
      .selectAll('rect')
      .data(v)
      .join('rect')
      .attr('x', (_, i) => x(h.edges[i]) + 0.5)
      .attr('width', (_, i) => Math.max(0, x(h.edges[i + 1]) - x(h.edges[i]) - 1))
      .attr('y', (d) => (up ? mid - y(d) : mid))
      .attr('height', (d) => y(d))
      .append('title')
      .text((_, i) => t(up ? 'masks.binKept' : 'masks.binPruned', {
        lo: two(h.edges[i]), hi: two(h.edges[i + 1]), n: counts[i],
      }));
  bar(kept, h.kept, 'kept', true);
  bar(pruned, h.pruned, 'pruned', false);
  svg.append('line').attr('class', 'midline').attr('x1', M.left).attr('x2', W - M.right).attr('y1', mid).attr('y2', mid);
  return svgEl;
}

/**
 * The mask-analysis view: a level selector, the agreement table and the θ₀ histograms.
 * @param {HTMLElement} root
 */
export function createMasks(root) {
  const body = /** @type {HTMLElement} */ (root.querySelector('#masks-body'));
  const empty = /** @type {HTMLElement} */ (root.querySelector('#masks-empty'));
  const picker = /** @type {HTMLSelectElement} */ (root.querySelector('#masks-level'));
  /** @type {AppState | null} */
  let last = null;
  /** The level the reader picked; null follows the latest. */
  let chosen = /** @type {number | null} */ (null);
  picker.addEventListener('change', () => {
    chosen = Number(picker.value);
    if (last) draw(last);
  });

  /** @param {AppState} s */
  function draw(s) {
    const levels = s.lottery.filter((r) => r.branch === 'ticket' && r.maskAnalysis).sort((a, b) => a.level - b.level);
    empty.hidden = levels.length > 0;
    picker.hidden = levels.length === 0;
    picker.replaceChildren(...levels.map((r) => {
      const o = el('option', t('masks.level', { level: r.level, density: `${(100 * r.density).toFixed(1)}%` }));
      /** @type {HTMLOptionElement} */ (o).value = String(r.level);
      return o;
    }));
    const r = levels.find((x) => x.level === chosen) ?? levels.at(-1);
    if (!r || !r.maskAnalysis) {
      body.replaceChildren();
      return;
    }
    picker.value = String(r.level);
    const m = r.maskAnalysis;
    const neurons = m.vsInitMagnitude === null;
    /** @type {{ key: string, a: Agreement }[]} */
    const rows = [{ key: 'vsRandomMask', a: m.vsRandomMask }];
    if (m.vsInitMagnitude) rows.push({ key: 'vsInitMagnitude', a: m.vsInitMagnitude });
    if (m.vsOtherSeed) rows.push({ key: 'vsOtherSeed', a: m.vsOtherSeed });
    /** @type {Element[]} */
    const parts = [table(rows, m.vsRandomMask.layer.length, neurons), el('p', t('masks.help'), 'hint')];
    if (neurons) parts.push(el('p', t('masks.neurons'), 'hint'));
    else {
      const legend = el('div', undefined, 'legend');
      legend.append(el('span', t('masks.kept'), 'key kept'), el('span', t('masks.pruned'), 'key pruned'));
      parts.push(legend, ...m.initHistogram.map((h, l) => histogram(h, l)), el('p', t('masks.histHelp'), 'hint'));
    }
    body.replaceChildren(...parts);
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    last = s;
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (!langChanged && prev?.lottery === s.lottery) return;
    draw(s);
  }
  return { update };
}

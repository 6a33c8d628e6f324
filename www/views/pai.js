// Pruning at initialization compared (Frankle et al. 2021), in the toolkit panel: test accuracy
// (at early stopping: least validation loss) against the weights remaining (log axis), one solid line per
// method (SNIP, GraSP, SynFlow, magnitude, random) and, in its colour, its two sanity checks —
// the mask shuffled within each layer (dashed) and the weights reinitialized (dotted, light).
// When a lottery experiment has run on the page, its ticket (IMP: trained, pruned, rewound)
// joins the chart, at its levels' densities. Reads the state only; its button goes through the
// dispatcher.
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { axisBottom, axisLeft } from 'd3-axis';
import { select } from 'd3-selection';
import { t } from '../app/i18n.js';
import { headlineAccuracy, pct } from '../app/format.js';
import { PAI_METHODS } from '../app/workflows.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../app/workflows.js').PaiRun} PaiRun
 */

/**
 * The comparison's lines: one per (method, control), points sorted by density (densest first).
 * @param {PaiRun[]} runs
 * @returns {{ method: string, control: string | null, points: [number, number][] }[]}
 */
export function paiLines(runs) {
  /** @type {Map<string, { method: string, control: string | null, points: [number, number][] }>} */
  const lines = new Map();
  for (const r of runs) {
    const key = `${r.method}/${r.control ?? ''}`;
    if (!lines.has(key)) lines.set(key, { method: r.method, control: r.control, points: [] });
    lines.get(key)?.points.push([r.density, r.testAccuracy]);
  }
  for (const l of lines.values()) l.points.sort((a, b) => b[0] - a[0]);
  return [...lines.values()];
}

/** @param {HTMLElement} root   the toolkit panel (markup.js) */
export function createPai(root) {
  const svgEl = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (root.querySelector('#pai-svg')));
  const legend = /** @type {HTMLElement} */ (root.querySelector('#pai-legend'));
  const note = /** @type {HTMLElement} */ (root.querySelector('[data-testid="pai-note"]'));
  const W = 420;
  const H = 220;
  const m = { top: 10, right: 12, bottom: 30, left: 40 };
  const svg = select(svgEl);
  const gx = svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - m.bottom})`);
  const gy = svg.append('g').attr('class', 'axis y').attr('transform', `translate(${m.left},0)`);
  const paths = svg.append('g').attr('class', 'lines');
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('x', W - m.right).attr('y', H - 2).attr('text-anchor', 'end');

  /**
   * @param {PaiRun[]} runs
   * @param {[number, number][]} ticket   the lottery ticket's (density, accuracy), may be empty
   */
  function draw(runs, ticket) {
    const minD = Math.min(1, ...runs.map((r) => r.density), ...ticket.map((p) => p[0]));
    const x = scaleLog().domain([1, Math.max(1e-4, minD * 0.85)]).range([m.left, W - m.right]);
    const y = scaleLinear().domain([0, 1]).range([H - m.bottom, m.top]);
    const ticks = [...new Set(runs.map((r) => r.density))];
    gx.call(axisBottom(x).tickValues(ticks).tickFormat((v) => pct(Number(v), 0)));
    gy.call(axisLeft(y).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
    const gen = line().x((d) => x(d[0])).y((d) => y(d[1]));
    paths.selectAll('path')
      .data(paiLines(runs))
      .join('path')
      .attr('class', (l) => `series pai-line method-${PAI_METHODS.indexOf(l.method) + 1}${l.control ? ` pai-${l.control}` : ''}`)
      .attr('data-method', (l) => l.method)
      .attr('data-control', (l) => l.control ?? 'none')
      .attr('d', (l) => gen(l.points) ?? '')
      .selectAll('title')
      .data((l) => [l])
      .join('title')
      .text((l) => `${t(`opt.score.${l.method}`)}${l.control ? ` — ${t(`pai.control.${l.control}`)}` : ''}: ${l.points.map(([d, a]) => `${pct(d, 1)} → ${pct(a)}`).join(', ')}`);
    svg.selectAll('path.pai-ticket')
      .data(ticket.length > 0 ? [ticket] : [])
      .join('path')
      .attr('class', 'series pai-ticket branch-ticket')
      .attr('d', (p) => gen(p) ?? '')
      .selectAll('title')
      .data((p) => [p])
      .join('title')
      .text((p) => `${t('branch.ticket')}: ${p.map(([d, a]) => `${pct(d, 1)} → ${pct(a)}`).join(', ')}`);
    const keys = PAI_METHODS.filter((meth) => runs.some((r) => r.method === meth)).map((meth) => {
      const k = document.createElement('span');
      k.className = `key method-${PAI_METHODS.indexOf(meth) + 1}`;
      k.textContent = t(`opt.score.${meth}`);
      return k;
    });
    const controls = ['shuffle', 'reinit'].filter((c) => runs.some((r) => r.control === c)).map((c) => {
      const k = document.createElement('span');
      k.className = `key pai-${c}`;
      k.textContent = t(`pai.control.${c}`);
      return k;
    });
    const ticketKey = ticket.length > 0 ? [Object.assign(document.createElement('span'), { className: 'key branch-ticket', textContent: t('branch.ticket') })] : [];
    legend.replaceChildren(...keys, ...ticketKey, ...controls);
  }

  /** @param {AppState} s @param {AppState | null} prev */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (langChanged) xLabel.text(t('pai.axis'));
    if (!langChanged && prev?.pai === s.pai && prev?.lottery === s.lottery) return;
    const pai = s.pai;
    root.classList.toggle('has-pai', pai !== null && pai.runs.length > 0);
    svgEl.dataset.runs = String(pai?.runs.length ?? 0);
    if (!pai || pai.runs.length === 0) {
      paths.selectAll('path').remove();
      legend.replaceChildren();
      note.textContent = t('pai.empty');
      return;
    }
    /** @type {[number, number][]} */
    const ticket = s.lottery.filter((r) => r.branch === 'ticket').map((r) => [r.density, headlineAccuracy(r)]);
    draw(pai.runs, ticket);
    note.textContent = t('pai.read', { done: pai.runs.length, total: pai.total, epochs: pai.epochs });
  }
  return { update };
}

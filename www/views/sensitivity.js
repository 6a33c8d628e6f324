// The pruning toolkit panel: the per-layer sensitivity scan (one accuracy-vs-sparsity curve per
// layer, each layer pruned alone and evaluated without retraining, beside the weights per layer)
// with "use as per-layer rates", and N:M (2:4) semi-structured pruning. Reads the state only;
// its buttons go through the dispatcher.
import { scaleBand, scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import { axisBottom, axisLeft } from 'd3-axis';
import { select } from 'd3-selection';
import { t } from '../app/i18n.js';
import { int, pct } from '../app/format.js';
import { rateFor, sparsitiesWithin } from '../app/workflows.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../app/dispatch.js').Action} Action
 * @typedef {import('../app/workflows.js').Sensitivity} Sensitivity
 */

/** Colour class of layer `l` (the theme's class colours, style.css `--class-N`). */
const layerClass = (/** @type {number} */ l) => `layer-${(l % 10) + 1}`;

/**
 * The settings that prune each layer to the sparsity the scan allows within `maxDrop`: weights,
 * layer scope, one shot, fraction 1, the rates of the layers before the output and the output
 * layer's as its output rate.
 * @param {Sensitivity} scan
 * @param {number} maxDrop   a fraction (0.01 = one point)
 */
export function ratesFromScan(scan, maxDrop) {
  const within = sparsitiesWithin(scan, maxDrop);
  const rates = scan.curves.map((c, i) => rateFor(c, within[i]));
  return {
    sparsities: within,
    values: {
      structure: 'weights', scope: 'layer', schedule: 'oneshot', fraction: 1,
      layerRates: rates.slice(0, -1), outputRate: rates.at(-1) ?? 0,
    },
  };
}

/**
 * @param {HTMLElement} root   the panel (markup.js, `data-testid="toolkit"`)
 * @param {(a: Action) => void} dispatch
 */
export function createSensitivity(root, dispatch) {
  const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (root.querySelector(sel));
  const curvesEl = /** @type {SVGSVGElement} */ (/** @type {unknown} */ ($('#sens-curves')));
  const barsEl = /** @type {SVGSVGElement} */ (/** @type {unknown} */ ($('#sens-bars')));
  const legend = $('#sens-legend');
  const note = $('[data-testid="scan-note"]');
  const drop = /** @type {HTMLInputElement} */ ($('[data-testid="max-drop"]'));
  const useRates = /** @type {HTMLButtonElement} */ ($('[data-testid="use-rates"]'));
  const ratesOut = $('[data-testid="rates-out"]');
  /** @type {AppState | null} */
  let current = null;

  const W = 420;
  const H = 200;
  const m = { top: 10, right: 12, bottom: 30, left: 40 };
  const svg = select(curvesEl);
  const gx = svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - m.bottom})`);
  const gy = svg.append('g').attr('class', 'axis y').attr('transform', `translate(${m.left},0)`);
  const base = svg.append('line').attr('class', 'sens-base');
  const paths = svg.append('g').attr('class', 'lines');
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('x', W - m.right).attr('y', H - 2).attr('text-anchor', 'end');

  const BH = 110;
  const bm = { top: 8, right: 12, bottom: 22, left: 56 };
  const bars = select(barsEl);
  const bx = bars.append('g').attr('class', 'axis x').attr('transform', `translate(0,${BH - bm.bottom})`);
  const bg = bars.append('g').attr('class', 'bars');

  /** @param {Sensitivity} scan */
  function draw(scan) {
    const x = scaleLinear().domain([0, 1]).range([m.left, W - m.right]);
    const y = scaleLinear().domain([0, 1]).range([H - m.bottom, m.top]);
    gx.call(axisBottom(x).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
    gy.call(axisLeft(y).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
    base.attr('x1', m.left).attr('x2', W - m.right).attr('y1', y(scan.base.accuracy)).attr('y2', y(scan.base.accuracy));
    const gen = line().x((d) => x(d[0])).y((d) => y(d[1]));
    paths
      .selectAll('path')
      .data(scan.curves)
      .join('path')
      .attr('class', (c) => `series sens-curve ${layerClass(c.layer)}`)
      .attr('data-layer', (c) => c.layer)
      .attr('d', (c) => gen(c.points.map((p) => /** @type {[number, number]} */ ([p.sparsity, p.accuracy]))) ?? '')
      .selectAll('title')
      .data((c) => [c])
      .join('title')
      .text((c) => t('sens.curveTitle', {
        n: c.layer + 1,
        points: c.points.map((p) => `${pct(p.sparsity, 0)} → ${pct(p.accuracy)}`).join(', '),
      }));
    legend.replaceChildren(...scan.curves.map((c) => {
      const s = document.createElement('span');
      s.className = `key ${layerClass(c.layer)}`;
      s.textContent = t('density.layer', { n: c.layer + 1 });
      return s;
    }));
    // Weights per layer: which layers hold the parameters (and so where pruning pays).
    const layers = scan.curves.map((c) => c.layer);
    const by = scaleBand().domain(layers.map(String)).range([bm.top, BH - bm.bottom]).padding(0.2);
    const bxs = scaleLinear().domain([0, Math.max(1, ...scan.curves.map((c) => c.weights))]).nice().range([bm.left, W - bm.right - 50]);
    bx.call(axisBottom(bxs).ticks(4));
    const rows = bg
      .selectAll('g.row')
      .data(scan.curves)
      .join((enter) => {
        const r = enter.append('g').attr('class', 'row');
        r.append('text').attr('class', 'bar-label').attr('x', 0);
        r.append('rect').attr('class', 'bar');
        r.append('text').attr('class', 'bar-value');
        return r;
      });
    rows.attr('transform', (c) => `translate(0,${by(String(c.layer)) ?? 0})`);
    rows.select('text.bar-label').attr('y', by.bandwidth() / 2 + 4).text((c) => t('density.layer', { n: c.layer + 1 }));
    rows.select('rect.bar').attr('class', (c) => `bar ${layerClass(c.layer)}`).attr('x', bm.left).attr('height', by.bandwidth())
      .attr('width', (c) => bxs(c.weights) - bm.left);
    rows.select('text.bar-value').attr('x', (c) => bxs(c.weights) + 4).attr('y', by.bandwidth() / 2 + 4).text((c) => int(c.weights));
  }

  function maxDrop() {
    const v = Number(drop.value);
    return Number.isFinite(v) && v >= 0 && v <= 100 ? v / 100 : null;
  }

  useRates.addEventListener('click', () => {
    const scan = current?.sensitivity;
    const d = maxDrop();
    if (!scan) return;
    if (d === null) {
      drop.setAttribute('aria-invalid', 'true');
      ratesOut.textContent = t('sens.badDrop', { value: drop.value });
      return;
    }
    drop.removeAttribute('aria-invalid');
    const { sparsities, values } = ratesFromScan(scan, d);
    dispatch({ type: 'settings', values });
    ratesOut.textContent = t('sens.ratesSet', {
      drop: int(d * 100), layers: sparsities.map((s, i) => `${t('density.layer', { n: i + 1 })} ${pct(s, 0)}`).join(', '),
    });
  });

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    current = s;
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    const scan = s.sensitivity;
    if (langChanged) xLabel.text(t('sens.axis'));
    if (langChanged || prev?.sensitivity !== scan) {
      root.classList.toggle('has-scan', scan !== null);
      if (scan) draw(scan);
      else {
        paths.selectAll('path').remove();
        bg.selectAll('g.row').remove();
        legend.replaceChildren();
        ratesOut.textContent = '';
      }
    }
    if (langChanged || prev?.sensitivity !== scan || prev?.modelSeq !== s.modelSeq || prev?.log !== s.log || (scan?.partial && prev?.progress !== s.progress)) {
      if (!scan) note.textContent = t('sens.empty');
      else {
        const stale = scan.modelSeq !== s.modelSeq || scan.logLength !== s.log.length;
        const more = scan.partial ? ` ${t('sens.partial', { progress: s.progress?.label ?? '' })}` : stale ? ` ${t('sens.stale')}` : '';
        note.textContent = `${t('sens.read', { split: t(`split.${scan.split}`), base: pct(scan.base.accuracy) })}${more}`;
      }
    }
    useRates.disabled = scan === null || scan.partial === true || s.busy !== null;
  }
  return { update };
}

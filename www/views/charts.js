// The d3 charts: loss/accuracy over epochs, the lottery plots (early-stopping test accuracy and
// early-stopping iteration vs density, with min–max bars over trials, log scale, one line per branch, growing live), density per layer, and the |w| histogram with the
// pruning threshold. Each chart keeps its SVG skeleton and only rejoins data when its input changed.
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { axisBottom, axisLeft, axisRight } from 'd3-axis';
import { select } from 'd3-selection';
import { t } from '../app/i18n.js';
import { headlineAccuracy, pct } from '../app/format.js';
import { branchKey } from '../app/state.js';
import { PRESETS } from '../app/presets.js';
import { spread } from '../lottery-trials.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../types.js').EpochMetrics} EpochMetrics
 * @typedef {import('../types.js').LevelResult} LevelResult
 * @typedef {import('../lottery-trials.js').Spread} Spread
 */

/**
 * @param {HTMLElement} legend
 * @param {{ cls: string, key: string }[]} items
 */
function fillLegend(legend, items) {
  legend.replaceChildren(
    ...items.map(({ cls, key }) => {
      const s = document.createElement('span');
      s.className = `key ${cls}`;
      s.textContent = t(key);
      return s;
    }),
  );
}

/**
 * Loss and accuracy over epochs, with prune/rewind markers.
 * @param {SVGSVGElement} svgEl
 * @param {HTMLElement} legend
 */
export function createTrainingChart(svgEl, legend) {
  const W = 420;
  const H = 200;
  const m = { top: 10, right: 44, bottom: 28, left: 40 };
  const svg = select(svgEl);
  const gx = svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - m.bottom})`);
  const gy = svg.append('g').attr('class', 'axis y').attr('transform', `translate(${m.left},0)`);
  const gy2 = svg.append('g').attr('class', 'axis y2').attr('transform', `translate(${W - m.right},0)`);
  const markers = svg.append('g').attr('class', 'markers');
  const paths = svg.append('g').attr('class', 'lines');
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('x', W - m.right).attr('y', H - 2).attr('text-anchor', 'end');
  const series = [
    { key: 'trainAccuracy', cls: 'acc-train', axis: 'acc' },
    { key: 'testAccuracy', cls: 'acc-test', axis: 'acc' },
    { key: 'trainLoss', cls: 'loss-train', axis: 'loss' },
    { key: 'testLoss', cls: 'loss-test', axis: 'loss' },
  ];
  const pathEls = series.map((s) => paths.append('path').attr('class', `series ${s.cls}`));
  // The newest point of each series as a dot: the current values at a glance, and the only
  // visible mark while the history is a single epoch (a one-point line draws nothing).
  const ends = svg.append('g').attr('class', 'ends');

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (langChanged) {
      fillLegend(legend, [
        { cls: 'acc-train', key: 'legend.train' },
        { cls: 'acc-test', key: 'legend.test' },
        { cls: 'acc-test solid', key: 'legend.accuracy' },
        { cls: 'loss-test thin', key: 'legend.loss' },
        { cls: 'marker', key: 'legend.prune' },
      ]);
      xLabel.text(t('axis.epoch'));
    }
    if (!langChanged && prev?.history === s.history && prev?.markers === s.markers) return;
    const h = s.history;
    const maxEpoch = Math.max(5, h.at(-1)?.epoch ?? 0);
    const x = scaleLinear().domain([0, maxEpoch]).range([m.left, W - m.right]);
    const yAcc = scaleLinear().domain([0, 1]).range([H - m.bottom, m.top]);
    const maxLoss = Math.max(0.1, ...h.map((e) => Math.max(e.trainLoss, e.testLoss)).filter(Number.isFinite));
    const yLoss = scaleLinear().domain([0, maxLoss]).nice().range([H - m.bottom, m.top]);
    gx.call(axisBottom(x).ticks(6).tickSizeOuter(0));
    gy.call(axisLeft(yAcc).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
    gy2.call(axisRight(yLoss).ticks(4));
    series.forEach((ser, i) => {
      const y = ser.axis === 'acc' ? yAcc : yLoss;
      const gen = line()
        .defined((d) => Number.isFinite(d[1]))
        .x((d) => x(d[0]))
        .y((d) => y(d[1]));
      const pts = /** @type {[number, number][]} */ (h.map((e) => [e.epoch, /** @type {any} */ (e)[ser.key]]));
      pathEls[i].attr('d', gen(pts) ?? '');
    });
    const last = h.at(-1);
    const endPoints = last
      ? series
          .map((ser) => ({ ser, v: /** @type {number} */ (/** @type {any} */ (last)[ser.key]) }))
          .filter((d) => Number.isFinite(d.v))
      : [];
    ends
      .selectAll('circle')
      .data(endPoints, (d) => /** @type {any} */ (d).ser.key)
      .join('circle')
      .attr('class', (d) => `end ${d.ser.cls}`)
      .attr('r', 3)
      .attr('cx', () => x(/** @type {NonNullable<typeof last>} */ (last).epoch))
      .attr('cy', (d) => (d.ser.axis === 'acc' ? yAcc : yLoss)(d.v));
    markers
      .selectAll('line')
      .data(s.markers.filter((mk) => mk.kind === 'prune' || mk.kind === 'rewind' || mk.kind === 'reinit'))
      .join('line')
      .attr('class', (d) => `marker ${d.kind}`)
      .attr('x1', (d) => x(d.epoch))
      .attr('x2', (d) => x(d.epoch))
      .attr('y1', m.top)
      .attr('y2', H - m.bottom);
  }
  return { update };
}

const BRANCHES = ['ticket', 'random-reinit', 'random-mask'];

/**
 * One point of a density plot: a level's value, or with trials the mean over the trials that
 * reached it with its min–max (`lo`, `hi`); `value` NaN when no trial has a number (diverged).
 * @typedef {{ branch: string, level: number, density: number, value: number, lo?: number, hi?: number,
 *   n: number, diverged: boolean, title: string }} PlotPoint
 */

/**
 * One density plot of the lottery (log scale, falling to the right), one line per branch; the
 * control branches start from the shared dense level 0. With several trials each point is the
 * trials' mean with a min–max error bar (lottery-trials.js), as the paper draws five seeds.
 * @param {SVGSVGElement} svgEl
 * @param {number} H
 * @param {{ value: (r: LevelResult) => number | null | undefined, axis: string, tick: (v: number) => string,
 *   format: (v: number) => string, domain: (values: number[]) => [number, number], title: (r: LevelResult) => string,
 *   name: (branch: string) => string }} spec
 */
function createDensityPlot(svgEl, H, spec) {
  const W = 420;
  const m = { top: 22, right: 14, bottom: 34, left: 44 };
  const svg = select(svgEl);
  const gx = svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - m.bottom})`);
  const gy = svg.append('g').attr('class', 'axis y').attr('transform', `translate(${m.left},0)`);
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('x', W - m.right).attr('y', H - 3).attr('text-anchor', 'end');
  const yLabel = svg.append('text').attr('class', 'axis-label').attr('x', 4).attr('y', 10);
  const lines = svg.append('g').attr('class', 'lines');
  const bars = svg.append('g').attr('class', 'error-bars');
  const dots = svg.append('g').attr('class', 'dots');
  // A diverged level has no number to draw: it breaks its line and shows as a hollow mark on
  // the bottom axis instead of a point at a meaningless value.
  const ok = (/** @type {LevelResult} */ r) => !r.diverged && Number.isFinite(spec.value(r));

  /**
   * The points of one run, or of several trials' runs summarized per (branch, level).
   * @param {LevelResult[][]} runs
   * @returns {PlotPoint[]}
   */
  function points(runs) {
    if (runs.length === 1) {
      return runs[0].map((r) => ({
        branch: r.branch, level: r.level, density: r.density, value: ok(r) ? Number(spec.value(r)) : NaN,
        n: 1, diverged: !ok(r), title: ok(r) ? spec.title(r) : t('curve.diverged', { branch: t(`branch.${r.branch}`), level: r.level, density: pct(r.density) }),
      }));
    }
    /** @type {Map<string, LevelResult[]>} */
    const byKey = new Map();
    for (const r of runs.flat()) byKey.set(`${r.branch}:${r.level}`, [...(byKey.get(`${r.branch}:${r.level}`) ?? []), r]);
    return [...byKey.values()].map((rs) => {
      const { branch, level } = rs[0];
      const density = /** @type {Spread} */ (spread(rs.map((r) => r.density))).mean;
      const v = spread(rs.filter(ok).map((r) => Number(spec.value(r))));
      const base = { branch, level, density, n: rs.length };
      if (!v) return { ...base, value: NaN, diverged: true, title: t('curve.diverged', { branch: t(`branch.${branch}`), level, density: pct(density) }) };
      return {
        ...base, value: v.mean, lo: v.min, hi: v.max, diverged: false,
        title: t('curve.pointSpread', {
          branch: spec.name(branch), level, density: pct(density), n: rs.length,
          mean: spec.format(v.mean), min: spec.format(v.min), max: spec.format(v.max),
        }),
      };
    });
  }

  /**
   * @param {LevelResult[][]} runs   one run, or every trial's
   */
  function draw(runs) {
    xLabel.text(t('axis.density'));
    yLabel.text(t(spec.axis));
    const all = points(runs);
    const dense = all.find((r) => r.branch === 'ticket' && r.level === 0);
    /** @type {{ branch: string, points: PlotPoint[] }[]} */
    const byBranch = BRANCHES.map((branch) => {
      const own = all.filter((r) => r.branch === branch).sort((a, b) => a.level - b.level);
      const pts = branch !== 'ticket' && dense && own.length > 0 ? [dense, ...own] : own;
      return { branch, points: pts };
    }).filter((b) => b.points.length > 0);
    const minD = Math.min(0.9, ...all.map((r) => r.density));
    const x = scaleLog().domain([1, Math.max(1e-4, minD * 0.85)]).range([m.left, W - m.right]);
    const drawn = all.filter((r) => !r.diverged);
    const [lo, hi] = spec.domain(drawn.flatMap((r) => [r.lo ?? r.value, r.hi ?? r.value]));
    const y = scaleLinear().domain([lo, hi]).range([H - m.bottom, m.top]);
    // Ticks at the levels' densities (every other one when there are many), as the paper labels
    // its "percent of weights remaining" axis; the log scale's own ticks before any result.
    const levels = [...new Set(all.filter((r) => r.branch === 'ticket').map((r) => r.density))].sort((a, b) => b - a);
    const every = Math.ceil(levels.length / 7);
    const tickFormat = (/** @type {number} */ v) => pct(v, v < 0.1 ? 1 : 0);
    const axis = axisBottom(x).tickFormat((v) => tickFormat(Number(v)));
    gx.call(levels.length > 1 ? axis.tickValues(levels.filter((_, i) => i % every === 0)) : axis.ticks(5));
    gy.call(axisLeft(y).ticks(5).tickFormat((v) => spec.tick(Number(v))));
    const gen = line()
      .defined((d) => Number.isFinite(d[1]))
      .x((d) => x(d[0]))
      .y((d) => y(d[1]));
    // Drawn controls first, so the winning ticket's line and dots stay on top where the branches
    // coincide (the legend keeps the reading order).
    const drawOrder = [...byBranch].reverse();
    lines
      .selectAll('path')
      .data(drawOrder, (/** @type {any} */ d) => d.branch)
      .join('path')
      .order()
      .attr('class', (d) => `series branch-${d.branch}`)
      .attr('data-branch', (d) => d.branch)
      .attr('data-points', (d) => d.points.length)
      .attr('d', (d) => gen(d.points.map((p) => /** @type {[number, number]} */ ([p.density, p.value]))) ?? '');
    const pts = drawOrder.flatMap((b) => b.points.filter((p) => p.branch === b.branch));
    // Min–max over the trials: a vertical bar with caps, nudged sideways per branch so the bars
    // of branches at the same density stay apart.
    const nudge = (/** @type {string} */ b) => (BRANCHES.indexOf(b) - 1) * 3;
    bars
      .selectAll('path')
      .data(pts.filter((p) => p.lo !== undefined && p.hi !== undefined && p.n > 1), (/** @type {any} */ d) => `${d.branch}:${d.level}`)
      .join('path')
      .attr('class', (d) => `error-bar branch-${d.branch}`)
      .attr('data-branch', (d) => d.branch)
      .attr('data-min', (d) => String(d.lo))
      .attr('data-max', (d) => String(d.hi))
      .attr('d', (d) => {
        const cx = x(d.density) + nudge(d.branch);
        const [y0, y1] = [y(Number(d.lo)), y(Number(d.hi))];
        return `M${cx - 3},${y0}H${cx + 3}M${cx},${y0}V${y1}M${cx - 3},${y1}H${cx + 3}`;
      });
    dots
      .selectAll('circle')
      .data(pts, (/** @type {any} */ d) => `${d.branch}:${d.level}`)
      .join('circle')
      .order()
      .attr('class', (d) => `dot branch-${d.branch}${d.diverged ? ' diverged' : ''}`)
      .attr('data-branch', (d) => d.branch)
      .attr('r', (d) => (d.n > 1 ? 3 : 4))
      .attr('cx', (d) => x(d.density) + (d.n > 1 ? nudge(d.branch) : 0))
      .attr('cy', (d) => y(d.diverged ? lo : d.value))
      .selectAll('title')
      .data((d) => [d])
      .join('title')
      .text((d) => d.title);
    return byBranch;
  }
  return { draw };
}

/**
 * The Frankle & Carbin plots: the early-stopping test accuracy against density and, in a second
 * view, the early-stopping iteration against density (tickets learn faster), one line per branch;
 * with several trials, their mean with min–max bars.
 * @param {HTMLElement} root
 * @param {(a: import('../app/dispatch.js').Action) => void} [send]   dispatches a preset's settings
 */
export function createCurve(root, send = (/** @type {import('../app/dispatch.js').Action} */ _a) => {}) {
  // The page's presets: each button loads its experiment's every setting (a new network).
  for (const button of root.querySelectorAll('button[data-preset]')) {
    button.addEventListener('click', () => {
      const preset = PRESETS[/** @type {HTMLElement} */ (button).dataset.preset ?? ''];
      if (preset) send({ type: 'settings', values: preset.settings });
    });
  }
  // The main line is named by its initialization: a ticket only when it rewinds.
  let initMode = 'init';
  /** @param {string} b */
  const name = (b) => t(branchKey(b, initMode));
  const legend = /** @type {HTMLElement} */ (root.querySelector('#curve-legend'));
  const empty = /** @type {HTMLElement} */ (root.querySelector('#curve-empty'));
  const trialsNote = /** @type {HTMLElement | null} */ (root.querySelector('#curve-trials'));
  const accuracy = createDensityPlot(/** @type {SVGSVGElement} */ (root.querySelector('#curve-svg')), 220, {
    value: headlineAccuracy,
    axis: 'axis.earlyStopAccuracy',
    tick: (v) => `${Math.round(v * 100)}%`,
    format: (v) => pct(v),
    domain: (accs) => [accs.length > 0 ? Math.max(0, Math.floor((Math.min(...accs) - 0.03) * 20) / 20) : 0.5, 1],
    title: (d) => t(d.earlyStopTestAccuracy === null || d.earlyStopTestAccuracy === undefined ? 'curve.pointFinal' : 'curve.point', {
      branch: name(d.branch), level: d.level, density: pct(d.density), acc: pct(headlineAccuracy(d)),
      epoch: d.earlyStopEpoch ?? '', final: pct(d.testAccuracy),
    }),
    name,
  });
  const epochSvg = /** @type {SVGSVGElement | null} */ (root.querySelector('#curve-epoch-svg'));
  // The paper's x is training iterations: the optimizer step at the end of the early-stopping epoch.
  const iterations = epochSvg && createDensityPlot(epochSvg, 160, {
    value: (r) => r.earlyStopStep,
    axis: 'axis.earlyStopIteration',
    tick: (v) => (Number.isInteger(v) ? (v >= 10000 ? `${v / 1000}k` : String(v)) : ''),
    format: (v) => String(Math.round(v)),
    domain: (steps) => [0, Math.max(1, ...steps) * 1.1],
    title: (d) => t('curve.pointIteration', { branch: name(d.branch), level: d.level, density: pct(d.density), step: d.earlyStopStep ?? '', epoch: d.earlyStopEpoch ?? '' }),
    name,
  });

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (!langChanged && prev?.lottery === s.lottery && prev?.lotteryTrials === s.lotteryTrials && prev?.settings.initMode === s.settings.initMode) return;
    initMode = s.settings.initMode;
    const results = s.lottery;
    const runs = s.lotteryTrials.length > 1 && results.length > 0 ? s.lotteryTrials : [results];
    empty.hidden = results.length > 0;
    const byBranch = accuracy.draw(runs);
    iterations?.draw(runs);
    if (trialsNote) {
      trialsNote.hidden = runs.length < 2;
      trialsNote.textContent = runs.length > 1 ? t('curve.trials', { n: runs.length }) : '';
    }
    fillLegend(
      legend,
      byBranch.length > 0
        ? byBranch.map((b) => ({ cls: `branch-${b.branch}`, key: branchKey(b.branch, initMode) }))
        : BRANCHES.map((b) => ({ cls: `branch-${b}`, key: branchKey(b, initMode) })),
    );
  }
  return { update };
}

/**
 * Per-layer density as horizontal bars.
 * @param {SVGSVGElement} svgEl
 */
export function createDensityBars(svgEl) {
  const W = 420;
  const svg = select(svgEl);
  const g = svg.append('g');

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const snap = s.frame?.snapshot;
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    const { layerRates, scope, outputRate, structure } = s.settings;
    const ratesChanged = prev?.settings.layerRates !== layerRates || prev?.settings.scope !== scope || prev?.settings.outputRate !== outputRate || prev?.settings.structure !== structure;
    if (!snap || (!langChanged && !ratesChanged && prev?.frame?.snapshot === snap)) return;
    const ds = snap.layerDensity;
    const rowH = 22;
    const H = Math.max(40, ds.length * rowH + 8);
    svg.attr('viewBox', `0 0 ${W} ${H}`);
    // The per-layer rates the next Prune uses (weights, layer scope; the output layer's is the
    // output rate), right of the bars, which make room for them.
    const rated = layerRates.length > 0 && scope === 'layer' && structure === 'weights';
    const x = scaleLinear().domain([0, 1]).range([0, W - (rated ? 200 : 150)]);
    const rows = g
      .selectAll('g.row')
      .data(ds)
      .join((enter) => {
        const r = enter.append('g').attr('class', 'row');
        r.append('text').attr('class', 'bar-label').attr('x', 0).attr('y', 15);
        r.append('rect').attr('class', 'bar-bg').attr('x', 80).attr('y', 4).attr('height', 14);
        r.append('rect').attr('class', 'bar').attr('x', 80).attr('y', 4).attr('height', 14);
        r.append('text').attr('class', 'bar-value').attr('y', 15);
        r.append('text').attr('class', 'bar-rate').attr('x', W).attr('y', 15).attr('text-anchor', 'end');
        return r;
      });
    rows.attr('transform', (_, i) => `translate(0,${i * rowH + 2})`);
    rows.select('text.bar-label').text((_, i) => t('density.layer', { n: i + 1 }));
    rows.select('rect.bar-bg').attr('width', x(1));
    rows.select('rect.bar').attr('width', (d) => x(d));
    rows
      .select('text.bar-value')
      .attr('x', (d) => 86 + x(d))
      .text((d) => pct(d));
    rows.select('text.bar-rate').text((_, i) => {
      if (!rated) return '';
      const r = i < ds.length - 1 ? layerRates[i] : outputRate;
      return r === undefined ? '' : t('density.rate', { rate: Math.round(r * 1000) / 1000 });
    });
  }
  return { update };
}

/**
 * The |w| histogram over alive weights, with the last prune's threshold and where the next
 * global-magnitude cut would fall.
 * @param {HTMLElement} root
 */
export function createHistogram(root) {
  const svgEl = /** @type {SVGSVGElement} */ (root.querySelector('svg'));
  const legend = /** @type {HTMLElement} */ (root.querySelector('#histogram-legend'));
  const W = 420;
  const H = 170;
  const m = { top: 10, right: 12, bottom: 30, left: 44 };
  const svg = select(svgEl);
  const gx = svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - m.bottom})`);
  const gy = svg.append('g').attr('class', 'axis y').attr('transform', `translate(${m.left},0)`);
  const bars = svg.append('g').attr('class', 'bars');
  const marks = svg.append('g').attr('class', 'thresholds');
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('x', W - m.right).attr('y', H - 2).attr('text-anchor', 'end');

  /**
   * The |w| below which a global magnitude prune of `fraction` would cut (all layers).
   * @param {AppState} s
   */
  function nextCut(s) {
    const snap = s.frame?.snapshot;
    if (!snap || s.settings.structure !== 'weights') return null;
    /** @type {number[]} */
    const mags = [];
    for (const l of snap.layers) for (let k = 0; k < l.weights.length; k += 1) if (l.mask[k]) mags.push(Math.abs(l.weights[k]));
    if (mags.length === 0) return null;
    mags.sort((a, b) => a - b);
    const k = Math.round(s.settings.fraction * mags.length);
    return k > 0 ? mags[Math.min(mags.length - 1, k - 1)] : null;
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (!langChanged && prev?.frame === s.frame && prev?.settings.fraction === s.settings.fraction && prev?.settings.structure === s.settings.structure && prev?.lastPrune === s.lastPrune) return;
    if (langChanged) {
      fillLegend(legend, [
        { cls: 'threshold', key: 'legend.threshold' },
        { cls: 'next-threshold', key: 'legend.nextThreshold' },
      ]);
      xLabel.text(t('axis.magnitude'));
    }
    const hist = s.frame?.histogram;
    if (!hist || hist.counts.length === 0) return;
    const x = scaleLinear().domain([hist.edges[0], hist.edges.at(-1) ?? 1]).range([m.left, W - m.right]);
    const y = scaleLinear().domain([0, Math.max(1, ...hist.counts)]).nice().range([H - m.bottom, m.top]);
    gx.call(axisBottom(x).ticks(6));
    gy.call(axisLeft(y).ticks(4));
    bars
      .selectAll('rect')
      .data(hist.counts)
      .join('rect')
      .attr('x', (_, i) => x(hist.edges[i]) + 0.5)
      .attr('width', (_, i) => Math.max(0, x(hist.edges[i + 1]) - x(hist.edges[i]) - 1))
      .attr('y', (d) => y(d))
      .attr('height', (d) => y(0) - y(d));
    const last = s.lastPrune?.structure === 'weights' ? s.lastPrune.threshold : null;
    const next = nextCut(s);
    /** @type {{ cls: string, v: number }[]} */
    const lines = [];
    if (last !== null && last !== undefined && Number.isFinite(last)) lines.push({ cls: 'threshold', v: last });
    if (next !== null) lines.push({ cls: 'next-threshold', v: next });
    marks
      .selectAll('line')
      .data(lines.filter((l) => l.v <= (hist.edges.at(-1) ?? 0) * 1.05))
      .join('line')
      .attr('class', (d) => d.cls)
      .attr('x1', (d) => x(d.v))
      .attr('x2', (d) => x(d.v))
      .attr('y1', m.top)
      .attr('y2', H - m.bottom);
  }
  return { update };
}

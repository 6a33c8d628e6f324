// Kept runs compared: the list (overlay checkbox, name, pin, remove), one chart overlaying the
// shown runs' curves (accuracy vs density, or loss vs epoch) and a table of the settings that
// differ between them. Reads `runs` and `runsMode` from the state; edits go out as actions.
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import { axisBottom, axisLeft } from 'd3-axis';
import { select } from 'd3-selection';
import { t } from '../app/i18n.js';
import { pct } from '../app/format.js';
import { differingKeys, runCurves, runNames, valueLabel } from '../app/runs.js';
import { tagLabel } from '../app/lessons.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../app/dispatch.js').Action} Action
 * @typedef {import('../app/runs.js').Run} Run
 */

/**
 * Okabe & Ito's colour-blind-safe palette (yellow left out: too pale on white); beyond seven
 * runs the colours repeat with a dashed line.
 */
export const RUN_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#7f7f7f'];
/** Dashes per lottery branch, so a run's ticket and its controls stay one colour. */
const BRANCH_DASH = /** @type {Record<string, string>} */ ({ ticket: '', 'random-reinit': '5 3', 'random-mask': '2 3' });

/** @param {number} i */
function color(i) {
  return RUN_COLORS[i % RUN_COLORS.length];
}

/**
 * @param {HTMLElement} root   the `[data-testid="runs"]` section
 * @param {(a: Action) => void} send
 */
export function createRuns(root, send) {
  /** @template {Element} T @param {string} sel @returns {T} */
  const $ = (sel) => /** @type {T} */ (/** @type {unknown} */ (root.querySelector(sel)));
  const list = /** @type {HTMLUListElement} */ ($('#runs-list'));
  const empty = /** @type {HTMLElement} */ ($('#runs-empty'));
  const nothing = /** @type {HTMLElement} */ ($('#runs-nothing'));
  const legend = /** @type {HTMLElement} */ ($('#runs-legend'));
  const table = /** @type {HTMLTableElement} */ ($('#runs-table'));
  const svgEl = /** @type {SVGSVGElement} */ ($('#runs-svg'));
  const modes = /** @type {HTMLInputElement[]} */ ([...root.querySelectorAll('input[name="runs-mode"]')]);

  const W = 420;
  const H = 220;
  const m = { top: 10, right: 12, bottom: 30, left: 44 };
  const svg = select(svgEl);
  const gx = svg.append('g').attr('class', 'axis x').attr('transform', `translate(0,${H - m.bottom})`);
  const gy = svg.append('g').attr('class', 'axis y').attr('transform', `translate(${m.left},0)`);
  const lines = svg.append('g').attr('class', 'lines');
  const dots = svg.append('g').attr('class', 'dots');
  const xLabel = svg.append('text').attr('class', 'axis-label').attr('x', W - m.right).attr('y', H - 2).attr('text-anchor', 'end');
  const yLabel = svg.append('text').attr('class', 'axis-label').attr('x', m.left + 4).attr('y', m.top + 8);

  // Edits: one listener each on the list (the rows are rebuilt from the state).
  list.addEventListener('change', (e) => {
    const el = /** @type {HTMLInputElement} */ (e.target);
    const id = el.closest('li')?.dataset.runId;
    if (!id) return;
    if (el.dataset.runOp === 'show') send({ type: 'runs', edit: { op: 'show', id, shown: el.checked } });
    if (el.dataset.runOp === 'rename' && el.value !== el.dataset.auto) send({ type: 'runs', edit: { op: 'rename', id, name: el.value } });
  });
  list.addEventListener('click', (e) => {
    const b = /** @type {HTMLElement} */ (e.target).closest('button[data-run-op]');
    const id = b?.closest('li')?.dataset.runId;
    if (!(b instanceof HTMLButtonElement) || !id) return;
    if (b.dataset.runOp === 'remove') send({ type: 'runs', edit: { op: 'remove', id } });
    if (b.dataset.runOp === 'pin') send({ type: 'runs', edit: { op: 'pin', id, pinned: b.getAttribute('aria-pressed') !== 'true' } });
  });
  for (const r of modes) {
    r.addEventListener('change', () => {
      if (r.checked) send({ type: 'runsMode', mode: r.value === 'epoch' ? 'epoch' : 'density' });
    });
  }

  /**
   * @param {Run[]} runs
   * @param {Map<string, string>} names
   */
  function drawList(runs, names) {
    empty.hidden = runs.length > 0;
    list.replaceChildren(...runs.map((r, i) => {
      const li = document.createElement('li');
      li.dataset.runId = r.id;
      li.dataset.testid = 'run';
      const show = Object.assign(document.createElement('input'), { type: 'checkbox', checked: r.shown });
      show.dataset.runOp = 'show';
      show.dataset.testid = 'run-show';
      show.setAttribute('aria-label', t('runs.show'));
      const swatch = document.createElement('span');
      swatch.className = 'run-swatch';
      swatch.style.background = color(i);
      const name = Object.assign(document.createElement('input'), { type: 'text', value: names.get(r.id) ?? '', maxLength: 80 });
      name.className = 'run-name';
      name.dataset.runOp = 'rename';
      name.dataset.testid = 'run-name';
      // A name equal to the automatic one stays automatic (it follows the list and the language).
      if (!r.name) name.dataset.auto = name.value;
      name.setAttribute('aria-label', t('runs.name'));
      const summary = document.createElement('small');
      summary.className = 'run-summary';
      summary.textContent = t('runs.summary', {
        density: r.density === null ? '–' : pct(r.density),
        accuracy: r.testAccuracy === null ? '–' : pct(r.testAccuracy),
      });
      const pin = document.createElement('button');
      pin.type = 'button';
      pin.dataset.runOp = 'pin';
      pin.dataset.testid = 'run-pin';
      pin.setAttribute('aria-pressed', String(r.pinned));
      pin.textContent = t('runs.pinShort');
      pin.title = t('runs.pin');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.dataset.runOp = 'remove';
      remove.dataset.testid = 'run-remove';
      remove.textContent = t('runs.remove');
      li.append(show, swatch, name, summary, pin, remove);
      return li;
    }));
  }

  /**
   * @param {Run[]} runs   every kept run (colours follow the place in this list)
   * @param {Map<string, string>} names
   * @param {'density' | 'epoch'} mode
   */
  function drawChart(runs, names, mode) {
    const shown = runs.map((r, i) => ({ r, i, curves: runCurves(r, mode) })).filter((d) => d.r.shown && d.curves.length > 0);
    nothing.hidden = shown.length > 0;
    const pts = shown.flatMap((d) => d.curves.flatMap((c) => c.points));
    let x;
    let y;
    /** @type {number[]} */
    let densityTicks = [];
    if (mode === 'epoch') {
      x = scaleLinear().domain([0, Math.max(5, ...pts.map((p) => p[0]))]).range([m.left, W - m.right]);
      const maxLoss = Math.max(0.1, ...pts.map((p) => p[1]).filter(Number.isFinite));
      y = scaleLinear().domain([0, maxLoss]).nice().range([H - m.bottom, m.top]);
      gy.call(axisLeft(y).ticks(5));
      xLabel.text(t('runs.axisEpoch'));
      yLabel.text(t('runs.axisLoss'));
    } else {
      // Density on a log scale falling to the right, as the lottery chart draws it.
      const least = Math.max(1e-3, Math.min(...pts.map((p) => p[0]).filter((v) => v > 0), 1));
      const min = least < 1 ? least : 0.5;
      x = scaleLog().domain([1, min]).range([m.left, W - m.right]);
      // Five ticks evenly spaced on the log axis (d3's log ticks give one over a narrow range).
      densityTicks = [0, 1, 2, 3, 4].map((k) => min ** (k / 4));
      y = scaleLinear().domain([0, 1]).range([H - m.bottom, m.top]);
      gy.call(axisLeft(y).ticks(5).tickFormat((v) => `${Math.round(Number(v) * 100)}%`));
      xLabel.text(t('runs.axisDensity'));
      yLabel.text(t('runs.axisAccuracy'));
    }
    gx.call(mode === 'epoch'
      ? axisBottom(x).ticks(6).tickSizeOuter(0)
      : axisBottom(x).tickValues(densityTicks).tickFormat((v) => pct(Number(v), Number(v) < 0.1 ? 1 : 0)).tickSizeOuter(0));
    const curves = shown.flatMap(({ r, i, curves: cs }) => cs.map((c) => ({ r, i, c })));
    const gen = line().defined((d) => Number.isFinite(d[1])).x((d) => x(d[0])).y((d) => y(d[1]));
    lines.selectAll('path')
      .data(curves)
      .join('path')
      .attr('class', 'run-line')
      .attr('data-run', (d) => d.r.id)
      .attr('fill', 'none')
      .attr('stroke', (d) => color(d.i))
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', (d) => BRANCH_DASH[d.c.series] ?? (d.i >= RUN_COLORS.length ? '6 3' : ''))
      .attr('d', (d) => gen(d.c.points) ?? '');
    dots.selectAll('circle')
      .data(curves.flatMap((d) => d.c.points.filter((p) => Number.isFinite(p[1])).map((p) => ({ ...d, p }))))
      .join('circle')
      .attr('r', 2.5)
      .attr('fill', (d) => color(d.i))
      .attr('cx', (d) => x(d.p[0]))
      .attr('cy', (d) => y(d.p[1]));
    legend.replaceChildren(...curves.map(({ r, i, c }) => {
      const s = document.createElement('span');
      s.className = (BRANCH_DASH[c.series] ?? (i >= RUN_COLORS.length ? '6 3' : '')) ? 'key run-key dashed' : 'key run-key';
      s.style.setProperty('--run-color', color(i));
      const branch = mode === 'density' && c.series !== 'final' && c.series !== 'ticket' ? ` · ${t(`branch.${c.series}`)}` : '';
      s.textContent = `${names.get(r.id) ?? ''}${branch}`;
      return s;
    }));
  }

  /**
   * The settings that differ between the shown runs: one row each, one column per run.
   * @param {Run[]} runs
   * @param {Map<string, string>} names
   */
  function drawTable(runs, names) {
    const shown = runs.filter((r) => r.shown);
    const keys = shown.length > 1 ? differingKeys(shown) : [];
    table.replaceChildren();
    if (shown.length < 2) return;
    const head = table.createTHead().insertRow();
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = t('runs.setting');
    head.append(corner, ...shown.map((r) => Object.assign(document.createElement('th'), { scope: 'col', textContent: names.get(r.id) ?? '' })));
    const body = table.createTBody();
    if (keys.length === 0) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = shown.length + 1;
      cell.textContent = t('runs.same');
      return;
    }
    for (const key of keys) {
      const row = body.insertRow();
      const th = Object.assign(document.createElement('th'), { scope: 'row', textContent: t(`label.${key}`) });
      row.append(th);
      for (const r of shown) row.insertCell().textContent = valueLabel(key, /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (r.settings))[key], t);
    }
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (!langChanged && prev?.runs === s.runs && prev?.runsMode === s.runsMode) return;
    for (const r of modes) r.checked = r.value === s.runsMode;
    const names = runNames(s.runs, t, tagLabel);
    if (langChanged || prev?.runs !== s.runs) {
      drawList(s.runs, names);
      drawTable(s.runs, names);
    }
    drawChart(s.runs, names, s.runsMode);
  }

  return { update };
}

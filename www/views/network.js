// The network view. Small networks: SVG neurons and connections (width ∝ |w|, colour = sign);
// pruned connections fade out, removed neurons collapse, and a rewind animates every surviving
// weight from its trained value back to θ₀ while the mask stays. Large layers (MNIST-1D, digits,
// MNIST): one weight-matrix heatmap per layer with the mask, and for image inputs (8×8, 28×28)
// some first-layer neurons' weights as images. Elements are built once per architecture; frames only change
// attributes that differ. Under an N:M pattern the groups of M consecutive inputs are drawn: a
// bracket beside each group of a layer's neurons (the inputs of the next layer that one group
// shares), a thin separator every M columns of a weight matrix.
import { t } from '../app/i18n.js';
import { num, pct } from '../app/format.js';
import { patternOf } from '../app/state.js';
import { palette, mix } from './colors.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('../types.js').Snapshot} Snapshot
 */

/**
 * One layer in original coordinates: removed neurons keep their place (alive = 0).
 * @typedef {object} FullLayer
 * @property {number} out
 * @property {number} in
 * @property {Float32Array} w
 * @property {Float32Array} w0
 * @property {Uint8Array} alive       per connection
 * @property {Uint8Array} outAlive    per output neuron
 * @property {Float32Array} bias
 */

const TWEEN_MS = 900;
/** Above this many connections, or this wide a layer, draw matrices instead of lines. */
const MAX_LINES = 700;
const MAX_WIDTH = 32;

/**
 * The snapshot in original coordinates.
 * @param {Snapshot} snap
 * @returns {FullLayer[]}
 */
function expand(snap) {
  const ow = snap.originalWidths;
  /** @type {number[]} */
  let inIds = Array.from({ length: ow[0] }, (_, i) => i);
  return snap.layers.map((layer, l) => {
    const [outN, inN] = layer.shape;
    const fullOut = ow[l + 1] ?? outN;
    const fullIn = ow[l] ?? inN;
    const outIds = layer.neuronIds.length === outN ? layer.neuronIds : Array.from({ length: outN }, (_, i) => i);
    const w = new Float32Array(fullOut * fullIn);
    const w0 = new Float32Array(fullOut * fullIn);
    const alive = new Uint8Array(fullOut * fullIn);
    const outAlive = new Uint8Array(fullOut);
    const bias = new Float32Array(fullOut);
    for (let r = 0; r < outN; r += 1) {
      const R = outIds[r];
      outAlive[R] = 1;
      bias[R] = layer.bias[r];
      for (let c = 0; c < inN; c += 1) {
        const C = inIds[c] ?? c;
        const k = R * fullIn + C;
        w[k] = layer.weights[r * inN + c];
        w0[k] = layer.initialWeights[r * inN + c];
        alive[k] = layer.mask[r * inN + c];
      }
    }
    inIds = outIds;
    return { out: fullOut, in: fullIn, w, w0, alive, outAlive, bias };
  });
}

/** @param {FullLayer[]} layers */
function maxAbs(layers) {
  let m = 1e-6;
  for (const l of layers) for (let k = 0; k < l.w.length; k += 1) if (l.alive[k]) m = Math.max(m, Math.abs(l.w[k]));
  return m;
}

/** @param {number} x */
const ease = (x) => (x < 0.5 ? 2 * x * x : 1 - Math.pow(-2 * x + 2, 2) / 2);

const SVG = 'http://www.w3.org/2000/svg';

/** Inputs that are square images (8×8 digits, 28×28 MNIST): input count → side. */
const IMAGE_SIDES = /** @type {Record<number, number>} */ ({ 64: 8, 784: 28 });

/**
 * @param {HTMLElement} root       the figure (data-testid="network")
 */
export function createNetwork(root) {
  const body = /** @type {HTMLElement} */ (root.querySelector('#network-body'));
  const hint = /** @type {HTMLElement} */ (root.querySelector('#network-hint'));
  const tip = /** @type {HTMLOutputElement} */ (root.querySelector('#network-tip'));

  /** @type {string} */
  let arch = '';
  /** @type {'lines' | 'matrix'} */
  let mode = 'lines';
  /** @type {FullLayer[] | null} what is on screen now */
  let shown = null;
  /** @type {FullLayer[] | null} */
  let target = null;
  let transitionSeq = -1;
  let anim = 0;
  /** @type {string[]} */
  let inputNames = [];

  // --- lines mode --------------------------------------------------------------------------
  /** @type {SVGSVGElement | null} */
  let svg = null;
  /** @type {SVGLineElement[][]} per layer, row-major [out, in] */
  let lines = [];
  /** @type {SVGCircleElement[][]} per layer (0 = inputs) */
  let nodes = [];
  /** Last attribute values per line, to touch only what changed: width, class. */
  /** @type {{ w: string, c: string }[][]} */
  let lineState = [];
  /** The layout of the lines mode, for the group brackets. */
  /** @type {{ widths: number[], xs: number[], y: (l: number, i: number) => number } | null} */
  let geom = null;
  /** @type {SVGGElement | null} brackets, over the connections */
  let groupLayer = null;
  /** @type {SVGGElement | null} a tint behind each group, under the connections */
  let tintLayer = null;
  /** The group length M drawn now (0: none). */
  let groupsShown = 0;

  // --- matrix mode -------------------------------------------------------------------------
  /** @type {{ canvas: HTMLCanvasElement, caption: HTMLElement, groups: HTMLElement, cell: number }[]} */
  let matrices = [];
  /** @type {HTMLCanvasElement[]} */
  let digitTiles = [];
  /** Side of the input images the first-layer tiles show (8 or 28), 0 for none. */
  let tileSide = 0;
  /** Words the tiles' parameterized title again (a language change), or does nothing. */
  let tilesTitle = () => {};

  /**
   * @param {number[]} widths
   */
  function buildLines(widths) {
    body.replaceChildren();
    const W = 640;
    const maxN = Math.max(...widths);
    const gap = Math.min(30, 300 / Math.max(1, maxN - 1));
    const H = Math.max(160, (maxN - 1) * gap + 60);
    svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('class', 'net-svg');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t('view.network'));
    const xs = widths.map((_, l) => 60 + (l * (W - 120)) / Math.max(1, widths.length - 1));
    /** @param {number} l @param {number} i */
    const y = (l, i) => H / 2 + (i - (widths[l] - 1) / 2) * gap;
    const edges = document.createElementNS(SVG, 'g');
    edges.setAttribute('class', 'edges');
    const nodeGroup = document.createElementNS(SVG, 'g');
    nodeGroup.setAttribute('class', 'nodes');
    lines = [];
    lineState = [];
    nodes = [];
    for (let l = 1; l < widths.length; l += 1) {
      /** @type {SVGLineElement[]} */
      const ls = [];
      for (let r = 0; r < widths[l]; r += 1) {
        for (let c = 0; c < widths[l - 1]; c += 1) {
          const line = document.createElementNS(SVG, 'line');
          line.setAttribute('x1', String(xs[l - 1]));
          line.setAttribute('y1', String(y(l - 1, c)));
          line.setAttribute('x2', String(xs[l]));
          line.setAttribute('y2', String(y(l, r)));
          line.dataset.l = String(l - 1);
          line.dataset.r = String(r);
          line.dataset.c = String(c);
          edges.append(line);
          ls.push(line);
        }
      }
      lines.push(ls);
      lineState.push(ls.map(() => ({ w: '', c: '' })));
    }
    for (let l = 0; l < widths.length; l += 1) {
      /** @type {SVGCircleElement[]} */
      const ns = [];
      for (let i = 0; i < widths[l]; i += 1) {
        const g = document.createElementNS(SVG, 'circle');
        g.setAttribute('cx', String(xs[l]));
        g.setAttribute('cy', String(y(l, i)));
        g.setAttribute('r', '9');
        g.setAttribute('class', l === 0 ? 'node input' : l === widths.length - 1 ? 'node output' : 'node');
        g.dataset.layer = String(l);
        g.dataset.i = String(i);
        nodeGroup.append(g);
        ns.push(g);
        if (l === 0 && widths[0] <= 8) {
          const label = document.createElementNS(SVG, 'text');
          label.setAttribute('x', String(xs[0] - 16));
          label.setAttribute('y', String(y(0, i) + 4));
          label.setAttribute('text-anchor', 'end');
          label.setAttribute('class', 'node-label');
          label.textContent = inputNames[i] ?? `x${i + 1}`;
          nodeGroup.append(label);
        }
      }
      nodes.push(ns);
    }
    groupLayer = document.createElementNS(SVG, 'g');
    groupLayer.setAttribute('class', 'nm-groups');
    groupLayer.dataset.testid = 'nm-groups';
    tintLayer = document.createElementNS(SVG, 'g');
    tintLayer.setAttribute('class', 'nm-tints');
    geom = { widths, xs, y };
    groupsShown = 0;
    svg.append(tintLayer, edges, groupLayer, nodeGroup);
    body.append(svg);
  }

  /**
   * Draws the groups of `m` consecutive inputs (0: none): lines mode, a bracket right of each
   * group of every layer that feeds another; matrix mode, a separator every `m` columns.
   * @param {number} m
   */
  function drawGroups(m) {
    if (m === groupsShown) return;
    groupsShown = m;
    if (mode === 'lines' && groupLayer && tintLayer && geom) {
      const { widths, xs, y } = geom;
      groupLayer.replaceChildren();
      tintLayer.replaceChildren();
      if (m > 0) {
        for (let l = 0; l < widths.length - 1; l += 1) {
          for (let g = 0; g < widths[l]; g += m) {
            const last = Math.min(widths[l], g + m) - 1;
            const x = xs[l] + 16;
            const path = document.createElementNS(SVG, 'path');
            path.setAttribute('d', `M${x - 4},${y(l, g) - 9} h4 V${y(l, last) + 9} h-4`);
            path.setAttribute('class', 'nm-bracket');
            groupLayer.append(path);
            const tint = document.createElementNS(SVG, 'rect');
            tint.setAttribute('x', String(xs[l] - 13));
            tint.setAttribute('y', String(y(l, g) - 13));
            tint.setAttribute('width', '26');
            tint.setAttribute('height', String(y(l, last) - y(l, g) + 26));
            tint.setAttribute('rx', '13');
            tint.setAttribute('class', (g / m) % 2 === 0 ? 'nm-tint' : 'nm-tint odd');
            tintLayer.append(tint);
          }
        }
      }
    }
    for (const { canvas, groups, cell } of matrices) {
      const cols = canvas.width;
      // Drawn only where a group is at least 4 px wide (not over MNIST's 784 columns in 280 px).
      const on = m > 0 && m < cols && m * cell >= 4;
      groups.hidden = !on;
      groups.style.backgroundSize = on ? `${(100 * m) / cols}% 100%` : '';
      canvas.dataset.groups = on ? String(m) : '';
    }
  }

  /**
   * @param {FullLayer[]} layers
   * @param {number[]} widths
   */
  function buildMatrices(layers, widths) {
    body.replaceChildren();
    matrices = [];
    digitTiles = [];
    const wrap = document.createElement('div');
    wrap.className = 'matrices';
    layers.forEach((layer, l) => {
      const block = document.createElement('div');
      block.className = 'matrix';
      const caption = document.createElement('div');
      caption.className = 'matrix-caption';
      const canvas = document.createElement('canvas');
      canvas.width = layer.in;
      canvas.height = layer.out;
      canvas.className = 'matrix-canvas';
      canvas.dataset.layer = String(l);
      canvas.setAttribute('role', 'img');
      // Square cells of a size that fits the larger side into ~280 px; a layer wider than 140
      // (MNIST's 784 inputs) is scaled down to 280 px, a summary rather than one pixel per weight.
      const side = Math.max(layer.in, layer.out);
      const cell = side > 140 ? 280 / side : Math.max(2, Math.min(12, Math.floor(280 / side)));
      canvas.style.width = `${layer.in * cell}px`;
      canvas.style.height = `${layer.out * cell}px`;
      // The N:M groups' separators, over the canvas (drawGroups).
      const frame = document.createElement('div');
      frame.className = 'matrix-frame';
      const groups = document.createElement('div');
      groups.className = 'matrix-groups';
      groups.hidden = true;
      frame.append(canvas, groups);
      block.append(caption, frame);
      wrap.append(block);
      matrices.push({ canvas, caption, groups, cell });
    });
    groupsShown = 0;
    body.append(wrap);
    tileSide = IMAGE_SIDES[widths[0]] ?? 0;
    tilesTitle = () => {};
    if (tileSide > 0) {
      const tiles = document.createElement('div');
      tiles.className = 'digit-tiles';
      const title = document.createElement('p');
      title.className = 'hint';
      const grid = document.createElement('div');
      grid.className = 'digit-grid';
      // 8×8 digits: up to 64 neurons at 36 px; 28×28 MNIST: the first 24 at 56 px (2 px a pixel).
      const count = Math.min(tileSide === 8 ? 64 : 24, widths[1]);
      if (tileSide === 8) {
        title.textContent = t('net.digitsHint');
        title.dataset.i18n = 'net.digitsHint';
      } else {
        tilesTitle = () => {
          title.textContent = t('net.mnistHint', { n: count });
        };
        tilesTitle();
        grid.style.gridTemplateColumns = 'repeat(auto-fill, 56px)';
      }
      for (let i = 0; i < count; i += 1) {
        const c = document.createElement('canvas');
        c.width = tileSide;
        c.height = tileSide;
        c.className = 'digit-tile';
        c.dataset.i = String(i);
        if (tileSide !== 8) {
          c.style.width = '56px';
          c.style.height = '56px';
        }
        grid.append(c);
        digitTiles.push(c);
      }
      tiles.append(title, grid);
      body.append(tiles);
    }
  }

  /**
   * Draws `layers` (already interpolated). `fade` (0…1) is the opacity left for connections that
   * are alive in `from` but not in `layers` (pruned this step).
   * @param {FullLayer[]} layers
   * @param {FullLayer[] | null} from
   * @param {number} fade
   * @param {number} scale
   */
  function draw(layers, from, fade, scale) {
    if (mode === 'lines') drawLines(layers, from, fade, scale);
    else drawMatrices(layers, from, fade, scale);
  }

  /**
   * @param {FullLayer[]} layers
   * @param {FullLayer[] | null} from
   * @param {number} fade
   * @param {number} scale
   */
  function drawLines(layers, from, fade, scale) {
    layers.forEach((layer, l) => {
      const ls = lines[l];
      const st = lineState[l];
      for (let k = 0; k < ls.length; k += 1) {
        const alive = layer.alive[k] === 1;
        const wasAlive = from ? from[l].alive[k] === 1 : alive;
        const w = layer.w[k];
        let cls;
        let width;
        if (alive) {
          cls = w >= 0 ? 'pos' : 'neg';
          width = (0.4 + (4.6 * Math.min(1, Math.abs(w) / scale))).toFixed(2);
        } else if (wasAlive && fade > 0) {
          cls = 'dying';
          width = (0.4 + 4.6 * Math.min(1, Math.abs(from ? from[l].w[k] : 0) / scale) * fade).toFixed(2);
        } else {
          cls = 'dead';
          width = '0.6';
        }
        if (st[k].c !== cls) {
          ls[k].setAttribute('class', cls);
          st[k].c = cls;
        }
        if (st[k].w !== width) {
          ls[k].setAttribute('stroke-width', width);
          st[k].w = width;
        }
      }
      const ns = nodes[l + 1];
      for (let i = 0; i < ns.length; i += 1) ns[i].classList.toggle('gone', layer.outAlive[i] === 0);
    });
  }

  /**
   * @param {FullLayer[]} layers
   * @param {FullLayer[] | null} from
   * @param {number} fade
   * @param {number} scale
   */
  function drawMatrices(layers, from, fade, scale) {
    const pal = palette(body);
    layers.forEach((layer, l) => {
      const { canvas, caption } = matrices[l];
      const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
      const img = ctx.createImageData(layer.in, layer.out);
      let alive = 0;
      for (let k = 0; k < layer.w.length; k += 1) {
        const a = layer.alive[k] === 1;
        const was = from ? from[l].alive[k] === 1 : a;
        alive += a ? 1 : 0;
        const w = a ? layer.w[k] : was ? (from ? from[l].w[k] : 0) * fade : 0;
        const c = a || (was && fade > 0)
          ? mix(pal.bg, w >= 0 ? pal.pos : pal.neg, Math.min(1, 0.25 + 0.75 * Math.sqrt(Math.abs(w) / scale)))
          : pal.pruned;
        img.data[k * 4] = c[0];
        img.data[k * 4 + 1] = c[1];
        img.data[k * 4 + 2] = c[2];
        img.data[k * 4 + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
      const text = t('net.layer', { n: l + 1, out: layer.out, in: layer.in, density: pct(alive / Math.max(1, layer.w.length)) });
      if (caption.textContent !== text) {
        caption.textContent = text;
        canvas.setAttribute('aria-label', text);
      }
    });
    if (digitTiles.length > 0) {
      const first = layers[0];
      const n = tileSide * tileSide;
      digitTiles.forEach((tile, i) => {
        const ctx = /** @type {CanvasRenderingContext2D} */ (tile.getContext('2d'));
        const img = ctx.createImageData(tileSide, tileSide);
        let m = 1e-6;
        let alive = 0;
        for (let p = 0; p < n; p += 1) {
          if (first.alive[i * n + p]) {
            m = Math.max(m, Math.abs(first.w[i * n + p]));
            alive += 1;
          }
        }
        tile.dataset.alive = String(alive);
        for (let p = 0; p < n; p += 1) {
          const k = i * n + p;
          const w = first.w[k];
          const c = first.alive[k] ? mix(pal.bg, w >= 0 ? pal.pos : pal.neg, Math.min(1, Math.abs(w) / m)) : pal.pruned;
          img.data[p * 4] = c[0];
          img.data[p * 4 + 1] = c[1];
          img.data[p * 4 + 2] = c[2];
          img.data[p * 4 + 3] = first.outAlive[i] ? 255 : 60;
        }
        ctx.putImageData(img, 0, 0);
      });
    }
  }

  /**
   * @param {FullLayer[]} a
   * @param {FullLayer[]} b
   * @param {number} x
   * @returns {FullLayer[]}
   */
  function lerp(a, b, x) {
    return b.map((lb, l) => {
      const la = a[l];
      const w = new Float32Array(lb.w.length);
      for (let k = 0; k < w.length; k += 1) w[k] = la.w[k] + (lb.w[k] - la.w[k]) * x;
      return { ...lb, w };
    });
  }

  /**
   * @param {FullLayer[]} from
   * @param {FullLayer[]} to
   * @param {'rewind' | 'reinit' | 'prune'} kind
   */
  function animate(from, to, kind) {
    cancelAnimationFrame(anim);
    const scale = Math.max(maxAbs(from), maxAbs(to));
    const start = performance.now();
    root.dataset.animating = kind;
    const frame = (/** @type {number} */ now) => {
      const x = Math.min(1, (now - start) / TWEEN_MS);
      const e = ease(x);
      if (kind === 'prune') draw(to, from, 1 - e, scale);
      else draw(lerp(from, to, e), from, 0, scale);
      if (x < 1) anim = requestAnimationFrame(frame);
      else {
        delete root.dataset.animating;
        shown = to;
      }
    };
    anim = requestAnimationFrame(frame);
  }

  /** @param {PointerEvent} e */
  function onPointer(e) {
    const el = /** @type {Element} */ (e.target);
    const layers = target;
    if (!layers) return;
    let text = '';
    if (el instanceof SVGLineElement && el.dataset.l !== undefined) {
      const l = Number(el.dataset.l);
      const r = Number(el.dataset.r);
      const c = Number(el.dataset.c);
      const layer = layers[l];
      const k = r * layer.in + c;
      const from = l === 0 ? t('net.input', { i: c + 1 }) : t('net.hiddenNeuron', { l, i: c + 1 });
      const to = l === layers.length - 1 ? t('net.output', { i: r + 1 }) : t('net.hiddenNeuron', { l: l + 1, i: r + 1 });
      text = layer.alive[k]
        ? t('net.weight', { w: num(layer.w[k]), w0: num(layer.w0[k]), from, to })
        : t('net.weightPruned', { w0: num(layer.w0[k]), from, to });
    } else if (el instanceof SVGCircleElement && el.dataset.layer !== undefined) {
      const l = Number(el.dataset.layer);
      const i = Number(el.dataset.i);
      if (l === 0) text = inputNames[i] ?? t('net.input', { i: i + 1 });
      else {
        const name = l === layers.length ? t('net.output', { i: i + 1 }) : t('net.hiddenNeuron', { l, i: i + 1 });
        text = t('net.neuron', { name, b: num(layers[l - 1].bias[i]) });
      }
    } else if (el instanceof HTMLCanvasElement && el.dataset.layer !== undefined) {
      const l = Number(el.dataset.layer);
      const layer = layers[l];
      const rect = el.getBoundingClientRect();
      const c = Math.floor(((e.clientX - rect.left) / rect.width) * layer.in);
      const r = Math.floor(((e.clientY - rect.top) / rect.height) * layer.out);
      const k = r * layer.in + c;
      if (k >= 0 && k < layer.w.length) {
        const from = l === 0 ? t('net.input', { i: c + 1 }) : t('net.hiddenNeuron', { l, i: c + 1 });
        const to = l === layers.length - 1 ? t('net.output', { i: r + 1 }) : t('net.hiddenNeuron', { l: l + 1, i: r + 1 });
        text = layer.alive[k]
          ? t('net.weight', { w: num(layer.w[k]), w0: num(layer.w0[k]), from, to })
          : t('net.weightPruned', { w0: num(layer.w0[k]), from, to });
      }
    }
    if (!text) {
      tip.hidden = true;
      return;
    }
    tip.textContent = text;
    tip.hidden = false;
    const box = root.getBoundingClientRect();
    tip.style.left = `${Math.min(box.width - 220, Math.max(0, e.clientX - box.left + 12))}px`;
    tip.style.top = `${e.clientY - box.top + 12}px`;
  }
  body.addEventListener('pointermove', onPointer);
  body.addEventListener('pointerleave', () => {
    tip.hidden = true;
  });

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const snap = s.frame?.snapshot;
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    if (langChanged) {
      hint.textContent = t(mode === 'lines' ? 'net.hint' : 'net.hintLarge');
      tilesTitle();
    }
    const pattern = patternOf(s.settings);
    const m = pattern ? Number(pattern.split(':')[1]) : 0;
    if (!snap || (prev?.frame?.snapshot === snap && !langChanged && prev?.settings.theme === s.settings.theme)) {
      drawGroups(m);
      return;
    }
    const widths = snap.originalWidths;
    const layers = expand(snap);
    const total = layers.reduce((a, l) => a + l.w.length, 0);
    const nextMode = total <= MAX_LINES && Math.max(...widths) <= MAX_WIDTH ? 'lines' : 'matrix';
    const signature = `${nextMode}:${widths.join('-')}:${s.modelSeq}`;
    inputNames = s.info?.dataset.featureNames ?? [];
    if (signature !== arch) {
      cancelAnimationFrame(anim);
      mode = nextMode;
      arch = signature;
      if (mode === 'lines') buildLines(widths);
      else buildMatrices(layers, widths);
      hint.textContent = t(mode === 'lines' ? 'net.hint' : 'net.hintLarge');
      root.dataset.mode = mode;
      shown = null;
    }
    drawGroups(m);
    const from = shown;
    target = layers;
    const tr = s.transition;
    const fresh = tr.seq !== transitionSeq;
    transitionSeq = tr.seq;
    if (from && fresh && tr.kind !== 'none') {
      animate(from, layers, tr.kind);
    } else {
      cancelAnimationFrame(anim);
      delete root.dataset.animating;
      draw(layers, null, 0, maxAbs(layers));
      shown = layers;
    }
    // A machine-readable summary for tests and tools.
    root.dataset.alive = String(layers.reduce((a, l) => a + l.alive.reduce((x, y) => x + y, 0), 0));
    root.dataset.features = String(widths[0]);
    root.dataset.neurons = String(layers.reduce((a, l) => a + l.outAlive.reduce((x, y) => x + y, 0), 0));
  }

  return { update };
}

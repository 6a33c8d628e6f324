// Decision boundary of 2D data sets (one predictGrid call per frame, drawn as a heatmap) with the
// data points, and TF-Playground-style thumbnails of what each hidden neuron computes (neuronMaps);
// for 28×28 MNIST, some test digits as the images the network reads.
import { t } from '../app/i18n.js';
import { palette, mix } from './colors.js';

/**
 * @typedef {import('../app/dispatch.js').AppState} AppState
 * @typedef {import('./colors.js').RGB} RGB
 */

/** Side of MNIST's square inputs: drawn as images where the 2D sets draw a boundary. */
const MNIST_SIDE = 28;

/**
 * @param {HTMLElement} root             the boundary figure
 * @param {HTMLElement} mapsRoot         the container of neuron thumbnails
 */
export function createBoundary(root, mapsRoot) {
  const canvas = /** @type {HTMLCanvasElement} */ (root.querySelector('canvas'));
  const hint = /** @type {HTMLElement} */ (root.querySelector('#boundary-hint'));
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const off = document.createElement('canvas');
  /** @type {HTMLCanvasElement[][]} */
  let tiles = [];
  let tileSig = '';

  /**
   * @param {AppState} s
   */
  function drawBoundary(s) {
    const info = s.info;
    const frame = s.frame;
    const range = s.range;
    const pal = palette(canvas);
    const W = canvas.width;
    const H = canvas.height;
    ctx.fillStyle = pal.css.surface;
    ctx.fillRect(0, 0, W, H);
    if (info && info.dataset.nFeatures === MNIST_SIDE * MNIST_SIDE) drawInputs(info, pal);
    if (!info || !range) return;
    const d = info.dataset;
    const k = d.nClasses;
    const grid = frame?.grid;
    if (grid) {
      const res = Math.round(Math.sqrt(grid.length / k));
      off.width = res;
      off.height = res;
      const octx = /** @type {CanvasRenderingContext2D} */ (off.getContext('2d'));
      const img = octx.createImageData(res, res);
      for (let gy = 0; gy < res; gy += 1) {
        for (let gx = 0; gx < res; gx += 1) {
          const cell = gy * res + gx;
          // Mix the class colours by probability, paler where the network is unsure.
          /** @type {RGB} */
          let c = [0, 0, 0];
          let best = 0;
          for (let j = 0; j < k; j += 1) {
            const p = grid[cell * k + j];
            best = Math.max(best, p);
            const cc = pal.classes[j % pal.classes.length];
            c = [c[0] + cc[0] * p, c[1] + cc[1] * p, c[2] + cc[2] * p];
          }
          const sure = k > 1 ? (best - 1 / k) / (1 - 1 / k) : 1;
          const out = mix(pal.bg, c, 0.2 + 0.55 * sure);
          // Canvas rows go down; y grows up.
          const o = ((res - 1 - gy) * res + gx) * 4;
          img.data[o] = out[0];
          img.data[o + 1] = out[1];
          img.data[o + 2] = out[2];
          img.data[o + 3] = 255;
        }
      }
      octx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, W, H);
    }
    const [[x0, x1], [y0, y1]] = range;
    /** @param {number} x */
    const px = (x) => ((x - x0) / (x1 - x0)) * W;
    /** @param {number} y */
    const py = (y) => H - ((y - y0) / (y1 - y0)) * H;
    /**
     * @param {Float32Array} xs
     * @param {Uint8Array | Uint16Array} ys
     * @param {boolean} filled
     */
    const points = (xs, ys, filled) => {
      for (let i = 0; i < ys.length; i += 1) {
        const c = pal.classes[ys[i] % pal.classes.length];
        ctx.beginPath();
        ctx.arc(px(xs[2 * i]), py(xs[2 * i + 1]), 3, 0, 2 * Math.PI);
        if (filled) {
          ctx.fillStyle = `rgb(${c[0]} ${c[1]} ${c[2]})`;
          ctx.fill();
          ctx.strokeStyle = pal.css.surface;
          ctx.lineWidth = 0.8;
          ctx.stroke();
        } else {
          ctx.strokeStyle = `rgb(${c[0]} ${c[1]} ${c[2]})`;
          ctx.lineWidth = 1.4;
          ctx.stroke();
        }
      }
    };
    points(d.xTrain, d.yTrain, true);
    points(d.xTest, d.yTest, false);
  }

  /**
   * The first test digits of a 28×28 data set as images (ink = pixel value) with their labels, in
   * a 4×4 grid on the boundary's canvas: what the network reads instead of two coordinates.
   * @param {NonNullable<AppState['info']>} info
   * @param {ReturnType<typeof palette>} pal
   */
  function drawInputs(info, pal) {
    const d = info.dataset;
    const side = MNIST_SIDE;
    const n = side * side;
    const cols = 4;
    const cell = canvas.width / cols;
    const scale = 2;
    off.width = side;
    off.height = side;
    const octx = /** @type {CanvasRenderingContext2D} */ (off.getContext('2d'));
    ctx.imageSmoothingEnabled = false;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillStyle = pal.css.fg;
    const count = Math.min(cols * cols, d.yTest.length);
    for (let i = 0; i < count; i += 1) {
      const img = octx.createImageData(side, side);
      for (let p = 0; p < n; p += 1) {
        const c = mix(pal.bg, pal.fg, Math.min(1, Math.max(0, d.xTest[i * n + p])));
        img.data[p * 4] = c[0];
        img.data[p * 4 + 1] = c[1];
        img.data[p * 4 + 2] = c[2];
        img.data[p * 4 + 3] = 255;
      }
      octx.putImageData(img, 0, 0);
      const x = (i % cols) * cell + (cell - side * scale) / 2;
      const y = Math.floor(i / cols) * cell + 4;
      ctx.drawImage(off, x, y, side * scale, side * scale);
      ctx.strokeStyle = pal.css.fg;
      ctx.globalAlpha = 0.25;
      ctx.strokeRect(x - 0.5, y - 0.5, side * scale + 1, side * scale + 1);
      ctx.globalAlpha = 1;
      ctx.fillText(String(d.yTest[i]), (i % cols) * cell + cell / 2, y + side * scale + 14);
    }
    canvas.dataset.digits = String(count);
  }

  /** @param {AppState} s */
  function drawMaps(s) {
    const maps = s.frame?.maps;
    const snap = s.frame?.snapshot;
    if (!maps || !snap) {
      if (tileSig !== '') {
        mapsRoot.replaceChildren();
        tiles = [];
        tileSig = '';
      }
      return;
    }
    const hiddenMaps = maps.slice(0, snap.widths.length - 2);
    const widths = hiddenMaps.map((_, l) => snap.widths[l + 1]);
    const res = Math.round(Math.sqrt(hiddenMaps[0]?.length / Math.max(1, widths[0]))) || 1;
    const sig = `${widths.join('-')}:${res}:${s.modelSeq}`;
    if (sig !== tileSig) {
      mapsRoot.replaceChildren();
      tiles = hiddenMaps.map((_, l) => {
        const row = document.createElement('div');
        row.className = 'map-row';
        const label = document.createElement('span');
        label.className = 'map-label';
        label.textContent = t('density.layer', { n: l + 1 });
        const grid = document.createElement('div');
        grid.className = 'map-tiles';
        row.append(label, grid);
        const cs = Array.from({ length: widths[l] }, (_, i) => {
          const c = document.createElement('canvas');
          c.width = res;
          c.height = res;
          c.className = 'map-tile';
          c.title = t('net.hiddenNeuron', { l: l + 1, i: (snap.layers[l].neuronIds[i] ?? i) + 1 });
          grid.append(c);
          return c;
        });
        mapsRoot.append(row);
        return cs;
      });
      tileSig = sig;
    }
    const pal = palette(canvas);
    hiddenMaps.forEach((acts, l) => {
      const w = widths[l];
      tiles[l].forEach((c, i) => {
        let m = 1e-6;
        for (let p = 0; p < res * res; p += 1) m = Math.max(m, Math.abs(acts[p * w + i]));
        const cctx = /** @type {CanvasRenderingContext2D} */ (c.getContext('2d'));
        const img = cctx.createImageData(res, res);
        for (let gy = 0; gy < res; gy += 1) {
          for (let gx = 0; gx < res; gx += 1) {
            const v = acts[(gy * res + gx) * w + i] / m;
            const col = mix(pal.bg, v >= 0 ? pal.pos : pal.neg, Math.min(1, Math.abs(v)));
            const o = ((res - 1 - gy) * res + gx) * 4;
            img.data[o] = col[0];
            img.data[o + 1] = col[1];
            img.data[o + 2] = col[2];
            img.data[o + 3] = 255;
          }
        }
        cctx.putImageData(img, 0, 0);
      });
    });
  }

  /**
   * @param {AppState} s
   * @param {AppState | null} prev
   */
  function update(s, prev) {
    const langChanged = !prev || prev.settings.lang !== s.settings.lang;
    const themeChanged = !prev || prev.settings.theme !== s.settings.theme;
    if (langChanged || prev?.info !== s.info) {
      const n = s.info?.dataset.nFeatures ?? 2;
      const images = n === MNIST_SIDE * MNIST_SIDE;
      hint.textContent = s.range ? t('boundary.hint') : images ? t('boundary.mnistHint') : t('boundary.not2d', { n });
      root.classList.toggle('off', !s.range && !images);
      if (!images) delete canvas.dataset.digits;
      mapsRoot.closest('figure')?.classList.toggle('off', !s.range);
      if (langChanged) tileSig = '';
    }
    if (langChanged || themeChanged || prev?.frame !== s.frame || prev?.info !== s.info) {
      drawBoundary(s);
      drawMaps(s);
    }
  }

  return { update };
}

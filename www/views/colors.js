// Colours for canvas drawing, read from the CSS custom properties of the current theme
// (so light/dark and the toggle apply to canvases too).

/** @typedef {[number, number, number]} RGB */

/** @param {string} css */
function parse(css) {
  const s = css.trim();
  const hex = /^#([0-9a-f]{6})$/i.exec(s);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return /** @type {RGB} */ ([(n >> 16) & 255, (n >> 8) & 255, n & 255]);
  }
  const rgb = /rgba?\(([^)]+)\)/.exec(s);
  if (rgb) {
    const [r, g, b] = rgb[1].split(/[ ,/]+/).map(Number);
    return /** @type {RGB} */ ([r, g, b]);
  }
  return /** @type {RGB} */ ([128, 128, 128]);
}

/**
 * The palette of the current theme, as `el` sees it (custom properties inherit, so an element
 * inside a `<pruning-playground>` gets the element's theme, not the host page's).
 * @param {Element} [el]
 */
export function palette(el = document.documentElement) {
  const cs = getComputedStyle(el);
  /** @param {string} name */
  const v = (name) => cs.getPropertyValue(name);
  return {
    pos: parse(v('--pos')),
    neg: parse(v('--neg')),
    bg: parse(v('--surface')),
    fg: parse(v('--fg')),
    muted: parse(v('--muted')),
    pruned: parse(v('--pruned')),
    classes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => parse(v(`--class-${i}`))),
    css: {
      pos: v('--pos').trim(),
      neg: v('--neg').trim(),
      fg: v('--fg').trim(),
      surface: v('--surface').trim(),
      muted: v('--muted').trim(),
    },
  };
}

/**
 * Mixes a towards b: t = 0 gives a.
 * @param {RGB} a
 * @param {RGB} b
 * @param {number} t
 * @returns {RGB}
 */
export function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** @param {RGB} c */
export function css(c) {
  return `rgb(${Math.round(c[0])} ${Math.round(c[1])} ${Math.round(c[2])})`;
}

// The example post (issue 22): its demos use the settings tests/lessons.rs checks (lessons.json
// "posts.blog"), show their views without scrolling inside at 1200 px and on a phone, keep the
// buttons near the demo they drive, and draw the curve, the loss and the density charts large
// enough to read.
/* global document, window */ // used inside page.evaluate callbacks
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const ART = 'e2e/artifacts';
const POST = JSON.parse(readFileSync(new URL('../www/app/lessons.json', import.meta.url), 'utf8')).posts.blog;

/** @param {import('@playwright/test').Page} page */
async function readyAll(page) {
  await page.waitForFunction(() => ['story', 'control'].every((id) => {
    const el = /** @type {HTMLElement | null} */ (document.getElementById(id));
    return !!el && Number(el.dataset.done ?? '0') >= 1 && el.dataset.busy === '';
  }), null, { timeout: 30_000 });
}

/** @param {import('@playwright/test').Page} page */
function measure(page) {
  return page.evaluate(() => ['story', 'control'].map((id) => {
    const el = /** @type {HTMLElement} */ (document.getElementById(id));
    const root = /** @type {ShadowRoot} */ (el.shadowRoot);
    const box = el.getBoundingClientRect();
    // Every scrolling box inside the element: none may hide content.
    const hidden = [el, ...root.querySelectorAll('*')].filter((n) => {
      const cs = window.getComputedStyle(n);
      return /(auto|scroll|hidden)/.test(cs.overflowY) && n.scrollHeight > n.clientHeight + 2 && n.clientHeight > 0
        && !n.matches('select, option, textarea, svg, svg *, canvas');
    }).map((n) => `${n.tagName.toLowerCase()}.${n.className}`);
    const views = [...root.querySelectorAll('[data-view]')].filter((v) => !(/** @type {HTMLElement} */ (v)).hidden).map((v) => {
      const r = v.getBoundingClientRect();
      return { view: /** @type {HTMLElement} */ (v).dataset.view, inside: r.top >= box.top - 1 && r.bottom <= box.bottom + 1, width: r.width };
    });
    /** @param {string} sel */
    const width = (sel) => root.querySelector(sel)?.getBoundingClientRect().width ?? 0;
    const [curve, training, density] = [width('#curve-svg'), width('#training-svg'), width('#density-svg')];
    return { id, top: box.top + window.scrollY, bottom: box.bottom + window.scrollY, hidden, views, curve, training, density,
      settings: /** @type {any} */ (el).state.settings };
  }));
}

for (const width of [1200, 390]) {
  test(`the example post at ${width} px: settings as tested, views without inner scroll, buttons near their demo`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/www/examples/blog-post.html');
    await readyAll(page);
    const m = await measure(page);
    console.log(JSON.stringify(m.map(({ settings: _s, ...rest }) => rest)));
    for (const demo of m) {
      for (const [key, v] of Object.entries(POST.settings)) expect(demo.settings[key], `${demo.id}: ${key}`).toEqual(v);
      expect(demo.hidden, `${demo.id} scrolls inside`).toEqual([]);
      for (const v of demo.views) expect(v.inside, `${demo.id}: ${v.view}`).toBe(true);
    }
    const story = m[0];
    // The curve is readable: most of the column on a laptop, the screen's width on a phone; the
    // loss and density charts of both demos are as wide as the curve (within 10 %).
    expect(story.curve).toBeGreaterThanOrEqual(width > 800 ? 500 : 300);
    for (const demo of m) {
      for (const chart of /** @type {const} */ (['training', 'density'])) {
        expect(demo[chart], `${demo.id}: ${chart} chart width`).toBeGreaterThanOrEqual(0.9 * story.curve);
      }
    }
    // Every action has a button right next to the demo it drives (within 200 px of its edge).
    const buttons = await page.evaluate(() => [...document.querySelectorAll('button[data-target]')].map((b) => ({
      target: /** @type {HTMLElement} */ (b).dataset.target, run: /** @type {HTMLElement} */ (b).dataset.run,
      top: b.getBoundingClientRect().top + window.scrollY })));
    for (const run of new Set(buttons.map((b) => `${b.target}/${b.run}`))) {
      const gaps = buttons.filter((b) => `${b.target}/${b.run}` === run).map((b) => {
        const demo = /** @type {typeof story} */ (m.find((d) => d.id === b.target));
        return b.top < demo.top ? demo.top - b.top : Math.max(0, b.top - demo.bottom);
      });
      expect(Math.min(...gaps), `${run}: nearest button`).toBeLessThan(200);
    }
    await page.screenshot({ path: `${ART}/blog-${width}.png`, fullPage: true });
  });
}

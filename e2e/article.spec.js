// The explorable article (issue 20): in English and in Korean every demo's buttons run and print
// a measured result, the language switch leads to the other version, nothing logs an error, the
// page does not scroll sideways on a phone, and the page header links to the article in its language.
/* global document */ // used inside page.evaluate callbacks
import { expect, test } from '@playwright/test';
import { open, watchProblems } from './helpers.js';

const ART = 'e2e/artifacts';

/** @param {import('@playwright/test').Page} page */
async function demosReady(page) {
  await page.waitForFunction(() => {
    const els = [...document.querySelectorAll('pruning-playground')];
    return els.length > 0 && els.every((el) => Number(/** @type {HTMLElement} */ (el).dataset.done ?? '0') >= 1
      && /** @type {HTMLElement} */ (el).dataset.busy === '');
  }, null, { timeout: 60_000 });
}

/** @param {import('@playwright/test').Page} page */
function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

for (const [lang, other, percent] of /** @type {const} */ ([['en', 'ko', /test accuracy/], ['ko', 'en', /테스트 정확도|티켓/]])) {
  test(`the article in ${lang}: every demo runs, the language switch works, readable on a phone`, async ({ page }) => {
    test.setTimeout(240_000);
    const problems = watchProblems(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`/www/article/${lang}.html`);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await demosReady(page);
    // Each element carries its demo's lesson settings and its own language.
    const demos = await page.evaluate(() => [...document.querySelectorAll('pruning-playground')].map((el) => ({
      id: el.id, lang: /** @type {any} */ (el).state.settings.lang, dataset: /** @type {any} */ (el).state.settings.dataset })));
    expect(demos.length).toBe(9);
    for (const d of demos) expect(d.lang, d.id).toBe(lang);

    // Every button, the demos side by side (one worker each), the runs of a demo one after another.
    const runs = await page.evaluate(() => [...document.querySelectorAll('button[data-run]')].map((b) => ({
      demo: /** @type {HTMLElement} */ (b).dataset.demo ?? '', run: /** @type {HTMLElement} */ (b).dataset.run ?? '' })));
    /** @type {Map<string, typeof runs>} */
    const byDemo = new Map();
    for (const r of runs) byDemo.set(r.demo, [...(byDemo.get(r.demo) ?? []), r]);
    const started = Date.now();
    await Promise.all([...byDemo.values()].map(async (list) => {
      for (const { demo, run } of list) {
        const button = page.locator(`button[data-demo="${demo}"][data-run="${run}"]`);
        const out = page.locator(`output[data-demo="${demo}"][data-run="${run}"]`);
        // A DOM click, not a mouse click at coordinates: the other demos grow while they draw,
        // which moves the page between Playwright's scroll and its click.
        await expect(button).toBeEnabled();
        await button.evaluate((b) => /** @type {HTMLButtonElement} */ (b).click());
        await expect(out, `${demo}/${run}`).not.toBeEmpty();
        await expect(button).toBeEnabled({ timeout: 200_000 });
        await expect(out, `${demo}/${run}`).not.toHaveClass(/error/);
        await expect(out, `${demo}/${run}`).toHaveText(percent);
        await expect(out, `${demo}/${run}`).toHaveText(/\d+\.\d%/);
      }
    }));
    const texts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('output[data-run]')].map((o) => [
      `${/** @type {HTMLElement} */ (o).dataset.demo}/${/** @type {HTMLElement} */ (o).dataset.run}`, o.textContent])));
    console.log(`[article ${lang}] all runs in ${((Date.now() - started) / 1000).toFixed(1)} s`, JSON.stringify(texts, null, 1));
    // The same weights go with L2 as with magnitude within a layer: the two runs print the same.
    expect(texts['norms/l2']).toBe(texts['norms/magnitude']);

    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ART}/article-${lang}-1280.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    expect(await overflow(page), 'no horizontal scroll at 390 px').toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ART}/article-${lang}-390.png`, fullPage: true });
    expect(problems).toEqual([]);

    await page.getByTestId('lang-switch').click();
    await expect(page).toHaveURL(new RegExp(`/www/article/${other}\\.html$`));
    await expect(page.locator('html')).toHaveAttribute('lang', other);
    await demosReady(page);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });
}

test('the page header links to the article in the current language', async ({ page }) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await open(page);
  const link = page.getByTestId('article-link');
  await expect(link).toHaveAttribute('href', 'www/article/en.html');
  await page.locator('#lang').selectOption('ko');
  await expect(link).toHaveAttribute('href', 'www/article/ko.html');
  await expect(link).toHaveText('설명 글: 가지치기 한눈에');
  await page.screenshot({ path: `${ART}/article-link-header.png`, clip: { x: 0, y: 0, width: 1280, height: 160 } });
  await link.click();
  await expect(page).toHaveURL(/\/www\/article\/ko\.html$/);
  await expect(page.locator('h1')).toHaveText('살아 있는 신경망으로 보는 가지치기');
  expect(problems).toEqual([]);
});

// The Korean UI has no English leftovers: in several states of the page (built, trained, pruned,
// lottery table, export menu open, structured pruning, the digits data set), no visible text is an English string of
// the string table, and no visible text holds an English word outside the technical terms that the
// Korean literature writes in Latin letters.
/* global document, window, NodeFilter */ // used inside page.evaluate callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { open, press, setSetting, watchProblems } from './helpers.js';

/** Latin-letter words that Korean text keeps as they are (names, units, formats, symbols). */
const ALLOWED = [
  'MNIST', 'CSV', 'JSON', 'PNG', 'PyTorch', 'safetensors', 'torch', 'nn', 'utils', 'prune', 'Adam', 'SGD',
  'ReLU', 'tanh', 'sigmoid', 'Lp', 'L1', 'L2', 'SNIP', 'GraSP', 'SynFlow', 'He', 'Kaiming', 'Glorot', 'Xavier', 'UCI', 'MLP',
  'XOR', 'xor', 'ms', 'µs', 'GFLOP', 'FLOPs', 'KB', 'MB', 'px', 'inf', 'max', 'step', 'k', 'x', 'y',
  'IMP', 'LTH', 'CSR', 'LeNet', 'θ₀', 'wasm', 'WebAssembly', 'py', 'Python', 'OpenLTH', 'Frankle', 'Carbin', 'Greydanus', 'Zhou',
  'Han', 'et', 'al', 'scikit', 'learn', 'CC', 'BY', 'Light', 'Dark', 'English', 'Auto', 'GitHub',
];

/**
 * Visible text of the page (text nodes of rendered elements, select options included), one entry per node.
 * @param {import('@playwright/test').Page} page
 */
async function visibleTexts(page) {
  return page.evaluate(() => {
    /** @type {string[]} */
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('script, style, [hidden], [aria-hidden="true"]')) continue;
      const inOption = el.closest('option, optgroup');
      const box = (inOption ? el.closest('select') ?? el : el).getBoundingClientRect();
      const style = window.getComputedStyle(inOption ? el.closest('select') ?? el : el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('input[placeholder], [title]')) {
      const v = el.getAttribute('placeholder') ?? el.getAttribute('title');
      if (v && /** @type {HTMLElement} */ (el).offsetParent !== null) out.push(v.trim());
    }
    return out;
  });
}

/**
 * English leftovers among the page's visible texts.
 * @param {import('@playwright/test').Page} page
 */
async function leftovers(page) {
  const tables = await page.evaluate(async () => {
    const { TABLES } = await import('./www/app/i18n.js');
    return TABLES;
  });
  const texts = await visibleTexts(page);
  /** @type {string[]} */
  const found = [];
  // 1. Texts that are an English string of the table (templates matched with their parameters).
  for (const [key, en] of Object.entries(tables.en)) {
    if (en === tables.ko[key] || !/[A-Za-z]{3}/.test(en)) continue;
    const re = new RegExp(`^${en.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.*')}$`, 's');
    for (const text of texts) if (re.test(text)) found.push(`${key}: ${JSON.stringify(text)}`);
  }
  // 2. English words outside the allowed technical terms.
  const allowed = new Set(ALLOWED.map((w) => w.toLowerCase()));
  for (const text of texts) {
    // Code names (nn.Linear, torch.nn.utils.prune) are written as they are in any language.
    const prose = text.replace(/\b[A-Za-z_]+(?:\.[A-Za-z_]+)+\b/g, '');
    const words = (prose.match(/[A-Za-z][A-Za-z'’]+/g) ?? []).filter((w) => !allowed.has(w.toLowerCase()));
    if (words.length > 0) found.push(`English words ${JSON.stringify(words)} in ${JSON.stringify(text.slice(0, 80))}`);
  }
  return [...new Set(found)];
}

test('the Korean UI shows no English leftovers, in every state of an experiment', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = watchProblems(page);
  /** @type {string[]} */
  const found = [];
  await open(page, '?lang=ko&ep=3&rt=2&lv=2&lep=2');
  found.push(...(await leftovers(page)));
  await press(page, 'train');
  await press(page, 'prune');
  found.push(...(await leftovers(page)));
  await press(page, 'rewind');
  await press(page, 'retrain');
  await press(page, 'run-lottery');
  found.push(...(await leftovers(page)));
  await page.getByTestId('export').click();
  found.push(...(await leftovers(page)));
  await page.keyboard.press('Escape');
  await setSetting(page, 'structure', 'neurons');
  await press(page, 'prune');
  found.push(...(await leftovers(page)));
  await setSetting(page, 'dataset', 'digits');
  await press(page, 'train');
  found.push(...(await leftovers(page)));
  expect([...new Set(found)]).toEqual([]);
  expect(problems).toEqual([]);
});

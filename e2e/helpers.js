// Helpers for the playground e2e tests: wait for the one dispatcher to finish an action, read
// machine-readable readouts, collect console problems.
/* global document, window */ // used inside page.evaluate / waitForFunction callbacks, which run in the page
import { expect } from '@playwright/test';

/**
 * Collects console errors, page errors, failed requests and HTTP errors.
 * @param {import('@playwright/test').Page} page
 */
export function watchProblems(page) {
  /** @type {string[]} */
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

/** @param {import('@playwright/test').Page} page */
export async function doneCount(page) {
  return Number((await page.locator('body').getAttribute('data-done')) ?? '0');
}

/**
 * Runs `act` and waits until the dispatcher has finished one more action and is idle.
 * @param {import('@playwright/test').Page} page
 * @param {() => Promise<unknown>} act
 * @param {number} [timeout]
 */
export async function settle(page, act, timeout = 60_000) {
  const before = await doneCount(page);
  await act();
  await page.waitForFunction(
    (n) => Number(document.body.dataset.done ?? '0') > n && document.body.dataset.busy === '',
    before,
    { timeout },
  );
}

/**
 * Opens the page and waits for the engine to be ready.
 * @param {import('@playwright/test').Page} page
 * @param {string} [query]
 */
export async function open(page, query = '') {
  // A fragment-only change of the same page is no new load: start from a blank page.
  if (query.startsWith('#')) await page.goto('about:blank');
  await page.goto(`/${query}`);
  await page.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '', null, {
    timeout: 30_000,
  });
}

/**
 * Clicks a pipeline button (by data-testid) and waits for it to finish.
 * @param {import('@playwright/test').Page} page
 * @param {string} testid
 * @param {number} [timeout]
 */
export async function press(page, testid, timeout) {
  await expect(page.getByTestId(testid)).toBeEnabled();
  await settle(page, () => page.getByTestId(testid).click(), timeout);
}

/**
 * Changes a setting through its control and waits for the dispatcher.
 * @param {import('@playwright/test').Page} page
 * @param {string} name
 * @param {string} value
 */
export async function setSetting(page, name, value) {
  const control = page.locator(`#controls [name="${name}"]`);
  const tag = await control.evaluate((el) => el.tagName);
  await settle(page, async () => {
    if (tag === 'SELECT') await control.selectOption(value);
    else {
      await control.fill(value);
      await control.press('Tab');
    }
  });
}

/**
 * The machine-readable value of a readout (data-value).
 * @param {import('@playwright/test').Page} page
 * @param {string} testid
 */
export async function value(page, testid) {
  return Number(await page.getByTestId(testid).getAttribute('data-value'));
}

/**
 * The page's link parameters: the URL fragment (where the page keeps them), else the query.
 * @param {import('@playwright/test').Page} page
 */
export function linkParams(page) {
  const url = new URL(page.url());
  return new URLSearchParams(url.hash.length > 1 ? url.hash.slice(1) : url.search);
}

/**
 * The page's link as `open` takes it: `#…` (or a query link `?…`), '' for none.
 * @param {import('@playwright/test').Page} page
 */
export function linkOf(page) {
  const url = new URL(page.url());
  return url.hash || url.search;
}

/**
 * The saved experiments of every tab on the origin (app/autosave.js slots), as one string: equal
 * strings, nothing written.
 * @param {import('@playwright/test').Page} page
 */
export async function savedSlots(page) {
  return page.evaluate(() => JSON.stringify(Object.keys(window.localStorage).sort()
    .filter((k) => k.startsWith('pruning-playground:experiment'))
    .map((k) => [k, window.localStorage.getItem(k)])));
}

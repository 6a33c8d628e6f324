// The static build (`npm run build` → dist/) works from a sub-path and offline once loaded: its
// service worker precaches the site, so a reload with the server gone still trains a network.
/* global document */ // used inside page.evaluate callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { press, watchProblems } from './helpers.js';

/** @type {import('node:child_process').ChildProcess | null} */
let server = null;
let base = '';
let root = '';

test.beforeAll(async () => {
  execFileSync('node', ['scripts/build-dist.mjs'], { stdio: 'pipe' });
  // Served under a sub-path, as on a static host: http://host/some/path/.
  root = mkdtempSync(join(tmpdir(), 'pp-dist-'));
  cpSync('dist', join(root, 'some', 'path'), { recursive: true });
  server = spawn('node', ['scripts/serve.mjs', root], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const out = server.stdout;
  if (!out) throw new Error('no server output');
  let text = '';
  while (!/http:\/\/\S+\//.test(text)) {
    const [chunk] = await once(out, 'data');
    text += String(chunk);
  }
  base = `${(/** @type {RegExpMatchArray} */ (text.match(/http:\/\/\S+\//)))[0]}some/path/`;
});

test.afterAll(() => {
  server?.kill();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('the static build runs from a sub-path and, once loaded, offline', async ({ page }) => {
  const problems = watchProblems(page);
  await page.goto(`${base}?ep=2`);
  await page.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '');
  await press(page, 'train');
  // Wait until the service worker has precached the site and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  expect(problems).toEqual([]);

  // The server goes away; the page reloads from the cache, replays its link and trains.
  server?.kill();
  await once(/** @type {import('node:child_process').ChildProcess} */ (server), 'exit');
  await page.context().setOffline(true);
  await page.reload();
  await page.waitForFunction(() => Number(document.body.dataset.done ?? '0') >= 1 && document.body.dataset.busy === '');
  await expect(page.getByTestId('message')).toContainText('Restored your saved experiment: 1 steps replayed');
  expect(await page.getByTestId('epoch').getAttribute('data-value')).toBe('2');
  await press(page, 'train');
  expect(await page.getByTestId('epoch').getAttribute('data-value')).toBe('4');
});

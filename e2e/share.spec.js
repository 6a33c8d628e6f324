// Export menu, autosave/restore and "New experiment" (issue 6, first part).
/* global document, window */ // used inside page.evaluate callbacks, which run in the page
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, press, setSetting, settle, watchProblems } from './helpers.js';

/**
 * Opens the export menu, clicks one item and returns the download (name and bytes).
 * @param {import('@playwright/test').Page} page
 * @param {string} kind
 */
async function exportFile(page, kind) {
  await page.getByTestId('export').click();
  await expect(page.getByTestId(`export-${kind}`)).toBeVisible();
  /** @type {import('@playwright/test').Download | undefined} */
  let download;
  await settle(page, async () => {
    const waiting = page.waitForEvent('download');
    await page.getByTestId(`export-${kind}`).click();
    download = await waiting;
  });
  const d = /** @type {import('@playwright/test').Download} */ (download);
  const path = await d.path();
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

/** @param {import('@playwright/test').Page} page */
async function savedExperiment(page) {
  return page.evaluate(() => window.localStorage.getItem('pruning-playground:experiment:v1'));
}

test.beforeEach(async ({ page }) => {
  // A fresh browser context per test: no saved experiment to begin with.
  await page.addInitScript(() => {
    if (!window.sessionStorage.getItem('share-test-started')) {
      window.sessionStorage.setItem('share-test-started', '1');
      window.localStorage.clear();
    }
  });
});

test('the export menu downloads every file with the right name and content', async ({ page }) => {
  const problems = watchProblems(page);
  await open(page, '?ep=5&lv=2&lep=3');
  await press(page, 'train');
  await press(page, 'run-lottery');
  await page.getByTestId('export').click();
  await page.screenshot({ path: 'e2e/artifacts/export-menu.png' });
  await page.getByTestId('export').click();

  for (const kind of ['png-network', 'png-boundary', 'png-training', 'png-lottery']) {
    const f = await exportFile(page, kind);
    expect(f.name).toBe(`pruning-playground-${kind.slice(4)}.png`);
    expect(f.bytes.length).toBeGreaterThan(500);
    expect([...f.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    writeFileSync(`e2e/artifacts/export-${kind}.png`, f.bytes); // for a look by eye
  }

  const hCsv = await exportFile(page, 'history-csv');
  expect(hCsv.name).toBe('pruning-playground-history.csv');
  const hLines = hCsv.bytes.toString('utf8').trim().split('\n');
  expect(hLines[0]).toContain('epoch');
  expect(hLines[0]).toContain('testAccuracy');
  expect(hLines.length).toBe(6);

  const hJson = await exportFile(page, 'history-json');
  expect(hJson.name).toBe('pruning-playground-history.json');
  const h = JSON.parse(hJson.bytes.toString('utf8'));
  expect(h.history).toHaveLength(5);
  expect(h.settings.epochs).toBe(5);

  const lCsv = await exportFile(page, 'lottery-csv');
  expect(lCsv.name).toBe('pruning-playground-lottery.csv');
  const lLines = lCsv.bytes.toString('utf8').trim().split('\n');
  expect(lLines[0].split(',')).toEqual(expect.arrayContaining(['branch', 'level', 'density', 'testAccuracy']));
  expect(lLines.length).toBeGreaterThan(2);

  const lJson = await exportFile(page, 'lottery-json');
  expect(lJson.name).toBe('pruning-playground-lottery.json');
  const l = JSON.parse(lJson.bytes.toString('utf8'));
  expect(l.lottery.length).toBe(lLines.length - 1);
  expect(l.lottery.some((/** @type {{ branch: string }} */ r) => r.branch === 'ticket')).toBe(true);

  const st = await exportFile(page, 'safetensors');
  expect(st.name).toBe('pruning-playground-model.safetensors');
  expect(st.bytes.length).toBeGreaterThan(8);
  // Loads back through the engine's importSafetensors (a fresh worker with the same settings).
  const layers = await page.evaluate(async (bytes) => {
    const { Engine } = await import('./engine.js');
    const engine = await Engine.create({ dataset: { kind: 'circle' }, hidden: [8, 8] });
    try {
      const snap = await engine.call('importSafetensors', new Uint8Array(bytes));
      return snap.layers.length;
    } finally {
      engine.terminate();
    }
  }, [...st.bytes]);
  expect(layers).toBe(3);

  const py = await exportFile(page, 'pytorch');
  expect(py.name).toBe('pruning-playground-experiment.py');
  const script = py.bytes.toString('utf8');
  expect(script).toContain('import torch');
  expect(script).toContain('prune.');
  const dir = mkdtempSync(join(tmpdir(), 'pp-share-'));
  const file = join(dir, 'experiment.py');
  writeFileSync(file, script);
  execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' });

  expect(problems).toEqual([]);
});

test('a reload restores the settings and the lottery table; New experiment clears them', async ({ page }) => {
  await open(page);
  await setSetting(page, 'levels', '2');
  await setSetting(page, 'lotteryEpochs', '2');
  await setSetting(page, 'fraction', '0.5');
  await press(page, 'run-lottery');
  const before = await page.evaluate(() => document.querySelectorAll('#curve-svg circle, #curve-svg path').length);
  expect(JSON.parse(/** @type {string} */ (await savedExperiment(page))).lottery.length).toBeGreaterThan(1);

  // Reload without the query: the settings come from storage.
  await open(page, '');
  await expect(page.getByTestId('message')).toContainText('Restored');
  await expect(page.locator('#controls [name="levels"]')).toHaveValue('2');
  await expect(page.locator('#controls [name="fraction"]')).toHaveValue('0.5');
  const after = await page.evaluate(() => document.querySelectorAll('#curve-svg circle, #curve-svg path').length);
  expect(after).toBe(before);
  await expect(page.locator('#curve-empty')).toBeHidden();
  const lottery = await exportFile(page, 'lottery-json');
  expect(JSON.parse(lottery.bytes.toString('utf8')).lottery.length).toBeGreaterThan(1);

  await press(page, 'new-experiment');
  await expect(page.locator('#controls [name="levels"]')).toHaveValue('3');
  expect(await savedExperiment(page)).toBeNull();
  expect(new URL(page.url()).search).toBe('');

  await open(page, '');
  await expect(page.getByTestId('message')).not.toContainText('Restored');
  await expect(page.locator('#controls [name="fraction"]')).toHaveValue('0.2');
  const cleared = await exportFile(page, 'lottery-json');
  expect(JSON.parse(cleared.bytes.toString('utf8')).lottery).toEqual([]);
});

test('a failing storage shows a message and the page keeps working', async ({ page }) => {
  await page.addInitScript(() => {
    window.Storage.prototype.setItem = () => {
      throw new Error('QuotaExceededError (test)');
    };
  });
  const problems = watchProblems(page);
  await open(page, '?ep=2');
  await press(page, 'train');
  await expect(page.getByTestId('message')).toContainText('Could not save');
  await press(page, 'train');
  expect(Number(await page.getByTestId('epoch').textContent())).toBe(4);
  expect(problems).toEqual([]);
});
